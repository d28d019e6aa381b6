"""`flask replies ingest`, as a mail server's pipe runs it, and `flask replies fetch` unset."""

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.replies.models import InboundMessage
from eventsys.replies.states import Outcome, Source


def stored() -> list[InboundMessage]:
    return list(db.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)))


def test_ingest_files(runner, invited, reply, tmp_path):
    accepted = tmp_path / "accepted.eml"
    accepted.write_bytes(reply("thunderbird_accepted"))
    counter = tmp_path / "counter.eml"
    counter.write_bytes(reply("outlook_counter"))

    result = runner.invoke(args=["replies", "ingest", str(accepted), str(counter)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{accepted}\tmessage ")
    assert "\tapplied\t" in lines[0] and "\tcounter_proposal\t" in lines[1]
    assert [(m.source, m.outcome) for m in stored()] == [
        (Source.PIPE, Outcome.APPLIED),
        (Source.PIPE, Outcome.COUNTER_PROPOSAL),
    ]
    assert db.session.get(Invitation, invited.invitation.id).response == Response.ACCEPTED


def test_ingest_from_standard_input_with_lf_line_ends(runner, invited, reply):
    raw = reply("evolution_declined", line_end="\n")
    result = runner.invoke(args=["replies", "ingest", "-"], input=raw)
    assert result.exit_code == 0, result.output
    assert "\tapplied\t" in result.output
    (message,) = stored()
    assert message.raw_message == raw
    assert db.session.get(Invitation, invited.invitation.id).response == Response.DECLINED


def test_ingest_the_same_message_again_reports_it(runner, invited, reply):
    raw = reply("outlook_accepted")
    runner.invoke(args=["replies", "ingest", "-"], input=raw)
    result = runner.invoke(args=["replies", "ingest", "-"], input=raw)
    assert result.exit_code == 0
    assert "received before, stored once" in result.output
    assert len(stored()) == 1


def test_ingest_garbage_keeps_it_for_a_person(runner, invited):
    result = runner.invoke(args=["replies", "ingest", "-"], input=b"\x00\x9f\xff")
    assert result.exit_code == 0, result.output
    assert "\tneeds_review\t" in result.output
    (message,) = stored()
    assert message.outcome == Outcome.NEEDS_REVIEW and message.why


def test_ingest_needs_a_file(runner, invited):
    result = runner.invoke(args=["replies", "ingest"])
    assert result.exit_code == 2
    assert stored() == []


def test_fetch_without_a_mailbox_says_so(runner, app):
    result = runner.invoke(args=["replies", "fetch"])
    assert result.exit_code == 1
    assert "No reply mailbox is configured" in result.output


def test_ingest_an_evolution_delegation_sent_by_an_assistant(runner, invited, reply, tmp_path):
    """Frau Muster's assistant delegates from Evolution (SENT-BY) to a colleague the directory
    does not know: the delegation is recorded and the deputy waits for the organisers."""
    delegation = tmp_path / "delegiert.eml"
    delegation.write_bytes(
        reply(
            "evolution_delegated",
            sender="sekretariat@stadt-beispiel.example",
            deputy="julia.neumann@stadt-beispiel.example",
            deputy_name="Neumann, Julia",
        )
    )

    result = runner.invoke(args=["replies", "ingest", str(delegation)])

    assert result.exit_code == 0, result.output
    assert "\tapplied\t" in result.output
    assert "sends julia.neumann@stadt-beispiel.example as a deputy" in result.output
    (message,) = stored()
    assert message.source == Source.PIPE
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.DELEGATED
    assert invitation.comment == "Frau Muster ist auf Dienstreise und wird vertreten."
    proposal = invitation.deputy_proposal
    assert (proposal.full_name, proposal.email) == (
        "Julia Neumann",
        "julia.neumann@stadt-beispiel.example",
    )
    assert proposal.is_pending


def test_ingest_a_truncated_calendar_reply(runner, invited, reply):
    result = runner.invoke(args=["replies", "ingest", "-"], input=reply("truncated_reply"))

    assert result.exit_code == 0, result.output
    assert "\tneeds_review\t" in result.output
    assert "The calendar part is cut off: it ends without END:VEVENT, END:VCALENDAR" in (
        result.output
    )
    (message,) = stored()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert message.invitation_id == invited.invitation.id
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION


def test_ingest_refuses_a_message_too_large_and_takes_the_others(runner, invited, reply, tmp_path):
    """The mail server returns a message longer than REPLIES_MAX_MESSAGE_BYTES to its sender
    (EX_DATAERR); nothing of it is stored, and the reply beside it is recorded."""
    huge = tmp_path / "huge.eml"
    with huge.open("wb") as handle:
        handle.write(b"Subject: huge\r\n\r\n")
        handle.writelines(b"x" * 998 + b"\r\n" for _ in range(10_600))
    accepted = tmp_path / "accepted.eml"
    accepted.write_bytes(reply("thunderbird_accepted"))

    result = runner.invoke(args=["replies", "ingest", str(huge), str(accepted)])

    assert result.exit_code == 65, result.output
    assert f"{huge}: refused, the message is longer than the 10485760 bytes taken in" in (
        result.output
    )
    assert [message.outcome for message in stored()] == [Outcome.APPLIED]
