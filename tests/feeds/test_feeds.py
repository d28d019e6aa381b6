"""Calendar subscription feeds: what they hold, who can open them, and taking them back."""

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
import vobject
from flask import render_template_string
from flask_login import login_user

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.feeds import services
from eventsys.invitations import services as invitations
from eventsys.invitations.states import Channel, Response
from eventsys.sessions.states import SessionStatus
from tests.conftest import page_text
from tests.feeds.conftest import make_sessions
from tests.sessions.factories import make_expert, make_organisation


def events_of(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def give_feed(owner) -> str:
    services.create_feed(owner)
    db.session.commit()
    return owner.feed_token


# --- the expert's feed ----------------------------------------------------------------------------


def test_expert_feed_holds_the_sessions_the_expert_is_invited_to(client, subscriber):
    token = give_feed(subscriber.expert)
    response = client.get(f"/feeds/experts/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    events = events_of(response)
    assert sorted(events) == ["Workshop 0", "Workshop 1"]
    first = subscriber.invited[0]
    assert str(events["Workshop 0"]["UID"]) == first.ical_uid
    assert events["Workshop 0"].decoded("dtstart") == first.starts_at
    calendar = icalendar.Calendar.from_ical(response.data)
    assert "METHOD" not in calendar  # a published feed, not an invitation


def test_cancelled_sessions_stay_in_the_feed_as_cancelled(client, subscriber):
    session = subscriber.invited[1]
    session.status = SessionStatus.CANCELLED
    invitations.session_cancelled(session)
    db.session.commit()
    events = events_of(client.get(f"/feeds/experts/{give_feed(subscriber.expert)}.ics"))
    assert str(events["Workshop 1"]["STATUS"]) == "CANCELLED"
    assert events["Workshop 1"]["SEQUENCE"] == 1


@pytest.mark.parametrize("token", ["not-a-valid-token", "x" * 200, "%00"])
def test_unknown_tokens_are_not_found(client, subscriber, token):
    give_feed(subscriber.expert)
    assert client.get(f"/feeds/experts/{token}.ics").status_code == 404
    assert client.get(f"/feeds/all/{token}.ics").status_code == 404
    assert client.get(f"/feeds/experts/{token}/revoke").status_code == 404


def test_revoked_and_replaced_addresses_stop_working(client, subscriber):
    old = give_feed(subscriber.expert)
    services.regenerate_feed(subscriber.expert)
    db.session.commit()
    new = subscriber.expert.feed_token
    assert new != old and len(new) == 43
    assert client.get(f"/feeds/experts/{old}.ics").status_code == 404
    assert client.get(f"/feeds/experts/{new}.ics").status_code == 200
    assert services.revoke_feed(subscriber.expert) is True
    db.session.commit()
    assert client.get(f"/feeds/experts/{new}.ics").status_code == 404
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action.like("feed.%")).order_by(AuditEntry.id)
    ).all()
    assert actions == ["feed.created", "feed.regenerated", "feed.revoked"]


def test_inactive_experts_feed_is_not_served(client, subscriber):
    token = give_feed(subscriber.expert)
    subscriber.expert.active = False
    db.session.commit()
    assert client.get(f"/feeds/experts/{token}.ics").status_code == 404


def test_creating_twice_keeps_the_address(subscriber):
    token = give_feed(subscriber.expert)
    assert services.create_feed(subscriber.expert) is False
    assert subscriber.expert.feed_token == token


# --- the expert revokes their own address ---------------------------------------------------------


def test_expert_revokes_own_address_after_confirming(client, subscriber):
    token = give_feed(subscriber.expert)
    confirm = client.get(f"/feeds/experts/{token}/revoke")
    assert confirm.status_code == 200
    assert subscriber.expert.feed_token == token  # looking is not revoking
    assert '<form method="post">' in confirm.get_data(as_text=True)

    done = client.post(f"/feeds/experts/{token}/revoke")
    assert done.status_code == 200
    db.session.refresh(subscriber.expert)
    assert subscriber.expert.feed_token is None
    assert client.get(f"/feeds/experts/{token}.ics").status_code == 404
    assert client.get(f"/feeds/experts/{token}/revoke").status_code == 404
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "feed.revoked"))
    assert entry.actor_label == "anna.schmidt@example.org (own link)"


# --- organisers manage an expert's address --------------------------------------------------------


def test_organiser_creates_replaces_and_revokes_an_experts_address(organiser_client, subscriber):
    url = f"/feeds/experts/{subscriber.expert.id}/manage"
    response = organiser_client.post(url, data={"create": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/experts/{subscriber.expert.id}")
    db.session.refresh(subscriber.expert)
    first = subscriber.expert.feed_token
    assert first is not None

    organiser_client.post(url, data={"regenerate": "1"})
    db.session.refresh(subscriber.expert)
    assert subscriber.expert.feed_token not in (None, first)

    organiser_client.post(url, data={"revoke": "1"})
    db.session.refresh(subscriber.expert)
    assert subscriber.expert.feed_token is None


def test_secretariat_cannot_manage_experts_addresses(secretariat_client, subscriber):
    token = subscriber.expert.feed_token  # given with the first invitation
    for button in ("regenerate", "revoke"):
        response = secretariat_client.post(
            f"/feeds/experts/{subscriber.expert.id}/manage", data={button: "1"}
        )
        assert response.status_code == 403
    db.session.refresh(subscriber.expert)
    assert subscriber.expert.feed_token == token


def test_expert_page_part_shows_the_address_and_the_buttons(app, staff, subscriber):
    """`feeds/_expert_feed.html`, for the expert's page to include."""
    token = give_feed(subscriber.expert)
    with app.test_request_context():
        login_user(staff.organiser)
        html = render_template_string(
            '{% include "feeds/_expert_feed.html" %}', expert=subscriber.expert
        )
    assert f"webcal://eventsys.test/feeds/experts/{token}.ics" in html
    assert f"http://eventsys.test/feeds/experts/{token}.ics" in html
    assert f'action="/feeds/experts/{subscriber.expert.id}/manage"' in html
    assert 'name="revoke"' in html


# --- the all-sessions feed for staff --------------------------------------------------------------


def test_staff_feed_holds_every_session(client, staff, subscriber):
    token = give_feed(staff.secretariat)
    response = client.get(f"/feeds/all/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert sorted(events_of(response)) == [f"Workshop {n}" for n in range(4)]


def test_staff_feed_stops_with_the_account(client, staff, subscriber):
    token = give_feed(staff.organiser)
    staff.organiser.active = False
    db.session.commit()
    assert client.get(f"/feeds/all/{token}.ics").status_code == 404


def test_an_experts_token_does_not_open_the_staff_feed(client, staff, subscriber):
    token = give_feed(subscriber.expert)
    assert client.get(f"/feeds/all/{token}.ics").status_code == 404


def test_my_feed_page_creates_shows_and_revokes(organiser_client, staff):
    page = organiser_client.get("/feeds/mine")
    assert page.status_code == 200
    assert "webcal://" not in page.get_data(as_text=True)

    assert organiser_client.post("/feeds/mine", data={"create": "1"}).status_code == 302
    db.session.refresh(staff.organiser)
    token = staff.organiser.feed_token
    html = organiser_client.get("/feeds/mine").get_data(as_text=True)
    assert f"webcal://eventsys.test/feeds/all/{token}.ics" in html
    assert f"http://eventsys.test/feeds/all/{token}.ics" in html

    organiser_client.post("/feeds/mine", data={"revoke": "1"})
    db.session.refresh(staff.organiser)
    assert staff.organiser.feed_token is None
    assert "webcal://" not in page_text(organiser_client.get("/feeds/mine"))


# --- bounded queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("feed", ["expert", "staff"])
def test_feeds_need_the_same_number_of_queries_for_3_and_30_sessions(
    app, client, staff, count_queries, feed
):
    expert = make_expert("Anna", "Schmidt", make_organisation("Stadt Ulm"))
    db.session.commit()
    token = give_feed(expert if feed == "expert" else staff.organiser)
    url = f"/feeds/experts/{token}.ics" if feed == "expert" else f"/feeds/all/{token}.ics"
    counts = []
    for total in (3, 30):
        sessions = make_sessions(total - (len(counts) and 3), title=f"Set {total}")
        for session in sessions:
            invitations.invite_experts(session, [expert])
        db.session.commit()
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        assert len(events_of(response)) == total
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 3


def test_calendars_are_asked_to_refresh_hourly_and_declined_sessions_leave_time_free(
    client, subscriber
):
    declined = invitations.invitations_of(subscriber.invited[1])
    (mine,) = [
        invitation for invitation in declined if invitation.expert_id == subscriber.expert.id
    ]
    invitations.record_answer(mine, Response.DECLINED, Channel.LINK)
    db.session.commit()
    response = client.get(f"/feeds/experts/{give_feed(subscriber.expert)}.ics")

    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H" in response.data
    events = events_of(response)
    assert str(events["Workshop 0"]["TRANSP"]) == "OPAQUE"  # not answered yet: busy
    assert str(events["Workshop 1"]["TRANSP"]) == "TRANSPARENT"  # declined: free
    # An independent parser reads the same.
    parsed = vobject.readOne(response.get_data(as_text=True))
    transparency = {event.summary.value: event.transp.value for event in parsed.vevent_list}
    assert transparency == {"Workshop 0": "OPAQUE", "Workshop 1": "TRANSPARENT"}
