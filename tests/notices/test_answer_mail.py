"""A mail per answer: to the organisers who chose it, in their language, through the outbox and
a real SMTP server, committed with the answer; never about an answer they set themselves."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from eventsys.extensions import db
from eventsys.i18n import format_local_datetime
from eventsys.invitations import services
from eventsys.invitations.models import InvitationAnswer
from eventsys.invitations.states import AttendanceMode, Channel, Response
from eventsys.notices.answer_mail import ANSWER_MAIL_KIND
from eventsys.notices.models import NoticeChoice
from eventsys.outbox.models import OutboxMessage
from tests.conftest import sign_in
from tests.invitations.conftest import rsvp_path, text_of
from tests.notices.conftest import choose


@pytest.fixture
def app_config(mail_config):
    return mail_config


def notices_to(sink, user) -> list:
    return sink.messages_to(user.email)


def test_a_german_organiser_gets_the_answer_by_link_in_german(client, notified, smtp_server):
    choose(notified.german, notified.session, NoticeChoice.EACH)
    notified.session.online_url = "https://konferenz.example.org/datenraeume"  # hybrid
    db.session.commit()
    anna = notified.platform.anna

    response = client.post(
        rsvp_path(notified.invitation(anna)),
        data={"response": "accepted", "attendance_mode": "online", "comment": "Gern dabei"},
    )
    assert response.status_code in (200, 302)

    (message,) = notices_to(smtp_server.sink, notified.german)
    assert str(message["Subject"]) == "Dr. Anna Schmidt: Zusage – Workshop Datenräume"
    assert message["To"].addresses[0].display_name == "Gerda Gärtner"
    text = text_of(message)
    assert text.startswith("Guten Tag Gerda Gärtner,")
    assert (
        "Dr. Anna Schmidt (Stadt Köln) hat auf die Einladung zu „Workshop Datenräume“ am "
        "01.07.2030 geantwortet." in text
    )
    assert "Antwort: Zusage" in text
    assert "Teilnahme: Online" in text
    assert "Kommentar: Gern dabei" in text
    answer = db.session.scalar(sa.select(InvitationAnswer))
    with force_locale("de"):
        received = format_local_datetime(answer.received_at)
    assert f"Eingegangen: {received} (Link in der E-Mail)" in text
    assert re.search(r"Eingegangen: \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr", text)
    assert "Alle Antworten bisher: Zusage 1 · Noch keine Antwort 2" in text
    assert f"http://eventsys.test/sessions/{notified.session.id}/invitations" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="de">' in html
    # The English organiser kept the default (the daily digest): no mail per answer.
    assert notices_to(smtp_server.sink, notified.english) == []


def test_an_english_organiser_reads_english_and_a_calendar_reply_counts_too(
    app, notified, smtp_server
):
    choose(notified.english, notified.session, NoticeChoice.EACH)
    claire = notified.platform.claire

    services.record_answer(notified.invitation(claire), Response.DECLINED, Channel.CALENDAR)
    db.session.commit()

    (message,) = notices_to(smtp_server.sink, notified.english)
    assert str(message["Subject"]) == "Claire Tremblay: Declined – Workshop Datenräume"
    text = text_of(message)
    assert text.startswith("Hello Olivia Owens,")
    assert "(Calendar reply)" in text
    assert "1 Jul 2030" in text


def test_nobody_hears_of_an_answer_they_set_by_hand_but_the_other_organiser_does(
    client, notified, smtp_server
):
    choose(notified.german, notified.session, NoticeChoice.EACH)
    choose(notified.english, notified.session, NoticeChoice.EACH)
    sign_in(client, notified.german)
    invitation = notified.invitation(notified.platform.bernd)

    response = client.post(
        f"/sessions/{notified.session.id}/invitations/{invitation.id}/answer",
        data={"response": "tentative", "comment": "per Telefon"},
    )

    assert response.status_code == 302
    assert notices_to(smtp_server.sink, notified.german) == []
    (message,) = notices_to(smtp_server.sink, notified.english)
    assert str(message["Subject"]) == "Bernd Vogel: Tentative – Workshop Datenräume"
    assert "(Set by hand)" in text_of(message)


def test_digest_and_none_choosers_and_outsiders_get_no_mail_per_answer(
    client, notified, smtp_server
):
    choose(notified.german, notified.session, NoticeChoice.NONE)
    # The English organiser keeps the default, the daily digest.
    client.post(
        rsvp_path(notified.invitation(notified.platform.anna)), data={"response": "declined"}
    )

    for user in (notified.german, notified.english, notified.outsider):
        assert notices_to(smtp_server.sink, user) == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == ANSWER_MAIL_KIND)
        )
        == 0
    )


def test_the_mail_is_committed_with_the_answer_or_not_at_all(app, notified):
    choose(notified.german, notified.session, NoticeChoice.EACH)
    invitation = notified.invitation(notified.platform.anna)
    mails_before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))

    services.record_answer(
        invitation, Response.ACCEPTED, Channel.LINK, attendance_mode=AttendanceMode.IN_PERSON
    )
    queued = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == ANSWER_MAIL_KIND)
    )
    db.session.rollback()

    assert queued == 1
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == mails_before
    assert db.session.scalar(sa.select(sa.func.count(InvitationAnswer.id))) == 0


def test_the_same_answer_twice_mails_once(client, notified, smtp_server):
    choose(notified.german, notified.session, NoticeChoice.EACH)
    path = rsvp_path(notified.invitation(notified.platform.anna))

    client.post(path, data={"response": "accepted"})
    client.post(path, data={"response": "accepted"})
    client.post(path, data={"response": "declined"})

    subjects = [
        str(message["Subject"]) for message in notices_to(smtp_server.sink, notified.german)
    ]
    assert subjects == [
        "Dr. Anna Schmidt: Zusage – Workshop Datenräume",
        "Dr. Anna Schmidt: Absage – Workshop Datenräume",
    ]
