"""The application the benchmarks measure: a temporary SQLite database with every table, mail
kept in the outbox and delivered in-process, and cheap password hashes."""

from pathlib import Path

from eventsys import create_app
from eventsys.extensions import db


def make_app(workdir: Path):
    config = {
        "SECRET_KEY": "benchmark",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SERVER_NAME": "eventsys.example.org",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_SERVER": None,
        "OUTBOX_DELIVERY": "inline",
    }
    app = create_app(config, instance_path=str(workdir / "instance"))
    with app.app_context():
        db.create_all()
    return app
