"""Numbers read from a query string, kept within what the database can take.

A page number or an id beyond the database's integers would reach the driver as an overflow (a
500); these readers turn such values into "nothing found" instead.
"""

from werkzeug.datastructures import MultiDict

# PostgreSQL's (and our columns') `integer`; SQLite's are wider, so this holds on both.
MAX_DATABASE_ID = 2_147_483_647
# Far beyond any real listing, and small enough that page × page size stays an integer.
MAX_PAGE = 100_000


def page_number(args: MultiDict, name: str = "page") -> int:
    """The page asked for: 1 when missing or unreadable, at most MAX_PAGE (an empty page)."""
    return min(max(args.get(name, 1, type=int), 1), MAX_PAGE)


def database_id(args: MultiDict, name: str) -> int | None:
    """The id in `name`, or None when missing, unreadable or beyond any row's id."""
    value = args.get(name, type=int)
    if value is None or not 1 <= value <= MAX_DATABASE_ID:
        return None
    return value


def id_from_text(value: str | None) -> int | None:
    """The id written in `value` (ASCII digits), or None when it is none or beyond any row's
    id (a form field naming a record)."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_DATABASE_ID else None
