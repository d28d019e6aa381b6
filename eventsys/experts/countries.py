"""Country codes (ISO 3166-1 alpha-2) and their names, for the international partners."""

from functools import cache

from babel import Locale
from flask_babel import get_locale

from eventsys.documents.names import name_sort_key

# Babel names some regions and reserved codes alongside the countries; none of them is a country
# an international partner could represent.
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)


@cache
def _names(language: str) -> dict[str, str]:
    territories = Locale.parse(language).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


def _display_language() -> str:
    return str(get_locale() or "de")[:2]


def is_country_code(code: str) -> bool:
    """Whether `code` is an upper-case ISO 3166-1 alpha-2 code of a country."""
    return code in _names("en")


def country_name(code: str | None) -> str:
    """The name of the country with `code` in the display language (the code if unknown)."""
    if not code:
        return ""
    return _names(_display_language()).get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country, sorted by name in the display language."""
    names = _names(_display_language())
    # "Österreich" belongs next to "Oman", not after "Zypern".
    return sorted(names.items(), key=lambda item: name_sort_key(item[1]))


def country_code_from(text: str) -> str | None:
    """The country code for `text`, which may be a code or a German or English name; else None."""
    text = text.strip()
    if is_country_code(text.upper()):
        return text.upper()
    wanted = text.casefold()
    for language in ("de", "en"):
        for code, name in _names(language).items():
            if name.casefold() == wanted:
                return code
    return None
