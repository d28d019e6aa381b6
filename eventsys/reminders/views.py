"""Per-session reminder settings and sending reminders now."""

from flask import Blueprint

blueprint = Blueprint("reminders", __name__)
