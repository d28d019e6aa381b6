"""Every kind of mail has a name people read, in their language, on the outbox pages and in an
invitation's mail log; mail of a kind without one is refused when queued."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.mail import MailKind
from eventsys.minutes.mail import MinutesMailKind
from eventsys.outbox import kinds
from eventsys.outbox import services as outbox
from eventsys.outbox.models import OutboxMessage
from tests.conftest import page_text, sign_in
from tests.sessions.factories import make_expert, make_organisation, make_session


def test_every_kind_of_mail_has_a_name():
    sent_as_written = {
        "password_reset",
        "answer_digest",
        "charter_consultation",
        MinutesMailKind.CIRCULATED,
        MinutesMailKind.PUBLISHED,
    }
    named = kinds.named_kinds()
    assert outbox.composed_kinds() <= named
    assert sent_as_written <= named
    assert {value for name, value in vars(MailKind).items() if name.isupper()} <= named


def test_mail_of_a_kind_without_a_name_is_refused(app):
    message = outbox.compose("anna@example.org", "Betreff", "Text")

    with pytest.raises(LookupError, match="has no name"):
        outbox.queue("unnamed_kind", message)
    with pytest.raises(LookupError):
        outbox.queue_many_for_composition(
            "unnamed_kind", "eventsys@example.org", [("a@b.de", None)]
        )
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_the_outbox_pages_name_each_kind_in_german(client, staff):
    expert = make_expert("Anna", "Schmidt", make_organisation("Stadt Köln"))
    session = make_session("Workshop Datenräume", starts_at=datetime(2030, 7, 1, 8, tzinfo=UTC))
    db.session.commit()
    invitations.invite_experts(session, [expert])
    db.session.commit()
    message_id = db.session.scalar(sa.select(OutboxMessage.id))
    sign_in(client, staff.admin)

    listing = client.get("/outbox/")
    shown = client.get(f"/outbox/{message_id}")

    assert re.search(r"<td>\s*Einladung\s*</td>", listing.text)
    assert '<option value="invitation" >Einladung</option>' in listing.text or re.search(
        r'<option value="invitation"\s*>Einladung</option>', listing.text
    )
    assert "Einladung" in page_text(shown)
    assert ">invitation<" not in listing.text and ">invitation<" not in shown.text
