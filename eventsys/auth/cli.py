"""`flask users …`: manage staff accounts from the shell."""

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from eventsys.audit.services import acting_as
from eventsys.auth import services
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


ADMIN_LOGIN_FILE = "admin-login.txt"


@users.command("ensure-admin")
@click.option("--email", default="admin@dialogplattform.example", show_default=True)
@with_appcontext
def ensure_admin(email: str) -> None:
    """Create a first admin account once, and print its login on every run.

    The generated password is kept in the instance folder (never in git), so that the README's
    start command can show it again on the next start.
    """
    login_file = Path(current_app.instance_path) / ADMIN_LOGIN_FILE
    with acting_as("cli"):
        user = services.find_user_by_email(email)
        if user is None:
            password = secrets.token_urlsafe(12)
            services.create_user(email, "Administrator", Role.ADMIN, password)
            db.session.commit()
            login_file.write_text(f"{email}\n{password}\n", encoding="utf-8")
            login_file.chmod(0o600)
    if login_file.exists():
        stored_email, stored_password = login_file.read_text(encoding="utf-8").split()[:2]
        click.echo(f"Admin login: {stored_email} / password: {stored_password}")
    else:
        click.echo(f"Admin login: {email} (password set earlier; `flask users create` adds others)")
