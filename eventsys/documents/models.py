"""A PDF prepared once for what it shows and kept (see `eventsys.documents.preparation`)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.extensions import db


class PreparationState(enum.StrEnum):
    WAITING = "waiting"  # asked for; no renderer has taken it yet
    RENDERING = "rendering"  # a renderer took it at `started_at`
    READY = "ready"
    FAILED = "failed"  # `failure` says why; staff may ask for another try


class PreparedDocument(db.Model):
    __tablename__ = "prepared_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The SHA-256 of exactly what is rendered (HTML and assets): the same text of the same
    # revision is one row, however many readers ask at once.
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # What the document is of ("minutes-reader:12:de"); a newer revision of the same subject
    # replaces the older one once it is ready.
    subject: Mapped[str] = mapped_column(sa.String(200), index=True)
    html: Mapped[str] = mapped_column(sa.Text)
    # Files outside the package the HTML names as assets, by asset name (an uploaded logo).
    asset_files: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    # PDF/A-3u with these files attached ({"filename", "description", "relationship",
    # "content" in base64}); kept, like the HTML, only until the PDF is.
    archival: Mapped[bool] = mapped_column(default=False)
    attachments: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    state: Mapped[PreparationState] = mapped_column(
        enum_column(PreparationState, "preparation_state"), default=PreparationState.WAITING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # Why the last try failed, as the renderer said it (for staff and the log), and whether it
    # ran out of time (the same text would run out again: only a shorter one helps).
    failure: Mapped[str] = mapped_column(sa.Text, default="")
    timed_out: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<PreparedDocument {self.id} {self.subject} {self.state.value}>"
