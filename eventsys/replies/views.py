"""The review queue of messages that arrived, and the upload of .eml files."""

from flask import Blueprint

blueprint = Blueprint("replies", __name__, url_prefix="/replies")
