"""The secretariat's archive: every session's minutes with their state, and a year's approved
minutes as one ZIP file for the files.

A version whose PDF is still being prepared (or could not be produced) has no file in the ZIP;
a text file in the ZIP names it and says why, and the page before the download lists it.
"""

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.localtime import platform_zone
from eventsys.minutes import approved_pdf, document
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
        .order_by(Session.starts_at)
    )
    # The PDFs stay deferred: `year_zip` reads them one at a time.
    return list(db.session.scalars(query))


class _Chunks:
    """What `zipfile` writes, collected until the generator hands it on. It has no `tell`, so
    zipfile writes as to a pipe (sizes after each file), and nothing is kept once handed on."""

    def __init__(self) -> None:
        self._written: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._written.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._written)
        self._written.clear()
        return data


@dataclass(frozen=True)
class _ZipFile:
    """One PDF of the ZIP: everything about it but its bytes, which are read when written;
    `sha256` is None while the version has no PDF (then `failed` says whether its rendering
    failed)."""

    name: str
    version_id: int
    sha256: str | None
    approved_at: datetime | None
    session_id: int
    session_title: str
    number: int
    failed: bool = False


@dataclass(frozen=True)
class YearZip:
    """A year's ZIP, ready to be streamed: `count` minutes, `chunks()` its bytes; `missing`
    are those whose PDF is not stored yet, named in the ZIP's `note` file instead.

    The chunks need no request or app context: the response's generator may run after the
    view has returned (and is closed whenever the client goes), so it reads the PDFs through
    the engine it was given rather than through the request's session, and the note is
    written beforehand."""

    files: list[_ZipFile]
    engine: sa.Engine
    note_name: str = ""
    note: str = ""

    @property
    def count(self) -> int:
        return len(self.files)

    @property
    def missing(self) -> list[_ZipFile]:
        return [file for file in self.files if file.sha256 is None]

    def chunks(self) -> Iterator[bytes]:
        """The ZIP's bytes, one PDF at a time, so that memory holds one PDF however many the
        year has. PDFs are stored as they are (ZIP_STORED): they are compressed already, and
        deflating them again would cost time for a few per cent. SHA256SUMS comes last."""
        sink = _Chunks()
        checksums = []
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
            for file in self.files:
                if file.sha256 is None:
                    continue
                # A connection for each PDF only: none is held while a slow client reads, or
                # left open when the client goes away in the middle.
                with self.engine.connect() as connection:
                    pdf = connection.scalar(
                        sa.select(MinutesVersion.pdf).where(MinutesVersion.id == file.version_id)
                    )
                archive.writestr(_entry(file.name, file.approved_at), pdf)
                del pdf
                checksums.append(f"{file.sha256}  {file.name}\n")
                yield sink.take()
            if self.missing:
                archive.writestr(_entry(self.note_name, None), self.note)
            archive.writestr(_entry("SHA256SUMS", None), "".join(checksums))
        yield sink.take()


def _entry(name: str, approved_at: datetime | None) -> zipfile.ZipInfo:
    """A ZIP entry dated when the version was approved (the checksums: now) in the platform's
    zone, as ZIP dates have none; readable by all."""
    when = (approved_at or utcnow()).astimezone(platform_zone())
    entry = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    entry.compress_type = zipfile.ZIP_STORED
    entry.external_attr = 0o644 << 16
    return entry


def year_zip(year: int) -> YearZip:
    """The ZIP of the year's approved minutes with a SHA256SUMS file to check them against,
    and, when PDFs are missing, a note that names them."""
    versions = approved_versions_of_year(year)
    renderings = approved_pdf.renderings(versions)
    files = [
        _ZipFile(
            name=document.minutes_filename(version.content, version.number),
            version_id=version.id,
            sha256=version.pdf_sha256,
            approved_at=version.approved_at,
            session_id=version.content["session"]["id"],
            session_title=version.content["session"]["title"],
            number=version.number,
            failed=approved_pdf.failed(renderings.get(version.id)),
        )
        for version in versions
    ]
    missing = [file for file in files if file.sha256 is None]
    if not missing:
        return YearZip(files, db.engine)
    lines = [
        _(
            "The PDFs of these approved minutes are not in this ZIP file, as they were not "
            "stored yet when it was made. Please download the ZIP file again later."
        ),
        "",
    ]
    for file in missing:
        if file.failed:
            reason = _("could not be produced; it can be tried again on the minutes page")
        else:
            reason = _("is being prepared")
        lines.append(f"{file.name}: {reason}")
    return YearZip(files, db.engine, note_name=_("MISSING.txt"), note="\n".join(lines) + "\n")
