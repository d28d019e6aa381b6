"""No message can stop intake: a mail with 70,000 message ids in References (1.3 MB) is kept
with its reason, and the reply behind it is recorded in the same IMAP poll, pipe run or upload;
a message whose processing fails, even in the database, is kept with the error."""

import io
import time

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.replies import imap, parsing, receiving
from eventsys.replies import views as reply_views
from eventsys.replies.models import InboundMessage
from eventsys.replies.parsing import parse_message
from eventsys.replies.states import Outcome, Source
from tests.conftest import page_text

FLOOD = 70_000


@pytest.fixture
def app_config(imap_server) -> dict:
    return {"BABEL_DEFAULT_LOCALE": "en"} | imap_server.app_config


def flooded_mail(invited) -> bytes:
    """A plain mail whose References names 70,000 message ids, the last one our invitation
    mail's."""
    ids = [f"<{number}@flood.example>" for number in range(FLOOD - 1)]
    ids.append(invited.invitation_mail().message_id)
    return (
        "From: Someone <someone@elsewhere.example>\r\n"
        "To: einladungen@dialogplattform.example\r\n"
        "Subject: Re: Einladung\r\n"
        "Message-ID: <flood@elsewhere.example>\r\n"
        f"References: {' '.join(ids)}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hallo.\r\n"
    ).encode()


def stored() -> list[InboundMessage]:
    return list(db.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)))


def answer_of(invited) -> Response:
    return db.session.get(Invitation, invited.invitation.id).response


def assert_flood_kept_and_reply_recorded(invited, source: Source) -> None:
    flooded, accepted = stored()
    assert flooded.source == accepted.source == source
    assert flooded.message_id == "<flood@elsewhere.example>"
    assert flooded.outcome == Outcome.NEEDS_REVIEW
    assert "plain e-mail" in flooded.why
    # Matching used the newest ids, so the mail is still linked to the invitation it answers.
    assert flooded.invitation_id == invited.invitation.id
    assert len(flooded.raw_message) > 1_300_000
    assert accepted.outcome == Outcome.APPLIED, accepted.why
    assert answer_of(invited) == Response.ACCEPTED


def test_references_are_read_within_bounds(invited):
    raw = flooded_mail(invited)
    assert len(raw) > 1_300_000
    started = time.monotonic()
    parsed = parse_message(raw)
    assert time.monotonic() - started < 3  # reading the whole header took over 10 s
    assert len(parsed.references) == parsing.REFERENCES_KEPT
    assert parsed.references[-1] == invited.invitation_mail().message_id
    assert any("References names more message ids" in p for p in parsed.problems)


def test_every_header_is_capped(invited):
    raw = (
        f"From: x@y.example\r\nSubject: {'Sehr lang ' * 100_000}\r\n"
        f"Content-Type: text/plain; {'; '.join(f'p{n}=v' for n in range(100_000))}\r\n\r\nText\r\n"
    ).encode()
    started = time.monotonic()
    parsed = parse_message(raw)
    assert time.monotonic() - started < 3
    assert len(parsed.subject) <= parsing.HEADER_CHARS
    assert parsed.text == "Text"


def test_imap_poll_keeps_the_flood_and_records_the_reply_behind_it(
    runner, imap_server, invited, reply
):
    imap_server.deliver(flooded_mail(invited))
    imap_server.deliver(reply("thunderbird_accepted"))

    result = runner.invoke(args=["replies", "fetch"])

    assert result.exit_code == 0, result.output
    assert "Fetched: 2, new: 2." in result.output
    assert_flood_kept_and_reply_recorded(invited, Source.IMAP)
    assert imap_server.unseen_count() == 0


def test_a_database_error_while_acting_keeps_the_message_and_the_poll_goes_on(
    runner, imap_server, invited, reply, monkeypatch
):
    """A statement that fails in the database (before the bounds, PostgreSQL refused the IN
    list of 70,000 ids) is now the message's reason, not the end of every poll: it is rolled
    back to the message's savepoint, and the transaction goes on."""

    def failing_statement(parsed):
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(receiving, "invitation_answered_by_mail", failing_statement)
    imap_server.deliver(flooded_mail(invited))
    imap_server.deliver(reply("thunderbird_accepted"))

    result = runner.invoke(args=["replies", "fetch"])

    assert result.exit_code == 0, result.output
    assert "Fetched: 2, new: 2." in result.output
    flooded, accepted = stored()
    assert flooded.outcome == Outcome.NEEDS_REVIEW
    assert "unexpected error" in flooded.why
    assert "no_such_table" in flooded.why
    assert len(flooded.why) < 1000  # the error's first line, not a whole statement
    assert accepted.outcome == Outcome.APPLIED, accepted.why
    assert answer_of(invited) == Response.ACCEPTED
    assert imap_server.unseen_count() == 0


def test_a_message_that_cannot_be_stored_does_not_stop_the_poll(
    app, imap_server, invited, reply, monkeypatch
):
    imap_server.deliver(reply("plain_reply", in_reply_to="<x@y>"))
    imap_server.deliver(reply("thunderbird_accepted"))
    real_receive = imap.receive

    def failing_first(raw, source):
        if b"ich komme gern" in raw:
            raise sa.exc.OperationalError("INSERT", {}, Exception("value too long"))
        return real_receive(raw, source)

    monkeypatch.setattr(imap, "receive", failing_first)
    report = imap.fetch_and_ingest()

    assert report.failed == 1 and len(report.receipts) == 1
    assert report.receipts[0].message.outcome == Outcome.APPLIED
    assert imap_server.unseen_count() == 1  # fetched again next time


def test_pipe_keeps_the_flood_and_records_the_reply_behind_it(runner, invited, reply, tmp_path):
    flood = tmp_path / "flood.eml"
    flood.write_bytes(flooded_mail(invited))
    accepted = tmp_path / "accepted.eml"
    accepted.write_bytes(reply("thunderbird_accepted"))

    result = runner.invoke(args=["replies", "ingest", str(flood), str(accepted)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "\tneeds_review\t" in lines[0] and "\tapplied\t" in lines[1]
    assert_flood_kept_and_reply_recorded(invited, Source.PIPE)


def test_pipe_goes_on_after_a_file_that_cannot_be_stored(
    runner, invited, reply, tmp_path, monkeypatch
):
    broken = tmp_path / "broken.eml"
    broken.write_bytes(b"Subject: x\r\n\r\nbroken")
    accepted = tmp_path / "accepted.eml"
    accepted.write_bytes(reply("thunderbird_accepted"))
    real_receive = receiving.receive

    def failing_first(raw, source):
        if raw.startswith(b"Subject: x"):
            raise RuntimeError("cannot store this one")
        return real_receive(raw, source)

    monkeypatch.setattr("eventsys.replies.cli.receive", failing_first)
    result = runner.invoke(args=["replies", "ingest", str(broken), str(accepted)])

    assert result.exit_code == 75  # EX_TEMPFAIL: the mail server delivers it again later
    assert "broken.eml: not stored (RuntimeError: cannot store this one)" in result.output
    assert "\tapplied\t" in result.output
    assert answer_of(invited) == Response.ACCEPTED


def post_files(client, files: list[tuple[bytes, str]]):
    """Upload files; the form is encoded in memory (the test client's own encoding spools a
    large form to a temporary file that it never closes)."""
    boundary, body = encode_multipart(
        MultiDict([("files", FileStorage(io.BytesIO(raw), name)) for raw, name in files])
    )
    return client.post(
        "/replies/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_upload_keeps_the_flood_and_records_the_reply_behind_it(secretariat_client, invited, reply):
    response = post_files(
        secretariat_client,
        [(flooded_mail(invited), "flood.eml"), (reply("thunderbird_accepted"), "accepted.eml")],
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "flood.eml Needs a decision" in text and "accepted.eml Answer recorded" in text
    assert_flood_kept_and_reply_recorded(invited, Source.UPLOAD)
    flooded = stored()[0]
    assert secretariat_client.get(f"/replies/{flooded.id}").status_code == 200
    assert secretariat_client.get("/replies/").status_code == 200


def test_upload_answers_with_a_message_when_a_file_cannot_be_stored(
    secretariat_client, invited, reply, monkeypatch
):
    real_receive = reply_views.receive

    def failing_first(raw, source):
        if raw == b"broken":
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))
        return real_receive(raw, source)

    monkeypatch.setattr(reply_views, "receive", failing_first)
    response = secretariat_client.post(
        "/replies/upload",
        data={
            "files": [
                (io.BytesIO(b"broken"), "broken.eml"),
                (io.BytesIO(reply("thunderbird_accepted")), "accepted.eml"),
            ]
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "broken.eml Not stored This file could not be stored (OperationalError: disk full)" in (
        text
    )
    assert "accepted.eml Answer recorded" in text
    assert answer_of(invited) == Response.ACCEPTED


def test_without_the_bounds_the_database_refusal_is_the_messages_reason(
    runner, imap_server, invited, reply, monkeypatch
):
    """The attack as it was: all 70,000 ids in one IN list. PostgreSQL refuses more than 65,535
    parameters (SQLite as Debian builds it takes 250,000 and reads them all); either way the
    flood is kept and the reply behind it is recorded in the same poll."""
    monkeypatch.setattr(parsing, "REFERENCES_KEPT", 10 * FLOOD)
    monkeypatch.setattr(parsing, "HEADER_CHARS", 10**8)
    imap_server.deliver(flooded_mail(invited))
    imap_server.deliver(reply("thunderbird_accepted"))

    result = runner.invoke(args=["replies", "fetch"])

    assert result.exit_code == 0, result.output
    flooded, accepted = stored()
    assert flooded.outcome == Outcome.NEEDS_REVIEW
    if db.engine.dialect.name == "postgresql":
        assert "number of parameters must be between 0 and 65535" in flooded.why
    assert accepted.outcome == Outcome.APPLIED, accepted.why
    assert answer_of(invited) == Response.ACCEPTED
    assert imap_server.unseen_count() == 0
