"""Settings in layers: these defaults, then `instance/config.py`, then `FLASK_*` environment
variables (and `DATABASE_URL`), then the configuration a caller passes to `create_app`."""

import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import Flask


class DefaultConfig:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # a SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")

    PLATFORM_NAME = "Dialogplattform Smart Cities"
    # The site's public host, which links in mail point to (e.g. "termine.example.org"). Where
    # one site answers under several names, leave it unset and list them in TRUSTED_HOSTS
    # instead: Flask then refuses requests for any other host, and mail written in a request
    # links to the host it came in on. With neither, no mail with links is written in a request
    # (never for the Host header a request claims; see eventsys/outbox/links.py).
    SERVER_NAME: str | None = None
    TRUSTED_HOSTS: list[str] | None = None
    # The logo in the letterhead of minutes and sign-in sheets (SVG, PNG or JPEG); a relative
    # path is relative to the instance folder. None: the logo that comes with eventsys.
    LETTERHEAD_LOGO_PATH: str | None = None

    MAIL_SERVER: str | None = None  # none: mail stays in the outbox, readable by admins
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Dialogplattform Smart Cities <noreply@dialogplattform.example>"
    MAIL_MAX_EMAILS = 100
    # ORGANIZER of calendar invitations and their From address: the mailbox replies go to.
    INVITATION_REPLY_ADDRESS = "einladungen@dialogplattform.example"
    OUTBOX_DELIVERY = "background"  # "background" thread after commit, or "inline"
    OUTBOX_MAX_ATTEMPTS = 12

    # Replies from calendars: the mailbox polled by `flask replies fetch` (none: not polled).
    IMAP_HOST: str | None = None
    IMAP_PORT = 993
    IMAP_USE_SSL = True
    IMAP_USERNAME: str | None = None
    IMAP_PASSWORD: str | None = None
    IMAP_FOLDER = "INBOX"
    REPLIES_POLL_SECONDS = 300
    # The authserv-id our own mail server writes into Authentication-Results (RFC 8601); its
    # DMARC/DKIM failures keep calendar replies for review. None: such headers are not trusted.
    REPLIES_TRUSTED_AUTHSERV_ID: str | None = None
    # Larger messages are refused, not stored: a calendar answer is a few kilobytes, and even
    # one with a forwarded invitation and its attachments stays far below this.
    REPLIES_MAX_MESSAGE_BYTES = 10 * 1024 * 1024

    # Reminders: to those who have not answered, this many days before the answer deadline.
    REMINDER_DAYS_BEFORE_DEADLINE = 3
    # Owners of action items are reminded this many days before the due date (per session
    # switchable).
    ACTION_ITEM_REMINDER_DAYS = 7
    # The daily digest of answers for organisers goes out from this hour on (Berlin time), with
    # the answers since the previous one: early, so that it is read at the start of the day.
    ANSWER_DIGEST_HOUR = 7

    # Circulated minutes: attendees comment for this many days unless the secretariat picks
    # another deadline; the links in minutes mail stay valid this long.
    MINUTES_COMMENT_DAYS = 14
    MINUTES_LINK_MAX_AGE_DAYS = 180
    # Consultation links: long enough for experts to see, months later, what became of their
    # comments.
    CHARTER_LINK_MAX_AGE_DAYS = 365
    MINUTES_AUTOSAVE_SECONDS = 20  # the editor saves this long after the last change

    # PDFs are rendered outside the request: by a Celery task when a broker is configured,
    # otherwise by PDF_RENDERERS threads of the web process ("background"), or within the
    # request ("inline"). A rendering is stopped after PDF_TIME_LIMIT_SECONDS; the longest text
    # a form accepts (50,000 characters of one-word list items) takes about 25 seconds here.
    DOCUMENT_PREPARATION = "background"
    # CSV imports of experts: "background" (a thread, or a Celery task with a broker), or
    # "inline" (at once, for tests).
    EXPERT_IMPORTS = "background"
    PDF_RENDERERS = 2
    # Collect reference cycles after each response instead of inside requests (see
    # eventsys/garbage_collection.py). None: on CPython 3.11, whose collector can corrupt the
    # heap when it starts in the middle of an attribute store.
    COLLECT_GARBAGE_BETWEEN_REQUESTS: bool | None = None
    PDF_TIME_LIMIT_SECONDS = 120

    # With a broker (e.g. redis://127.0.0.1:6379/0), delivery and IMAP polling run as Celery
    # tasks; without one, in-process.
    CELERY_BROKER_URL: str | None = None

    # How long personal data is kept before `flask privacy purge` removes it (days).
    RETENTION_INBOUND_MAIL_DAYS = 90  # raw mail of replies that have been dealt with
    RETENTION_SENT_MAIL_DAYS = 180  # the text of mail sent (its headers stay)
    RETENTION_AUDIT_VALUES_DAYS = 730  # old and new values in the audit trail
    RETENTION_INACTIVE_FEEDS_DAYS = 30  # calendar feeds of deactivated experts
    RETENTION_PREPARED_DOCUMENTS_DAYS = 30  # PDFs of drafts and sign-in sheets (made anew)

    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's default; tests use a cheaper one
    MIN_PASSWORD_LENGTH = 12
    # Failed sign-ins allowed per e-mail address typed and per client address; then every
    # attempt is refused until the window ends (limits notation: "20 per hour").
    LOGIN_FAILURES_PER_ACCOUNT = "20 per hour"
    LOGIN_FAILURES_PER_ADDRESS = "60 per hour"
    # Two-factor sign-in: failed codes allowed per account (then the second step is refused
    # until the window ends); how long the second step waits after the password (seconds);
    # True makes it required for all staff, whatever admins choose in the browser.
    TWO_FACTOR_FAILURES_PER_ACCOUNT = "10 per hour"
    TWO_FACTOR_PENDING_SECONDS = 300
    TWO_FACTOR_REQUIRED = False
    PASSWORD_RESETS_PER_ACCOUNT = "3 per hour"  # mails; beyond, none is sent (same words)
    PASSWORD_RESETS_PER_ADDRESS = "10 per hour"  # requests from one client
    # Where the counters live: e.g. redis://127.0.0.1:6379/1. None: the Celery broker if it is
    # Redis, else memory (one process only).
    RATELIMIT_STORAGE_URI: str | None = None
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the login session


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill `app.config` from every layer, in order, and fill in derived defaults."""
    app.config.from_object(DefaultConfig)
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    app.config.from_pyfile("config.py", silent=True)
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(database_url)
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database_file = Path(app.instance_path) / "eventsys.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database_file}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        protect_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
        # SQLite ignores foreign keys unless asked, and waits for locks only if told to.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        broker = app.config.get("CELERY_BROKER_URL") or ""
        app.config["RATELIMIT_STORAGE_URI"] = (
            broker if broker.startswith(("redis://", "rediss://")) else "memory://"
        )
    if app.config.get("PREFERRED_URL_SCHEME") == "https":
        # Served over TLS only: cookies never travel in clear (HSTS is set per response).
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = read_or_create_secret_key(Path(app.instance_path))


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver, as hosting platforms write them bare."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def protect_sqlite_file(url: str) -> None:
    """Create the SQLite file readable by its owner only before SQLite creates it with the
    process's umask; SQLite gives its -wal and -shm files the database file's permissions."""
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        path.chmod(0o600)
    elif path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def read_or_create_secret_key(instance_path: Path) -> str:
    """Return the key stored in `instance/secret_key`, generating it on first run."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
