"""The minutes pages: one blueprint, one module per job (editing, workflow, downloads)."""

from flask import Blueprint

blueprint = Blueprint("minutes", __name__, url_prefix="/minutes")

# The modules add their routes to the blueprint when imported.
from eventsys.minutes.views import circulation, downloads, editor, workflow  # noqa: E402, F401
