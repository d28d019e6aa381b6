"""Signed links in minutes mail: bound to one attendee and one set of minutes, and expiring."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.minutes.models import Minutes

READER_SALT = "minutes-reader"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=READER_SALT)


def make_reader_token(minutes: Minutes, expert: Expert) -> str:
    return _serializer().dumps({"m": minutes.id, "e": expert.id})


def read_reader_token(token: str) -> tuple[Minutes, Expert] | None:
    """The minutes and the attendee a link was made for, or None for a forged, mangled or
    expired link (links live MINUTES_LINK_MAX_AGE_DAYS, long enough to read the final
    version after the comments)."""
    max_age = current_app.config["MINUTES_LINK_MAX_AGE_DAYS"] * 86400
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    minutes_id, expert_id = payload.get("m"), payload.get("e")
    if not isinstance(minutes_id, int) or not isinstance(expert_id, int):
        return None
    minutes = db.session.get(Minutes, minutes_id)
    expert = db.session.get(Expert, expert_id)
    if minutes is None or expert is None:
        return None
    return minutes, expert
