"""Keep the translation catalogues in step with the code.

    python tools/catalogues.py update   # collect strings, merge them into de and en catalogues
    python tools/catalogues.py check    # list strings that lack their German or English text

Source strings are English. The English catalogue starts as a copy of them, so that wording can
be polished there without touching code; the German one is translated by hand.
"""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "eventsys" / "translations"
LANGUAGES = ("de", "en")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
METHODS = [
    ("eventsys/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]


def extract() -> Catalog:
    """Every translatable string in the code and templates."""
    catalog = Catalog(project="eventsys", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map=METHODS,
        keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(language: str) -> Catalog:
    path = catalogue_path(language)
    if not path.exists():
        return Catalog(locale=language, project="eventsys", charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def update() -> None:
    template = extract()
    for language in LANGUAGES:
        catalog = read_catalogue(language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.project, catalog.version = "eventsys", "1"
        catalog.copyright_holder = "eventsys"
        catalog.last_translator = "eventsys <translations@eventsys>"
        catalog.language_team = language
        for message in catalog:
            if not message.id:
                continue
            if language == "en" and not _has_text(message.string):
                message.string = message.id
            message.locations = []
        path = catalogue_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(
                handle, catalog, width=100, no_location=True, sort_output=True, ignore_obsolete=True
            )


def _has_text(string) -> bool:
    if isinstance(string, tuple | list):
        return all(part for part in string)
    return bool(string)


def missing_translations() -> dict[str, list[str]]:
    """For each language, the source strings that have no (or only a fuzzy) translation."""
    wanted = {message.id for message in extract() if message.id}
    missing = {}
    for language in LANGUAGES:
        catalog = read_catalogue(language)
        translated = {
            message.id
            for message in catalog
            if message.id and _has_text(message.string) and not message.fuzzy
        }
        gaps = sorted(
            (identifier if isinstance(identifier, str) else identifier[0])
            for identifier in wanted - translated
        )
        missing[language] = gaps
    return missing


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    gaps = missing_translations()
    for language, strings in gaps.items():
        for string in strings:
            print(f"{language}: {string}")
    sys.exit(1 if command == "check" and any(gaps.values()) else 0)
