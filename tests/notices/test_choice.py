"""Each responsible organiser chooses, on the session page, how they hear about its answers;
nobody can change another organiser's choice."""

import re

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.notices.models import DEFAULT_CHOICE, AnswerNoticePreference, NoticeChoice
from tests.conftest import page_text, sign_in


def stored_choices() -> dict[int, NoticeChoice]:
    return {
        preference.user_id: preference.choice
        for preference in db.session.scalars(sa.select(AnswerNoticePreference))
    }


def checked_choice(html: str) -> str | None:
    match = re.search(r'<input checked[^>]*name="choice"[^>]*value="(\w+)"', html)
    return match.group(1) if match else None


def choice_url(notified) -> str:
    return f"/sessions/{notified.session.id}/answer-notices"


def test_the_default_is_the_daily_digest():
    assert DEFAULT_CHOICE == NoticeChoice.DIGEST


def test_a_responsible_organiser_changes_their_own_choice(client, notified):
    sign_in(client, notified.english)
    page = client.get(f"/sessions/{notified.session.id}")
    assert 'id="answer-notices"' in page.text
    assert checked_choice(page.text) == "digest"

    response = client.post(choice_url(notified), data={"choice": "each"}, follow_redirects=True)

    assert response.status_code == 200
    assert "You will get a mail for each answer to this session." in page_text(response)
    assert stored_choices() == {notified.english.id: NoticeChoice.EACH}
    assert checked_choice(response.text) == "each"


def test_a_posted_user_id_changes_nobody_else(client, notified):
    sign_in(client, notified.english)

    client.post(
        choice_url(notified),
        data={"choice": "none", "user_id": str(notified.german.id), "user": notified.german.email},
    )

    assert stored_choices() == {notified.english.id: NoticeChoice.NONE}


@pytest.mark.parametrize("who", ["outsider", "secretariat"])
def test_anyone_not_responsible_is_refused(client, staff, notified, who):
    user = notified.outsider if who == "outsider" else staff.secretariat
    sign_in(client, user)

    response = client.post(choice_url(notified), data={"choice": "each"})

    assert response.status_code == 403
    assert stored_choices() == {}
    assert 'id="answer-notices"' not in client.get(f"/sessions/{notified.session.id}").text


@pytest.mark.parametrize("posted", [{}, {"choice": "sms"}, {"choice": "each\x00"}, {"choice": ""}])
def test_a_choice_the_form_does_not_offer_is_refused_without_harm(client, notified, posted):
    sign_in(client, notified.english)

    response = client.post(choice_url(notified), data=posted, follow_redirects=True)

    assert response.status_code in (200, 400)
    assert stored_choices() == {}
    if response.status_code == 200:
        assert "Please choose how you want to hear about answers." in page_text(response)


def test_a_session_that_does_not_exist_is_not_found(client, notified):
    sign_in(client, notified.english)
    assert client.post("/sessions/99999/answer-notices", data={"choice": "each"}).status_code == 404
