"""Mail headers carry only what the outbox puts there (issue 11, item 3): attacks through
session titles, experts' and users' names and the platform name.

Each test carries out an attack and reads what arrives at a real SMTP server. Python 3.11.7's
email package (CVE-2024-6923, fixed in 3.11.10) folds an encoded word holding CR/LF into a real
header; the outbox must not depend on the interpreter having that fix.
"""

import email.policy
from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from eventsys.auth import services as auth
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.conftest import sign_in
from tests.invitations.conftest import make_expert, send_confirmed, text_of
from tests.sessions.factories import session_form

ENCODED_WORD_ATTACK = "Workshop =?utf-8?q?=0D=0AReply-To:=20evil@example.org?="
# What the organiser typed, as the mail shows it: literal text, its encoded word broken up.
ENCODED_WORD_SHOWN = "Workshop = ?utf-8?q?=0D=0AReply-To:=20evil@example.org?="

TITLE_ATTACKS = {
    "encoded word, quoted-printable": ENCODED_WORD_ATTACK,
    "encoded word, new body": "Workshop =?utf-8?q?=0D=0A=0D=0AKlicken Sie hier: http://evil.example?=",
    "encoded word, base64": "Workshop =?utf-8?b?DQpSZXBseS1UbzogZXZpbEBleGFtcGxlLm9yZw==?=",
    "encoded word inside a word": "Workshop=?utf-8?q?=0AReply-To:=20evil@example.org?=",
    "encoded word, vertical tab": "Workshop =?utf-8?q?=0BReply-To:=20evil@example.org?=",
    "encoded word, line separator": "Workshop =?utf-8?q?=E2=80=A8Reply-To:=20evil@example.org?=",
    "nested encoded word": (
        "Workshop =?utf-8?q?=3D=3Futf-8=3Fq=3F=3D0D=3D0ABcc:_x@example.org=3F=3D?="
    ),
    "raw CR LF": "Workshop\r\nReply-To: evil@example.org",
    "raw LF": "Workshop\nReply-To: evil@example.org",
    "raw CR LF CR LF, new body": "Workshop\r\n\r\nKlicken Sie hier: http://evil.example",
    # (NUL itself PostgreSQL does not store; tests/outbox/test_header_checks.py covers it.)
    "raw BEL, DEL and C1": "Workshop\x07\x7f\x85Reply-To: evil@example.org",
}

# The headers an invitation carries, in this order, and nothing else.
INVITATION_HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "MIME-Version",
    "Content-Type",
    "Content-Language",
]
# A plain message from the outbox (no calendar, no language of its own).
PLAIN_MAIL_HEADERS = [name for name in INVITATION_HEADERS if name != "Content-Language"]


@pytest.fixture
def app_config(mail_config):
    return mail_config


def header_names(message: EmailMessage) -> list[str]:
    return [name for name, _value in message.items()]


def no_line_breaks(message: EmailMessage) -> bool:
    return not any(
        character in str(value) for _name, value in message.items() for character in "\r\n\x0b"
    )


def test_this_interpreter_needs_the_defence_or_has_the_fix():
    """What the email package alone does with the attack (3.11.7: a Reply-To header; 3.11.10
    and later: refused or encoded). The outbox's own defence is tested below either way."""
    message = EmailMessage()
    message["Subject"] = ENCODED_WORD_ATTACK
    message.set_content("Text")
    try:
        written = message.as_bytes(policy=email.policy.SMTP)
    except Exception:  # the fixed package refuses to write it (HeaderWriteError)
        return
    has_injected_header = b"\r\nReply-To: evil@example.org" in written
    fixed = hasattr(email.policy.default, "verify_generated_headers")
    assert has_injected_header != fixed


def test_an_encoded_word_in_a_session_title_adds_no_header_to_the_invitation(
    app, platform, staff, client, smtp_server
):
    """The attack through the organiser's pages: rename the session, invite an expert."""
    sign_in(client, staff.organiser)
    response = client.post(
        f"/sessions/{platform.session.id}/edit",
        data=session_form(staff.organiser, title=ENCODED_WORD_ATTACK, start_date="2030-07-01"),
    )
    assert response.status_code == 302
    response = client.post(
        f"/sessions/{platform.session.id}/invitations/new",
        data=send_confirmed(platform.anna),
    )
    assert response.status_code == 302

    (message,) = smtp_server.sink.messages_to(platform.anna.email)
    assert header_names(message) == INVITATION_HEADERS
    assert message["Reply-To"] is None
    assert message["Subject"] == f"Einladung: {ENCODED_WORD_SHOWN}"
    assert no_line_breaks(message)
    # The body is still ours: the three alternatives and the calendar attachment.
    assert "wir laden Sie herzlich" in text_of(message)
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
        "application/ics",
    ]
    (entry,) = db.session.scalars(sa.select(OutboxMessage))
    assert entry.state == DeliveryState.SENT


@pytest.mark.parametrize("title", TITLE_ATTACKS.values(), ids=TITLE_ATTACKS.keys())
def test_no_title_adds_a_header_or_a_body(app, platform, smtp_server, title):
    platform.session.title = title
    invitations.invite_experts(platform.session, [platform.anna])
    db.session.commit()

    (message,) = smtp_server.sink.messages_to(platform.anna.email)
    assert header_names(message) == INVITATION_HEADERS
    assert no_line_breaks(message)
    subject = str(message["Subject"])
    assert subject.startswith("Einladung: Workshop")
    assert "=?" not in subject  # no reader decodes anything out of it
    assert len(list(message.walk())) == 6
    (raw,) = (mail.raw for mail in smtp_server.sink.received)
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nReply-To" not in header_block and b"\r\nBcc" not in header_block
    assert b"\r\nKlicken" not in header_block


EXPERT_NAME_ATTACKS = {
    "encoded word": ("Anna =?utf-8?q?=0D=0ABcc:=20evil@example.org?=", "Schmidt"),
    "raw CR LF": ("Anna", "Schmidt\r\nBcc: evil@example.org"),
    "another address in the name": ("Anna", 'Schmidt" <evil@example.org>, "x'),
    "specials and umlauts": ("Änne, <evil@example.org>", "Müller-Lüdenscheidt (BBSR); Köln"),
}


@pytest.mark.parametrize(
    ("first_name", "last_name"), EXPERT_NAME_ATTACKS.values(), ids=EXPERT_NAME_ATTACKS.keys()
)
def test_an_experts_name_adds_no_header_and_no_recipient(
    app, platform, smtp_server, first_name, last_name
):
    expert = make_expert(first_name, "X", platform.koeln)
    expert.last_name = last_name
    expert.email = "named@example.org"
    db.session.flush()
    invitations.invite_experts(platform.session, [expert])
    db.session.commit()

    (mail,) = smtp_server.sink.received
    assert mail.envelope_to == ["named@example.org"]
    message = mail.message
    assert header_names(message) == INVITATION_HEADERS
    assert no_line_breaks(message)
    (recipient,) = message["To"].addresses
    assert recipient.addr_spec == "named@example.org"
    assert "evil@example.org" not in (recipient.username + recipient.domain)
    assert "=?" not in recipient.display_name
    assert message["Bcc"] is None and message["Cc"] is None


def test_the_platform_name_and_a_users_name_add_no_header_to_a_password_reset(
    app, staff, smtp_server
):
    app.config["PLATFORM_NAME"] = "Plattform =?utf-8?q?=0D=0AReply-To:=20evil@example.org?="
    staff.admin.name = "Admin\r\nBcc: evil@example.org"
    db.session.commit()
    with app.test_request_context("/password/forgot", method="POST"):
        auth.request_password_reset(staff.admin.email)
        db.session.commit()

    (message,) = smtp_server.sink.messages_to(staff.admin.email)
    assert header_names(message) == PLAIN_MAIL_HEADERS
    assert no_line_breaks(message)
    assert "Plattform = ?utf-8?q?" in str(message["Subject"])
    assert message["Reply-To"] is None and message["Bcc"] is None


def test_an_invitation_from_a_platform_named_like_an_attack_has_one_sender(
    app, platform, smtp_server
):
    app.config["PLATFORM_NAME"] = 'Plattform" <evil@example.org>, =?utf-8?q?=0D=0AX:=20y?='
    invitations.invite_experts(platform.session, [platform.anna])
    db.session.commit()
    (message,) = smtp_server.sink.messages_to(platform.anna.email)
    assert header_names(message) == INVITATION_HEADERS
    (sender,) = message["From"].addresses
    assert sender.addr_spec == "einladungen@dialogplattform.example"
