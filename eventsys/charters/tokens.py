"""Signed links in consultation mail: bound to one expert and one charter version, and
expiring."""

from flask import current_app

from eventsys.charters.models import CharterVersion
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.signed_links import SignedLink

CONSULTATION_LINK = SignedLink("charter-consultation")


def make_consultation_token(version: CharterVersion, expert: Expert) -> str:
    return CONSULTATION_LINK.sign(v=version.id, e=expert.id)


def read_consultation_token(token: str) -> tuple[CharterVersion, Expert] | None:
    """The version and the expert a link was made for, or None for a forged, mangled or
    expired link. Links live CHARTER_LINK_MAX_AGE_DAYS, long enough for the expert to see
    what became of their comments in later versions."""
    days = current_app.config["CHARTER_LINK_MAX_AGE_DAYS"]
    ids = CONSULTATION_LINK.read_ids(token, ("v", "e"), max_age=days * 86400)
    if ids is None:
        return None
    version = db.session.get(CharterVersion, ids[0])
    expert = db.session.get(Expert, ids[1])
    if version is None or expert is None:
        return None
    return version, expert
