"""Signed links in invitation mail: bound to one invitation, valid until the session ends."""

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.signed_links import SignedLink

# Untimed: the expiry comes from the session, so that a session moved later keeps its links.
RSVP_LINK = SignedLink("rsvp", timed=False)


def make_rsvp_token(invitation: Invitation) -> str:
    return RSVP_LINK.sign(i=invitation.id, s=invitation.session_id)


def read_rsvp_token(token: str) -> tuple[Invitation | None, bool]:
    """The invitation a token opens and whether it has expired (the session has ended).

    A forged or mangled token, or one for an invitation that no longer exists, gives None.
    The expiry is read from the session as it is now, so that a session moved to a later date
    keeps its links working.
    """
    ids = RSVP_LINK.read_ids(token, ("i", "s"))
    if ids is None:
        return None, False
    invitation_id, session_id = ids
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.session_id != session_id:
        return None, False
    return invitation, invitation.session.ends_at <= utcnow()
