"""Fixtures: an app with a fresh database per test, a client, the CLI runner, signed-in users of
each role, a real SMTP server and a real Chromium.

The app is built once per configuration and process (see tests/support/harness.py), and every
test starts from the empty database, restored from a saved copy (see
tests/support/databases.py). The database is SQLite unless EVENTSYS_TEST_DATABASE_URL names a
PostgreSQL server; then each process gets a database of its own on that server. Under
pytest-xdist each worker has its own databases, ports, Redis and browser.
"""

import html
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from eventsys import create_app
from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.outbox.kinds import name_kinds
from eventsys.roles import Role
from tests.support.databases import SqliteTestDatabase, TestDatabase, postgres_test_database
from tests.support.harness import AppState, DatabaseStates, config_key

# The outbox's own tests queue mail of a kind of their own.
name_kinds({"test": "Test mail"})

pytest_plugins = [
    "tests.support.assertions",
    "tests.support.smtp",
    "tests.support.browser",
    "tests.support.imap",
    "tests.support.redis",
]

TEST_PASSWORD = "correct horse battery"
POSTGRES_URL = os.environ.get("EVENTSYS_TEST_DATABASE_URL", "")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# Hashing is deliberately slow in production; tests sign in hundreds of times.
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def _forget_settings_from_the_shell() -> None:
    """Settings left in the shell (FLASK_*, DATABASE_URL, CELERY_BROKER_URL) would reach every
    app the tests build, and the processes they start; the tests bring their own."""
    for name in list(os.environ):
        if name.startswith("FLASK_") or name in ("DATABASE_URL", "CELERY_BROKER_URL"):
            del os.environ[name]


_forget_settings_from_the_shell()


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
        "MAIL_SERVER": None,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_DELIVERY": "inline",
        "DOCUMENT_PREPARATION": "inline",
        "EXPERT_IMPORTS": "inline",
        "SERVER_NAME": "eventsys.test",
        "PREFERRED_URL_SCHEME": "http",
        "CELERY_BROKER_URL": None,
        "IMAP_HOST": None,
    } | _engine_options(database_url)


def _engine_options(database_url: str) -> dict:
    """On PostgreSQL a commit need not wait for the disk: a crash of the test server loses
    nothing a test needs (it starts from a restored state), and the suite commits thousands of
    times."""
    if not database_url.startswith("postgresql"):
        return {}
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
    }


@pytest.fixture
def app_config() -> dict:
    """Per-test settings on top of the defaults; override this fixture to change them."""
    return {}


@pytest.fixture(scope="session")
def test_database(tmp_path_factory) -> Iterator[TestDatabase]:
    """This process's database, with every table and the empty state saved as "empty"."""
    root = tmp_path_factory.mktemp("database")
    schema_app = create_app(base_config("sqlite://"), instance_path=str(root / "instance"))
    tables = list(db.metadata.sorted_tables)
    if POSTGRES_URL:
        with postgres_test_database(POSTGRES_URL, WORKER, tables) as database:
            yield _with_schema(database, root)
    else:
        yield _with_schema(SqliteTestDatabase(root, tables), root)
    del schema_app


def _with_schema(database: TestDatabase, root) -> TestDatabase:
    application = create_app(base_config(database.url), instance_path=str(root / "instance"))
    with application.app_context():
        if hasattr(database, "check_privileges"):
            database.check_privileges(db.engine)
        db.create_all()  # also installs the triggers and the default guidelines
        database.save("empty", db.engine)
        db.engine.dispose()
    return database


@pytest.fixture(scope="session")
def database_states(test_database) -> DatabaseStates:
    return DatabaseStates(test_database)


@pytest.fixture(scope="session")
def _apps(tmp_path_factory) -> dict[str, Flask]:
    """The apps built so far in this process, by configuration."""
    return {"instance root": tmp_path_factory.mktemp("instances")}


@pytest.fixture
def app(_apps, test_database, app_config) -> Iterator[Flask]:
    config = base_config(test_database.url) | app_config
    key = config_key(config)
    application = _apps.get(key)
    if application is None:
        instance = _apps["instance root"] / f"app-{len(_apps)}"
        application = create_app(config, instance_path=str(instance))
        _apps[key] = application
    state = AppState.of(application)
    # A new app accepts request hooks and URL rules until its first request; tests add them.
    application._got_first_request = False
    with application.app_context():
        test_database.restore("empty", db.engine)
        try:
            yield application
        finally:
            db.session.remove()
            db.engine.dispose()
    if not state.put_back(application):
        del _apps[key]


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


_hashes: dict[str, str] = {}


def _test_password_hash() -> str:
    """TEST_PASSWORD hashed once per process (the same hash every test's accounts get)."""
    if not _hashes:
        _hashes["hash"] = generate_password_hash(TEST_PASSWORD, method=TEST_PASSWORD_HASH_METHOD)
    return _hashes["hash"]


def make_user(role: Role, email: str | None = None, language: str = "de") -> User:
    user = User(
        email=email or f"{role.value}@eventsys.example.org",
        name=f"Test {role.value.title()}",
        role=role,
        language=language,
    )
    user.password_hash = _test_password_hash()
    db.session.add(user)
    return user


@pytest.fixture
def staff(app: Flask) -> Staff:
    """One account for each role."""
    accounts = Staff(*(make_user(role) for role in (Role.ADMIN, Role.ORGANISER, Role.SECRETARIAT)))
    db.session.commit()
    return accounts


def reading_english(staff: Staff) -> Staff:
    """The staff accounts set to read English, whose texts are the msgids themselves, so that
    assertions on wording hold whatever the German catalogue says."""
    for user in (staff.admin, staff.organiser, staff.secretariat):
        user.language = "en"
    db.session.commit()
    return staff


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


def confirm_sending(client: FlaskClient, response):
    """Press the button of the "who gets mail" page that `response` is, as a browser would:
    the same form again, with the hidden fields the page carries. A response that is no such
    page (one recipient or none is not asked about) is returned as it is."""
    page = response.get_data(as_text=True)
    found = re.search(
        r'<section class="mail-preview".*?<form method="post" action="([^"]+)">(.*?)</form>',
        page,
        re.S,
    )
    if response.status_code != 200 or found is None:
        return response
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', found.group(2))
    data = MultiDict([(name, html.unescape(value)) for name, value in fields])
    return client.post(html.unescape(found.group(1)), data=data)


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


def pytest_collection_modifyitems(config, items) -> None:
    """On PostgreSQL (the second pass of `.ci/run`), the tests whose outcome depends on the
    database. Left to the SQLite pass, which runs every test:
    - tests that never touch a database (the PDF renderer, the calendar parsers, the
      catalogues, the layers): running them again proves nothing more;
    - the browser tests (marked `browser`): they check what Chromium shows and does; what they
      read and write, the same routes do for the other tests on both databases.
    EVENTSYS_TEST_EVERYTHING=1 runs every test on PostgreSQL too."""
    if not POSTGRES_URL or os.environ.get("EVENTSYS_TEST_EVERYTHING") == "1":
        return
    left_to_sqlite = [
        item
        for item in items
        if "test_database" not in item.fixturenames or item.get_closest_marker("browser")
    ]
    if left_to_sqlite:
        config.hook.pytest_deselected(items=left_to_sqlite)
        skipped = set(left_to_sqlite)
        items[:] = [item for item in items if item not in skipped]
