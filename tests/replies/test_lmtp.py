"""`flask replies serve-lmtp`: a mail server hands replies over by LMTP, and hears per recipient
whether each was taken. A real LMTP client (smtplib.LMTP) talks to the running receiver."""

import os
import signal
import smtplib
import subprocess
import sys
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from eventsys import PROJECT_ROOT, create_app
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.replies.lmtp import ReplyServer
from eventsys.replies.models import InboundMessage
from eventsys.replies.states import Outcome, Source
from tests.conftest import base_config

LIMIT = 200_000


@pytest.fixture
def app_config() -> dict:
    return {"BABEL_DEFAULT_LOCALE": "en", "REPLIES_MAX_MESSAGE_BYTES": LIMIT}


@pytest.fixture
def receiver(app) -> Iterator[ReplyServer]:
    server = ReplyServer(app, "127.0.0.1", 0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def connect(server: ReplyServer) -> smtplib.LMTP:
    client = smtplib.LMTP("127.0.0.1", server.port, timeout=30)
    client.ehlo("mail.example")  # LMTP's LHLO
    return client


def deliver(server: ReplyServer, raw: bytes, recipient="einladungen@dialogplattform.example"):
    """One message, one recipient, as Postfix's lmtp client sends it; (code, text) of DATA."""
    with connect(server) as client:
        client.mail("erika.muster@stadt-beispiel.example")
        client.rcpt(recipient)
        code, text = client.data(raw)
        return code, text.decode()


def stored() -> list[InboundMessage]:
    db.session.rollback()  # the receiver committed in its own thread; read anew
    return list(db.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)))


def answer_of(invited) -> Response:
    db.session.rollback()
    return db.session.get(Invitation, invited.invitation.id).response


def test_a_calendar_reply_is_applied_and_answered_250(receiver, invited, reply):
    code, text = deliver(receiver, reply("thunderbird_accepted"))

    assert code == 250, text
    (message,) = stored()
    assert text == f"2.0.0 Stored as message {message.id}: applied"
    assert (message.source, message.outcome) == (Source.PIPE, Outcome.APPLIED)
    assert answer_of(invited) == Response.ACCEPTED


def test_several_replies_over_one_connection(receiver, invited, reply):
    with connect(receiver) as client:
        for raw in (reply("outlook_accepted"), reply("evolution_declined")):
            client.mail("erika.muster@stadt-beispiel.example")
            client.rcpt("einladungen@dialogplattform.example")
            code, _ = client.data(raw)
            assert code == 250
    assert [message.outcome for message in stored()] == [Outcome.APPLIED, Outcome.APPLIED]
    assert answer_of(invited) == Response.DECLINED


def test_every_recipient_gets_an_answer(receiver, invited, reply):
    """LMTP answers DATA once per recipient (RFC 2033 4.2); smtplib reads only the first, so
    the others are read here by hand. The message is stored once."""
    with connect(receiver) as client:
        client.mail("erika.muster@stadt-beispiel.example")
        for recipient in ("einladungen@dialogplattform.example", "archiv@dialogplattform.example"):
            assert client.rcpt(recipient)[0] == 250
        assert client.putcmd("data") is None and client.getreply()[0] == 354
        client.send(reply("google_tentative") + b".\r\n")
        answers = [client.getreply(), client.getreply()]
        assert client.noop()[0] == 250  # nothing left unread: exactly two answers
    (message,) = stored()
    assert [code for code, _ in answers] == [250, 250]
    expected = f"2.0.0 Stored as message {message.id}: applied".encode()
    assert answers[0][1] == answers[1][1] == expected
    assert answer_of(invited) == Response.TENTATIVE


def test_the_same_message_again_is_taken_and_stored_once(receiver, invited, reply):
    raw = reply("outlook_accepted")
    deliver(receiver, raw)
    code, text = deliver(receiver, raw)
    (message,) = stored()
    assert (code, text) == (250, f"2.0.0 Received before as message {message.id}")


def test_a_forged_reply_waits_for_a_person(receiver, invited, reply):
    """The checks of every other way in apply: a reply for Erika sent from another address
    records nothing."""
    code, _ = deliver(receiver, reply("apple_accepted", sender="mallory@elsewhere.example"))
    assert code == 250
    (message,) = stored()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert answer_of(invited) == Response.NEEDS_ACTION


def test_an_oversized_message_is_refused_and_the_receiver_goes_on(receiver, invited, reply):
    big = b"Subject: big\r\n\r\n" + b"x" * 998 + b"\r\n"
    big *= LIMIT // len(big) + 1
    # Announced with SIZE (as Postfix does), the message is refused before it is sent …
    with connect(receiver) as client, pytest.raises(smtplib.SMTPSenderRefused) as refused:
        client.sendmail("someone@elsewhere.example", ["einladungen@dialogplattform.example"], big)
    assert refused.value.smtp_code == 552
    # … and unannounced, after it was read, still with a permanent refusal.
    code, _ = deliver(receiver, big)
    assert code == 552
    assert stored() == []
    assert deliver(receiver, reply("thunderbird_accepted"))[0] == 250
    assert answer_of(invited) == Response.ACCEPTED


def test_hostile_messages_are_refused_or_kept_for_a_person(receiver, invited, reply):
    garbage_line = bytes(range(1, 256)).replace(b"\r", b"").replace(b"\n", b"") * 8
    nul_and_binary = b"\x00\x9f\xff\xfe\r\n" * 50
    injected = (
        b"From: =?utf-8?q?Erika=0D=0ABcc:_all@example.org?= <erika.muster@stadt-beispiel.example>"
        b"\r\nSubject: =?utf-8?q?Zusage=0D=0AX-Injected:_yes?=\r\n"
        b"Message-ID: <injected@elsewhere.example>\r\n"
        b"Subject: second subject\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n"
        b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n" + b"ATTENDEE;" * 80 + b"\r\n"
    )

    assert deliver(receiver, garbage_line)[0] == 500  # a line longer than RFC 5321 allows
    assert deliver(receiver, b"")[0] == 554  # nothing that could be read
    assert deliver(receiver, nul_and_binary)[0] == 250
    assert deliver(receiver, injected)[0] == 250

    binary, header_injection = stored()
    assert binary.outcome == header_injection.outcome == Outcome.NEEDS_REVIEW
    assert binary.raw_message == nul_and_binary
    assert "\n" not in header_injection.sender and "\r" not in header_injection.subject
    # The receiver is still there, and a real reply after all that is recorded.
    assert deliver(receiver, reply("apple_accepted"))[0] == 250
    assert answer_of(invited) == Response.ACCEPTED


def test_a_client_that_hangs_up_mid_message_stops_nothing(receiver, invited, reply):
    client = connect(receiver)
    client.mail("someone@elsewhere.example")
    client.rcpt("einladungen@dialogplattform.example")
    client.putcmd("data")
    client.getreply()
    client.send(reply("outlook_accepted")[:300])
    client.close()
    assert deliver(receiver, reply("outlook_accepted"))[0] == 250
    assert len(stored()) == 1


def test_a_database_outage_defers_the_message(tmp_path, reply, invited):
    """With the database gone (nothing listens on its port), the mail server hears 451 and
    delivers again later; the receiver itself stays up."""
    unreachable = create_app(
        base_config("postgresql+psycopg://eventsys@127.0.0.1:9/gone")
        | {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}},
        instance_path=str(tmp_path / "instance"),
    )
    server = ReplyServer(unreachable, "127.0.0.1", 0)
    server.start()
    try:
        for _ in range(2):
            code, text = deliver(server, reply("outlook_accepted"))
            assert (code, text) == (451, "4.3.0 The reply store is unavailable; try again later")
    finally:
        server.stop()
    assert stored() == []


def test_serving_on_an_address_in_use_says_so(runner, receiver):
    result = runner.invoke(args=["replies", "serve-lmtp", "--port", str(receiver.port)])
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{receiver.port}" in result.output


def test_the_command_serves_until_stopped(app, invited, reply, tmp_path):
    """`flask replies serve-lmtp` as a mail server's host runs it: its own process, the
    database from the environment, a free port (0) announced, and SIGTERM ends it cleanly."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("FLASK_")
    } | {
        "FLASK_APP": "wsgi",
        "FLASK_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "FLASK_SECRET_KEY": "test-secret-key-not-for-production",
        "FLASK_SERVER_NAME": "eventsys.test",
        "FLASK_BABEL_DEFAULT_LOCALE": "en",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "replies", "serve-lmtp", "--port", "0"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        announced = process.stdout.readline()
        assert announced.startswith("Taking in replies by LMTP on 127.0.0.1:"), announced
        port = int(announced.rsplit(":", 1)[1].rstrip(".\n"))
        with smtplib.LMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo("mail.example")
            refused = client.sendmail(
                "erika.muster@stadt-beispiel.example",
                ["einladungen@dialogplattform.example"],
                reply("thunderbird_accepted"),
            )
        assert refused == {}
    finally:
        process.send_signal(signal.SIGTERM)
        output, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors
    assert output == "Stopped.\n"
    assert answer_of(invited) == Response.ACCEPTED
