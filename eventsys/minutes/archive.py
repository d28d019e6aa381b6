"""The secretariat's archive: every session's minutes with their state, and a year's approved
minutes as one ZIP file for the files."""

import io
import zipfile
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload, undefer

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.minutes import document
from eventsys.minutes.models import Minutes, MinutesVersion
from eventsys.sessions.models import Session
from eventsys.sessions.queries import year_bounds
from eventsys.sessions.states import SessionKind, SessionStatus


@dataclass(frozen=True)
class ArchiveRow:
    session: Session
    minutes: Minutes | None

    @property
    def versions(self) -> list[MinutesVersion]:
        return self.minutes.versions if self.minutes is not None else []


def archive_rows(year: int | None, kind: SessionKind | None) -> list[ArchiveRow]:
    """Sessions that have begun (or have minutes), newest first, each with its minutes and
    versions, in three queries however many there are."""
    query = (
        sa.select(Session, Minutes)
        .outerjoin(Minutes, Minutes.session_id == Session.id)
        .where(
            sa.or_(Session.starts_at <= utcnow(), Minutes.id.is_not(None)),
            Session.status != SessionStatus.CANCELLED,
        )
        .options(
            selectinload(Minutes.versions).defer(MinutesVersion.content),
            selectinload(Minutes.versions).selectinload(MinutesVersion.approved_by),
        )
        .order_by(Session.starts_at.desc())
    )
    if kind is not None:
        query = query.where(Session.kind == kind)
    if year is not None:
        first, after_last = year_bounds(year)
        query = query.where(Session.starts_at >= first, Session.starts_at < after_last)
    return [ArchiveRow(session, minutes) for session, minutes in db.session.execute(query)]


def approved_versions_of_year(year: int) -> list[MinutesVersion]:
    """The latest approved version of each session's minutes in `year`, oldest session first."""
    first, after_last = year_bounds(year)
    latest = (
        sa.select(MinutesVersion.minutes_id, sa.func.max(MinutesVersion.number).label("number"))
        .group_by(MinutesVersion.minutes_id)
        .subquery()
    )
    query = (
        sa.select(MinutesVersion)
        .join(
            latest,
            sa.and_(
                latest.c.minutes_id == MinutesVersion.minutes_id,
                latest.c.number == MinutesVersion.number,
            ),
        )
        .join(MinutesVersion.minutes)
        .join(Minutes.session)
        .where(Session.starts_at >= first, Session.starts_at < after_last)
        .options(undefer(MinutesVersion.pdf))
        .order_by(Session.starts_at)
    )
    return list(db.session.scalars(query))


def year_zip(year: int) -> tuple[bytes, int]:
    """A ZIP of the year's approved minutes with a SHA256SUMS file to check them against, and
    how many minutes it holds."""
    versions = approved_versions_of_year(year)
    buffer = io.BytesIO()
    checksums = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for version in versions:
            name = document.minutes_filename(version.content, version.number)
            archive.writestr(name, version.pdf)
            checksums.append(f"{version.pdf_sha256}  {name}\n")
        archive.writestr("SHA256SUMS", "".join(checksums))
    return buffer.getvalue(), len(versions)
