"""Creating charters, changing their titles and preamble, and shaping their chapters; the list
of charters."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import load_only

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.charters import intake
from eventsys.charters.errors import CharterError
from eventsys.charters.models import (
    Chapter,
    Charter,
    CharterVersion,
    Clause,
    ConsultationComment,
)
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db
from eventsys.markup import markdown_problem
from eventsys.minutes.models import Guideline

MAX_TITLE_LENGTH = 300


def create_charter(title_de: str, title_en: str, user: User | None) -> Charter:
    """A new charter with one chapter per guideline (the four guidelines of the Smart City
    Charta by default), and in its pool every recommendation of approved minutes so far.
    Raises CharterError for a missing German title or an overlong title."""
    title_de, title_en = _checked_titles(
        title_de, title_en, _("Please give the charter a German title.")
    )
    charter = Charter(title_de=title_de, title_en=title_en, created_by=user)
    guidelines = db.session.scalars(sa.select(Guideline).order_by(Guideline.number))
    for position, guideline in enumerate(guidelines, start=1):
        charter.chapters.append(
            Chapter(
                position=position,
                title_de=guideline.title_de,
                title_en=guideline.title_en,
                guideline=guideline,
            )
        )
    db.session.add(charter)
    db.session.flush()
    audit.record("charter.created", charter, f"charter {title_de!r} created")
    intake.take_in_all(charter)
    return charter


def update_charter(
    charter: Charter,
    *,
    title_de: str,
    title_en: str,
    preamble_de: str,
    preamble_en: str,
) -> None:
    """Change the charter's titles and preamble (Markdown). Raises CharterError for a missing
    German title, an overlong title or a preamble the Markdown renderer refuses."""
    title_de, title_en = _checked_titles(
        title_de, title_en, _("Please give the charter a German title.")
    )
    _check_markdown(preamble_de)
    _check_markdown(preamble_en)
    fields = ("title_de", "title_en", "preamble_de", "preamble_en")
    before = audit.snapshot(charter, fields)
    charter.title_de, charter.title_en = title_de, title_en
    charter.preamble_de, charter.preamble_en = preamble_de.strip(), preamble_en.strip()
    changes = audit.diff(before, audit.snapshot(charter, fields))
    if not changes:
        return
    mark_text_changed(charter)
    db.session.flush()
    audit.record("charter.updated", charter, f"charter {title_de!r} changed", changes)


def add_chapter(
    charter: Charter,
    *,
    title_de: str,
    title_en: str,
    introduction_de: str,
    introduction_en: str,
) -> Chapter:
    """A new chapter at the end of the charter. Raises CharterError as `update_chapter`."""
    chapter = Chapter(charter=charter, position=_last_position(charter) + 1, title_de="")
    _fill_chapter(chapter, title_de, title_en, introduction_de, introduction_en)
    db.session.add(chapter)
    mark_text_changed(charter)
    db.session.flush()
    audit.record(
        "charter.chapter_added", chapter, f"chapter {chapter.position} {chapter.title_de!r} added"
    )
    return chapter


def update_chapter(
    chapter: Chapter,
    *,
    title_de: str,
    title_en: str,
    introduction_de: str,
    introduction_en: str,
) -> None:
    """Change a chapter's titles and introduction (Markdown). Raises CharterError for a missing
    German title, an overlong title or an introduction the Markdown renderer refuses."""
    fields = ("title_de", "title_en", "introduction_de", "introduction_en")
    before = audit.snapshot(chapter, fields)
    _fill_chapter(chapter, title_de, title_en, introduction_de, introduction_en)
    changes = audit.diff(before, audit.snapshot(chapter, fields))
    if not changes:
        return
    mark_text_changed(chapter.charter)
    db.session.flush()
    audit.record(
        "charter.chapter_updated",
        chapter,
        f"chapter {chapter.position} {chapter.title_de!r} changed",
        changes,
    )


def move_chapter(chapter: Chapter, offset: int) -> None:
    """Move a chapter `offset` places (-1 up, +1 down); the chapters are numbered anew. Raises
    CharterError for a move past the first or last chapter."""
    chapters = chapters_in_order(chapter.charter)
    index = chapters.index(chapter)
    target = index + offset
    if offset == 0 or not 0 <= target < len(chapters):
        raise CharterError(_("The chapter cannot be moved further in this direction."))
    chapters.insert(target, chapters.pop(index))
    for position, each in enumerate(chapters, start=1):
        each.position = position
    mark_text_changed(chapter.charter)
    db.session.flush()
    audit.record(
        "charter.chapter_moved",
        chapter,
        f"chapter {chapter.title_de!r} moved to place {target + 1}",
        {"position": [index + 1, target + 1]},
    )


def remove_chapter(chapter: Chapter) -> None:
    """Delete a chapter that holds no recommendations; the chapters after it move up. Raises
    CharterError while recommendations are assigned to it or consultation comments refer to
    it."""
    charter = chapter.charter
    assigned = db.session.scalar(
        sa.select(sa.func.count(Clause.id)).where(
            Clause.chapter_id == chapter.id, Clause.status == ClauseStatus.ACTIVE
        )
    )
    if assigned:
        raise CharterError(
            _("Only an empty chapter can be removed; please move its recommendations first.")
        )
    commented = db.session.scalar(
        sa.select(sa.func.count(ConsultationComment.id)).where(
            ConsultationComment.chapter_id == chapter.id
        )
    )
    if commented:
        raise CharterError(
            _("This chapter cannot be removed: comments from a consultation refer to it.")
        )
    # Clauses set aside or merged may still name the chapter; SQLite does not apply the
    # foreign key's ON DELETE SET NULL unless told to, so it is done here for both databases.
    db.session.execute(
        sa.update(Clause)
        .where(Clause.chapter_id == chapter.id)
        .values(chapter_id=None)
        .execution_options(synchronize_session="fetch")
    )
    title, position = chapter.title_de, chapter.position
    audit.record("charter.chapter_removed", chapter, f"chapter {position} {title!r} removed")
    charter.chapters.remove(chapter)
    db.session.flush()
    for number, each in enumerate(chapters_in_order(charter), start=1):
        each.position = number
    mark_text_changed(charter)
    db.session.flush()


@dataclass
class CharterRow:
    """A charter as the list of charters shows it."""

    charter: Charter
    latest_version: CharterVersion | None
    assigned: int  # in the text
    unassigned: int  # waiting in the pool
    new: int  # active, arrived after the latest version


def charter_rows() -> list[CharterRow]:
    """Every charter with its latest version and its clause counts, in a fixed number of
    queries however many charters and clauses there are."""
    charters = list(db.session.scalars(sa.select(Charter).order_by(Charter.id)))
    latest: dict[int, CharterVersion] = {}
    for version in db.session.scalars(
        sa.select(CharterVersion)
        .options(
            load_only(
                CharterVersion.id,
                CharterVersion.charter_id,
                CharterVersion.major,
                CharterVersion.minor,
                CharterVersion.state,
                CharterVersion.frozen_at,
            )
        )
        .order_by(CharterVersion.major, CharterVersion.minor)
    ):
        latest[version.charter_id] = version
    last_frozen = (
        sa.select(
            CharterVersion.charter_id, sa.func.max(CharterVersion.frozen_at).label("frozen_at")
        )
        .group_by(CharterVersion.charter_id)
        .subquery()
    )
    is_assigned = Clause.chapter_id.is_not(None)
    is_new = sa.or_(last_frozen.c.frozen_at.is_(None), Clause.arrived_at > last_frozen.c.frozen_at)
    counts = {
        row.charter_id: row
        for row in db.session.execute(
            sa.select(
                Clause.charter_id,
                sa.func.count(Clause.id).filter(is_assigned).label("assigned"),
                sa.func.count(Clause.id).filter(sa.not_(is_assigned)).label("unassigned"),
                sa.func.count(Clause.id).filter(is_new).label("new"),
            )
            .outerjoin(last_frozen, last_frozen.c.charter_id == Clause.charter_id)
            .where(Clause.status == ClauseStatus.ACTIVE)
            .group_by(Clause.charter_id)
        )
    }
    rows = []
    for charter in charters:
        count = counts.get(charter.id)
        rows.append(
            CharterRow(
                charter=charter,
                latest_version=latest.get(charter.id),
                assigned=count.assigned if count else 0,
                unassigned=count.unassigned if count else 0,
                new=count.new if count else 0,
            )
        )
    return rows


def latest_version(charter: Charter) -> CharterVersion | None:
    """The charter's most recent frozen version."""
    return db.session.scalar(
        sa.select(CharterVersion)
        .where(CharterVersion.charter_id == charter.id)
        .order_by(CharterVersion.major.desc(), CharterVersion.minor.desc())
        .limit(1)
    )


def label_in_progress(latest: CharterVersion | None) -> str:
    """The label of the version the working draft will become when frozen next (the next
    minor number; a release to x.0 is chosen when freezing)."""
    if latest is None:
        return "0.1"
    return f"{latest.major}.{latest.minor + 1}"


def _checked_titles(title_de: str, title_en: str, missing: str) -> tuple[str, str]:
    title_de, title_en = title_de.strip(), title_en.strip()
    if not title_de:
        raise CharterError(missing)
    if len(title_de) > MAX_TITLE_LENGTH or len(title_en) > MAX_TITLE_LENGTH:
        raise CharterError(
            _("Please keep the title under %(count)d characters.", count=MAX_TITLE_LENGTH)
        )
    return title_de, title_en


def _fill_chapter(
    chapter: Chapter, title_de: str, title_en: str, introduction_de: str, introduction_en: str
) -> None:
    title_de, title_en = _checked_titles(
        title_de, title_en, _("Please give the chapter a German title.")
    )
    _check_markdown(introduction_de)
    _check_markdown(introduction_en)
    chapter.title_de, chapter.title_en = title_de, title_en
    chapter.introduction_de = introduction_de.strip()
    chapter.introduction_en = introduction_en.strip()


def _check_markdown(text: str) -> None:
    """Refuse a text that the pages and PDFs could not render (see eventsys.markup)."""
    problem = markdown_problem(text)
    if problem:
        raise CharterError(problem)


def chapters_in_order(charter: Charter) -> list[Chapter]:
    """The charter's chapters, freshly queried in their order."""
    return list(
        db.session.scalars(
            sa.select(Chapter)
            .where(Chapter.charter_id == charter.id)
            .order_by(Chapter.position, Chapter.id)
        )
    )


def _last_position(charter: Charter) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(Chapter.position)).where(Chapter.charter_id == charter.id)
    )
    return highest or 0


def mark_text_changed(charter: Charter) -> None:
    """Raise the charter's revision: its working text has changed."""
    # An SQL expression, so that two people changing the text at once both count.
    charter.revision = Charter.revision + 1
