"""Creating, changing and copying sessions.

The agenda is changed in `eventsys.sessions.agenda`, sessions are found and listed in
`eventsys.sessions.queries`.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import datetime

from flask_babel import gettext as _

from eventsys import signals
from eventsys.access import PLANNERS
from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind, SessionStatus

# A confirmed or held session needs a place people can go to; a planned one often has its
# date long before its room, and a cancelled one needs none.
STATUSES_NEEDING_A_PLACE = frozenset({SessionStatus.CONFIRMED, SessionStatus.HELD})


class SessionError(ValueError):
    """A user-facing reason why a session or its agenda could not be changed."""


class InvalidSessionDetails(SessionError):
    """Details that break the rules for a session; `problems` maps each field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class SessionDetails:
    """Everything an organiser enters about a session; instants are timezone-aware."""

    title: str
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    venue_address: str = ""
    venue_room: str = ""
    online_url: str = ""
    status: SessionStatus = SessionStatus.PLANNED
    capacity: int | None = None
    online_capacity: int | None = None
    rsvp_deadline: datetime | None = None
    organisers: list[User] = field(default_factory=list)
    title_en: str = ""
    description_en: str = ""
    counter_proposals_blocked: bool = False


# Every detail an organiser enters is worth a line in the audit trail.
SESSION_FIELDS = tuple(detail.name for detail in fields(SessionDetails))


def check_session_details(details: SessionDetails) -> None:
    """Raise InvalidSessionDetails, naming every broken rule, unless `details` are consistent."""
    problems: dict[str, str] = {}
    if details.ends_at <= details.starts_at:
        problems["ends_at"] = _("The session must end after it starts.")
    if details.rsvp_deadline is not None and details.rsvp_deadline >= details.starts_at:
        problems["rsvp_deadline"] = _("The reply deadline must be before the session starts.")
    if details.capacity is not None and details.capacity < 1:
        problems["capacity"] = _("The capacity must be at least 1.")
    if details.online_capacity is not None and details.online_capacity < 1:
        problems["online_capacity"] = _("The limit for online participants must be at least 1.")
    if (
        details.status in STATUSES_NEEDING_A_PLACE
        and not details.venue_address
        and not details.online_url
    ):
        problems["venue_address"] = _(
            "A confirmed or held session needs a venue address or an online link."
        )
    if any(user.role not in PLANNERS for user in details.organisers):
        problems["organisers"] = _("Only organisers and administrators can be responsible.")
    if problems:
        raise InvalidSessionDetails(problems)


def _apply_details(session: Session, details: SessionDetails) -> None:
    for name in SESSION_FIELDS:
        setattr(session, name, getattr(details, name))


def _session_snapshot(session: Session) -> dict:
    """The audited fields of `session`; organisers as sorted ids, since their order is not news."""
    values = audit.snapshot(session, SESSION_FIELDS)
    values["organisers"] = sorted(values["organisers"])
    return values


def create_session(details: SessionDetails) -> Session:
    """Add a session; raises InvalidSessionDetails if the details break a rule."""
    check_session_details(details)
    session = Session()
    _apply_details(session, details)
    db.session.add(session)
    db.session.flush()
    audit.record(
        "session.created",
        session,
        f"Session {session.title!r} created",
        audit.diff({}, _session_snapshot(session)),
    )
    return session


def update_session(
    session: Session, details: SessionDetails, announce: bool = True, reason: str = ""
) -> dict:
    """Change a session's details, recording old and new values of what changed, and tell
    the features that care (`signals.session_changed`: invitees get calendar updates, unless
    `announce` is False; a cancellation carries `reason`). Returns what changed, each field
    with its [old, new] values.

    Raises InvalidSessionDetails if the new details break a rule.
    """
    check_session_details(details)
    before = _session_snapshot(session)
    _apply_details(session, details)
    changes = audit.diff(before, _session_snapshot(session))
    if changes:
        db.session.flush()
        audit.record("session.updated", session, f"Session {session.title!r} changed", changes)
        signals.session_changed.send(session, changes=changes, announce=announce, reason=reason)
    return changes


def copy_session(original: Session, details: SessionDetails) -> Session:
    """A new, planned session with `details` and a copy of `original`'s agenda.

    Raises InvalidSessionDetails if the details break a rule.
    """
    details = replace(details, status=SessionStatus.PLANNED)
    check_session_details(details)
    copy = Session(copied_from_id=original.id)
    _apply_details(copy, details)
    copy.agenda_items = [
        AgendaItem(
            position=position,
            title=item.title,
            title_en=item.title_en,
            description=item.description,
            presenter_expert_id=item.presenter_expert_id,
            presenter_text=item.presenter_text,
            duration_minutes=item.duration_minutes,
        )
        for position, item in enumerate(original.agenda_items, start=1)
    ]
    db.session.add(copy)
    db.session.flush()
    audit.record(
        "session.copied",
        copy,
        f"Session {copy.title!r} copied from session {original.id} "
        f"with {len(copy.agenda_items)} agenda items",
        audit.diff({}, _session_snapshot(copy) | {"copied_from_id": original.id}),
    )
    return copy
