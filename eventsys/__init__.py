"""eventsys: sessions, invitations, minutes and charter drafts for an expert dialogue platform."""

import hmac
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import IntegerConverter

from eventsys.database import unicode_lower
from eventsys.query_arguments import MAX_DATABASE_ID

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in URLs, limited to what an integer column holds: a longer number is a 404,
    not an overflow in the database driver."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_DATABASE_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: settings in layers, extensions, blueprints, commands."""
    app = Flask(
        __name__,
        instance_path=instance_path or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    from eventsys.config import load_config

    load_config(app, config)
    app.url_map.converters["int"] = DatabaseIdConverter
    _load_models()
    _connect_receivers()
    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    return app


def _load_models() -> None:
    """Import every feature's models, so that the metadata (and Alembic) sees all tables."""
    import eventsys.attendance.models
    import eventsys.audit.models
    import eventsys.auth.models
    import eventsys.charters.freezing  # (installs its triggers whenever the tables are created)
    import eventsys.charters.models
    import eventsys.documents.models
    import eventsys.experts.import_jobs
    import eventsys.experts.models
    import eventsys.invitations.models
    import eventsys.legal.models
    import eventsys.minutes.freezing  # (installs its triggers whenever the tables are created)
    import eventsys.minutes.models
    import eventsys.notices.models
    import eventsys.outbox.models
    import eventsys.replies.models
    import eventsys.search.engines  # (creates SQLite's FTS5 table whenever the tables are created)
    import eventsys.search.models
    import eventsys.sessions.models
    import eventsys.sessions.visits  # noqa: F401


def _connect_receivers() -> None:
    """Import the modules whose receivers react to other features' signals (eventsys.signals).
    They connect on import, so once per process however many apps are built."""
    import eventsys.charters.intake  # minutes approved: recommendations enter the pools
    import eventsys.feeds.invitees  # experts invited: they get a feed address
    import eventsys.invitations.mail_groups  # invitation mails queued: composed by groups
    import eventsys.invitations.session_changes  # session changed: invitees told
    import eventsys.minutes.approved_pdf  # approved version's PDF rendered: stored with it
    import eventsys.minutes.frozen_agenda  # agenda item removed: approved TOPs kept
    import eventsys.notices.answer_mail  # answer recorded: organisers told
    import eventsys.search.indexing  # noqa: F401  minutes, charters, comments saved: index follows


def _init_extensions(app: Flask) -> None:
    from flask_login import AnonymousUserMixin
    from flask_wtf.csrf import generate_csrf

    from eventsys import garbage_collection, i18n, markup, security_headers
    from eventsys.access import enforce_declared_access
    from eventsys.auth import throttling
    from eventsys.auth.models import User
    from eventsys.documents import preparation
    from eventsys.experts import import_jobs
    from eventsys.extensions import babel, csrf, db, login_manager, mail, migrate
    from eventsys.outbox import services as outbox
    from eventsys.request_checks import refuse_nul_characters
    from eventsys.templating import register_template_helpers

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    mail.init_app(app)
    i18n.register_formatting(app)
    register_template_helpers(app)
    markup.init_app(app)
    security_headers.init_app(app)
    garbage_collection.init_app(app)
    outbox.init_app(app, start_delivery=_outbox_delivery_starter(app))
    preparation.init_app(app, start_preparation=_document_preparation_starter(app))
    import_jobs.init_app(app, start_job=_import_job_starter(app))
    throttling.init_app(app)

    class Anonymous(AnonymousUserMixin):
        role = None
        language = None

    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why; no flash noise

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """The active user whose `get_id()` this is; an id from before the last sign-out or
        password change (another session token) loads no one."""
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or len(user_id) > 10 or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active:
            return None
        return user if hmac.compare_digest(user.session_token, token) else None

    app.before_request(refuse_nul_characters)
    app.before_request(enforce_declared_access)
    app.jinja_env.globals["csrf_token"] = generate_csrf

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _configure_sqlite_connection)
            sa.event.listen(engine, "savepoint", _begin_before_first_savepoint)


def _outbox_delivery_starter(app: Flask) -> Callable[[Flask], None]:
    """How the outbox starts delivering after a commit that queued mail: a Celery task when a
    broker is configured, otherwise a thread of this process (or inline, per OUTBOX_DELIVERY)."""
    if app.config.get("CELERY_BROKER_URL"):
        from eventsys.tasks import enqueue_delivery  # only deployments with a broker need Celery

        return enqueue_delivery
    from eventsys.outbox.services import deliver_in_thread

    return deliver_in_thread


def _document_preparation_starter(app: Flask) -> Callable[[Flask, int], None] | None:
    """How a PDF rendering is started: a Celery task when a broker is configured, otherwise
    (None) as DOCUMENT_PREPARATION says (see eventsys.documents.preparation)."""
    if app.config.get("CELERY_BROKER_URL"):
        from eventsys.tasks import enqueue_preparation

        return enqueue_preparation
    return None


def _import_job_starter(app: Flask) -> Callable[[Flask, int], None] | None:
    """How an expert import is started: a Celery task when a broker is configured, otherwise
    (None) as EXPERT_IMPORTS says (see eventsys.experts.import_jobs)."""
    if app.config.get("CELERY_BROKER_URL"):
        from eventsys.tasks import enqueue_import

        return enqueue_import
    return None


def _configure_sqlite_connection(dbapi_connection, connection_record) -> None:
    """Foreign keys are off in SQLite unless asked for; WAL lets the background mail delivery
    read while a request writes."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL still never corrupts the database; it lets a commit skip the disk sync,
    # which the outbox does once per delivered message.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_function("unicode_lower", 1, unicode_lower, deterministic=True)


def _begin_before_first_savepoint(connection, name) -> None:
    """Open the transaction before a SAVEPOINT that would otherwise start one.

    Python's SQLite driver begins a transaction only before INSERT, UPDATE or DELETE. A
    SAVEPOINT issued first would open a transaction of its own, and releasing it would commit
    at once, before the caller decides to commit or roll back.
    """
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def _register_blueprints(app: Flask) -> None:
    from eventsys.attendance.views import blueprint as attendance
    from eventsys.audit.views import blueprint as audit
    from eventsys.auth.views import blueprint as auth
    from eventsys.charters.views import blueprint as charters
    from eventsys.dashboard.views import blueprint as dashboard
    from eventsys.documents.views import blueprint as documents
    from eventsys.errors import register_error_pages
    from eventsys.experts.views import blueprint as experts
    from eventsys.feeds.views import blueprint as feeds
    from eventsys.invitations.views import blueprint as invitations
    from eventsys.legal.views import blueprint as legal
    from eventsys.minutes.views import blueprint as minutes
    from eventsys.notices.views import blueprint as notices
    from eventsys.outbox.views import blueprint as outbox
    from eventsys.people.views import blueprint as people
    from eventsys.privacy.views import blueprint as privacy
    from eventsys.reminders.views import blueprint as reminders
    from eventsys.replies.views import blueprint as replies
    from eventsys.search.views import blueprint as search
    from eventsys.sessions.views import blueprint as sessions

    for blueprint in (
        dashboard,
        auth,
        experts,
        sessions,
        invitations,
        replies,
        reminders,
        notices,
        feeds,
        attendance,
        minutes,
        charters,
        audit,
        outbox,
        legal,
        privacy,
        documents,
        search,
        people,
    ):
        app.register_blueprint(blueprint)
    register_error_pages(app)


def _register_commands(app: Flask) -> None:
    from eventsys.auth.cli import users
    from eventsys.charters.cli import charter
    from eventsys.demo.cli import demo
    from eventsys.experts.cli import experts
    from eventsys.invitations.cli import invitations
    from eventsys.minutes.cli import minutes
    from eventsys.notices.cli import notices
    from eventsys.outbox.cli import outbox
    from eventsys.privacy.cli import privacy
    from eventsys.reminders.cli import reminders
    from eventsys.replies.cli import replies
    from eventsys.search.cli import search
    from eventsys.sessions.cli import sessions

    for group in (
        users,
        experts,
        sessions,
        invitations,
        replies,
        reminders,
        notices,
        demo,
        outbox,
        minutes,
        charter,
        privacy,
        search,
    ):
        app.cli.add_command(group)
