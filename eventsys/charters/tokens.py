"""Signed links in consultation mail: bound to one expert and one charter version, and
expiring."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from eventsys.charters.models import CharterVersion
from eventsys.experts.models import Expert
from eventsys.extensions import db

CONSULTATION_SALT = "charter-consultation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONSULTATION_SALT)


def make_consultation_token(version: CharterVersion, expert: Expert) -> str:
    return _serializer().dumps({"v": version.id, "e": expert.id})


def read_consultation_token(token: str) -> tuple[CharterVersion, Expert] | None:
    """The version and the expert a link was made for, or None for a forged, mangled or
    expired link. Links live CHARTER_LINK_MAX_AGE_DAYS, long enough for the expert to see
    what became of their comments in later versions."""
    days = current_app.config["CHARTER_LINK_MAX_AGE_DAYS"]
    try:
        payload = _serializer().loads(token, max_age=days * 86400)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    version_id, expert_id = payload.get("v"), payload.get("e")
    if not isinstance(version_id, int) or not isinstance(expert_id, int):
        return None
    version = db.session.get(CharterVersion, version_id)
    expert = db.session.get(Expert, expert_id)
    if version is None or expert is None:
        return None
    return version, expert
