"""Invitations: iCalendar mail, answers by link and by calendar reply, waitlists, reminders."""
