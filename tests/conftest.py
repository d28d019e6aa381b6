"""Fixtures: an app with a fresh database per test, a client, the CLI runner, signed-in users of
each role, a real SMTP server and a real Chromium.

The database is SQLite (a new file per test) unless EVENTSYS_TEST_DATABASE_URL names a PostgreSQL
server; then the suite gets a database of its own on that server, and every table is emptied
after each test.
"""

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from eventsys import create_app
from eventsys.auth.models import User
from eventsys.auth.roles import Role
from eventsys.extensions import db
from eventsys.minutes.freezing import insert_default_guidelines

pytest_plugins = [
    "tests.support.assertions",
    "tests.support.smtp",
    "tests.support.browser",
    "tests.support.imap",
]

TEST_PASSWORD = "correct horse battery"
POSTGRES_URL = os.environ.get("EVENTSYS_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A throw-away database on the configured PostgreSQL server, or None for SQLite."""
    if not POSTGRES_URL:
        yield None
        return
    admin_url = sa.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"eventsys_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_schema_ready(postgres_database) -> dict:
    return {"created": False}


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        # Hashing is deliberately slow in production; tests sign in hundreds of times.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_SERVER": None,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_DELIVERY": "inline",
        "SERVER_NAME": "eventsys.test",
        "PREFERRED_URL_SCHEME": "http",
    }


@pytest.fixture
def app_config() -> dict:
    """Per-test settings on top of the defaults; override this fixture to change them."""
    return {}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An empty SQLite database with every table, copied for each test (faster than creating)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    application = create_app(
        base_config(f"sqlite:///{path}"), instance_path=str(path.parent / "instance")
    )
    with application.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture
def app(
    tmp_path, postgres_database, _postgres_schema_ready, app_config, request
) -> Iterator[Flask]:
    if postgres_database is None:
        database_file = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), database_file)
        database_url = f"sqlite:///{database_file}"
    else:
        database_url = postgres_database
    config = base_config(database_url) | app_config
    application = create_app(config, instance_path=str(tmp_path / "instance"))
    with application.app_context():
        if postgres_database is not None and not _postgres_schema_ready["created"]:
            db.create_all()
            _postgres_schema_ready["created"] = True
        try:
            yield application
        finally:
            db.session.remove()
            if postgres_database is not None:
                _empty_all_tables()
            db.engine.dispose()


def _empty_all_tables() -> None:
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        insert_default_guidelines(connection)  # reference data every test starts with


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@dataclass
class Staff:
    admin: User
    organiser: User
    secretariat: User

    def by_role(self, role: Role) -> User:
        return getattr(self, role.value)


def make_user(role: Role, email: str | None = None, language: str = "de") -> User:
    user = User(
        email=email or f"{role.value}@eventsys.example.org",
        name=f"Test {role.value.title()}",
        role=role,
        language=language,
    )
    user.set_password(TEST_PASSWORD)
    db.session.add(user)
    return user


@pytest.fixture
def staff(app: Flask) -> Staff:
    """One account for each role."""
    accounts = Staff(*(make_user(role) for role in (Role.ADMIN, Role.ORGANISER, Role.SECRETARIAT)))
    db.session.commit()
    return accounts


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, "signing in failed"
    return client


@pytest.fixture
def admin_client(client, staff) -> FlaskClient:
    return sign_in(client, staff.admin)


@pytest.fixture
def organiser_client(client, staff) -> FlaskClient:
    return sign_in(client, staff.organiser)


@pytest.fixture
def secretariat_client(client, staff) -> FlaskClient:
    return sign_in(client, staff.secretariat)


def page_text(response) -> str:
    """The visible text of an HTML response, whitespace folded, for assertions on wording."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    text = (
        text.replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
    )
    return re.sub(r"\s+", " ", text).strip()


class QueryCounter:
    """Counts the SQL statements the app sends while active (for bounded-query tests)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Use as `with count_queries() as counter: ...` then assert on `counter.count`."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting
