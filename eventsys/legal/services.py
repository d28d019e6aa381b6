"""Reading and saving the legal pages' texts. A page that admins have not written yet shows the
default shipped in `defaults/` (`<page>.<language>.md`), with the platform's name filled in."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from eventsys.audit import services as audit
from eventsys.extensions import db
from eventsys.legal.models import LegalPage, LegalText
from eventsys.markup import markdown_problem

DEFAULTS = Path(__file__).resolve().parent / "defaults"
LANGUAGES = ("de", "en")


class LegalTextError(ValueError):
    """A text that cannot be saved, with the reason for the person who wrote it."""


@dataclass(frozen=True)
class PageText:
    page: LegalPage
    language: str
    body: str  # Markdown
    is_default: bool
    updated_at: datetime | None


def default_text(page: LegalPage, language: str) -> str:
    """The text shipped for `page` in `language`, with the platform's name filled in."""
    return _shipped(page, language).replace("{platform}", current_app.config["PLATFORM_NAME"])


@cache
def _shipped(page: LegalPage, language: str) -> str:
    # The files ship with the code and never change while it runs.
    return (DEFAULTS / f"{page.value}.{language}.md").read_text(encoding="utf-8")


def page_text(page: LegalPage, language: str) -> PageText:
    """What `page` says in `language`: the admins' text, else the default."""
    stored = db.session.scalar(
        sa.select(LegalText).where(LegalText.page == page, LegalText.language == language)
    )
    if stored is None:
        return PageText(page, language, default_text(page, language), True, None)
    return PageText(page, language, stored.body, False, stored.updated_at)


def save_texts(page: LegalPage, bodies: dict[str, str], user) -> None:
    """Store the German and English text of `page` (an empty one goes back to the default).

    Raises LegalTextError when a text is not Markdown we can show; nothing is saved then.
    """
    for body in bodies.values():
        problem = markdown_problem(body)
        if problem:
            raise LegalTextError(problem)
    for language, body in bodies.items():
        stored = db.session.scalar(
            sa.select(LegalText).where(LegalText.page == page, LegalText.language == language)
        )
        body = body.strip()
        if not body:
            if stored is not None:
                audit.record(
                    "legal.reset", stored, f"{page.value} ({language}) back to the default"
                )
                db.session.delete(stored)
            continue
        if stored is None:
            stored = LegalText(page=page, language=language, body=body, updated_by_id=user.id)
            db.session.add(stored)
            db.session.flush()
            audit.record("legal.written", stored, f"{page.value} ({language}) written")
        elif stored.body != body:
            audit.record(
                "legal.changed",
                stored,
                f"{page.value} ({language}) changed",
                {"body": [stored.body, body]},
            )
            stored.body = body
            stored.updated_by_id = user.id
    db.session.flush()
