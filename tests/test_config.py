"""Settings come in layers: defaults, instance/config.py, FLASK_* variables, the caller's."""

import stat

import pytest

from eventsys import create_app
from eventsys.config import normalise_database_url


@pytest.fixture
def clean_environment(monkeypatch):
    for name in (
        "DATABASE_URL",
        "FLASK_SQLALCHEMY_DATABASE_URI",
        "FLASK_PLATFORM_NAME",
        "FLASK_MAIL_SERVER",
        "FLASK_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_use_sqlite_in_the_instance_folder(tmp_path, clean_environment):
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'eventsys.sqlite3'}"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "de"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Berlin"
    assert app.config["MAIL_SERVER"] is None


def test_secret_key_is_generated_once_and_kept_private(tmp_path, clean_environment):
    first = create_app(instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 48
    second = create_app(instance_path=str(tmp_path))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_layers_override_in_order(tmp_path, clean_environment):
    (tmp_path / "config.py").write_text(
        'PLATFORM_NAME = "From instance"\nMAIL_SERVER = "mail.instance.example"\n'
        "MAIL_PORT = 2525\n",
        encoding="utf-8",
    )
    clean_environment.setenv("FLASK_MAIL_SERVER", "mail.env.example")
    app = create_app({"MAIL_PORT": 1025}, instance_path=str(tmp_path))
    assert app.config["PLATFORM_NAME"] == "From instance"  # instance file over defaults
    assert app.config["MAIL_SERVER"] == "mail.env.example"  # environment over instance file
    assert app.config["MAIL_PORT"] == 1025  # the caller's config over everything


def test_database_url_is_accepted_and_flask_variable_wins(tmp_path, clean_environment):
    clean_environment.setenv("DATABASE_URL", "postgres://someone@db.example/eventsys")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://someone@db.example/eventsys"
    )
    clean_environment.setenv("FLASK_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'x.db'}"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_instance_folder_contents_are_ignored_by_git():
    from pathlib import Path

    ignore = (Path(__file__).parents[1] / "instance" / ".gitignore").read_text()
    assert ignore.split() == ["*", "!.gitignore"]
