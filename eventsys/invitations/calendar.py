"""iCalendar objects for invitations (RFC 5545, iTIP RFC 5546) that real clients honour.

Times are written in UTC (`…Z`), as Google Calendar does: no VTIMEZONE is then needed, and no
client can misread a zone name. Lines are CRLF-terminated and folded at 75 octets by the
icalendar library.
"""

import re
from datetime import datetime, timedelta

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from eventsys.database import utcnow
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus

PRODUCT_ID = "-//eventsys//Dialogplattform Smart Cities//DE"


def organizer_address() -> str:
    """The mailbox that receives calendar replies; it is also the From address of invitations."""
    return current_app.config["INVITATION_REPLY_ADDRESS"]


def _organizer() -> vCalAddress:
    organizer = vCalAddress(f"mailto:{organizer_address()}")
    organizer.params["CN"] = vText(current_app.config["PLATFORM_NAME"])
    return organizer


def _attendee(
    invitation: Invitation, partstat: str = "NEEDS-ACTION", rsvp: bool = True
) -> vCalAddress:
    expert = invitation.expert
    attendee = vCalAddress(f"mailto:{expert.email}")
    attendee.params["CN"] = vText(expert.full_name)
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = partstat
    if rsvp:
        attendee.params["RSVP"] = "TRUE"
    return attendee


def location_text(session: Session) -> str:
    parts = [part for part in (session.venue_address, session.venue_room) if part]
    if session.online_url:
        parts.append(session.online_url)
    return ", ".join(parts)


def _event(
    session: Session,
    description: str,
    stamp: datetime,
    invitation: Invitation | None = None,
    language: str = "de",
) -> Event:
    """The session as a VEVENT, titled for readers of `language`: the invitee's own entry for
    an invitation, else the session's (feeds)."""
    event = Event()
    if invitation is not None:
        event.add("uid", invitation.calendar_uid)
        event.add("sequence", invitation.calendar_sequence)
    else:
        event.add("uid", session.ical_uid)
        event.add("sequence", session.ical_sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", session.title_for(language))
    if description:
        event.add("description", description)
    location = location_text(session)
    if location:
        event.add("location", location)
    if session.online_url:
        event.add("url", session.online_url)
    event.add("organizer", _organizer())
    return event


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _standing_partstat(invitation: Invitation) -> str:
    """The answer the calendar should show: the invitee's own for this version of the session,
    so that a reminder to someone who accepted does not ask them to answer again; after a
    change of time or place (an answer to an earlier version), NEEDS-ACTION."""
    if invitation.response in (None, Response.NEEDS_ACTION) or invitation.answered_earlier_version:
        return "NEEDS-ACTION"
    if invitation.response == Response.DELEGATED:
        return "DELEGATED"
    return invitation.response.partstat


def invitation_request(invitation: Invitation, description: str) -> bytes:
    """METHOD:REQUEST naming the invitee as the one ATTENDEE, with RSVP=TRUE."""
    session = invitation.session
    calendar = _calendar("REQUEST")
    event = _event(session, description, utcnow(), invitation, invitation.expert.language)
    event.add("status", "CONFIRMED" if session.status == SessionStatus.CONFIRMED else "TENTATIVE")
    event.add("attendee", _attendee(invitation, _standing_partstat(invitation)))
    event.add("transp", "OPAQUE")
    if session.counter_proposals_blocked:  # Outlook then offers no "Propose new time"
        event.add("x-microsoft-disallow-counter", "TRUE")
    calendar.add_component(event)
    return calendar.to_ical()


def invitation_cancel(invitation: Invitation, description: str = "") -> bytes:
    """METHOD:CANCEL for one invitee: the session was cancelled, the invitation withdrawn, or
    the invitee declined or sent a deputy, so that the entry leaves their calendar. A
    cancellation asks for no answer (no RSVP)."""
    session = invitation.session
    calendar = _calendar("CANCEL")
    event = _event(session, description, utcnow(), invitation, invitation.expert.language)
    event.add("status", "CANCELLED")
    event.add("attendee", _attendee(invitation, _standing_partstat(invitation), rsvp=False))
    calendar.add_component(event)
    return calendar.to_ical()


def _personal_lines(invitation: Invitation, description: str, method: str) -> dict[bytes, bytes]:
    """The content lines of an invitee's calendar object that are theirs alone, as
    `invitation_request` and `invitation_cancel` write them: UID, SEQUENCE, DESCRIPTION and
    ATTENDEE, folded, by name."""
    event = Event()
    event.add("uid", invitation.calendar_uid)
    event.add("sequence", invitation.calendar_sequence)
    event.add("description", description)
    partstat = _standing_partstat(invitation)
    event.add("attendee", _attendee(invitation, partstat, rsvp=method == "REQUEST"))
    lines = _content_lines(event.to_ical())[1:-1]  # without BEGIN and END
    return {_property_name(line): line for line in lines}


_PERSONAL_PROPERTIES = (b"UID", b"SEQUENCE", b"DESCRIPTION", b"ATTENDEE")
_LINE_START = re.compile(rb"\r\n(?![ \t])")


def _content_lines(ics: bytes) -> list[bytes]:
    """The logical lines of a calendar object, each with its folded continuations and CRLF."""
    starts = [0, *(match.end() for match in _LINE_START.finditer(ics))]
    ends = [*starts[1:], len(ics)]
    return [ics[start:end] for start, end in zip(starts, ends, strict=True) if start < end]


def _property_name(line: bytes) -> bytes:
    return re.split(rb"[;:]", line, maxsplit=1)[0].upper()


class CalendarSkeleton:
    """One invitee's calendar object (REQUEST or CANCEL) as a pattern for the others of a bulk
    mail: everything but their own lines (`_personal_lines`) is the same for all, DTSTAMP
    included, so only those are written for each. Raises ValueError if the pattern cannot give
    back the object it was made from."""

    def __init__(self, ics: bytes, invitation: Invitation, description: str, method: str):
        lines = _content_lines(ics)
        names = [_property_name(line) for line in lines]
        if any(names.count(name) != 1 for name in _PERSONAL_PROPERTIES):
            raise ValueError("the calendar object has not exactly one of each personal line")
        self._lines = lines
        self._positions = [names.index(name) for name in _PERSONAL_PROPERTIES]
        self._method = method
        if self.fill(invitation, description) != ics:
            raise ValueError("the calendar object cannot be written again from its lines")

    def fill(self, invitation: Invitation, description: str) -> bytes:
        lines = list(self._lines)
        own = _personal_lines(invitation, description, self._method)
        if own.keys() != set(_PERSONAL_PROPERTIES):
            raise ValueError("an invitee's own lines are not the ones expected")
        for name, position in zip(_PERSONAL_PROPERTIES, self._positions, strict=True):
            lines[position] = own[name]
        return b"".join(lines)


# How often subscribed calendars should fetch the feed again (RFC 7986 REFRESH-INTERVAL, and
# X-PUBLISHED-TTL, which Outlook and Apple Calendar read instead): a moved session shows within
# the hour.
FEED_REFRESH = timedelta(hours=1)


def feed_calendar(
    sessions: list[Session],
    name: str,
    free: frozenset[int] = frozenset(),
    language: str = "de",
) -> bytes:
    """A subscription feed (no METHOD): one VEVENT per session, titled and described for
    readers of `language`. The sessions whose ids are in `free` (declined, or a deputy sent) do
    not block the subscriber's time (TRANSP:TRANSPARENT)."""
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    stamp = utcnow()
    for session in sessions:
        event = _event(session, session.description_for(language), stamp, language=language)
        status = {
            SessionStatus.CONFIRMED: "CONFIRMED",
            SessionStatus.CANCELLED: "CANCELLED",
        }.get(session.status, "TENTATIVE")
        event.add("status", status)
        event.add("transp", "TRANSPARENT" if session.id in free else "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
