"""`flask replies fetch` against a real IMAP server (Dovecot on loopback)."""

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.replies import imap
from eventsys.replies.models import InboundMessage
from eventsys.replies.states import Outcome, Source


@pytest.fixture
def app_config(imap_server) -> dict:
    return {"BABEL_DEFAULT_LOCALE": "en"} | imap_server.app_config


def stored() -> list[InboundMessage]:
    return list(db.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)))


def test_fetch_applies_replies_and_marks_them_seen(runner, imap_server, invited, reply):
    imap_server.deliver(reply("outlook_accepted"))
    imap_server.deliver(reply("plain_reply", in_reply_to=invited.invitation_mail().message_id))
    assert imap_server.unseen_count() == 2

    result = runner.invoke(args=["replies", "fetch"])

    assert result.exit_code == 0, result.output
    assert "Fetched: 2, new: 2." in result.output
    messages = stored()
    assert [m.source for m in messages] == [Source.IMAP, Source.IMAP]
    assert [m.outcome for m in messages] == [Outcome.APPLIED, Outcome.NEEDS_REVIEW]
    assert db.session.get(Invitation, invited.invitation.id).response == Response.ACCEPTED
    assert imap_server.unseen_count() == 0
    assert imap_server.message_count() == 2  # kept in the mailbox, only flagged

    again = runner.invoke(args=["replies", "fetch"])
    assert again.exit_code == 0, again.output
    assert "Fetched: 0, new: 0." in again.output
    assert len(stored()) == 2

    imap_server.deliver(reply("outlook_counter"))
    later = runner.invoke(args=["replies", "fetch"])
    assert "Fetched: 1, new: 1." in later.output
    assert stored()[-1].outcome == Outcome.COUNTER_PROPOSAL


def test_a_message_that_fails_to_store_stays_unseen(app, imap_server, invited, reply, monkeypatch):
    imap_server.deliver(reply("thunderbird_accepted"))
    imap_server.deliver(reply("google_tentative"))
    real_receive = imap.receive
    calls = []

    def failing_once(raw, source):
        calls.append(source)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real_receive(raw, source)

    monkeypatch.setattr(imap, "receive", failing_once)
    report = imap.fetch_and_ingest()
    assert report.failed == 1 and len(report.receipts) == 1
    assert imap_server.unseen_count() == 1
    assert len(stored()) == 1

    monkeypatch.setattr(imap, "receive", real_receive)
    report = imap.fetch_and_ingest()
    assert report.failed == 0 and len(report.receipts) == 1
    assert imap_server.unseen_count() == 0
    assert {m.outcome for m in stored()} == {Outcome.APPLIED}


def test_a_message_seen_again_after_a_crash_is_stored_once(app, imap_server, invited, reply):
    """A crash after the commit but before \\Seen: the re-fetch is a harmless repeat."""
    raw = reply("evolution_declined")
    imap_server.deliver(raw)
    imap.receive(raw, Source.IMAP)
    db.session.commit()

    report = imap.fetch_and_ingest()

    assert [receipt.repeated for receipt in report.receipts] == [True]
    assert len(stored()) == 1
    assert imap_server.unseen_count() == 0


def test_wrong_password_is_reported(runner, app, imap_server):
    app.config["IMAP_PASSWORD"] = "wrong"
    result = runner.invoke(args=["replies", "fetch"])
    assert result.exit_code == 1
    assert "cannot sign in" in result.output


class StopWatching(Exception):
    pass


def test_watch_fetches_again_after_the_poll_interval(
    runner, app, imap_server, invited, reply, monkeypatch
):
    app.config["REPLIES_POLL_SECONDS"] = 42
    imap_server.deliver(reply("apple_accepted"))
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        if len(pauses) == 2:
            raise StopWatching

    monkeypatch.setattr("eventsys.replies.cli.time.sleep", pause)
    result = runner.invoke(args=["replies", "fetch", "--watch"])

    assert isinstance(result.exception, StopWatching)
    assert pauses == [42, 42]
    assert "Fetched: 1, new: 1." in result.output and "Fetched: 0, new: 0." in result.output
    assert len(stored()) == 1


def test_missing_folder_is_reported(runner, app, imap_server):
    app.config["IMAP_FOLDER"] = "Antworten"
    result = runner.invoke(args=["replies", "fetch"])
    assert result.exit_code == 1
    assert "cannot open the folder 'Antworten'" in result.output
