"""The declarative base, naming conventions and column types shared by all models."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.functions import FunctionElement

# Named constraints let Alembic drop and alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL stores it as `timestamptz`; SQLite has no time zones, so the value is stored as
    naive UTC and made aware again when read. Naive datetimes are refused on the way in, because
    guessing their zone is how events end up an hour off.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a timezone-aware one is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    """A string column holding an enum's values, guarded by a named CHECK constraint."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def alembic_compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """Tell Alembic's autogenerate that our UTC type matches what each database reflects.

    SQLite reflects every timestamp as DATETIME without zone, PostgreSQL as timestamptz; both
    are what UTCDateTime asks for. Every other type is left to Alembic (None).
    """
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, sa.DateTime)
    return None


def alembic_compare_server_default(
    context,
    inspected_column,
    metadata_column,
    inspected_default,
    metadata_default,
    rendered_metadata_default,
):
    """Compare the server defaults of JSON columns as text: Alembic would ask PostgreSQL
    whether the two are equal, which it cannot say of JSON ("operator does not exist: json =
    unknown"). Every other default is left to Alembic (None)."""
    if not isinstance(metadata_column.type, sa.JSON):
        return None

    def bare(default: str | None) -> str:
        return (default or "").split("::", 1)[0].strip().strip("'")

    return bare(inspected_default) != bare(rendered_metadata_default)


def alembic_render_item(type_: str, obj, autogen_context):
    """Write UTCDateTime into migrations as the plain type it stores, so that migration files
    never import the application."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


class folded_case(FunctionElement):
    """A text in lower case by the rules of every alphabet: lower(), except on SQLite, whose
    lower() folds only A–Z; there each connection gets `unicode_lower` (Python's rules)."""

    type = sa.String()
    inherit_cache = True
    name = "folded_case"


@compiles(folded_case)
def _folded_by_lower(element: folded_case, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded_case, "sqlite")
def _folded_by_python(element: folded_case, compiler, **kw) -> str:
    return f"unicode_lower({compiler.process(element.clauses, **kw)})"


def unicode_lower(value: object) -> object:
    """lower() by Python's rules, for SQLite connections (see `folded_case`)."""
    return value.lower() if isinstance(value, str) else value


def contains_ignoring_case(column: sa.ColumnElement, text: str) -> sa.ColumnElement[bool]:
    """Whether `column` contains `text`, ignoring case in every alphabet ("MÜLLER" finds
    "Müller"), for the search boxes of long lists; a typed % or _ means itself."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return folded_case(column).like(f"%{escaped.lower()}%", escape="\\")
