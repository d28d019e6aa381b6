"""The audit trail: who changed what, when, with old and new values."""
