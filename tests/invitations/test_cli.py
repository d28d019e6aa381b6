"""`flask invitations send` and `flask invitations list`."""

import csv
import io

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Channel, Response
from tests.invitations.conftest import invitation_of


def invited_emails(session) -> set[str]:
    return {
        invitation.expert.email
        for invitation in db.session.scalars(
            sa.select(Invitation).where(Invitation.session_id == session.id)
        )
    }


def test_send_by_working_group_skips_inactive_members(runner, platform):
    result = runner.invoke(
        args=["invitations", "send", str(platform.session.id), "--group", "ag daten"]
    )

    assert result.exit_code == 0, result.output
    assert result.output == "Invited 2; skipped 0 already invited and 1 inactive.\n"
    assert invited_emails(platform.session) == {platform.anna.email, platform.bernd.email}
    actors = db.session.scalars(
        sa.select(AuditEntry.actor_label).where(AuditEntry.action == "invitation.sent")
    ).all()
    assert actors == ["cli", "cli"]


def test_send_adds_up_the_options_and_never_invites_twice(runner, platform):
    session_id = str(platform.session.id)
    runner.invoke(args=["invitations", "send", session_id, "--stakeholder", "science"])

    result = runner.invoke(
        args=[
            "invitations",
            "send",
            session_id,
            "--stakeholder",
            "science",
            "--stakeholder",
            "international_partners",
        ]
    )

    assert result.exit_code == 0, result.output
    assert result.output == "Invited 1; skipped 1 already invited and 0 inactive.\n"
    assert invited_emails(platform.session) == {platform.bernd.email, platform.claire.email}


def test_send_all_invites_every_active_expert(runner, platform):
    result = runner.invoke(args=["invitations", "send", str(platform.session.id), "--all"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Invited 3;")
    assert platform.dora.email not in invited_emails(platform.session)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "Choose whom to invite"),
        (["--group", "AG Unbekannt"], "no working group called 'AG Unbekannt'"),
        (["--stakeholder", "astronauts"], "'astronauts' is not one of"),
    ],
)
def test_send_refuses_unclear_instructions(runner, platform, arguments, message):
    result = runner.invoke(args=["invitations", "send", str(platform.session.id), *arguments])

    assert result.exit_code == 2
    assert message in result.output
    assert invited_emails(platform.session) == set()


def test_send_to_an_unknown_session(runner, platform):
    result = runner.invoke(args=["invitations", "send", "999", "--all"])

    assert result.exit_code == 1
    assert "There is no session 999." in result.output


def test_send_needs_the_sites_address_for_the_links(runner, app, platform):
    app.config["SERVER_NAME"] = None

    result = runner.invoke(args=["invitations", "send", str(platform.session.id), "--all"])

    assert result.exit_code == 1
    assert "Set SERVER_NAME" in result.output
    assert invited_emails(platform.session) == set()


def test_list_prints_machine_readable_csv_with_the_version(runner, platform):
    session = platform.session
    services.invite_experts(session, [platform.anna, platform.claire])
    services.record_answer(
        invitation_of(session, platform.claire),
        Response.DECLINED,
        Channel.CALENDAR,
        comment="Sorry, a clash.",
    )
    db.session.commit()

    result = runner.invoke(args=["invitations", "list", str(session.id)])

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["email", "name", "answer", "channel", "answered_at", "version", "comment"]
    assert rows[1][:4] == ["anna.schmidt@example.org", "Dr. Anna Schmidt", "needs_action", ""]
    assert rows[1][5] == ""  # no answer, so no version it was given to
    assert rows[2][2:4] == ["declined", "calendar"]
    assert rows[2][5] == str(session.ical_sequence)
    assert rows[2][6] == "Sorry, a clash."
