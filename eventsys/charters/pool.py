"""A charter's pool of recommendations: assigning them to chapters, rewording them for the
charter, merging duplicates, setting them aside, ordering them within a chapter. What the pool
holds and how its clauses are named and numbered is read in `pool_queries`.

A clause is part of the working text while it is active and has a chapter. Every change to
that text (including the origins it cites) raises `charter.revision`; changes that only touch
the pool, such as rewording a recommendation nobody has placed yet, leave it alone.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.charters.charters import mark_text_changed
from eventsys.charters.errors import CharterError
from eventsys.charters.models import Chapter, Charter, Clause
from eventsys.charters.pool_queries import guideline_number, label, suggested_chapters
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db

MAX_CLAUSE_LENGTH = 5000
MAX_REASON_LENGTH = 2000


def assign(clause: Clause, chapter: Chapter | None, user: User | None) -> None:
    """Place `clause` at the end of `chapter`, or take it out of the text back into the pool
    (chapter None). Raises CharterError for a clause set aside or merged, or a chapter of
    another charter."""
    _require_active(clause)
    if chapter is not None and chapter.charter_id != clause.charter_id:
        raise CharterError(_("This chapter belongs to another charter."))
    if clause.chapter_id == (chapter.id if chapter is not None else None):
        return
    previous_chapter_id = clause.chapter_id
    position = _next_position(chapter) if chapter is not None else 0
    clause.chapter = chapter
    clause.position = position
    clause.updated_by = user
    mark_text_changed(clause.charter)
    db.session.flush()
    if chapter is None:
        summary = f"{label(clause)} taken out of the text back into the pool"
    else:
        summary = f"{label(clause)} assigned to chapter {chapter.position} ({chapter.title_de})"
    audit.record(
        "charter.clause_assigned",
        clause,
        summary,
        {"chapter_id": [previous_chapter_id, clause.chapter_id]},
    )


def assign_suggested(charter: Charter, user: User | None) -> int:
    """Assign every unassigned active clause to the chapter made for the guideline of its
    first origin; return how many were assigned. Clauses without such a chapter stay."""
    chapter_by_guideline = suggested_chapters(charter)
    waiting = db.session.scalars(
        sa.select(Clause)
        .where(
            Clause.charter_id == charter.id,
            Clause.status == ClauseStatus.ACTIVE,
            Clause.chapter_id.is_(None),
        )
        .options(selectinload(Clause.origins))
        .order_by(Clause.arrived_at, Clause.id)
    )
    next_positions: dict[int, int] = {}
    assigned: dict[str, int] = {}
    for clause in waiting:
        chapter = chapter_by_guideline.get(guideline_number(clause))
        if chapter is None:
            continue
        if chapter.id not in next_positions:
            next_positions[chapter.id] = _next_position(chapter)
        clause.chapter = chapter
        clause.position = next_positions[chapter.id]
        clause.updated_by = user
        next_positions[chapter.id] += 1
        assigned[str(clause.id)] = chapter.id
    if assigned:
        mark_text_changed(charter)
        db.session.flush()
        audit.record(
            "charter.suggested_assigned",
            charter,
            f"{len(assigned)} recommendations assigned to their guideline's chapter",
            {"assigned": assigned},
        )
    return len(assigned)


def reword(clause: Clause, text_de: str, text_en: str, user: User | None) -> None:
    """Give `clause` the charter's wording (the origins keep the minutes' wording). Saving also
    clears the note that the minutes' wording changed since. Raises CharterError for an empty
    German text, a text over MAX_CLAUSE_LENGTH characters or a merged clause."""
    text_de, text_en = text_de.strip(), text_en.strip()
    if clause.status is ClauseStatus.MERGED:
        raise CharterError(
            _("This recommendation was merged into another one; please edit that one.")
        )
    if not text_de:
        raise CharterError(_("Please enter the German wording of the recommendation."))
    if len(text_de) > MAX_CLAUSE_LENGTH or len(text_en) > MAX_CLAUSE_LENGTH:
        raise CharterError(
            _("Please keep the wording under %(count)d characters.", count=MAX_CLAUSE_LENGTH)
        )
    before = audit.snapshot(clause, ("text_de", "text_en"))
    clause.text_de, clause.text_en = text_de, text_en
    changes = audit.diff(before, audit.snapshot(clause, ("text_de", "text_en")))
    flagged = [origin for origin in clause.origins if origin.source_changed]
    for origin in flagged:
        origin.source_changed = False
    if not changes and not flagged:
        return
    if flagged:
        changes["source_changed_cleared"] = [
            [origin.recommendation_number for origin in flagged],
            [],
        ]
    clause.updated_by = user
    if changes.keys() & {"text_de", "text_en"} and _in_text(clause):
        mark_text_changed(clause.charter)
    db.session.flush()
    audit.record("charter.clause_reworded", clause, f"{label(clause)} reworded", changes)


def merge(duplicate: Clause, into: Clause, user: User | None) -> None:
    """Merge `duplicate` into `into`: all its origins move to `into`, and `duplicate` becomes
    MERGED, pointing at `into`. Raises CharterError when merging a clause into itself, across
    charters, or when either is not active."""
    if duplicate.id == into.id:
        raise CharterError(_("A recommendation cannot be merged into itself."))
    if duplicate.charter_id != into.charter_id:
        raise CharterError(_("Recommendations can only be merged within the same charter."))
    if duplicate.status is not ClauseStatus.ACTIVE:
        raise CharterError(_("Only a recommendation in the pool or in the text can be merged."))
    if into.status is not ClauseStatus.ACTIVE:
        raise CharterError(
            _("Recommendations can only be merged into one that is in the pool or in the text.")
        )
    origins_before = len(into.origins)
    moved = list(duplicate.origins)
    changes_text = _in_text(duplicate) or _in_text(into)
    for origin in moved:
        origin.clause = into
    # Earlier duplicates of the duplicate now point at the clause that holds their origins.
    db.session.execute(
        sa.update(Clause)
        .where(Clause.merged_into_id == duplicate.id)
        .values(merged_into_id=into.id)
        .execution_options(synchronize_session="fetch")
    )
    duplicate.status = ClauseStatus.MERGED
    duplicate.merged_into = into
    duplicate.chapter = None
    duplicate.position = 0
    duplicate.updated_by = user
    into.updated_by = user
    if changes_text:
        mark_text_changed(into.charter)
    db.session.flush()
    audit.record(
        "charter.clause_merged",
        duplicate,
        f"{', '.join(origin.recommendation_number for origin in moved)} merged into "
        f"clause {into.id} ({label(into)})",
        {"merged_into_id": [None, into.id], "origins": [origins_before, len(into.origins)]},
    )


def set_aside(clause: Clause, reason: str, user: User | None) -> None:
    """Take `clause` out of the pool and the text for the stated reason. Raises CharterError
    for an empty or overlong reason or a clause that is not active."""
    reason = reason.strip()
    _require_active(clause)
    if not reason:
        raise CharterError(_("Please give the reason for setting this recommendation aside."))
    if len(reason) > MAX_REASON_LENGTH:
        raise CharterError(
            _("Please keep the reason under %(count)d characters.", count=MAX_REASON_LENGTH)
        )
    if _in_text(clause):
        mark_text_changed(clause.charter)
    clause.status = ClauseStatus.SET_ASIDE
    clause.set_aside_reason = reason
    clause.chapter = None
    clause.position = 0
    clause.updated_by = user
    db.session.flush()
    audit.record(
        "charter.clause_set_aside",
        clause,
        f"{label(clause)} set aside: {reason}",
        {"status": [ClauseStatus.ACTIVE.value, ClauseStatus.SET_ASIDE.value]},
    )


def restore(clause: Clause, user: User | None) -> None:
    """Bring a clause set aside back into the pool, unassigned. Raises CharterError for a
    clause that is not set aside."""
    if clause.status is not ClauseStatus.SET_ASIDE:
        raise CharterError(_("Only a recommendation that was set aside can be restored."))
    reason = clause.set_aside_reason
    clause.status = ClauseStatus.ACTIVE
    clause.set_aside_reason = ""
    clause.updated_by = user
    db.session.flush()
    audit.record(
        "charter.clause_restored",
        clause,
        f"{label(clause)} back in the pool",
        {
            "status": [ClauseStatus.SET_ASIDE.value, ClauseStatus.ACTIVE.value],
            "set_aside_reason": [reason, ""],
        },
    )


def move(clause: Clause, offset: int, user: User | None) -> None:
    """Move an assigned clause `offset` places within its chapter (-1 up, +1 down). Raises
    CharterError for a clause outside the text or a move past the chapter's ends."""
    if not _in_text(clause):
        raise CharterError(_("Only a recommendation in a chapter can be moved."))
    siblings = list(
        db.session.scalars(
            sa.select(Clause)
            .where(Clause.chapter_id == clause.chapter_id, Clause.status == ClauseStatus.ACTIVE)
            .order_by(Clause.position, Clause.id)
        )
    )
    index = siblings.index(clause)
    target = index + offset
    if offset == 0 or not 0 <= target < len(siblings):
        raise CharterError(_("The recommendation cannot be moved further in this direction."))
    siblings.insert(target, siblings.pop(index))
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    clause.updated_by = user
    mark_text_changed(clause.charter)
    db.session.flush()
    audit.record(
        "charter.clause_moved",
        clause,
        f"{label(clause)} moved to place {target + 1} in chapter {clause.chapter.position}",
        {"position": [index + 1, target + 1]},
    )


def _require_active(clause: Clause) -> None:
    if clause.status is ClauseStatus.SET_ASIDE:
        raise CharterError(_("This recommendation was set aside; please restore it first."))
    if clause.status is ClauseStatus.MERGED:
        raise CharterError(
            _("This recommendation was merged into another one; please edit that one.")
        )


def _in_text(clause: Clause) -> bool:
    return clause.status is ClauseStatus.ACTIVE and clause.chapter_id is not None


def _next_position(chapter: Chapter) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(Clause.position)).where(
            Clause.chapter_id == chapter.id, Clause.status == ClauseStatus.ACTIVE
        )
    )
    return (highest or 0) + 1
