"""Frozen versions of a charter: freezing the working text as Fassung 0.1, 0.2, …, 1.0, and
what is done with a version afterwards (consultation, adoption). A version's text never
changes; the database refuses it as well (see `freezing.py`).

Numbering: the first version is 0.1; each further one raises the minor number (0.2, 0.3, …);
a release raises the major number and starts at .0 (1.0), after which minor numbers go on
from there (1.1).
"""

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import defer, selectinload

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.charters import content
from eventsys.charters.errors import CharterError
from eventsys.charters.models import Charter, CharterVersion, VersionClause
from eventsys.charters.states import VersionState
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.i18n import local
from eventsys.roles import Role

ADOPTERS = frozenset({Role.ORGANISER, Role.ADMIN})
MAX_NOTE_LENGTH = 2000


def last_version(charter: Charter) -> CharterVersion | None:
    """The charter's highest-numbered version, or None before the first freeze."""
    query = (
        sa.select(CharterVersion)
        .where(CharterVersion.charter_id == charter.id)
        .order_by(CharterVersion.major.desc(), CharterVersion.minor.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def next_number(charter: Charter, release: bool = False) -> tuple[int, int]:
    """(major, minor) of the version the next freeze makes."""
    last = last_version(charter)
    major, minor = (last.major, last.minor) if last is not None else (0, 0)
    return (major + 1, 0) if release else (major, minor + 1)


def next_label(charter: Charter, release: bool = False) -> str:
    """The label, e.g. "0.2", of the version the next freeze makes."""
    major, minor = next_number(charter, release)
    return f"{major}.{minor}"


def freeze(
    charter: Charter, user: User | None, *, release: bool = False, note: str = ""
) -> CharterVersion:
    """Freeze the working text as the next version (a release when `release`): its text as
    JSON and one VersionClause per recommendation in it, in the state "working draft".

    Raises CharterError when the text has no recommendation yet, the note is too long, or
    another freeze took the same number at the same moment."""
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise CharterError(
            _("Please keep the note under %(count)d characters.", count=MAX_NOTE_LENGTH)
        )
    text = content.working_text(charter)
    clauses = content.clauses_of(text)
    if not clauses:
        raise CharterError(
            _(
                "The text has no recommendation yet. Please assign recommendations to chapters "
                "before freezing a version."
            )
        )
    major, minor = next_number(charter, release)
    version = CharterVersion(
        charter_id=charter.id,  # (the relationship would put it into the session too early)
        major=major,
        minor=minor,
        state=VersionState.WORKING_DRAFT,
        note=note,
        content=content.with_version(text, major, minor),
        frozen_at=utcnow(),
        frozen_by=user,
    )
    try:
        # Two people freezing at the same moment would both take the same number; the unique
        # constraint lets one of them win, and the other is told rather than shown an error.
        with db.session.begin_nested():
            db.session.add(version)
            db.session.flush()
            # One statement for all rows: as ORM objects, SQLite would take one INSERT each.
            db.session.execute(
                sa.insert(VersionClause),
                [
                    {
                        "version_id": version.id,
                        "clause_id": clause["id"],
                        "number": clause["number"],
                    }
                    for clause in clauses
                ],
            )
    except sa.exc.IntegrityError as error:
        raise CharterError(
            _(
                "Version %(label)s was frozen by someone else at the same moment. Please look "
                "at it and freeze again if needed.",
                label=version.label,
            )
        ) from error
    audit.record(
        "charter.version_frozen",
        charter,
        f"version {version.label} frozen with {len(clauses)} recommendations"
        + (" (release)" if release else ""),
    )
    return version


def adopt(version: CharterVersion, user: User) -> None:
    """Mark a version as adopted: the platform agreed on this text. A version in consultation
    or still a working draft may be adopted; nothing leads back.

    Raises CharterError for users who may not adopt and for a version already adopted."""
    if user.role not in ADOPTERS:
        raise CharterError(_("Only an organiser can adopt a version."))
    if version.state is VersionState.ADOPTED:
        raise CharterError(_("Version %(label)s is already adopted.", label=version.label))
    previous = version.state
    version.state = VersionState.ADOPTED
    version.adopted_at = utcnow()
    db.session.flush()
    audit.record(
        "charter.version_adopted",
        version.charter,
        f"version {version.label} adopted (was {previous.value})",
    )


def version_or_404(charter_id: int, major: int, minor: int) -> CharterVersion:
    """The version `major.minor` of the charter `charter_id`; a 404 when there is none."""
    query = (
        sa.select(CharterVersion)
        .where(
            CharterVersion.charter_id == charter_id,
            CharterVersion.major == major,
            CharterVersion.minor == minor,
        )
        .options(selectinload(CharterVersion.frozen_by), selectinload(CharterVersion.charter))
    )
    return db.first_or_404(query)


def find_version(charter: Charter, label: str) -> CharterVersion | None:
    """The version labelled `label` ("0.2"), or None when the label names none."""
    number = parse_label(label)
    if number is None:
        return None
    query = sa.select(CharterVersion).where(
        CharterVersion.charter_id == charter.id,
        CharterVersion.major == number[0],
        CharterVersion.minor == number[1],
    )
    return db.session.scalar(query)


def parse_label(label: str) -> tuple[int, int] | None:
    """(major, minor) of a label such as "0.2", or None for anything else."""
    major, dot, minor = label.strip().partition(".")
    if not dot or not (major.isascii() and major.isdigit() and minor.isascii() and minor.isdigit()):
        return None
    if len(major) > 6 or len(minor) > 6:  # beyond any real numbering, and beyond an integer
        return None
    return int(major), int(minor)


def versions_of(charter: Charter) -> list[CharterVersion]:
    """Every version of the charter, oldest first, with who froze it; each text is loaded
    only when asked for."""
    query = (
        sa.select(CharterVersion)
        .where(CharterVersion.charter_id == charter.id)
        .options(selectinload(CharterVersion.frozen_by), defer(CharterVersion.content))
        .order_by(CharterVersion.major, CharterVersion.minor)
    )
    return list(db.session.scalars(query))


def recommendation_counts(charter: Charter) -> dict[int, int]:
    """How many recommendations each version of the charter holds, by version id."""
    query = (
        sa.select(VersionClause.version_id, sa.func.count(VersionClause.id))
        .join(CharterVersion, CharterVersion.id == VersionClause.version_id)
        .where(CharterVersion.charter_id == charter.id)
        .group_by(VersionClause.version_id)
    )
    return {version_id: count for version_id, count in db.session.execute(query)}


def previous_version(version: CharterVersion) -> CharterVersion | None:
    """The version frozen just before `version`, or None for the first."""
    query = (
        sa.select(CharterVersion)
        .where(
            CharterVersion.charter_id == version.charter_id,
            sa.tuple_(CharterVersion.major, CharterVersion.minor)
            < sa.tuple_(version.major, version.minor),
        )
        .order_by(CharterVersion.major.desc(), CharterVersion.minor.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def last_comment_day(version: CharterVersion) -> date | None:
    """The last day (in the display time zone) on which the consultation takes comments."""
    if version.consultation_deadline is None:
        return None
    return local(version.consultation_deadline - timedelta(microseconds=1)).date()
