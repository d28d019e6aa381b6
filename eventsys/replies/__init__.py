"""Answers that arrive by mail: calendar replies, counter-proposals and plain e-mails."""
