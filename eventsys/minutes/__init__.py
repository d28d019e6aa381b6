"""Minutes of a session: per TOP the discussion, decisions, action items and recommendations;
circulated, approved, frozen in versions, and filed as PDF."""
