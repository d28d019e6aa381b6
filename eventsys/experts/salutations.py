"""How letters and mails to an expert open: "Sehr geehrte Frau Dr. Albrecht," in German,
"Dear Dr Albrecht," in English, and a greeting that assumes nothing where no salutation is
known ("Guten Tag, Dr. Verena Albrecht," / "Dear Verena Albrecht,").

The openings are written here rather than in the catalogue because their grammar differs by
language in ways one message with placeholders cannot carry: German declines the adjective
with the salutation ("geehrte Frau", "geehrter Herr") and keeps every academic title, English
uses Dr and Professor without a full stop and no other title.
"""

import re
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from eventsys.labels import LabelledEnum

if TYPE_CHECKING:  # the model imports this module for its column
    from eventsys.experts.models import Expert


class Salutation(LabelledEnum):
    MS = "ms", _l("Ms")
    MR = "mr", _l("Mr")
    NONE = "none", _l("No salutation")


_PROFESSOR = re.compile(r"\bprof\b", re.IGNORECASE)
_DOCTOR = re.compile(r"\bdr\b", re.IGNORECASE)


def english_title(title: str) -> str:
    """The academic title as English letters use it before a surname: "Professor" for any
    professor, "Dr" for a doctor, nothing for degrees such as Dipl.-Ing."""
    if _PROFESSOR.search(title):
        return "Professor"
    if _DOCTOR.search(title):
        return "Dr"
    return ""


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def letter_opening(expert: "Expert", language: str | None = None) -> str:
    """The first line of a letter or mail to `expert` in `language` (by default theirs),
    ending in a comma, e.g. "Sehr geehrter Herr Prof. Dr. Kranz,"."""
    language = language or expert.language
    title = " ".join(expert.title.split())
    salutation = expert.salutation or Salutation.NONE
    if language == "de":
        if salutation is Salutation.MS:
            return f"Sehr geehrte Frau {_joined(title, expert.last_name)},"
        if salutation is Salutation.MR:
            return f"Sehr geehrter Herr {_joined(title, expert.last_name)},"
        return f"Guten Tag, {_joined(title, expert.first_name, expert.last_name)},"
    # A doctor or professor is addressed by title alone, which says nothing about gender.
    title = english_title(title)
    if title:
        return f"Dear {title} {expert.last_name},"
    if salutation is Salutation.MS:
        return f"Dear Ms {expert.last_name},"
    if salutation is Salutation.MR:
        return f"Dear Mr {expert.last_name},"
    return f"Dear {_joined(expert.first_name, expert.last_name)},"
