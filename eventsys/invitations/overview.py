"""What organisers see of a session's invitations: who answered what, when and how, the
waiting list, the mail sent to each invitee, and the lists as CSV and Excel.

The page reads a filtered page of invitations and counts all of them in the database, in a
fixed number of queries however many experts are invited; the lists stream plain rows.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, contains_eager, load_only, selectinload

from eventsys.experts.models import Expert, Organisation
from eventsys.experts.search import matches_every_word
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.invitations.models import DeputyProposal, Invitation
from eventsys.invitations.states import AttendanceMode, Channel, ProposalState, Response
from eventsys.localtime import platform_zone
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.sessions.models import Session
from eventsys.spreadsheets import csv_writer, excel_csv, xlsx_workbook

CSV_COLUMNS = ("email", "name", "answer", "channel", "answered_at", "version", "comment")

WAITLISTED = "waitlisted"
# The columns of the counts, in the order an organiser reads them.
ANSWER_KEYS = (
    Response.ACCEPTED.value,
    WAITLISTED,
    Response.TENTATIVE.value,
    Response.DECLINED.value,
    Response.DELEGATED.value,
    Response.NEEDS_ACTION.value,
)
ANSWER_LABELS = {
    Response.ACCEPTED.value: _l("Accepted"),
    WAITLISTED: _l("Waiting list"),
    Response.TENTATIVE.value: _l("Tentative"),
    Response.DECLINED.value: _l("Declined"),
    Response.DELEGATED.value: _l("Sends a deputy"),
    Response.NEEDS_ACTION.value: _l("No answer yet"),
}


def answer_key(invitation: Invitation) -> str:
    """The invitation's answer as counted: an acceptance waiting for a place counts apart."""
    return WAITLISTED if invitation.is_waitlisted else invitation.response.value


@dataclass(frozen=True)
class MailLogEntry:
    """One mail about an invitation, as far as delivery has got."""

    kind: str
    state: DeliveryState
    attempts: int
    last_error: str
    queued_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None

    @property
    def kind_label(self) -> str:
        return outbox_kinds.kind_name(self.kind)


@dataclass
class InvitationRow:
    invitation: Invitation
    mail_log: list[MailLogEntry] = field(default_factory=list)
    waitlist_position: int | None = None
    deputy_for: Invitation | None = None  # set on a deputy's own invitation

    @property
    def answer_key(self) -> str:
        return answer_key(self.invitation)


@dataclass(frozen=True)
class GroupCounts:
    group: StakeholderGroup
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# The answer filter's values beyond ANSWER_KEYS: the invitations withdrawn.
WITHDRAWN = "withdrawn"
# The way-of-taking-part filter's value for answers that did not say.
MODE_NOT_STATED = "not_stated"
PAGE_SIZE = 50


@dataclass(frozen=True)
class InvitationFilter:
    """Which invitations of a session the page lists; empty values do not filter.

    `answer` is one of ANSWER_KEYS or WITHDRAWN (without it, the invitations not withdrawn);
    `mode` an AttendanceMode value or MODE_NOT_STATED; every word of `text` must occur in the
    name, title, e-mail address or organisation.
    """

    answer: str = ""
    group: StakeholderGroup | None = None
    mode: str = ""
    text: str = ""

    def arguments(self) -> dict[str, str]:
        """The filter as query arguments (for links and for the fields of a form)."""
        values = {
            "answer": self.answer,
            "group": self.group.value if self.group else "",
            "mode": self.mode,
            "q": self.text,
        }
        return {name: value for name, value in values.items() if value}

    @property
    def is_empty(self) -> bool:
        return not self.arguments()


def matching(session: Session, filters: InvitationFilter) -> sa.Select:
    """The invitations of `session` that `filters` lets through (experts and organisations
    joined), unordered."""
    query = (
        sa.select(Invitation)
        .join(Invitation.expert)
        .join(Expert.organisation)
        .where(Invitation.session_id == session.id)
    )
    if filters.answer == WITHDRAWN:
        query = query.where(Invitation.withdrawn_at.is_not(None))
    else:
        query = query.where(Invitation.withdrawn_at.is_(None))
    if filters.answer == WAITLISTED:
        query = query.where(Invitation.waitlisted_at.is_not(None))
    elif filters.answer in ANSWER_KEYS:
        query = query.where(
            Invitation.response == Response(filters.answer), Invitation.waitlisted_at.is_(None)
        )
    if filters.group is not None:
        query = query.where(Organisation.stakeholder_group == filters.group)
    if filters.mode == MODE_NOT_STATED:
        query = query.where(Invitation.attendance_mode.is_(None))
    elif filters.mode in {mode.value for mode in AttendanceMode}:
        query = query.where(Invitation.attendance_mode == AttendanceMode(filters.mode))
    if filters.text:
        query = query.where(
            matches_every_word(
                filters.text,
                Expert.first_name,
                Expert.last_name,
                Expert.title,
                Expert.email,
                Organisation.name,
            )
        )
    return query


def matching_invitations(session: Session, filters: InvitationFilter) -> list[Invitation]:
    """Every invitation `filters` lets through, by surname, experts loaded (for an action on
    all of them, such as reminders)."""
    return list(
        db.session.scalars(
            matching(session, filters)
            .options(selectinload(Invitation.expert).selectinload(Expert.organisation))
            .order_by(Expert.sort_key, Invitation.id)
        )
    )


def invitations_with_ids(session: Session, ids: Iterable[int]) -> list[Invitation]:
    """The invitations of `session` among `ids` (others are left out), by surname."""
    ids = list(ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .join(Invitation.expert)
            .where(Invitation.session_id == session.id, Invitation.id.in_(ids))
            .options(selectinload(Invitation.expert).selectinload(Expert.organisation))
            .order_by(Expert.sort_key, Invitation.id)
        )
    )


@dataclass
class AnswerTotals:
    """The session's answers counted by the database: in total, by stakeholder group, the
    places taken and the invitations withdrawn."""

    counts: dict[str, int]
    by_group: list[GroupCounts]
    seats_taken: int  # acceptances holding a seat in the room (those online never take one)
    online_taken: int
    withdrawn: int

    @property
    def invited(self) -> int:
        return sum(self.counts.values())


def answer_totals(session: Session) -> AnswerTotals:
    """Every count of the answers page, in one GROUP BY query however many are invited."""
    waiting = Invitation.waitlisted_at.is_not(None)
    withdrawn = Invitation.withdrawn_at.is_not(None)
    rows = db.session.execute(
        sa.select(
            Organisation.stakeholder_group,
            Invitation.response,
            waiting,
            withdrawn,
            Invitation.attendance_mode,
            sa.func.count(Invitation.id),
        )
        .join(Invitation.expert)
        .join(Expert.organisation)
        .where(Invitation.session_id == session.id)
        .group_by(
            Organisation.stakeholder_group,
            Invitation.response,
            waiting,
            withdrawn,
            Invitation.attendance_mode,
        )
    )
    counts = dict.fromkeys(ANSWER_KEYS, 0)
    group_counts: dict[StakeholderGroup, Counter] = {}
    seats = online = gone = 0
    for group, response, is_waiting, is_withdrawn, mode, number in rows:
        if is_withdrawn:
            gone += number
            continue
        key = WAITLISTED if is_waiting else Response(response).value
        counts[key] += number
        group_counts.setdefault(StakeholderGroup(group), Counter())[key] += number
        if key == Response.ACCEPTED.value:
            if mode is not None and AttendanceMode(mode) == AttendanceMode.ONLINE:
                online += number
            else:
                seats += number
    by_group = [
        GroupCounts(group, {key: group_counts[group][key] for key in ANSWER_KEYS})
        for group in StakeholderGroup
        if group in group_counts
    ]
    return AnswerTotals(counts, by_group, seats, online, gone)


@dataclass
class InvitationPage:
    """One page of a session's invitations as filtered, with the mail log of each row."""

    rows: list[InvitationRow]
    pagination: Any  # flask_sqlalchemy's Pagination: total, pages, has_next, …


def _waitlist_positions(session_id: int, invitation_ids: list[int]) -> dict[int, int]:
    """The place on the waiting list (1 = next to move up) of those of `invitation_ids` who
    wait, in one query: a numbering of the whole list in order of arrival."""
    position = (
        sa.func.row_number()
        .over(order_by=(Invitation.waitlisted_at, Invitation.id))
        .label("position")
    )
    ranked = (
        sa.select(Invitation.id, position)
        .where(
            Invitation.session_id == session_id,
            Invitation.withdrawn_at.is_(None),
            Invitation.waitlisted_at.is_not(None),
        )
        .subquery()
    )
    return {
        invitation_id: int(number)
        for invitation_id, number in db.session.execute(
            sa.select(ranked.c.id, ranked.c.position).where(ranked.c.id.in_(invitation_ids))
        )
    }


def _deputies_for(invitation_ids: list[int]) -> dict[int, Invitation]:
    """The invitation each of `invitation_ids` stands in for, by the deputy's invitation id."""
    delegating = db.session.scalars(
        sa.select(Invitation)
        .where(
            Invitation.delegated_to_id.in_(invitation_ids),
            Invitation.response == Response.DELEGATED,
        )
        .options(selectinload(Invitation.expert))
    )
    return {invitation.delegated_to_id: invitation for invitation in delegating}


def invitation_page(
    session: Session, filters: InvitationFilter, page: int, per_page: int = PAGE_SIZE
) -> InvitationPage:
    """A page of the invitations `filters` lets through, by surname (the waiting list in order
    of arrival), each with its mail log, place on the waiting list and the invitee a deputy
    stands in for: a fixed number of queries, however many are invited."""
    # The experts and organisations are joined for the filter already: loaded from that join.
    query = matching(session, filters).options(
        contains_eager(Invitation.expert).contains_eager(Expert.organisation),
        selectinload(Invitation.delegated_to).selectinload(Invitation.expert),
    )
    if filters.answer == WAITLISTED:
        query = query.order_by(Invitation.waitlisted_at, Invitation.id)
    else:
        query = query.order_by(Expert.sort_key, Invitation.id)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    invitations = list(pagination.items)
    ids = [invitation.id for invitation in invitations]
    logs = _mail_logs(ids)
    positions = _waitlist_positions(session.id, ids) if ids else {}
    stands_in_for = _deputies_for(ids) if ids else {}
    rows = [
        InvitationRow(
            invitation,
            mail_log=logs.get(invitation.id, []),
            waitlist_position=positions.get(invitation.id),
            deputy_for=stands_in_for.get(invitation.id),
        )
        for invitation in invitations
    ]
    return InvitationPage(rows=rows, pagination=pagination)


def invitation_detail(invitation: Invitation) -> InvitationRow:
    """One invitation with its mail log, place on the waiting list and the invitee it stands
    in for (its answer history is `invitation.answers`)."""
    ids = [invitation.id]
    positions = _waitlist_positions(invitation.session_id, ids) if invitation.is_active else {}
    return InvitationRow(
        invitation,
        mail_log=_mail_logs(ids).get(invitation.id, []),
        waitlist_position=positions.get(invitation.id),
        deputy_for=_deputies_for(ids).get(invitation.id),
    )


def _mail_logs(invitation_ids: list[int]) -> dict[int, list[MailLogEntry]]:
    logs: dict[int, list[MailLogEntry]] = {}
    if not invitation_ids:
        return logs
    query = (
        sa.select(OutboxMessage)
        # The stored message can be large; the log needs only its delivery record.
        .options(
            load_only(
                OutboxMessage.invitation_id,
                OutboxMessage.kind,
                OutboxMessage.state,
                OutboxMessage.attempts,
                OutboxMessage.last_error,
                OutboxMessage.created_at,
                OutboxMessage.sent_at,
                OutboxMessage.next_attempt_at,
            )
        )
        .where(OutboxMessage.invitation_id.in_(invitation_ids))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    for message in db.session.scalars(query):
        logs.setdefault(message.invitation_id, []).append(
            MailLogEntry(
                kind=message.kind,
                state=message.state,
                attempts=message.attempts,
                last_error=message.last_error,
                queued_at=message.created_at,
                sent_at=message.sent_at,
                next_attempt_at=(
                    message.next_attempt_at if message.state == DeliveryState.QUEUED else None
                ),
            )
        )
    return logs


@dataclass(frozen=True)
class AnswerSummary:
    invited: int
    counts: dict[str, int]

    def given(self) -> list[tuple[str, int]]:
        """The answers given by at least one invitee, labelled, in reading order."""
        return [
            (str(ANSWER_LABELS[key]), self.counts[key]) for key in ANSWER_KEYS if self.counts[key]
        ]


def answer_summary(session: Session) -> AnswerSummary:
    """How many are invited and how many gave each answer, in one query (for the session page)."""
    waiting = Invitation.waitlisted_at.is_not(None)
    rows = db.session.execute(
        sa.select(Invitation.response, waiting, sa.func.count(Invitation.id))
        .where(Invitation.session_id == session.id, Invitation.withdrawn_at.is_(None))
        .group_by(Invitation.response, waiting)
    )
    counts = dict.fromkeys(ANSWER_KEYS, 0)
    for response, is_waiting, number in rows:
        counts[WAITLISTED if is_waiting else Response(response).value] += number
    return AnswerSummary(invited=sum(counts.values()), counts=counts)


def _answered_at(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(platform_zone()).isoformat(timespec="seconds")


def _full_name(title: str | None, first: str | None, last: str | None) -> str:
    """As `Expert.full_name` writes it, from the columns of a row."""
    return " ".join(part for part in (title, first, last) if part)


def _export_rows(session: Session) -> sa.Result:
    """The invitees of `session` (not withdrawn) by surname, as plain rows of the columns the
    lists need, streamed from the database: a list of 10,000 builds no object per person."""
    deputy_invitation = aliased(Invitation)
    deputy = aliased(Expert)
    return db.session.execute(
        sa.select(
            Expert.title,
            Expert.first_name,
            Expert.last_name,
            Expert.email,
            Organisation.name.label("organisation"),
            Organisation.stakeholder_group,
            Invitation.response,
            Invitation.waitlisted_at,
            Invitation.attendance_mode,
            Invitation.responded_at,
            Invitation.responded_sequence,
            Invitation.channel,
            Invitation.comment,
            deputy.title.label("deputy_title"),
            deputy.first_name.label("deputy_first_name"),
            deputy.last_name.label("deputy_last_name"),
            DeputyProposal.first_name.label("proposed_first_name"),
            DeputyProposal.last_name.label("proposed_last_name"),
            DeputyProposal.state.label("proposal_state"),
        )
        .join(Invitation.expert)
        .join(Expert.organisation)
        .outerjoin(deputy_invitation, deputy_invitation.id == Invitation.delegated_to_id)
        .outerjoin(deputy, deputy.id == deputy_invitation.expert_id)
        .outerjoin(DeputyProposal, DeputyProposal.invitation_id == Invitation.id)
        .where(Invitation.session_id == session.id, Invitation.withdrawn_at.is_(None))
        .order_by(Expert.sort_key, Invitation.id)
        .execution_options(yield_per=1000)
    )


def _answer_key_of(row: sa.Row) -> str:
    return WAITLISTED if row.waitlisted_at is not None else Response(row.response).value


def write_answers_csv(session: Session, stream: TextIO) -> None:
    """Write the invitees of `session` (not withdrawn) as CSV to `stream`, by surname.

    Columns: e-mail, name, answer, channel, answered at (ISO 8601, Berlin time), version (the
    calendar SEQUENCE the answer was given to; the session's current one is on its page),
    comment. The answer is the iCalendar-style value (accepted, tentative, declined, delegated,
    needs_action), or `waitlisted` for an acceptance waiting for a place. Names and comments
    come from outside (the public answer page): every cell is made safe for spreadsheets.
    """
    writer = csv_writer(stream)
    writer.writerow(CSV_COLUMNS)
    for row in _export_rows(session):
        writer.writerow(
            [
                row.email,
                _full_name(row.title, row.first_name, row.last_name),
                _answer_key_of(row),
                Channel(row.channel).value if row.channel else "",
                _answered_at(row.responded_at),
                row.responded_sequence,
                row.comment,
            ]
        )


# --- the lists for people: Excel and the CSV that German Excel opens ----------------------------


def answer_table(session: Session) -> tuple[list[str], Iterator[list[Any]]]:
    """The headings and rows of the answer lists, in the current language: the invitees of
    `session` (not withdrawn), by surname. Times are naive Berlin datetimes (a spreadsheet has
    no time zones); everything else is text."""
    headings = [
        _("Name"), _("E-mail"), _("Organisation"), _("Stakeholder group"), _("Answer"),
        _("In person / online"), _("Deputy"), _("Answered at"), _("Answered by"),
        _("For which version"), _("Comment"),
    ]  # fmt: skip
    moved_at = session.major_change_sequence
    rows = (
        [
            _full_name(row.title, row.first_name, row.last_name),
            row.email,
            row.organisation or "",
            StakeholderGroup(row.stakeholder_group).label if row.stakeholder_group else "",
            str(ANSWER_LABELS[_answer_key_of(row)]),
            AttendanceMode(row.attendance_mode).label if row.attendance_mode else "",
            _deputy_in(row),
            _naive_local(row.responded_at),
            Channel(row.channel).label if row.channel else "",
            _version_in(row.responded_sequence, moved_at),
            row.comment,
        ]
        for row in _export_rows(session)
    )
    return headings, rows


def answers_xlsx(session: Session) -> bytes:
    """The answer list (see `answer_table`) as an Excel workbook, every text cell made safe for
    spreadsheets (see `eventsys.spreadsheets`)."""
    headings, rows = answer_table(session)
    return xlsx_workbook(
        _("Answers"), headings, rows, column_widths=(28, 32, 32, 24, 18, 16, 28, 18, 20, 20, 48)
    )


def answers_csv(session: Session) -> bytes:
    """The answer list (see `answer_table`) as CSV that German Excel opens as a table."""
    headings, rows = answer_table(session)
    return excel_csv(headings, rows, current_language())


def _deputy_in(row: sa.Row) -> str:
    if row.deputy_last_name is not None:
        return _full_name(row.deputy_title, row.deputy_first_name, row.deputy_last_name)
    if row.proposal_state is not None and ProposalState(row.proposal_state) == (
        ProposalState.PENDING
    ):
        name = f"{row.proposed_first_name} {row.proposed_last_name}"
        return _("%(name)s (to be confirmed)", name=name)
    return ""


def _version_in(responded_sequence: int | None, major_change_sequence: int) -> str:
    """Which version an answer was given for, as `Invitation.answered_earlier_version` says."""
    if responded_sequence is None:
        return ""
    if responded_sequence < major_change_sequence:
        return _("An earlier version")
    return _("The current version")


def _naive_local(moment: datetime | None) -> datetime | None:
    """A spreadsheet has no time zones: the Berlin time as it reads."""
    return moment.astimezone(platform_zone()).replace(tzinfo=None) if moment else None
