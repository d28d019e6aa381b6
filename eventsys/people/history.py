"""An expert's history: their invitations and answers, their lines on attendance lists, their
comments on minutes and on charters, the action items they own and the mail sent to them.

Each part is read a page at a time, newest first, with the count of all its entries: two
queries per part, whatever the length of the history, so that the page of an expert who has
taken part for years costs what a newcomer's does.

What the history shows, staff see elsewhere already: invitations, attendance lists, comments
and action items are open to all staff. The outbox is the admins' alone; everyone else sees the
mail that belongs to an invitation, as that invitation's mail log shows it (its kind, state and
time, without the subject).
"""

from dataclasses import dataclass
from datetime import date, datetime
from math import ceil
from typing import Generic, TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, contains_eager, joinedload, load_only

from eventsys.attendance.models import Attendee
from eventsys.charters.models import CharterVersion, ConsultationComment, VersionClause
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.overview import ANSWER_LABELS, answer_key
from eventsys.minutes.action_item_list import ActionItemState, item_state
from eventsys.minutes.action_items import number
from eventsys.minutes.models import ActionItem, Minutes, MinutesComment, MinutesTopic
from eventsys.outbox.kinds import kind_name
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.outbox.views import STATE_LABELS
from eventsys.sessions.models import Session

PART_SIZE = 20
# The parts in the order the page shows them; each is paged by the query argument
# `<part>_page`.
PARTS = (
    "invitations",
    "attendance",
    "minutes_comments",
    "charter_comments",
    "action_items",
    "mail",
)

T = TypeVar("T")


@dataclass(frozen=True)
class Part(Generic[T]):
    """One page of a part of the history, and how many entries the part has in all."""

    entries: list[T]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / PART_SIZE))

    @property
    def has_newer(self) -> bool:
        return self.page > 1

    @property
    def has_older(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class InvitationEntry:
    invitation: Invitation
    answer: str  # in the reader's language


@dataclass(frozen=True)
class CharterCommentEntry:
    comment: ConsultationComment
    # The recommendation's number in the commented version, for a comment on one.
    clause_number: str | None

    @property
    def has_anchor(self) -> bool:
        """Whether the version's comments page shows the comment under an anchor of its own:
        it shows those on the whole, on a chapter and on a recommendation the version holds."""
        return self.comment.clause_id is None or self.clause_number is not None


@dataclass(frozen=True)
class ActionItemEntry:
    item: ActionItem
    number: str  # A-<session>.<TOP>.<n>
    state: ActionItemState


@dataclass(frozen=True)
class MailEntry:
    message: OutboxMessage
    # The session of the invitation the mail belongs to, for the link to its mail log.
    session_id: int | None

    @property
    def kind(self) -> str:
        return kind_name(self.message.kind)

    @property
    def state(self) -> str:
        return str(STATE_LABELS[self.message.state])

    @property
    def moment(self) -> datetime:
        """When it was sent, or (not sent yet) when it was queued."""
        if self.message.state == DeliveryState.SENT and self.message.sent_at is not None:
            return self.message.sent_at
        return self.message.created_at


@dataclass(frozen=True)
class History:
    invitations: Part[InvitationEntry]
    attendance: Part[Attendee]
    minutes_comments: Part[MinutesComment]
    charter_comments: Part[CharterCommentEntry]
    action_items: Part[ActionItemEntry]
    mail: Part[MailEntry]
    all_mail: bool  # every mail to the address (admins), or the invitations' mail only


def _page_of(query: sa.Select, page: int) -> tuple[list[sa.Row], int]:
    """The rows of `query` on `page` (of PART_SIZE each) and the count of all it finds."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.execute(query.limit(PART_SIZE).offset((page - 1) * PART_SIZE)).all()
    return list(rows), total or 0


def history_of(expert: Expert, pages: dict[str, int], all_mail: bool, today: date) -> History:
    """The page of each part named in `pages` (the first where none is named). `all_mail` adds
    the mail that belongs to no invitation and the subjects (for admins only); `today` is
    Berlin's, by which action items are due."""

    def page(part: str) -> int:
        return pages.get(part, 1)

    return History(
        invitations=invitations(expert, page("invitations")),
        attendance=attendance(expert, page("attendance")),
        minutes_comments=minutes_comments(expert, page("minutes_comments")),
        charter_comments=charter_comments(expert, page("charter_comments")),
        action_items=action_items(expert, page("action_items"), today),
        mail=mail(expert, page("mail"), all_mail),
        all_mail=all_mail,
    )


def _answer(invitation: Invitation) -> str:
    if not invitation.is_active:
        return _("Withdrawn")
    return str(ANSWER_LABELS[answer_key(invitation)])


def invitations(expert: Expert, page: int) -> Part[InvitationEntry]:
    """The expert's invitations with their current answer, the newest session first."""
    query = (
        sa.select(Invitation)
        .join(Invitation.session)
        .where(Invitation.expert_id == expert.id)
        .options(contains_eager(Invitation.session))
        .order_by(Session.starts_at.desc(), Invitation.id.desc())
    )
    rows, total = _page_of(query, page)
    entries = [InvitationEntry(invitation, _answer(invitation)) for (invitation,) in rows]
    return Part(entries, total, page)


def attendance(expert: Expert, page: int) -> Part[Attendee]:
    """The lines of attendance lists that name the expert: their own (perhaps as someone's
    deputy) and those of the deputies who stood in for them; the newest session first."""
    listed = aliased(Expert)
    stood_in_for = aliased(Expert)
    query = (
        sa.select(Attendee)
        .join(Attendee.session)
        .outerjoin(Attendee.expert.of_type(listed))
        .outerjoin(Attendee.deputy_for.of_type(stood_in_for))
        .where(sa.or_(Attendee.expert_id == expert.id, Attendee.deputy_for_id == expert.id))
        .options(
            contains_eager(Attendee.session),
            contains_eager(Attendee.expert.of_type(listed)),
            contains_eager(Attendee.deputy_for.of_type(stood_in_for)),
        )
        .order_by(Session.starts_at.desc(), Attendee.id.desc())
    )
    rows, total = _page_of(query, page)
    return Part([attendee for (attendee,) in rows], total, page)


def minutes_comments(expert: Expert, page: int) -> Part[MinutesComment]:
    """The expert's comments on draft minutes, the newest first."""
    query = (
        sa.select(MinutesComment)
        .join(MinutesComment.minutes)
        .join(Minutes.session)
        .outerjoin(MinutesComment.topic)
        .where(MinutesComment.expert_id == expert.id)
        .options(
            contains_eager(MinutesComment.minutes).contains_eager(Minutes.session),
            contains_eager(MinutesComment.topic),
        )
        .order_by(MinutesComment.created_at.desc(), MinutesComment.id.desc())
    )
    rows, total = _page_of(query, page)
    return Part([comment for (comment,) in rows], total, page)


def charter_comments(expert: Expert, page: int) -> Part[CharterCommentEntry]:
    """The expert's comments in consultations on charter versions, the newest first, each with
    the number of the recommendation it is on (in that version)."""
    query = (
        sa.select(ConsultationComment, VersionClause.number)
        .join(ConsultationComment.version)
        .join(CharterVersion.charter)
        .outerjoin(
            VersionClause,
            sa.and_(
                VersionClause.version_id == ConsultationComment.version_id,
                VersionClause.clause_id == ConsultationComment.clause_id,
            ),
        )
        .where(ConsultationComment.expert_id == expert.id)
        .options(
            # The version's whole text is not needed to name it.
            contains_eager(ConsultationComment.version).defer(CharterVersion.content),
            contains_eager(ConsultationComment.version).contains_eager(CharterVersion.charter),
            joinedload(ConsultationComment.chapter),
        )
        .order_by(ConsultationComment.created_at.desc(), ConsultationComment.id.desc())
    )
    rows, total = _page_of(query, page)
    entries = [CharterCommentEntry(comment, clause_number) for comment, clause_number in rows]
    return Part(entries, total, page)


def action_items(expert: Expert, page: int, today: date) -> Part[ActionItemEntry]:
    """The action items the expert owns, from the newest session's minutes first."""
    query = (
        sa.select(ActionItem)
        .join(ActionItem.topic)
        .join(MinutesTopic.minutes)
        .join(Minutes.session)
        .where(ActionItem.owner_expert_id == expert.id)
        .options(
            contains_eager(ActionItem.topic)
            .contains_eager(MinutesTopic.minutes)
            .contains_eager(Minutes.session),
        )
        .order_by(
            Session.starts_at.desc(),
            Session.id.desc(),
            MinutesTopic.position,
            ActionItem.position,
        )
    )
    rows, total = _page_of(query, page)
    entries = [ActionItemEntry(item, number(item), item_state(item, today)) for (item,) in rows]
    return Part(entries, total, page)


def mail(expert: Expert, page: int, all_mail: bool) -> Part[MailEntry]:
    """The mail queued for the expert's address, the newest first: all of it with `all_mail`,
    else only the mail that belongs to an invitation."""
    query = (
        sa.select(OutboxMessage, Invitation.session_id)
        # The stored message can be large; the list needs its delivery record.
        .options(
            load_only(
                OutboxMessage.kind,
                OutboxMessage.subject,
                OutboxMessage.state,
                OutboxMessage.created_at,
                OutboxMessage.sent_at,
                OutboxMessage.invitation_id,
            ),
        )
        .where(sa.func.lower(OutboxMessage.recipient) == expert.email.lower())
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    if all_mail:
        query = query.outerjoin(Invitation, Invitation.id == OutboxMessage.invitation_id)
    else:
        query = query.join(Invitation, Invitation.id == OutboxMessage.invitation_id)
    rows, total = _page_of(query, page)
    return Part([MailEntry(message, session_id) for message, session_id in rows], total, page)
