"""Outgoing mail: stored with the change that causes it, delivered after the commit."""
