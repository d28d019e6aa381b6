"""Consultation on a frozen charter version: experts get a signed link, comment on the whole,
on a chapter or on one recommendation until a deadline, and the secretariat answers or
resolves each comment. The experts keep their link and see what became of their comments."""

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.charters.content import clauses_of
from eventsys.charters.errors import CharterError
from eventsys.charters.mail import queue_consultation_mail
from eventsys.charters.models import (
    CharterVersion,
    ConsultationComment,
    ConsultationRecipient,
)
from eventsys.charters.states import CommentStatus, VersionState
from eventsys.database import utcnow
from eventsys.experts.models import Expert, WorkingGroup
from eventsys.extensions import db
from eventsys.localtime import platform_zone
from eventsys.roles import Role

CONSULTING_ROLES = frozenset({Role.ORGANISER, Role.ADMIN})
MAX_COMMENT_LENGTH = 5000
MAX_ANSWER_LENGTH = 5000


class RecipientGroup(enum.StrEnum):
    """Whom an organiser sends a version to for comments."""

    ATTENDEES = "attendees"  # present at a session whose recommendations the version holds
    EVERYONE = "everyone"  # every active expert
    WORKING_GROUP = "working_group"  # the active members of one working group


class ClauseFate(enum.StrEnum):
    """What became of a recommendation in a later version."""

    UNCHANGED = "unchanged"
    CHANGED = "changed"
    REMOVED = "removed"


def last_comment_day(version: CharterVersion) -> date | None:
    """The last day (in Berlin) on which comments are taken; the deadline is the first
    instant of the day after."""
    if version.consultation_deadline is None:
        return None
    # The deadline is stored as the first instant after the last day, a day in the platform's
    # zone.
    last_instant = version.consultation_deadline - timedelta(microseconds=1)
    return last_instant.astimezone(platform_zone()).date()


def _by_name(query: sa.Select) -> sa.Select:
    return query.order_by(Expert.sort_key, Expert.id)


def session_ids_of(version: CharterVersion) -> set[int]:
    """The sessions whose recommendations the version's text holds, read from the frozen text
    itself (so that later merges in the pool cannot change the answer)."""
    return {
        origin["session_id"]
        for clause in clauses_of(version.content)
        for origin in clause.get("origins", [])
    }


def candidates(
    version: CharterVersion, group: RecipientGroup, working_group: WorkingGroup | None = None
) -> list[Expert]:
    """The active experts `group` names for `version`, by surname, each once."""
    query = sa.select(Expert).where(Expert.active.is_(True))
    if group is RecipientGroup.ATTENDEES:
        attended = sa.select(Attendee.expert_id).where(
            Attendee.session_id.in_(session_ids_of(version)),
            Attendee.status == AttendanceStatus.PRESENT,
        )
        query = query.where(Expert.id.in_(attended))
    elif group is RecipientGroup.WORKING_GROUP:
        if working_group is None:
            return []
        query = query.where(Expert.working_groups.any(WorkingGroup.id == working_group.id))
    return list(db.session.scalars(_by_name(query).options(selectinload(Expert.organisation))))


def recipient_ids(version: CharterVersion) -> set[int]:
    """The experts the version has been sent to for comments."""
    query = sa.select(ConsultationRecipient.expert_id).where(
        ConsultationRecipient.version_id == version.id
    )
    return set(db.session.scalars(query))


def is_recipient(version: CharterVersion, expert: Expert) -> bool:
    query = sa.select(ConsultationRecipient.id).where(
        ConsultationRecipient.version_id == version.id,
        ConsultationRecipient.expert_id == expert.id,
    )
    return db.session.scalar(query.limit(1)) is not None


def start(
    version: CharterVersion, experts: Iterable[Expert], deadline: datetime, user: User
) -> int:
    """Put `version` out for consultation until `deadline` and mail each of `experts` not yet
    asked their personal link; return how many were newly asked.

    Starting again on a version in consultation adds experts and moves the deadline; those
    already asked get no second mail. Inactive experts and experts without an address are
    skipped. Raises CharterError for users other than organisers, an adopted version, a
    deadline in the past and when nobody is left to ask."""
    if user.role not in CONSULTING_ROLES:
        raise CharterError(_("Only an organiser can start a consultation."))
    if version.state not in (VersionState.WORKING_DRAFT, VersionState.CONSULTATION):
        raise CharterError(_("An adopted version cannot be put out for consultation."))
    if deadline <= utcnow():
        raise CharterError(_("The deadline for comments must lie in the future."))
    reachable: dict[int, Expert] = {}
    for expert in experts:
        if expert.active and expert.email:
            reachable.setdefault(expert.id, expert)
    if not reachable:
        raise CharterError(_("Please choose at least one active expert with an e-mail address."))
    already = recipient_ids(version)
    newly_asked = [expert for expert in reachable.values() if expert.id not in already]
    restarted = version.state is VersionState.CONSULTATION
    version.state = VersionState.CONSULTATION
    if version.consultation_started_at is None:
        version.consultation_started_at = utcnow()
    version.consultation_deadline = deadline
    for expert in newly_asked:
        db.session.add(ConsultationRecipient(version=version, expert=expert))
    db.session.flush()
    audit.record(
        "charter.consultation_extended" if restarted else "charter.consultation_started",
        version,
        f"version {version.label} sent to {len(newly_asked)} more experts for comments "
        f"until {deadline.isoformat()}",
    )
    last_day = last_comment_day(version)
    for expert in newly_asked:
        queue_consultation_mail(version, expert, last_day)
    return len(newly_asked)


def comments_open(version: CharterVersion) -> bool:
    return (
        version.state is VersionState.CONSULTATION
        and version.consultation_deadline is not None
        and utcnow() < version.consultation_deadline
    )


def chapter_in(content: dict[str, Any], chapter_id: int) -> dict[str, Any] | None:
    """The chapter with `chapter_id` in a version's text, or None."""
    return next((chapter for chapter in content["chapters"] if chapter["id"] == chapter_id), None)


def clause_in(
    content: dict[str, Any], clause_id: int
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The chapter and the clause with `clause_id` in a version's text, or None."""
    for chapter in content["chapters"]:
        for clause in chapter["clauses"]:
            if clause["id"] == clause_id:
                return chapter, clause
    return None


def add_comment(
    version: CharterVersion,
    expert: Expert,
    *,
    chapter_id: int | None,
    clause_id: int | None,
    text: str,
) -> ConsultationComment:
    """Record an expert's comment on one recommendation (`clause_id`), one chapter
    (`chapter_id` alone) or, with neither, the whole version. Raises CharterError after the
    deadline, for experts the version was not sent to, for an empty or overlong text and for
    a chapter or recommendation that is not part of the version."""
    if not comments_open(version):
        raise CharterError(_("The period for comments has ended."))
    if not is_recipient(version, expert):
        raise CharterError(_("Only experts who were sent this version can comment on it."))
    text = text.strip()
    if not text:
        raise CharterError(_("Please write your comment."))
    if len(text) > MAX_COMMENT_LENGTH:
        raise CharterError(
            _("Please keep your comment under %(count)d characters.", count=MAX_COMMENT_LENGTH)
        )
    if clause_id is not None:
        found = clause_in(version.content, clause_id)
        if found is None or chapter_id not in (None, found[0]["id"]):
            raise CharterError(_("This recommendation is not part of this version."))
        chapter, clause = found
        chapter_id = chapter["id"]
        place = f"recommendation {clause['number']}"
    elif chapter_id is not None:
        chapter = chapter_in(version.content, chapter_id)
        if chapter is None:
            raise CharterError(_("This chapter is not part of this version."))
        place = f"chapter {chapter['number']}"
    else:
        place = "the whole"
    comment = ConsultationComment(
        version=version, expert=expert, chapter_id=chapter_id, clause_id=clause_id, text=text
    )
    db.session.add(comment)
    db.session.flush()
    with audit.acting_as(expert.email):
        audit.record(
            "charter.commented",
            version,
            f"{expert.full_name} commented on {place} of version {version.label}",
        )
    return comment


def answer(comment: ConsultationComment, text: str, user: User, *, resolve: bool) -> None:
    """Answer an expert's comment, and with `resolve` mark it as settled. Resolving needs no
    answer (an earlier answer is kept); answering without resolving does. Raises CharterError
    for a missing or overlong answer."""
    text = text.strip()
    if not text and not resolve:
        raise CharterError(_("Please write an answer."))
    if len(text) > MAX_ANSWER_LENGTH:
        raise CharterError(
            _("Please keep the answer under %(count)d characters.", count=MAX_ANSWER_LENGTH)
        )
    if text:
        comment.answer = text
    comment.status = CommentStatus.RESOLVED if resolve else CommentStatus.ANSWERED
    comment.answered_at = utcnow()
    comment.answered_by = user
    db.session.flush()
    audit.record(
        "charter.comment_resolved" if resolve else "charter.comment_answered",
        comment,
        f"comment {comment.id} of {comment.expert.full_name} "
        f"{'resolved' if resolve else 'answered'}"
        + (" with an answer" if text and resolve else ""),
    )


def comment_counts(version: CharterVersion) -> dict[int | None, int]:
    """The open comments on `version` per recommendation (clause id); comments on a chapter or
    the whole count under None."""
    query = (
        sa.select(ConsultationComment.clause_id, sa.func.count(ConsultationComment.id))
        .where(
            ConsultationComment.version_id == version.id,
            ConsultationComment.status == CommentStatus.OPEN,
        )
        .group_by(ConsultationComment.clause_id)
    )
    return {clause_id: int(count) for clause_id, count in db.session.execute(query)}


def status_counts(version: CharterVersion) -> dict[CommentStatus, int]:
    """How many comments on `version` are in each status (every status present, 0 if none)."""
    query = (
        sa.select(ConsultationComment.status, sa.func.count(ConsultationComment.id))
        .where(ConsultationComment.version_id == version.id)
        .group_by(ConsultationComment.status)
    )
    counts = {status: int(count) for status, count in db.session.execute(query)}
    return {status: counts.get(status, 0) for status in CommentStatus}


def comments_of(
    version: CharterVersion, *, only_open: bool = False, expert: Expert | None = None
) -> list[ConsultationComment]:
    """The comments on `version` in the order they arrived, with their authors loaded; only the
    open ones, or only `expert`'s, if asked."""
    query = (
        sa.select(ConsultationComment)
        .where(ConsultationComment.version_id == version.id)
        .options(
            selectinload(ConsultationComment.expert).selectinload(Expert.organisation),
            selectinload(ConsultationComment.answered_by),
        )
        .order_by(ConsultationComment.created_at, ConsultationComment.id)
    )
    if only_open:
        query = query.where(ConsultationComment.status == CommentStatus.OPEN)
    if expert is not None:
        query = query.where(ConsultationComment.expert_id == expert.id)
    return list(db.session.scalars(query))


@dataclass
class CommentsByPlace:
    """Comments sorted by what they are about: the whole, a chapter (by id), a recommendation
    (by clause id)."""

    whole: list[ConsultationComment] = field(default_factory=list)
    chapters: dict[int, list[ConsultationComment]] = field(
        default_factory=lambda: defaultdict(list)
    )
    clauses: dict[int, list[ConsultationComment]] = field(default_factory=lambda: defaultdict(list))


def sorted_by_place(comments: Iterable[ConsultationComment]) -> CommentsByPlace:
    """`comments` sorted by place, each place keeping their order."""
    places = CommentsByPlace()
    for comment in comments:
        if comment.clause_id is not None:
            places.clauses[comment.clause_id].append(comment)
        elif comment.chapter_id is not None:
            places.chapters[comment.chapter_id].append(comment)
        else:
            places.whole.append(comment)
    return places


def later_version(version: CharterVersion) -> CharterVersion | None:
    """The newest version of the same charter frozen after `version`, if there is one."""
    query = (
        sa.select(CharterVersion)
        .where(
            CharterVersion.charter_id == version.charter_id,
            sa.or_(
                CharterVersion.major > version.major,
                sa.and_(
                    CharterVersion.major == version.major, CharterVersion.minor > version.minor
                ),
            ),
        )
        .order_by(CharterVersion.major.desc(), CharterVersion.minor.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def clause_fates(version: CharterVersion, later: CharterVersion) -> dict[int, ClauseFate]:
    """For every recommendation of `version`: whether `later` holds it with the same wording
    (in both languages), with another wording, or no longer."""
    later_texts = {
        clause["id"]: (clause["text_de"], clause["text_en"]) for clause in clauses_of(later.content)
    }
    fates = {}
    for clause in clauses_of(version.content):
        texts = later_texts.get(clause["id"])
        if texts is None:
            fates[clause["id"]] = ClauseFate.REMOVED
        elif texts == (clause["text_de"], clause["text_en"]):
            fates[clause["id"]] = ClauseFate.UNCHANGED
        else:
            fates[clause["id"]] = ClauseFate.CHANGED
    return fates
