"""The suite is not changed by what surrounds it: settings left in the shell, a Redis that
someone else uses, a PostgreSQL database of another run."""

import os
import subprocess
import sys
from pathlib import Path

import redis

from eventsys.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHELL_SETTINGS = {
    "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent/elsewhere.sqlite3",
    "DATABASE_URL": "postgresql://nobody@db.invalid/production",
    "FLASK_MAIL_SERVER": "smtp.invalid",
    "FLASK_SECRET_KEY": "a-key-from-the-shell",
    "FLASK_SERVER_NAME": "production.invalid",
    "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
    "FLASK_CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
}


def test_the_app_uses_the_test_settings_only(app, test_database):
    assert not [name for name in os.environ if name.startswith("FLASK_")]
    assert "DATABASE_URL" not in os.environ and "CELERY_BROKER_URL" not in os.environ
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith(test_database.url.split("/")[-1])
    assert app.config["MAIL_SERVER"] is None
    assert app.config["CELERY_BROKER_URL"] is None
    assert app.config["SERVER_NAME"] == "eventsys.test"
    with db.engine.connect() as connection:  # and the database is really there
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM guidelines").scalar() == 4


def test_settings_left_in_the_shell_do_not_reach_the_tests(tmp_path):
    """The test above, run again in a shell full of production settings."""
    environment = os.environ | SHELL_SETTINGS
    environment.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
            f"{__file__}::test_the_app_uses_the_test_settings_only",
            "--basetemp", str(tmp_path / "run"),
        ],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_redis_is_a_server_of_the_suite_s_own(redis_url):
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.connection_pool.connection_kwargs["port"] != 6379
        directory = client.config_get("dir")["dir"]
        assert Path(directory).name.startswith("eventsys-redis-")
    finally:
        client.close()


def test_each_worker_has_a_database_of_its_own(test_database):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if test_database.url.startswith("sqlite"):  # in pytest's folder for this worker
        assert (f"/popen-{worker}/" in test_database.url) == (worker != "main")
    else:
        assert f"eventsys_test_{worker}_" in test_database.url
