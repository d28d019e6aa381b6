"""What invitees hear when their session changes (receiver of `signals.session_changed`)."""

from eventsys.invitations import services as invitations
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus
from eventsys.signals import session_changed

# A change of any of these moves the calendar entry: invitees get an update (RFC 5546).
CALENDAR_FIELDS = {
    "starts_at",
    "ends_at",
    "venue_address",
    "venue_room",
    "online_url",
    "title",
    "title_en",  # the title in English readers' calendars
}


@session_changed.connect
def tell_the_invitees(session: Session, changes: dict) -> None:
    """Send calendar updates or cancellations for a change that invitees must know about, and
    move the waiting list up when the capacity grew."""
    if "status" in changes and session.status == SessionStatus.CANCELLED:
        invitations.session_cancelled(session)
        return
    if session.status == SessionStatus.CANCELLED:
        return  # the invitees have their cancellation; later edits are the organisers' own
    if CALENDAR_FIELDS & changes.keys():
        invitations.session_moved(session)
    if "capacity" in changes:
        # More places (or no limit any more): the waiting list moves up at once.
        invitations.lock_session(session)
        invitations.fill_free_places(session)
