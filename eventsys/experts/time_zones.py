"""The time zones an expert's zone is chosen from: the zones the platform's partners commonly
use first, then every other zone grouped by continent, each named by country and city in the
reader's language ("Kanada – Toronto"), with its IANA name stored."""

from functools import lru_cache

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from eventsys.documents.names import name_sort_key
from eventsys.i18n import current_language
from eventsys.localtime import known_time_zones

# Germany and its neighbours, and the countries of the platform's international partners.
COMMONLY_USED = (
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Luxembourg",
    "Europe/Paris",
    "Europe/London",
    "Europe/Copenhagen",
    "Europe/Warsaw",
    "Europe/Prague",
    "America/Toronto",
    "America/New_York",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Etc/UTC",
)

CONTINENTS = {
    "Europe": _l("Europe"),
    "America": _l("Americas"),
    "Asia": _l("Asia"),
    "Africa": _l("Africa"),
    "Australia": _l("Australia"),
    "Pacific": _l("Pacific"),
    "Atlantic": _l("Atlantic"),
    "Indian": _l("Indian Ocean"),
    "Antarctica": _l("Antarctica"),
    "Arctic": _l("Arctic"),
}


def _listed_zones() -> list[str]:
    """The zones named after a place (CLDR's list, which leaves out old aliases), that this
    system's time zone database knows."""
    territories = get_global("zone_territories")
    known = known_time_zones()
    return [
        name
        for name, territory in territories.items()
        if name in known and name.split("/", 1)[0] in CONTINENTS and territory not in ("001", "ZZ")
    ]


@lru_cache(maxsize=8)
def _labels(language: str) -> dict[str, str]:
    locale = Locale.parse(language)
    territories = get_global("zone_territories")
    labels = {"Etc/UTC": "UTC"}
    for name in _listed_zones():
        city = get_timezone_location(name, locale=locale, return_city=True)
        country = locale.territories.get(territories[name], "")
        labels[name] = f"{country} – {city}" if country and country != city else city
    return labels


def zone_label(name: str, language: str | None = None) -> str:
    """How the zone called `name` is shown in `language` (default: the current one)."""
    return _labels(language or current_language()).get(name, name)


def time_zone_choices(current: str | None = None) -> dict[str, list[SelectChoice]]:
    """The choices for a select, grouped: commonly used, then by continent. `current`, a
    known zone the list does not name (an alias such as US/Eastern from an import), is kept
    as the first choice so that saving the form does not change it unasked."""
    labels = _labels(current_language())
    common = [SelectChoice(name, labels[name]) for name in COMMONLY_USED if name in labels]
    if current and current in known_time_zones() and current not in labels:
        common.insert(0, SelectChoice(current, current))
    groups: dict[str, list[SelectChoice]] = {str(_l("Commonly used")): common}
    for prefix, title in CONTINENTS.items():
        zones = [name for name in labels if name.split("/", 1)[0] == prefix]
        zones.sort(key=lambda name: name_sort_key(labels[name]))
        if zones:
            groups[str(title)] = [SelectChoice(name, labels[name]) for name in zones]
    return groups
