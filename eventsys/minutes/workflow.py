"""The life of minutes: draft → circulated → approved → published, and corrections.

Approval is where the record is made: the text is captured as JSON and stored as a version that
nothing can change, and its PDF is asked for, to be rendered from that JSON once, outside the
request, and stored with the version (see `eventsys.minutes.approved_pdf`). A correction starts
the next version as a draft; earlier versions stay as they were.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys import signals
from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.documents import preparation
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.minutes import approved_pdf, document, snapshot
from eventsys.minutes.errors import WorkflowError
from eventsys.minutes.mail import MinutesMailKind, queue_minutes_mail
from eventsys.minutes.models import Minutes, MinutesComment, MinutesTopic, MinutesVersion
from eventsys.minutes.states import MinutesState
from eventsys.pdf import PdfRenderingError
from eventsys.roles import Role

APPROVERS = frozenset({Role.ORGANISER, Role.ADMIN})
# Who reads the draft: those who were there, or, before attendance is taken, those expected.
READERS = (AttendanceStatus.PRESENT, AttendanceStatus.EXPECTED)
MAX_COMMENT_LENGTH = 5000
MAX_REASON_LENGTH = 2000


def readers(minutes: Minutes) -> list[Expert]:
    """The attendees who get the draft and may comment on it: experts on the attendance list
    who were present (or are still expected), each once."""
    query = (
        sa.select(Expert)
        .join(Attendee, Attendee.expert_id == Expert.id)
        .where(Attendee.session_id == minutes.session_id, Attendee.status.in_(READERS))
        .order_by(Expert.sort_key, Expert.id)
        .distinct()
    )
    return list(db.session.scalars(query))


def may_read(minutes: Minutes, expert: Expert) -> bool:
    """Whether `expert` was on the attendance list of these minutes' session."""
    query = sa.select(Attendee.id).where(
        Attendee.session_id == minutes.session_id, Attendee.expert_id == expert.id
    )
    return db.session.scalar(query.limit(1)) is not None


def circulate(minutes: Minutes, deadline: datetime) -> int:
    """Send the draft to the attendees for comments until `deadline`; return how many got it.

    Circulating again (after changes made in response to comments) sends the draft anew with
    the new deadline."""
    if minutes.state not in (MinutesState.DRAFT, MinutesState.CIRCULATED):
        raise WorkflowError(_("Approved minutes cannot be circulated; start a correction first."))
    if deadline <= utcnow():
        raise WorkflowError(_("The deadline for comments must lie in the future."))
    if not minutes.topics:
        raise WorkflowError(_("The minutes have no TOP yet."))
    recipients = readers(minutes)
    if not recipients:
        raise WorkflowError(
            _("Nobody on the attendance list can receive the draft. Please record the attendance.")
        )
    minutes.state = MinutesState.CIRCULATED
    minutes.comment_deadline = deadline
    db.session.flush()
    audit.record(
        "minutes.circulated",
        minutes,
        f"version {minutes.version_number} circulated to {len(recipients)} attendees "
        f"for comments until {deadline.isoformat()}",
    )
    for expert in recipients:
        queue_minutes_mail(minutes, expert, MinutesMailKind.CIRCULATED)
    return len(recipients)


def comments_open(minutes: Minutes) -> bool:
    return (
        minutes.state is MinutesState.CIRCULATED
        and minutes.comment_deadline is not None
        and utcnow() < minutes.comment_deadline
    )


def add_comment(
    minutes: Minutes, expert: Expert, topic_id: int | None, text: str
) -> MinutesComment:
    """Record an attendee's comment on one TOP (or on the whole, for topic_id None)."""
    if not comments_open(minutes):
        raise WorkflowError(_("The period for comments has ended."))
    if not may_read(minutes, expert):
        raise WorkflowError(_("Only attendees of the session can comment."))
    text = text.strip()
    if not text:
        raise WorkflowError(_("Please write your comment."))
    if len(text) > MAX_COMMENT_LENGTH:
        raise WorkflowError(
            _("Please keep your comment under %(count)d characters.", count=MAX_COMMENT_LENGTH)
        )
    topic = None
    if topic_id is not None:
        topic = db.session.get(MinutesTopic, topic_id)
        if topic is None or topic.minutes_id != minutes.id:
            raise WorkflowError(_("This TOP is not part of these minutes."))
    comment = MinutesComment(
        minutes=minutes,
        topic=topic,
        expert=expert,
        version_number=minutes.version_number,
        text=text,
    )
    db.session.add(comment)
    db.session.flush()
    place = f"TOP {topic.position}" if topic is not None else "the whole"
    with audit.acting_as(expert.email):
        audit.record("minutes.commented", minutes, f"{expert.full_name} commented on {place}")
    return comment


def comments_of(minutes: Minutes) -> list[MinutesComment]:
    query = (
        sa.select(MinutesComment)
        .where(MinutesComment.minutes_id == minutes.id)
        .options(selectinload(MinutesComment.expert), selectinload(MinutesComment.topic))
        .order_by(MinutesComment.created_at, MinutesComment.id)
    )
    return list(db.session.scalars(query))


def comment_count(minutes: Minutes) -> int:
    query = sa.select(sa.func.count(MinutesComment.id)).where(
        MinutesComment.minutes_id == minutes.id
    )
    return db.session.scalar(query) or 0


def approve(minutes: Minutes, user: User) -> MinutesVersion:
    """Approve the current text as version `minutes.version_number`: store it as JSON, frozen
    from now on, and ask for its archival PDF, made from that JSON and this approval; it is
    rendered once the caller commits, outside the request, and then stored with the version
    (`pdf` and `pdf_sha256` stay None until then). Sends `signals.minutes_approved` (the
    charters take the recommendations into their pools)."""
    if user.role not in APPROVERS:
        raise WorkflowError(_("Only an organiser can approve minutes."))
    if minutes.state.frozen:
        raise WorkflowError(_("These minutes are already approved."))
    if not minutes.topics:
        raise WorkflowError(_("The minutes have no TOP yet."))
    content = snapshot.take(minutes)
    approval = document.Approval(
        version_number=minutes.version_number,
        approved_at=utcnow(),
        approved_by=user.name,
        reason=minutes.correction_reason,
    )
    try:
        archival = document.approved_document(
            content,
            minutes_id=minutes.id,
            approval=approval,
            language=current_app.config["BABEL_DEFAULT_LOCALE"],
        )
    except PdfRenderingError as error:
        raise WorkflowError(
            _("The PDF could not be produced, so nothing was approved: %(reason)s", reason=error)
        ) from error
    version = MinutesVersion(
        minutes=minutes,
        number=approval.version_number,
        reason=approval.reason,
        content=content,
        approved_at=approval.approved_at,
        approved_by=user,
    )
    db.session.add(version)
    minutes.state = MinutesState.APPROVED
    minutes.comment_deadline = None
    minutes.approval_requested_at = None  # asked and answered; the audit trail keeps who asked
    minutes.approval_requested_by_id = None
    db.session.flush()
    preparation.ask_for(archival)
    audit.record(
        "minutes.approved",
        minutes,
        f"version {version.number} approved; its PDF is being prepared "
        "(its SHA-256 is recorded when it is stored)",
    )
    signals.minutes_approved.send(version)  # e.g. the charters take its recommendations in
    return version


def publish(minutes: Minutes, user: User) -> int:
    """Release approved minutes: the attendees get a mail with a link to the PDF. Returns how
    many were written to.

    The PDF may still be being prepared: the link then opens the page that waits for it. A
    rendering that failed is refused, as the attendees would be sent a link to nothing."""
    if user.role not in APPROVERS:
        raise WorkflowError(_("Only an organiser can publish minutes."))
    if minutes.state is not MinutesState.APPROVED:
        raise WorkflowError(_("Only approved minutes can be published."))
    latest = latest_version(minutes)
    if latest is not None and not approved_pdf.stored(latest):
        rendering = approved_pdf.renderings([latest])[latest.id]
        if approved_pdf.failed(rendering):
            raise WorkflowError(
                _(
                    "The PDF of version %(number)d could not be produced, so the minutes were "
                    "not published. Please try it again under “Approved versions” first.",
                    number=latest.number,
                )
            )
        if rendering is None:  # none under way (deleted after its retention period)
            try:
                approved_pdf.ask_again(latest)
            except PdfRenderingError as error:
                raise WorkflowError(
                    _("The PDF could not be produced: %(reason)s", reason=error)
                ) from error
    minutes.state = MinutesState.PUBLISHED
    recipients = readers(minutes)
    db.session.flush()
    audit.record(
        "minutes.published",
        minutes,
        f"version {minutes.version_number} published to {len(recipients)} attendees",
    )
    for expert in recipients:
        queue_minutes_mail(minutes, expert, MinutesMailKind.PUBLISHED)
    return len(recipients)


def start_correction(minutes: Minutes, reason: str, user: User) -> None:
    """Open the next version as a draft; the approved versions stay as they are."""
    if user.role not in APPROVERS:
        raise WorkflowError(_("Only an organiser can correct approved minutes."))
    if not minutes.state.frozen:
        raise WorkflowError(_("Only approved minutes need a correction; a draft can be edited."))
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Please give the reason for the correction."))
    if len(reason) > MAX_REASON_LENGTH:
        raise WorkflowError(
            _("Please keep the reason under %(count)d characters.", count=MAX_REASON_LENGTH)
        )
    minutes.state = MinutesState.DRAFT
    minutes.version_number += 1
    minutes.correction_reason = reason
    minutes.revision += 1
    db.session.flush()
    audit.record(
        "minutes.correction_started",
        minutes,
        f"version {minutes.version_number} started: {reason}",
    )


def latest_version(minutes: Minutes) -> MinutesVersion | None:
    return minutes.versions[-1] if minutes.versions else None


def version(minutes: Minutes, number: int) -> MinutesVersion | None:
    query = sa.select(MinutesVersion).where(
        MinutesVersion.minutes_id == minutes.id, MinutesVersion.number == number
    )
    return db.session.scalar(query)
