"""Experts, their organisations and working groups."""
