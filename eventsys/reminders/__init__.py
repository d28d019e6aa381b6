"""Reminders before the answer deadline and on the eve of a session."""
