"""The mails of a bulk change, composed once per group of alike readers, are the very mails each
invitee would get if theirs were written alone."""

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
import sqlalchemy as sa

from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations import mail, mail_groups
from eventsys.invitations import services as invitations
from eventsys.invitations.mail import MailKind
from eventsys.invitations.models import Invitation
from eventsys.outbox import headers, skeletons
from eventsys.outbox import services as outbox
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.invitations.conftest import make_organisation, make_session


@pytest.fixture
def app_config(mail_config):
    return mail_config


# Names that fold, need encoded words or carry quotes; two languages, two time zones.
PEOPLE = [
    ("", "Anna", "Schmidt", "anna@example.org", "de", "Europe/Berlin"),
    ("Dr.", "Jürgen", "Müller-Lüdenscheidt", "juergen@example.org", "de", "Europe/Berlin"),
    (
        "Prof. Dr.",
        "Ana María",
        "de la Torre y Fernández-Castañeda, Edle von Hohenzollern-Sigmaringen",
        "ana.maria@example.org",
        "de",
        "Europe/Berlin",
    ),
    ("", "Bernd", 'O\'Neill "Bernie"', "bernd@example.org", "de", "Europe/Berlin"),
    ("", "Claire", "Tremblay", "claire@example.ca", "en", "America/Toronto"),
    ("", "Marc", "Gagnon", "marc@example.ca", "en", "America/Toronto"),
    ("", "Zoë", "Clarke", "zoe@example.org", "en", "Europe/Berlin"),
    ("", "Eva", "Wolf", "eva@example.org", "en", "Europe/Berlin"),
]

DETAILS = {
    MailKind.INVITATION: None,
    MailKind.UPDATE: {
        "changes": {"starts_at": ["2030-07-01T07:00:00+00:00", None]},
        "major": True,
    },
    MailKind.CANCELLATION: {"reason": "Der Saal ist nicht verfügbar & <b>geschlossen</b>."},
    MailKind.DEADLINE_REMINDER: None,
    MailKind.EVE_REMINDER: None,
}


@pytest.fixture
def invited(app, smtp_server):
    organisation = make_organisation("Stadt Köln")
    experts = [
        Expert(
            title=title,
            first_name=first,
            last_name=last,
            email=email,
            organisation=organisation,
            language=language,
            timezone=zone,
        )
        for title, first, last, email, language, zone in PEOPLE
    ]
    session = make_session(rsvp_deadline=make_session().starts_at)
    db.session.add_all(experts)
    invitations.invite_experts(session, experts)
    db.session.commit()
    # One who has no feed address gets a mail that does not offer one.
    experts[1].feed_token = None
    db.session.commit()
    smtp_server.sink.received.clear()
    return session


def without_boundaries(part: EmailMessage) -> list:
    params = [
        (key, value) for key, value in part["Content-Type"].params.items() if key != "boundary"
    ]
    return [
        (name, str(value))
        for name, value in part.items()
        if name.lower() not in ("date", "content-type")
    ] + [("content-type", part.get_content_type(), params)]


def content(part: EmailMessage):
    body = part.get_content()
    if part.get_content_type() in ("text/calendar", "application/ics"):
        text = body if isinstance(body, str) else body.decode()
        return [line for line in text.split("\r\n") if not line.startswith("DTSTAMP")]
    return body


def shape(message: EmailMessage) -> list:
    return [
        (without_boundaries(part), None if part.is_multipart() else content(part))
        for part in message.walk()
    ]


@pytest.mark.parametrize("kind", sorted(mail_groups.SHARED_KINDS))
def test_each_mail_of_a_group_is_the_mail_written_alone(invited, smtp_server, kind, caplog):
    invitations_ = db.session.scalars(sa.select(Invitation).order_by(Invitation.id)).all()
    before = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id)))
    for invitation in invitations_:
        mail.queue_invitation_mail(invitation, kind, DETAILS[kind])
    db.session.commit()  # composed and delivered after the commit

    entries = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id > before).order_by(OutboxMessage.id)
    ).all()
    assert [entry.state for entry in entries] == [DeliveryState.SENT] * len(PEOPLE)
    assert "one by one" not in caplog.text
    boundaries: dict[tuple, set[str]] = {}
    for entry in entries:
        (arrived,) = [
            BytesParser(policy=policy.default).parsebytes(received.raw)
            for received in smtp_server.sink.received
            if received.message.get("Message-ID") == entry.message_id
        ]
        invitation = db.session.get(Invitation, entry.invitation_id)
        alone = mail.compose_invitation_mail(
            invitation, kind, message_id=entry.message_id, details=entry.details
        )
        written_alone = BytesParser(policy=policy.default).parsebytes(headers.serialise(alone))
        assert shape(arrived) == shape(written_alone), invitation.expert.email
        expert = invitation.expert
        group = (expert.language, expert.timezone, expert.feed_token is None)
        boundaries.setdefault(group, set()).add(arrived.get_boundary())
    # Within a group the messages share the checked skeleton, boundaries and all.
    assert len(boundaries) == 4
    assert all(len(found) == 1 for found in boundaries.values())


def test_an_invitee_whose_address_cannot_go_into_a_header_fails_alone(invited, smtp_server):
    invitations_ = db.session.scalars(sa.select(Invitation).order_by(Invitation.id)).all()
    for invitation in invitations_:
        mail.queue_invitation_mail(invitation, MailKind.DEADLINE_REMINDER)
    # Changed in the same transaction, after the mail was queued: the mail is written from
    # the address as it is at the commit.
    db.session.execute(
        sa.update(Expert)
        .where(Expert.id == invitations_[3].expert_id)
        .values(email="bernd@example.org\r\nbcc: evil@example.org")
    )
    db.session.commit()

    states = db.session.execute(
        sa.select(OutboxMessage.recipient, OutboxMessage.state, OutboxMessage.last_error)
        .where(OutboxMessage.kind == MailKind.DEADLINE_REMINDER)
        .order_by(OutboxMessage.id)
    ).all()
    assert [state for _, state, _ in states].count(DeliveryState.SENT) == len(PEOPLE) - 1
    assert states[3].state == DeliveryState.FAILED
    assert states[3].last_error.startswith("compose: refused")
    assert len(smtp_server.sink.received) == len(PEOPLE) - 1
    assert not any(b"evil@" in received.raw for received in smtp_server.sink.received)


def simple_message() -> EmailMessage:
    message = outbox.compose(headers.mailbox("anna@example.org", "Anna Schmidt"), "Hallo", "Text")
    message.set_content("Grüße\n", cte="quoted-printable")
    message.add_alternative(b"BEGIN:VCALENDAR\r\n", maintype="text", subtype="calendar")
    return message


def test_a_skeleton_proves_itself_and_refuses_what_it_cannot_fill(app):
    message = simple_message()
    skeleton = skeletons.Skeleton(message, headers.serialise(message))
    raw = skeleton.fill(
        headers.mailbox("zoe@example.org", "Zoë Clarke"), "<1@example.org>", ["Hallo Zoë\n", b"X"]
    )
    filled = BytesParser(policy=policy.default).parsebytes(raw)
    assert str(filled["To"]) == "Zoë Clarke <zoe@example.org>"
    assert filled["Message-ID"] == "<1@example.org>"
    assert [part.get_content() for part in filled.iter_parts()] == ["Hallo Zoë\r\n", "X"]

    long_id = "<" + "1" * 70 + "@dialogplattform.example>"  # folded as the email package folds
    refilled = BytesParser(policy=policy.default).parsebytes(
        skeleton.fill(headers.mailbox("zoe@example.org"), long_id, ["Hallo\n", b"X"])
    )
    assert refilled["Message-ID"] == long_id
    assert not any(part.defects for part in refilled.walk())

    with pytest.raises(headers.UnsafeHeader):
        skeleton.fill(headers.mailbox("zoe@example.org"), "<1@example.org>\r\nBcc: x", ["", b""])
    with pytest.raises(skeletons.SkeletonMismatch):
        skeleton.fill(headers.mailbox("zoe@example.org"), "<1@example.org>", ["only one"])

    # A part the skeleton could not encode again (here 7bit) makes no skeleton.
    seven_bit = outbox.compose("anna@example.org", "Hallo", "Text")
    with pytest.raises(skeletons.SkeletonMismatch):
        skeletons.Skeleton(seven_bit, headers.serialise(seven_bit))
