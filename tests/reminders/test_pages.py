"""The reminders page of a session: turning reminders off and on, and sending them now."""

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from eventsys.extensions import db
from eventsys.invitations.mail import MailKind
from eventsys.invitations.models import Invitation
from eventsys.sessions.states import SessionStatus
from tests.conftest import confirm_sending, page_text
from tests.reminders.conftest import STARTS_AT, recipients
from tests.sessions.factories import make_expert, make_organisation, make_session


def page(client, invited):
    return client.get(f"/sessions/{invited.session.id}/reminders")


def test_page_lists_invitees_and_offers_the_fitting_reminder(organiser_client, invited):
    response = page(organiser_client, invited)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "Anna Schmidt" in text and "Bernd Vogel" in text and "Carla Berg" in text
    # Only Anna (no answer) can be chosen a week ahead; Bernd's reminder comes the day before.
    assert f'value="{invited.anna.id}"' in html
    assert f'value="{invited.bernd.id}"' not in html
    assert f'value="{invited.carla.id}"' not in html
    assert f'<label for="invitation-{invited.anna.id}">Anna Schmidt</label>' in html
    assert '<th scope="col">' in html and "<caption>" in html


def test_organiser_turns_reminders_off_and_on(organiser_client, invited):
    response = organiser_client.post(
        f"/sessions/{invited.session.id}/reminders", data={"settings-save": "1"}
    )
    assert response.status_code == 302
    db.session.refresh(invited.session)
    assert invited.session.reminders_enabled is False
    assert 'name="settings-enabled"' in page(organiser_client, invited).get_data(as_text=True)

    organiser_client.post(
        f"/sessions/{invited.session.id}/reminders",
        data={"settings-save": "1", "settings-enabled": "y"},
    )
    db.session.refresh(invited.session)
    assert invited.session.reminders_enabled is True


def test_the_checkbox_shows_the_stored_setting(organiser_client, invited):
    invited.session.reminders_enabled = False
    db.session.commit()
    html = page(organiser_client, invited).get_data(as_text=True)
    checkbox = html.split('name="settings-enabled"')[0].rsplit("<input", 1)[1]
    assert "checked" not in checkbox


def test_organiser_sends_reminders_now_to_the_chosen(organiser_client, invited):
    response = organiser_client.post(
        f"/sessions/{invited.session.id}/reminders",
        data={"now-send": "1", "now-invitations": [str(invited.anna.id)]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert 'class="flash flash--success"' in response.get_data(as_text=True)
    assert recipients(MailKind.DEADLINE_REMINDER) == ["anna.schmidt@example.org"]
    db.session.refresh(invited.anna)
    assert invited.anna.deadline_reminder_sent_at is not None


def test_sending_now_needs_a_choice(organiser_client, invited):
    response = organiser_client.post(
        f"/sessions/{invited.session.id}/reminders", data={"now-send": "1"}
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert recipients(MailKind.DEADLINE_REMINDER) == []


def test_a_declined_invitee_cannot_be_chosen(organiser_client, invited):
    response = organiser_client.post(
        f"/sessions/{invited.session.id}/reminders",
        data={"now-send": "1", "now-invitations": [str(invited.carla.id)]},
    )
    assert response.status_code == 200  # the form refuses a choice it did not offer
    assert recipients(MailKind.DEADLINE_REMINDER) == []


def test_accepted_invitees_can_be_reminded_on_the_day_before(organiser_client, invited):
    with freeze_time(STARTS_AT - timedelta(hours=20)):
        response = organiser_client.post(
            f"/sessions/{invited.session.id}/reminders",
            data={"now-send": "1", "now-invitations": [str(invited.bernd.id)]},
        )
    assert response.status_code == 302
    assert recipients(MailKind.EVE_REMINDER) == ["bernd.vogel@example.org"]


def test_cancelled_session_offers_nobody(organiser_client, invited):
    invited.session.status = SessionStatus.CANCELLED
    db.session.commit()
    response = page(organiser_client, invited)
    html = response.get_data(as_text=True)
    assert 'type="checkbox" name="now-invitations"' not in html
    assert 'class="warning"' in html


@pytest.mark.parametrize(
    ("client_fixture", "status"),
    [("admin_client", 200), ("secretariat_client", 403), ("client", 302)],
)
def test_only_planners_open_the_page(request, invited, client_fixture, status):
    client = request.getfixturevalue(client_fixture)
    assert page(client, invited).status_code == status


def test_reminders_to_several_show_who_gets_which_mail_before_sending(organiser_client, invited):
    with freeze_time(STARTS_AT - timedelta(hours=20)):
        html = page(organiser_client, invited).get_data(as_text=True)
        chosen = re.findall(r'name="now-invitations"[^>]*value="(\d+)"', html)
        assert len(chosen) >= 2
        preview = organiser_client.post(
            f"/sessions/{invited.session.id}/reminders",
            data={"now-send": "1", "now-invitations": chosen},
        )

        assert preview.status_code == 200
        assert "Vor dem Senden: Wer eine E-Mail erhält" in page_text(preview)
        assert recipients(MailKind.DEADLINE_REMINDER) + recipients(MailKind.EVE_REMINDER) == []
        sent = confirm_sending(organiser_client, preview)

    assert sent.status_code == 302
    reminded = recipients(MailKind.DEADLINE_REMINDER) + recipients(MailKind.EVE_REMINDER)
    assert len(reminded) == len(chosen)


def add_invitees(session, count: int) -> None:
    organisation = make_organisation(f"Stadt Nummer {count}")
    for number in range(count):
        expert = make_expert(f"Vorname{number}", f"Nachname{count}x{number}", organisation)
        db.session.add(Invitation(session=session, expert=expert))
    db.session.commit()


def test_the_page_shows_a_page_of_invitees_with_as_many_queries_for_300(
    organiser_client, app, count_queries
):
    session = make_session("Plenum", starts_at=STARTS_AT, status=SessionStatus.CONFIRMED)
    add_invitees(session, 60)
    path = f"/sessions/{session.id}/reminders"
    organiser_client.get(path)  # the first request warms the caches of the app
    with count_queries() as small:
        assert organiser_client.get(path).status_code == 200
    add_invitees(session, 240)
    organiser_client.get(path)
    with count_queries() as large:
        response = organiser_client.get(path)

    assert large.count == small.count
    html = response.get_data(as_text=True)
    assert len(re.findall(r'name="now-invitations"', html)) == 50
    assert "page=2" in html and "300 Einladungen gefunden" in page_text(response)


def test_an_invitee_ticked_on_another_page_is_reminded(organiser_client, invited):
    add_invitees(invited.session, 60)
    # Anna Schmidt is on the second page (by surname); the form is sent from the first.
    response = organiser_client.post(
        f"/sessions/{invited.session.id}/reminders",
        data={"now-send": "1", "now-invitations": [str(invited.anna.id)]},
    )
    assert response.status_code == 302
    assert recipients(MailKind.DEADLINE_REMINDER) == ["anna.schmidt@example.org"]


def test_organiser_turns_action_item_reminders_off_and_on(organiser_client, invited):
    path = f"/sessions/{invited.session.id}/reminders"
    organiser_client.post(path, data={"settings-save": "1", "settings-enabled": "y"})
    db.session.refresh(invited.session)
    assert invited.session.action_item_reminders_enabled is False
    assert invited.session.reminders_enabled is True
    html = page(organiser_client, invited).get_data(as_text=True)
    checkbox = html.split('name="settings-action_items"')[0].rsplit("<input", 1)[1]
    assert "checked" not in checkbox

    organiser_client.post(
        path, data={"settings-save": "1", "settings-enabled": "y", "settings-action_items": "y"}
    )
    db.session.refresh(invited.session)
    assert invited.session.action_item_reminders_enabled is True
