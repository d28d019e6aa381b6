"""Signed links in invitation mail: bound to one invitation, valid until the session ends."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.invitations.models import Invitation

RSVP_SALT = "rsvp"
FEED_SALT = "calendar-feed"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_rsvp_token(invitation: Invitation) -> str:
    return _serializer(RSVP_SALT).dumps({"i": invitation.id, "s": invitation.session_id})


def read_rsvp_token(token: str) -> tuple[Invitation | None, bool]:
    """The invitation a token opens and whether it has expired (the session has ended).

    A forged or mangled token, or one for an invitation that no longer exists, gives None.
    The expiry is read from the session as it is now, so that a session moved to a later date
    keeps its links working.
    """
    try:
        payload = _serializer(RSVP_SALT).loads(token)
    except BadSignature:
        return None, False
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
        return None, False
    invitation = db.session.get(Invitation, payload["i"])
    if invitation is None or invitation.session_id != payload.get("s"):
        return None, False
    return invitation, invitation.session.ends_at <= utcnow()
