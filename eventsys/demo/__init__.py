"""Believable demo data for trying the platform."""
