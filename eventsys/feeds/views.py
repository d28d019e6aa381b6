"""Calendar feeds."""

from flask import Blueprint

blueprint = Blueprint("feeds", __name__, url_prefix="/feeds")
