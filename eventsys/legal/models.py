"""The texts admins have written for the legal pages (a page without one shows its default)."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.extensions import db
from eventsys.labels import LabelledEnum


class LegalPage(LabelledEnum):
    PRIVACY = "privacy", _l("Privacy notice")
    ACCESSIBILITY = "accessibility", _l("Accessibility statement")
    IMPRINT = "imprint", _l("Imprint")


class LegalText(db.Model):
    """One page's text in one language, as Markdown."""

    __tablename__ = "legal_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[LegalPage] = mapped_column(enum_column(LegalPage, "legal_page"))
    language: Mapped[str] = mapped_column(sa.String(2))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (
        sa.UniqueConstraint("page", "language", name="uq_legal_texts_page_language"),
        sa.CheckConstraint("language IN ('de', 'en')", name="legal_text_language"),
    )

    def __repr__(self) -> str:
        return f"<LegalText {self.id} {self.page.value} {self.language}>"
