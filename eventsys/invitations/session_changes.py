"""What invitees hear when their session changes (receiver of `signals.session_changed`)."""

from eventsys.invitations import services as invitations
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus
from eventsys.signals import session_changed

# A change of time, date or place is major: every invitee is asked to answer again (RFC 5546).
MAJOR_FIELDS = frozenset({"starts_at", "ends_at", "venue_address", "venue_room"})
# A change of these is minor: calendars are updated, answers stay valid. The English title and
# description are what English readers' calendars show.
MINOR_FIELDS = frozenset({"title", "title_en", "description", "description_en", "online_url"})


@session_changed.connect
def tell_the_invitees(
    session: Session, changes: dict, announce: bool = True, reason: str = ""
) -> None:
    """Send calendar updates or cancellations for a change that invitees must know about, and
    move the waiting list up when there are more places. With `announce` False (a typo fixed
    before anyone needs to know) the calendars are not updated; a cancellation always is."""
    if "status" in changes and session.status == SessionStatus.CANCELLED:
        invitations.session_cancelled(session, reason=reason)
        return
    if session.status == SessionStatus.CANCELLED:
        return  # the invitees have their cancellation; later edits are the organisers' own
    calendar_changes = {
        name: values for name, values in changes.items() if name in MAJOR_FIELDS | MINOR_FIELDS
    }
    if calendar_changes and announce:
        invitations.session_moved(
            session, calendar_changes, major=bool(MAJOR_FIELDS & calendar_changes.keys())
        )
    if {"capacity", "online_capacity"} & changes.keys():
        # More places (or no limit any more): the waiting list moves up at once.
        invitations.lock_session(session)
        invitations.fill_free_places(session)
