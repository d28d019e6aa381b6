"""`flask users create` and `flask users ensure-admin`."""

import stat
from pathlib import Path

from eventsys.audit.models import AuditEntry
from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.roles import Role


def test_create_with_password_option(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Sekretariat@Example.org",
            "--role",
            "secretariat",
            "--password",
            "long enough secret",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User))
    assert user.email == "sekretariat@example.org"
    assert user.role == Role.SECRETARIAT
    assert user.check_password("long enough secret")
    assert user.password_hash != "long enough secret"
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.actor_label) == ("user.created", "cli")


def test_create_asks_for_the_password_when_not_given(runner):
    result = runner.invoke(
        args=["users", "create", "orga@example.org", "--role", "organiser"],
        input="prompted secret 1\nprompted secret 1\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    user = db.session.scalar(db.select(User))
    assert user.check_password("prompted secret 1")


def test_create_refuses_duplicates_and_weak_passwords(runner):
    args = ["users", "create", "a@example.org", "--role", "admin", "--password"]
    assert runner.invoke(args=[*args, "long enough secret"]).exit_code == 0
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "A@EXAMPLE.ORG",
            "--role",
            "admin",
            "--password",
            "long enough secret",
        ]
    )
    assert duplicate.exit_code != 0
    assert "existiert bereits" in duplicate.output or "already exists" in duplicate.output
    weak = runner.invoke(
        args=["users", "create", "b@example.org", "--role", "admin", "--password", "short"]
    )
    assert weak.exit_code != 0
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_unknown_role_is_refused(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "c@example.org",
            "--role",
            "expert",
            "--password",
            "long enough secret",
        ]
    )
    assert result.exit_code == 2
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_ensure_admin_creates_once_and_prints_the_password_only_then(app, runner):
    first = runner.invoke(args=["users", "ensure-admin"])
    assert first.exit_code == 0, first.output
    assert "admin@dialogplattform.example" in first.output
    password = first.output.split("password: ")[1].split()[0]
    second = runner.invoke(args=["users", "ensure-admin"])
    assert second.exit_code == 0, second.output
    assert "admin@dialogplattform.example" in second.output
    assert password not in second.output
    login_file = Path(app.instance_path) / "admin-login.txt"
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600
    assert password in login_file.read_text(encoding="utf-8")
    admins = db.session.scalars(db.select(User).where(User.role == Role.ADMIN)).all()
    assert len(admins) == 1
    assert admins[0].check_password(password)
