"""The charter pages: one blueprint, one module per job."""

from flask import Blueprint

blueprint = Blueprint("charters", __name__, url_prefix="/charters")

# The modules add their routes to the blueprint when imported.
from eventsys.charters.views import (  # noqa: E402, F401
    consultation,
    diffs,
    drafting,
    pool,
    provenance,
    versions,
)
