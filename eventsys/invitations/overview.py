"""What organisers see of a session's invitations: who answered what, when and how, the
waiting list, the mail sent to each invitee, and the list as CSV.

Everything is read in a fixed number of queries, however many experts are invited.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import load_only, selectinload

from eventsys.experts.models import Expert
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.invitations.mail import MailKind
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.states import AttendanceMode, Response
from eventsys.localtime import platform_zone
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.sessions.models import Session
from eventsys.spreadsheets import csv_writer, xlsx_workbook

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

MAIL_KIND_LABELS = {
    MailKind.INVITATION: _l("Invitation"),
    MailKind.UPDATE: _l("Update"),
    MailKind.CANCELLATION: _l("Cancellation"),
    MailKind.WITHDRAWAL: _l("Withdrawal"),
    MailKind.DEADLINE_REMINDER: _l("Reminder before the deadline"),
    MailKind.EVE_REMINDER: _l("Reminder the day before"),
    MailKind.WAITLISTED: _l("Waiting list notice"),
    MailKind.MOVED_UP: _l("Moved up from the waiting list"),
    MailKind.DEPUTY_INVITED: _l("Invitation as a deputy"),
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
        label = MAIL_KIND_LABELS.get(self.kind)
        return str(label) if label is not None else self.kind


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


@dataclass
class SessionInvitations:
    session: Session
    rows: list[InvitationRow]  # invitations not withdrawn, by surname
    waitlist: list[InvitationRow]  # in order of arrival
    withdrawn: list[InvitationRow]
    counts: dict[str, int]
    by_group: list[GroupCounts]

    @property
    def invited(self) -> int:
        return len(self.rows)

    def _holding_a_place(self, online: bool) -> int:
        return sum(
            1
            for row in self.rows
            if row.invitation.response == Response.ACCEPTED
            and not row.invitation.is_waitlisted
            and (row.invitation.attendance_mode == AttendanceMode.ONLINE) == online
        )

    @property
    def seats_taken(self) -> int:
        """Acceptances holding a seat in the room (those online never take one)."""
        return self._holding_a_place(online=False)

    @property
    def online_taken(self) -> int:
        return self._holding_a_place(online=True)


def _invitations(
    session: Session, with_history: bool = False, with_deputies: bool = False
) -> list[Invitation]:
    """The session's invitations (withdrawn ones too) by surname, experts loaded."""
    options = [selectinload(Invitation.expert).selectinload(Expert.organisation)]
    if with_deputies:
        options.append(selectinload(Invitation.delegated_to).selectinload(Invitation.expert))
        options.append(selectinload(Invitation.deputy_proposal))
    if with_history:
        options.append(selectinload(Invitation.answers).selectinload(InvitationAnswer.recorded_by))
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .join(Invitation.expert)
            .where(Invitation.session_id == session.id)
            .options(*options)
            .order_by(Expert.sort_key, Invitation.id)
        )
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


def _waiting_order(invitation: Invitation) -> tuple[datetime, int]:
    return invitation.waitlisted_at, invitation.id


def session_invitations(session: Session) -> SessionInvitations:
    """Every invitation of `session` with its answers, mail log and place on the waiting list,
    and the answers counted in total and by stakeholder group."""
    invitations = _invitations(session, with_history=True)
    logs = _mail_logs([invitation.id for invitation in invitations])
    rows = {
        invitation.id: InvitationRow(invitation, mail_log=logs.get(invitation.id, []))
        for invitation in invitations
    }
    for invitation in invitations:
        if invitation.response == Response.DELEGATED and invitation.delegated_to_id in rows:
            rows[invitation.delegated_to_id].deputy_for = invitation
    active = [rows[invitation.id] for invitation in invitations if invitation.is_active]
    waiting = sorted(
        (row for row in active if row.invitation.is_waitlisted),
        key=lambda row: _waiting_order(row.invitation),
    )
    for position, row in enumerate(waiting, start=1):
        row.waitlist_position = position
    counts = Counter(row.answer_key for row in active)
    group_counts: dict[StakeholderGroup, Counter] = {}
    for row in active:
        group = row.invitation.expert.organisation.stakeholder_group
        group_counts.setdefault(group, Counter())[row.answer_key] += 1
    by_group = [
        GroupCounts(group, {key: group_counts[group][key] for key in ANSWER_KEYS})
        for group in StakeholderGroup
        if group in group_counts
    ]
    return SessionInvitations(
        session=session,
        rows=active,
        waitlist=waiting,
        withdrawn=[rows[invitation.id] for invitation in invitations if not invitation.is_active],
        counts={key: counts[key] for key in ANSWER_KEYS},
        by_group=by_group,
    )


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
    for invitation in _invitations(session):
        if not invitation.is_active:
            continue
        writer.writerow(
            [
                invitation.expert.email,
                invitation.expert.full_name,
                answer_key(invitation),
                invitation.channel.value if invitation.channel else "",
                _answered_at(invitation.responded_at),
                invitation.responded_sequence,
                invitation.comment,
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
    rows = (
        [
            invitation.expert.full_name,
            invitation.expert.email,
            invitation.expert.organisation.name if invitation.expert.organisation else "",
            _stakeholder_group_of(invitation),
            str(ANSWER_LABELS[answer_key(invitation)]),
            invitation.attendance_mode.label if invitation.attendance_mode else "",
            _deputy_of(invitation),
            _naive_local(invitation.responded_at),
            invitation.channel.label if invitation.channel else "",
            _version_answered(invitation),
            invitation.comment,
        ]
        for invitation in _invitations(session, with_deputies=True)
        if invitation.is_active
    )
    return headings, rows


def answers_xlsx(session: Session) -> bytes:
    """The answer list (see `answer_table`) as an Excel workbook, every text cell made safe for
    spreadsheets (see `eventsys.spreadsheets`)."""
    headings, rows = answer_table(session)
    return xlsx_workbook(
        _("Answers"), headings, rows, column_widths=(28, 32, 32, 24, 18, 16, 28, 18, 20, 20, 48)
    )


def write_answers_table_csv(session: Session, stream: TextIO) -> None:
    """The answer list (see `answer_table`) as CSV that German Excel opens as a table: fields
    separated by semicolons, times as the reader's language writes them. The caller adds the
    byte order mark that makes Excel read UTF-8. (A "sep=;" first line would make Excel of any
    language split on semicolons, but it then ignores the byte order mark and garbles umlauts;
    the XLSX list is the one for every Excel.)"""
    headings, rows = answer_table(session)
    writer = csv_writer(stream, delimiter=";")
    writer.writerow(headings)
    pattern = SPREADSHEET_TIME_PATTERNS.get(current_language(), SPREADSHEET_TIME_PATTERNS["en"])
    for row in rows:
        writer.writerow(
            [value.strftime(pattern) if isinstance(value, datetime) else value for value in row]
        )


# How the CSV for people writes times: as Excel reads them in that language.
SPREADSHEET_TIME_PATTERNS = {"de": "%d.%m.%Y %H:%M", "en": "%Y-%m-%d %H:%M"}


def _stakeholder_group_of(invitation: Invitation) -> str:
    organisation = invitation.expert.organisation
    return organisation.stakeholder_group.label if organisation else ""


def _deputy_of(invitation: Invitation) -> str:
    if invitation.delegated_to is not None:
        return invitation.delegated_to.expert.full_name
    proposal = invitation.deputy_proposal
    if proposal is not None and proposal.is_pending:
        return _("%(name)s (to be confirmed)", name=proposal.full_name)
    return ""


def _version_answered(invitation: Invitation) -> str:
    if invitation.responded_sequence is None:
        return ""
    if invitation.answered_earlier_version:
        return _("An earlier version")
    return _("The current version")


def _naive_local(moment: datetime | None) -> datetime | None:
    """A spreadsheet has no time zones: the Berlin time as it reads."""
    return moment.astimezone(platform_zone()).replace(tzinfo=None) if moment else None
