"""Signed links in minutes mail: bound to one attendee and one set of minutes, and expiring."""

from flask import current_app

from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.minutes.models import Minutes
from eventsys.signed_links import SignedLink

READER_LINK = SignedLink("minutes-reader")


def make_reader_token(minutes: Minutes, expert: Expert) -> str:
    return READER_LINK.sign(m=minutes.id, e=expert.id)


def read_reader_token(token: str) -> tuple[Minutes, Expert] | None:
    """The minutes and the attendee a link was made for, or None for a forged, mangled or
    expired link (links live MINUTES_LINK_MAX_AGE_DAYS, long enough to read the final
    version after the comments)."""
    max_age = current_app.config["MINUTES_LINK_MAX_AGE_DAYS"] * 86400
    ids = READER_LINK.read_ids(token, ("m", "e"), max_age=max_age)
    if ids is None:
        return None
    minutes = db.session.get(Minutes, ids[0])
    expert = db.session.get(Expert, ids[1])
    if minutes is None or expert is None:
        return None
    return minutes, expert
