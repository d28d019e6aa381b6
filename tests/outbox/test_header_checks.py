"""The outbox refuses what would put other headers into a mail (issue 11, item 3): addresses
that cannot go into a header, messages whose headers do not read back as composed, and stored
messages changed after they were written. The rest of the batch goes out."""

from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.mail import MailKind, compose_invitation_mail
from eventsys.invitations.models import Invitation
from eventsys.outbox import headers, kinds
from eventsys.outbox import services as outbox
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.invitations.conftest import make_expert, make_organisation, make_session

ENCODED_WORD_ATTACK = "Workshop =?utf-8?q?=0D=0AReply-To:=20evil@example.org?="


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.mark.parametrize(
    "address",
    [
        "anna@example.org\r\nBcc: evil@example.org",
        "anna@example.org, evil@example.org",
        "=?utf-8?q?=0D=0ABcc:=20evil@example.org?=@example.org",
        "anna",
        "",
    ],
)
def test_an_address_that_cannot_go_into_a_header_is_refused(app, address):
    with pytest.raises(headers.UnsafeHeader):
        outbox.compose(address, "Betreff", "Text")
    with pytest.raises(headers.UnsafeHeader):
        outbox.queue_for_composition(MailKind.INVITATION, address, "x@example.org")
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def hand_made_message(subject: str) -> EmailMessage:
    """A message written without the outbox's checks, as a careless builder would."""
    message = EmailMessage()
    message["From"] = "noreply@dialogplattform.example"
    message["To"] = "anna@example.org"
    message["Subject"] = subject
    message["Date"] = "Wed, 02 Dec 2026 06:00:00 +0000"
    message["Message-ID"] = "<hand-made@dialogplattform.example>"
    message.set_content("Text")
    return message


def test_a_message_whose_headers_do_not_read_back_is_not_stored(app, smtp_server):
    with pytest.raises(headers.UnsafeHeader):
        outbox.queue("test", hand_made_message(ENCODED_WORD_ATTACK))
    extra = hand_made_message("Hallo")
    extra["Reply-To"] = "evil@example.org"
    with pytest.raises(headers.UnsafeHeader, match="reply-to"):
        outbox.queue("test", extra)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    assert smtp_server.sink.received == []


def test_a_composer_whose_message_does_not_read_back_fails_alone(app, smtp_server, monkeypatch):
    monkeypatch.setitem(
        outbox._composers, "hand_made", lambda entry: hand_made_message(ENCODED_WORD_ATTACK)
    )
    monkeypatch.setitem(kinds._names, "hand_made", "Hand-made mail")
    bad = outbox.queue_for_composition("hand_made", "anna@example.org", "x@example.org")
    outbox.queue("test", outbox.compose("bernd@example.org", "Hallo", "Text"))
    db.session.commit()
    db.session.expire_all()
    assert bad.state == DeliveryState.FAILED
    assert bad.raw_message is None
    assert bad.last_error.startswith("compose: refused")
    assert [mail.envelope_to for mail in smtp_server.sink.received] == [["bernd@example.org"]]


def add_header(raw: bytes, line: bytes) -> bytes:
    return raw.replace(b"\r\nDate: ", b"\r\n" + line + b"\r\nDate: ", 1)


TAMPERINGS = {
    "Reply-To added": lambda raw: add_header(raw, b"Reply-To: evil@example.org"),
    "Bcc added": lambda raw: add_header(raw, b"Bcc: evil@example.org"),
    "second Subject": lambda raw: add_header(raw, b"Subject: Neu"),
    "encoded line break": lambda raw: raw.replace(
        b"Subject: Hallo", b"Subject: Hallo =?utf-8?q?=0D=0AReply-To:=20evil@example.org?="
    ),
    "To changed": lambda raw: raw.replace(b"To: <tampered@", b"To: <evil@"),
    "From changed": lambda raw: raw.replace(b"From: ", b"From: evil@example.org, ", 1),
    "Subject changed": lambda raw: raw.replace(b"Subject: Hallo", b"Subject: Bitte zahlen"),
    "body pushed into the headers": lambda raw: raw.replace(b"\r\n\r\n", b"\r\nText\r\n\r\n", 1),
    "not a message": lambda raw: b"\xff\xfe\x00",
}


@pytest.mark.parametrize("tamper", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_a_stored_message_with_changed_headers_is_refused_and_the_batch_goes_on(
    app, smtp_server, tamper
):
    app.config["MAIL_SERVER"] = None  # stored only, changed, then delivered
    tampered = outbox.queue("test", outbox.compose("tampered@example.org", "Hallo", "Text"))
    intact = outbox.queue("test", outbox.compose("intact@example.org", "Hallo", "Text"))
    db.session.commit()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == tampered.id)
        .values(raw_message=tamper(tampered.raw_message))
    )
    db.session.commit()
    app.config["MAIL_SERVER"] = smtp_server.host

    sent, failed = outbox.process()

    assert (sent, failed) == (1, 1)
    db.session.expire_all()
    assert tampered.state == DeliveryState.FAILED
    assert tampered.last_error.startswith("refused before delivery: ")
    assert intact.state == DeliveryState.SENT
    assert [mail.envelope_to for mail in smtp_server.sink.received] == [["intact@example.org"]]


def test_a_refused_message_requeued_is_refused_again(app, smtp_server):
    app.config["MAIL_SERVER"] = None
    entry = outbox.queue("test", outbox.compose("tampered@example.org", "Hallo", "Text"))
    db.session.commit()
    entry.raw_message = add_header(entry.raw_message, b"Reply-To: evil@example.org")
    db.session.commit()
    app.config["MAIL_SERVER"] = smtp_server.host
    outbox.process()
    assert outbox.requeue(entry)
    db.session.commit()
    db.session.expire_all()
    assert entry.state == DeliveryState.FAILED
    assert smtp_server.sink.received == []


LONG_TEXTS = [
    "Morgen: Workshop Datenräume und Gemeinwohl – Köln, Düsseldorf und Münster im Gespräch",
    "Einladung: " + "Ä ö ü ß " * 40,
    "Tagung " + "x" * 200 + " ü",
    "日本語のタイトル " * 10,
    "Zwei  Leerzeichen\tund ein Tab: Grüße",
]


@pytest.mark.parametrize("subject", LONG_TEXTS)
def test_long_and_non_ascii_subjects_and_names_arrive_as_written(app, smtp_server, subject):
    """Python 3.11's own folding loses the space in "– Köln"; the outbox encodes such text
    itself, and the parse-back check would refuse any other loss."""
    recipient = headers.mailbox("anna@example.org", subject[:60])
    outbox.queue("test", outbox.compose(recipient, subject, "Text"))
    db.session.commit()
    (message,) = smtp_server.sink.messages_to("anna@example.org")
    assert message["Subject"] == headers.header_text(subject)
    assert message["To"].addresses[0].display_name.rstrip("…") in headers.header_text(subject)
    assert max(len(line) for line in smtp_server.sink.received[0].raw.split(b"\r\n")) <= 78


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Workshop\x00\r\n\x0b\x0c\x1b\x7f\x85\u2028\u2029Ende", "Workshop Ende"),
        ("a =?utf-8?q?=0D=0A?= b", "a = ?utf-8?q?=0D=0A?= b"),
        ("=?=?utf-8?b?DQo=?=?=", "= ?= ?utf-8?b?DQo= ?= ?="),
        ("  Zwei  Leerzeichen\t ", "Zwei Leerzeichen"),
        ("Was kostet x=?", "Was kostet x= ?"),
    ],
)
def test_header_text_is_one_line_without_encoded_words(value, expected):
    assert headers.header_text(value) == expected
    assert headers.header_text(expected) == expected  # neutralising twice changes nothing


def test_an_internationalised_address_is_queued_and_refused_with_its_reason(app, smtp_server):
    """An expert's address with an umlaut (valid under RFC 6531) does not stop a bulk change;
    the outbox, which does not speak SMTPUTF8, marks that one message failed and says why."""
    entry = outbox.queue_for_composition(MailKind.INVITATION, "lena.spät@example.org", "x@x.org")
    assert entry.recipient == "lena.spät@example.org"
    with pytest.raises(headers.UnsafeHeader, match="SMTPUTF8"):
        outbox.compose("lena.spät@example.org", "Hallo", "Text")


def test_an_invitation_is_confirmed_by_the_quick_reading_and_a_changed_one_is_not(app):
    """The quick read-back takes an invitation as composed; a part header that reads back
    otherwise than written sends the message to the full check."""
    session = make_session()
    expert = make_expert("Anna", "Schmidt", make_organisation("Stadt Köln"), title="Dr.")
    db.session.flush()
    invitations.invite_experts(session, [expert])
    db.session.flush()
    invitation = db.session.scalar(sa.select(Invitation))
    message = compose_invitation_mail(invitation, MailKind.INVITATION)
    raw = message.as_bytes(policy=headers.WRITING_POLICY)
    meant = headers._headers_of_parts(message)

    assert headers._reads_back_the_same(raw, meant)
    tampered = raw.replace(b'filename="invite.ics"', b'filename="other.ics"')
    assert not headers._reads_back_the_same(tampered, meant)
    assert headers.serialise(message) == raw
