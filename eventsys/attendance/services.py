"""Keeping a session's attendance list: prefilled from the answers, marked on the day."""

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, contains_eager, selectinload

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.documents.names import name_sort_key
from eventsys.experts.models import Expert, Organisation
from eventsys.experts.search import matches_every_word
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.services import invitations_of
from eventsys.invitations.states import Response
from eventsys.sessions.models import Session

GUEST_NAME_LIMIT = 200


class AttendanceError(ValueError):
    """A change to the attendance list that cannot be made; the message is for the user."""


# What an answer means for the list before the day: who is expected, who has excused themselves.
_STATUS_FROM_ANSWER = {
    Response.ACCEPTED: AttendanceStatus.EXPECTED,
    Response.TENTATIVE: AttendanceStatus.EXPECTED,
    Response.DECLINED: AttendanceStatus.EXCUSED,
    Response.DELEGATED: AttendanceStatus.EXCUSED,
}


def attendees_of(session: Session) -> list[Attendee]:
    """The list in a stable order: experts by name, then guests by name."""
    attendees = db.session.scalars(
        sa.select(Attendee)
        .where(Attendee.session_id == session.id)
        .options(
            selectinload(Attendee.expert).selectinload(Expert.organisation),
            selectinload(Attendee.deputy_for),
        )
    ).all()
    return sorted(
        attendees,
        key=lambda a: (a.is_guest, a.expert.sort_key if a.expert else name_sort_key(a.guest_name)),
    )


def prefill(session: Session) -> int:
    """List everyone who answered (accepted and tentative as expected; declined and those who
    sent a deputy as excused; deputies as standing in). Run again, it adds only who is new and
    never overrides a mark made on the day. Returns how many were added."""
    listed = {a.expert_id: a for a in attendees_of(session) if a.expert_id is not None}
    invitations = invitations_of(session)
    delegated_by = {
        invitation.delegated_to_id: invitation.expert
        for invitation in invitations
        if invitation.delegated_to_id is not None
    }
    added = 0
    for invitation in invitations:
        status = _STATUS_FROM_ANSWER.get(invitation.response)
        if status is None and invitation.id in delegated_by:
            status = AttendanceStatus.EXPECTED  # a named deputy is expected without answering
        if status is None or invitation.waitlisted_at is not None:
            continue  # no answer yet, or no place: not on the list
        if invitation.expert_id in listed:
            continue
        attendee = Attendee(
            session=session,
            expert=invitation.expert,
            invitation=invitation,
            deputy_for=delegated_by.get(invitation.id),
            status=status,
        )
        db.session.add(attendee)
        listed[invitation.expert_id] = attendee
        added += 1
    db.session.flush()
    if added:
        audit.record("attendance.prefilled", session, f"{added} listed from the answers")
    return added


def mark(attendee: Attendee, status: AttendanceStatus, user: User | None) -> bool:
    """Record the state on the day; False when it was already so."""
    if attendee.status == status:
        return False
    previous = attendee.status
    attendee.status = status
    attendee.marked_at = utcnow()
    attendee.marked_by = user
    db.session.flush()
    audit.record(
        "attendance.marked",
        attendee,
        f"{attendee.display_name}: {status.value}",
        {"status": [previous.value, status.value]},
    )
    return True


def add_expert(session: Session, expert: Expert, user: User | None) -> Attendee:
    """Add someone from the directory who was not on the list (present, since they came)."""
    existing = db.session.scalar(
        sa.select(Attendee).where(Attendee.session_id == session.id, Attendee.expert == expert)
    )
    if existing is not None:
        raise AttendanceError(_("%(name)s is already on the list.", name=expert.full_name))
    attendee = Attendee(
        session=session,
        expert=expert,
        status=AttendanceStatus.PRESENT,
        marked_at=utcnow(),
        marked_by=user,
    )
    db.session.add(attendee)
    db.session.flush()
    audit.record("attendance.added", attendee, f"{expert.full_name} added on the day")
    return attendee


def add_guest(
    session: Session,
    name: str,
    organisation: str,
    group: StakeholderGroup | None,
    user: User | None,
) -> Attendee:
    """Add a guest who was not invited and is not in the directory."""
    name, organisation = " ".join(name.split()), " ".join(organisation.split())
    if not name:
        raise AttendanceError(_("Please enter the guest's name."))
    if len(name) > GUEST_NAME_LIMIT or len(organisation) > GUEST_NAME_LIMIT:
        raise AttendanceError(
            _("Names are limited to %(limit)d characters.", limit=GUEST_NAME_LIMIT)
        )
    attendee = Attendee(
        session=session,
        guest_name=name,
        guest_organisation=organisation,
        guest_stakeholder_group=group,
        status=AttendanceStatus.PRESENT,
        marked_at=utcnow(),
        marked_by=user,
    )
    db.session.add(attendee)
    db.session.flush()
    audit.record("attendance.guest_added", attendee, f"Guest {name} ({organisation})")
    return attendee


def remove_added(attendee: Attendee) -> None:
    """Take someone added by hand (a guest, or an expert added on the day) off the list again,
    for an entry made by mistake. Raises AttendanceError for someone listed from the answers:
    the next prefill would list them again, so they are marked absent or excused instead."""
    if attendee.invitation_id is not None:
        raise AttendanceError(
            _(
                "%(name)s was listed from the answers and cannot be removed; please mark them "
                "as excused or absent instead.",
                name=attendee.display_name,
            )
        )
    audit.record("attendance.removed", attendee, f"{attendee.display_name} removed from the list")
    db.session.delete(attendee)
    db.session.flush()


def mark_remaining_absent(session: Session, user: User | None) -> int:
    """At the end of the day: everyone still expected is marked absent. Returns how many."""
    remaining = [
        attendee
        for attendee in attendees_of(session)
        if attendee.status == AttendanceStatus.EXPECTED
    ]
    for attendee in remaining:
        mark(attendee, AttendanceStatus.ABSENT, user)
    return len(remaining)


def status_counts(session: Session) -> dict[AttendanceStatus, int]:
    """How many attendees of the session are in each state (every state present, maybe 0)."""
    rows = db.session.execute(
        sa.select(Attendee.status, sa.func.count())
        .where(Attendee.session_id == session.id)
        .group_by(Attendee.status)
    )
    counts = dict.fromkeys(AttendanceStatus, 0)
    counts.update({status: number for status, number in rows})
    return counts


@dataclass
class AddableExperts:
    """Experts who may still be added: those invited but not listed first, then the others."""

    invited: list[Expert]
    others: list[Expert]


@dataclass
class GroupTotals:
    group: StakeholderGroup | None
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- the pages at national scale: a page of the list, counted and searched by the database ---

PAGE_SIZE = 50
ADDABLE_SHOWN = 20


def has_attendees(session: Session) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(Attendee.session_id == session.id))))


@dataclass(frozen=True)
class AttendeeFilter:
    """Which attendees a page lists; empty values do not filter. Every word of `text` must
    occur in the name or organisation (of the expert, their deputy's principal, or the guest)."""

    text: str = ""
    status: AttendanceStatus | None = None
    group: StakeholderGroup | None = None

    def arguments(self) -> dict[str, str]:
        values = {
            "q": self.text,
            "status": self.status.value if self.status else "",
            "group": self.group.value if self.group else "",
        }
        return {name: value for name, value in values.items() if value}


def _stakeholder_group_column() -> sa.ColumnElement:
    return sa.func.coalesce(Organisation.stakeholder_group, Attendee.guest_stakeholder_group)


def _listing(session: Session) -> sa.Select:
    return (
        sa.select(Attendee)
        .outerjoin(Attendee.expert)
        .outerjoin(Expert.organisation)
        .where(Attendee.session_id == session.id)
    )


def attendee_page(session: Session, filters: AttendeeFilter, page: int, per_page: int = PAGE_SIZE):
    """A page of the list as filtered, experts by name then guests by name, with what the rows
    show loaded in a fixed number of queries."""
    return db.paginate(listed(session, filters), page=page, per_page=per_page, error_out=False)


def listed(session: Session, filters: AttendeeFilter) -> sa.Select:
    """The attendees of the list as filtered, in its order (experts by name, then guests by
    name), with their expert, organisation and principal loaded along."""
    query = _listing(session).options(
        contains_eager(Attendee.expert).contains_eager(Expert.organisation),
        selectinload(Attendee.deputy_for),
    )
    if filters.status is not None:
        query = query.where(Attendee.status == filters.status)
    if filters.group is not None:
        query = query.where(_stakeholder_group_column() == filters.group)
    if filters.text:
        principal = aliased(Expert)
        query = query.outerjoin(principal, principal.id == Attendee.deputy_for_id).where(
            matches_every_word(
                filters.text,
                Expert.first_name,
                Expert.last_name,
                Organisation.name,
                Attendee.guest_name,
                Attendee.guest_organisation,
                principal.last_name,
            )
        )
    return query.order_by(
        Attendee.expert_id.is_(None), Expert.sort_key, Attendee.guest_name, Attendee.id
    )


def totals_in_database(session: Session) -> list[GroupTotals]:
    """Counts by state for each stakeholder group (guests without a group last), in one GROUP
    BY query however long the list."""
    group = _stakeholder_group_column()
    rows = db.session.execute(
        sa.select(group, Attendee.status, sa.func.count(Attendee.id))
        .select_from(Attendee)
        .outerjoin(Attendee.expert)
        .outerjoin(Expert.organisation)
        .where(Attendee.session_id == session.id)
        .group_by(group, Attendee.status)
    )
    by_group: dict[StakeholderGroup | None, GroupTotals] = {}
    for value, status, number in rows:
        key = StakeholderGroup(value) if value else None
        by_group.setdefault(key, GroupTotals(key)).counts[AttendanceStatus(status)] += number
    order = {group: index for index, group in enumerate(StakeholderGroup)}
    return sorted(by_group.values(), key=lambda t: order.get(t.group, len(order)))


def _addable(session: Session) -> sa.ColumnElement[bool]:
    listed = sa.select(Attendee.expert_id).where(
        Attendee.session_id == session.id, Attendee.expert_id.is_not(None)
    )
    return sa.and_(
        Expert.id.not_in(listed), sa.or_(Expert.active, Expert.id.in_(_invited(session)))
    )


def _invited(session: Session) -> sa.Select:
    return sa.select(Invitation.expert_id).where(
        Invitation.session_id == session.id, Invitation.withdrawn_at.is_(None)
    )


def find_addable_experts(session: Session, text: str, limit: int = ADDABLE_SHOWN) -> AddableExperts:
    """Up to `limit` experts not on the list whose name, e-mail address or organisation holds
    every word of `text`: invited ones first, then the other active experts, each by name.
    Without a text, the invited ones not listed (those most likely to come)."""
    invited = Expert.id.in_(_invited(session))
    query = (
        sa.select(Expert, invited)
        .join(Expert.organisation)
        .where(_addable(session))
        .options(contains_eager(Expert.organisation))
        .order_by(~invited, Expert.sort_key, Expert.id)
        .limit(limit)
    )
    if text:
        query = query.where(
            matches_every_word(
                text, Expert.first_name, Expert.last_name, Expert.email, Organisation.name
            )
        )
    else:
        query = query.where(invited)
    found = AddableExperts(invited=[], others=[])
    for expert, is_invited in db.session.execute(query):
        (found.invited if is_invited else found.others).append(expert)
    return found


def addable_expert(session: Session, expert_id: int | None) -> Expert | None:
    """The expert with this id, if they may still be added to the list."""
    if expert_id is None:
        return None
    return db.session.scalar(sa.select(Expert).where(Expert.id == expert_id, _addable(session)))
