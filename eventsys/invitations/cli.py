"""`flask invitations …`: inviting experts and listing their answers from the shell."""

import io

import click
from flask import current_app
from flask.cli import with_appcontext

from eventsys.audit.services import acting_as
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations import overview, selection, services
from eventsys.sessions.models import Session


@click.group("invitations", help="Invite experts and list their answers.")
def invitations() -> None:
    pass


def _session(session_id: int) -> Session:
    session = db.session.get(Session, session_id)
    if session is None:
        raise click.ClickException(f"There is no session {session_id}.")
    return session


@invitations.command("send")
@click.argument("session_id", type=int)
@click.option("--group", "groups", multiple=True, metavar="NAME", help="A working group's members.")
@click.option(
    "--stakeholder",
    "stakeholders",
    multiple=True,
    type=click.Choice([group.value for group in StakeholderGroup]),
    help="Everyone from organisations of this stakeholder group.",
)
@click.option("--all", "everyone", is_flag=True, help="Every active expert.")
@with_appcontext
def send(session_id: int, groups: tuple[str, ...], stakeholders: tuple[str, ...], everyone: bool):
    """Invite experts to SESSION_ID; those already invited are skipped.

    The options add up: `--group "AG Daten" --stakeholder science` invites both.
    """
    if not (groups or stakeholders or everyone):
        raise click.UsageError("Choose whom to invite: --group, --stakeholder or --all.")
    if not current_app.config.get("SERVER_NAME"):
        # The answer links in the mail are absolute; outside a request only this names the site.
        raise click.ClickException(
            "Set SERVER_NAME (e.g. FLASK_SERVER_NAME=termine.example.org) so that the links in "
            "the invitations point to this site."
        )
    session = _session(session_id)
    working_groups, unknown = selection.working_groups_named(groups)
    if unknown:
        raise click.BadParameter(
            "no working group called " + ", ".join(repr(name) for name in unknown),
            param_hint="--group",
        )
    choice = selection.ExpertChoice(
        working_group_ids=[group.id for group in working_groups],
        stakeholder_groups=[StakeholderGroup(value) for value in stakeholders],
        everyone=everyone,
    )
    with acting_as("cli"):
        try:
            result = services.invite_experts(session, selection.chosen_experts(session, choice))
        except services.InvitationError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
    click.echo(
        f"Invited {len(result.invited)}; skipped {len(result.already_invited)} already invited "
        f"and {len(result.inactive)} inactive."
    )


@invitations.command("list")
@click.argument("session_id", type=int)
@with_appcontext
def list_answers(session_id: int) -> None:
    """Print the invitees of SESSION_ID and their answers as CSV: e-mail, name, answer,
    channel, answered at (Berlin time), comment."""
    buffer = io.StringIO()
    overview.write_answers_csv(_session(session_id), buffer)
    click.echo(buffer.getvalue(), nl=False)
