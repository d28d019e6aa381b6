"""`flask users …`: manage staff accounts from the shell."""

import os
import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from eventsys.audit.services import acting_as
from eventsys.auth import services, two_factor
from eventsys.extensions import db
from eventsys.roles import Role


@click.group("users", help="Manage staff accounts.")
def users() -> None:
    pass


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", default="", help="Display name (defaults to the e-mail address).")
@click.option("--language", type=click.Choice(["de", "en"]), default="de")
@click.password_option(
    "--password", prompt="Password", help="Asked for (twice, hidden) when not given."
)
@with_appcontext
def create(email: str, role: str, name: str, language: str, password: str) -> None:
    """Create a staff account with EMAIL and a role."""
    with acting_as("cli"):
        try:
            user = services.create_user(email, name or email, Role(role), password, language)
        except services.AccountError as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email}.")


@users.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor(email: str) -> None:
    """Take two-factor sign-in off the account with EMAIL and end its sessions: for an admin who
    lost their phone and their recovery codes, when no other admin can do it on the web."""
    with acting_as("cli"):
        user = services.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"There is no account {email}.")
        if not user.two_factor_enabled:
            raise click.ClickException(f"Two-factor sign-in is not set up for {user.email}.")
        two_factor.reset_by_admin(user)
        db.session.commit()
    click.echo(
        f"Two-factor sign-in of {user.email} is reset; they sign in with their password and "
        "set it up again."
    )


ADMIN_LOGIN_FILE = "admin-login.txt"


@users.command("ensure-admin")
@click.option("--email", default="admin@dialogplattform.example", show_default=True)
@with_appcontext
def ensure_admin(email: str) -> None:
    """Create a first admin account once, and print its password only then.

    The generated password is also kept in the instance folder (never in git), readable by its
    owner only, for whoever started the app and missed the first run's output.
    """
    login_file = Path(current_app.instance_path) / ADMIN_LOGIN_FILE
    with acting_as("cli"):
        user = services.find_user_by_email(email)
        if user is None:
            password = secrets.token_urlsafe(12)
            services.create_user(email, "Administrator", Role.ADMIN, password)
            db.session.commit()
            write_owner_only(login_file, f"{email}\n{password}\n")
            click.echo(f"Admin login: {email} / password: {password}")
            return
    if login_file.exists():
        login_file.chmod(0o600)  # written by earlier versions with the default permissions
        click.echo(f"Admin login: {email} (the generated password is in {login_file})")
    else:
        click.echo(f"Admin login: {email} (password set earlier; `flask users create` adds others)")


def write_owner_only(path: Path, text: str) -> None:
    """Write `text` to `path` (replacing it) so that only the owner can ever read it."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
