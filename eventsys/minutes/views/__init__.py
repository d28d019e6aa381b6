"""The minutes pages: one blueprint, one module per job (editing, workflow, downloads)."""

from flask import Blueprint

blueprint = Blueprint("minutes", __name__, url_prefix="/minutes")

# The modules add their routes to the blueprint when imported.
from eventsys.minutes.views import (  # noqa: E402, F401
    action_items,
    circulation,
    downloads,
    editor,
    workflow,
)
