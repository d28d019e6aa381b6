"""The application the benchmarks measure: by default a temporary SQLite database with every
table, mail kept in the outbox and delivered in-process, and cheap password hashes."""

from pathlib import Path

from eventsys import create_app
from eventsys.extensions import db


def make_app(workdir: Path, database_url: str | None = None, **settings):
    """The app on `database_url` (a SQLite file in `workdir` if None), with its instance folder
    in `workdir`, every table created; `settings` override the benchmarks' defaults."""
    config = {
        "SECRET_KEY": "benchmark",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SERVER_NAME": "eventsys.example.org",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_SERVER": None,
        "OUTBOX_DELIVERY": "inline",
        **settings,
    }
    app = create_app(config, instance_path=str(workdir / "instance"))
    with app.app_context():
        db.create_all()
    return app
