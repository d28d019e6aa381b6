"""The words of the mails as experts receive them from the real SMTP server: the letter
opening with salutation and title, English titles and "Item 1" for English readers, the time
zone named by its city, and the expert's own calendar subscription address."""

import pytest
import vobject

from eventsys.audit.services import acting_as
from eventsys.experts.salutations import Salutation
from eventsys.extensions import db
from eventsys.feeds import services as feeds
from eventsys.invitations import services
from eventsys.invitations.mail import MailKind, compose_invitation_mail
from tests.invitations.conftest import (
    calendar_of,
    invitation_of,
    make_expert,
    rsvp_path,
    text_of,
)
from tests.invitations.test_mail_delivery import invite_through_the_pages
from tests.sessions.factories import session_form


@pytest.fixture
def app_config(mail_config):
    return mail_config


def plain(message) -> str:
    """The text part with the mail's CRLF line ends read as newlines."""
    return text_of(message).replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def only_mail_to(smtp_server, expert):
    (message,) = smtp_server.sink.messages_to(expert.email)
    return message


def ics_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True).decode("utf-8")
    raise AssertionError("no calendar part")


def test_mails_open_with_the_salutation_in_german_and_english(
    organiser_client, platform, smtp_server
):
    platform.anna.salutation = Salutation.MS  # Dr. Anna Schmidt, German
    platform.claire.salutation = Salutation.MS  # Claire Tremblay, English
    kranz = make_expert("Jan", "Kranz", platform.bbsr, title="Prof. Dr.")
    kranz.salutation = Salutation.MR
    hughes = make_expert("Ruth", "Hughes", platform.canada, language="en", title="Dr.")
    db.session.commit()
    nobody = platform.bernd  # no salutation known
    experts = [platform.anna, platform.claire, kranz, hughes, nobody]

    invite_through_the_pages(organiser_client, platform.session, experts)

    openings = {
        platform.anna: "Sehr geehrte Frau Dr. Schmidt,",
        kranz: "Sehr geehrter Herr Prof. Dr. Kranz,",
        nobody: "Guten Tag, Bernd Vogel,",
        platform.claire: "Dear Ms Tremblay,",
        hughes: "Dear Dr Hughes,",
    }
    for expert, opening in openings.items():
        message = only_mail_to(smtp_server, expert)
        assert plain(message).startswith(opening + "\n"), expert
        assert f"<p>{opening}</p>" in html_of(message), expert


def test_an_english_reader_gets_the_english_title_agenda_and_words(
    organiser_client, platform, smtp_server
):
    session = platform.session
    session.title_en = "Workshop on data spaces"
    session.description_en = "How cities keep control of their data."
    session.description = "Wie Städte die Hoheit über ihre Daten behalten."
    session.agenda_items[0].title_en = "Welcome"
    db.session.commit()

    invite_through_the_pages(organiser_client, session, [platform.claire, platform.anna])

    english = only_mail_to(smtp_server, platform.claire)
    assert str(english["Subject"]) == "Invitation: Workshop on data spaces"
    text = plain(english)
    assert "\nWorkshop on data spaces\n" in text
    assert "  Item 1  Welcome" in text
    assert "TOP" not in text and "Begrüßung" not in text
    assert "Tentative: http://eventsys.test/rsvp/" in text
    assert "04:00 – 10:00 (Toronto time; in Berlin 10:00–16:00)" in text
    assert "Item 1: Welcome" in html_of(english)

    # An independent parser reads the calendar entry the English reader's calendar shows.
    event = vobject.readOne(ics_of(english), validate=True).vevent
    assert event.summary.value == "Workshop on data spaces"
    assert event.description.value.startswith("How cities keep control of their data.")
    assert "Item 1: Welcome" in event.description.value

    german = only_mail_to(smtp_server, platform.anna)
    assert "Workshop Datenräume" in str(german["Subject"])
    assert "Workshop on data spaces" not in plain(german)
    german_event = vobject.readOne(ics_of(german), validate=True).vevent
    assert german_event.summary.value == "Workshop Datenräume"
    assert german_event.description.value.startswith("Wie Städte")


def test_without_an_english_title_english_readers_get_the_title_there_is(
    organiser_client, platform, smtp_server
):
    invite_through_the_pages(organiser_client, platform.session, [platform.claire])

    message = only_mail_to(smtp_server, platform.claire)
    assert str(message["Subject"]) == "Invitation: Workshop Datenräume"
    assert "  Item 1  Begrüßung" in plain(message)
    assert str(calendar_of(message).walk("VEVENT")[0]["SUMMARY"]) == "Workshop Datenräume"


def test_the_answer_page_and_the_feed_speak_english_to_english_readers(client, platform):
    session = platform.session
    session.title_en = "Workshop on data spaces"
    session.agenda_items[0].title_en = "Welcome"
    db.session.commit()
    services.invite_experts(session, [platform.claire])
    db.session.commit()

    page = client.get(rsvp_path(invitation_of(session, platform.claire)))
    assert "<h1>Workshop on data spaces</h1>" in page.text
    assert "Item 1: Welcome" in page.text

    feed = client.get(feeds.expert_feed_addresses(platform.claire).https.split("eventsys.test")[1])
    event = vobject.readOne(feed.get_data(as_text=True)).vevent
    assert event.summary.value == "Workshop on data spaces"


def test_the_invitation_gives_the_experts_own_calendar_address(
    organiser_client, client, platform, smtp_server
):
    assert platform.claire.feed_token is None

    invite_through_the_pages(organiser_client, platform.session, [platform.claire])

    db.session.refresh(platform.claire)
    address = feeds.expert_feed_addresses(platform.claire)
    assert address is not None
    message = only_mail_to(smtp_server, platform.claire)
    text = plain(message)
    assert (
        "Your personal calendar address: subscribe to it once in your calendar program and all "
        "your sessions of the platform appear there and stay up to date.\n" + address.https
    ) in text
    assert f'<a href="{address.webcal}">{address.https}</a>' in html_of(message)
    # The address in the mail opens the feed with this session in it.
    feed = client.get(address.https.split("eventsys.test", 1)[1])
    assert feed.status_code == 200
    assert vobject.readOne(feed.get_data(as_text=True)).vevent.uid.value


def test_reminders_carry_the_address_too(app, platform):
    services.invite_experts(platform.session, [platform.anna])
    db.session.commit()
    invitation = invitation_of(platform.session, platform.anna)

    reminder = compose_invitation_mail(invitation, MailKind.DEADLINE_REMINDER)

    assert feeds.expert_feed_addresses(platform.anna).https in plain(reminder)


def test_an_address_the_expert_revoked_is_not_given_again(organiser_client, platform, smtp_server):
    feeds.create_feed(platform.claire)
    with acting_as(f"{platform.claire.email} (own link)"):
        feeds.revoke_feed(platform.claire)
    db.session.commit()

    invite_through_the_pages(organiser_client, platform.session, [platform.claire])

    db.session.refresh(platform.claire)
    assert platform.claire.feed_token is None
    text = plain(only_mail_to(smtp_server, platform.claire))
    assert "Your personal calendar address" not in text
    assert "/feeds/" not in text


def test_a_new_english_title_reaches_english_calendars(
    organiser_client, staff, platform, smtp_server
):
    session = platform.session
    session.organisers = [staff.organiser]
    db.session.commit()
    services.invite_experts(session, [platform.claire])
    db.session.commit()

    response = organiser_client.post(
        f"/sessions/{session.id}/edit",
        data=session_form(
            staff.organiser,
            title="Workshop Datenräume",
            title_en="Workshop on data spaces",
            status="confirmed",
            start_date="2030-07-01",
            start_time="10:00",
            end_time="16:00",
            description="",
            venue_room="",
            save_and_send="1",
        ),
    )

    assert response.status_code == 302
    update = smtp_server.sink.messages_to(platform.claire.email)[-1]
    assert str(update["Subject"]) == "Changed: Workshop on data spaces"
    event = vobject.readOne(ics_of(update), validate=True).vevent
    assert event.summary.value == "Workshop on data spaces"
    assert "Title: Workshop on data spaces (previously: Workshop Datenräume)" in text_of(update)
