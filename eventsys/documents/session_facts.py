"""The facts every document about a session starts with: title, kind, date, time and place
(templates/documents/_session_facts.html).

`session_data` captures them as language-neutral plain data (as the minutes' snapshot stores
them); `session_facts` formats that data in the current language.
"""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from babel.dates import format_time
from flask_babel import get_locale
from flask_babel import gettext as _

from eventsys.i18n import format_local_date, format_local_datetime, format_local_time, local

if TYPE_CHECKING:
    from eventsys.sessions.models import Session


def session_data(session: "Session") -> dict[str, Any]:
    """Title, kind, times and place of a session, as the snapshot holds them."""
    return {
        "id": session.id,
        "title": session.title,
        "kind": session.kind.value,
        "starts_at": session.starts_at.astimezone(UTC).isoformat(),
        "ends_at": session.ends_at.astimezone(UTC).isoformat(),
        # Whether it was held online, not the address: meeting links often carry a passcode.
        "place": {
            "address": session.venue_address or "",
            "room": session.venue_room or "",
            "online": bool(session.online_url),
        },
    }


def session_facts(session: dict[str, Any], *, kind: str) -> dict[str, str]:
    """Title, kind, date, time and place of a session (as `session_data` holds it), formatted
    in the current language; `kind` is the label of the session's kind, which the caller (a
    feature that knows session kinds) gives in the current language."""
    starts_at = datetime.fromisoformat(session["starts_at"])
    ends_at = datetime.fromisoformat(session["ends_at"])
    if local(starts_at).date() == local(ends_at).date():
        day = format_local_date(starts_at)
        start = format_time(local(starts_at), "HH:mm", locale=str(get_locale() or "de"))
        time_range = f"{start} – {format_local_time(ends_at)}"
    else:
        day = f"{format_local_datetime(starts_at)} – {format_local_datetime(ends_at)}"
        time_range = ""
    return {
        "title": session["title"],
        "kind": kind,
        "date": day,
        "time": time_range,
        "place": place_line(session["place"]),
    }


def place_line(place: dict[str, Any]) -> str:
    where = ", ".join(part for part in (place["address"], place["room"]) if part)
    if place["online"]:
        return f"{where} {_('and online')}" if where else _("Online")
    return where
