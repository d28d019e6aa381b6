"""The session page lists the answers recorded since the reader last opened it (name, answer,
Berlin time), the newest ten and how many more; in a fixed number of queries."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.states import Channel, Response
from eventsys.notices.recent import RECENT_LIMIT
from eventsys.sessions.visits import SessionVisit
from tests.conftest import sign_in
from tests.invitations.conftest import make_expert
from tests.notices.conftest import answer


def recent_part(response) -> str:
    """The page's list of recent answers as read (no space before a colon or comma)."""
    html = response.get_data(as_text=True)
    start = html.index('id="recent-answers"')
    section = html[start : html.index("</section>", start)]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.split(">", 1)[1])).strip()
    return re.sub(r"\s+([:,.])", r"\1", text.replace("&#39;", "'").replace("&amp;", "&"))


def visit_time(notified, user) -> datetime | None:
    return db.session.scalar(
        sa.select(SessionVisit.visited_at).where(
            SessionVisit.user_id == user.id, SessionVisit.session_id == notified.session.id
        )
    )


def move_last_visit(notified, user, moment: datetime) -> None:
    visit = db.session.get(SessionVisit, (user.id, notified.session.id))
    visit.visited_at = moment
    db.session.commit()


def test_the_page_lists_what_came_in_since_the_readers_last_visit(client, notified):
    url = f"/sessions/{notified.session.id}"
    anna, bernd, claire = notified.platform.anna, notified.platform.bernd, notified.platform.claire
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    answer(notified.invitation(anna), Response.ACCEPTED, hour_ago)
    sign_in(client, notified.english)

    first = recent_part(client.get(url))
    assert first.startswith("Latest answers")
    assert "Dr. Anna Schmidt (Stadt Köln): Accepted" in first
    assert visit_time(notified, notified.english) is not None
    move_last_visit(notified, notified.english, hour_ago + timedelta(minutes=5))

    half_an_hour_ago = datetime.now(UTC) - timedelta(minutes=30)
    answer(notified.invitation(claire), Response.DECLINED, half_an_hour_ago, Channel.CALENDAR)
    answer(notified.invitation(bernd), Response.TENTATIVE, half_an_hour_ago + timedelta(minutes=1))
    second = recent_part(client.get(url))

    assert second.startswith("New since your last visit")
    assert "2 answers since your last visit on" in second
    assert "Anna Schmidt" not in second  # seen on the first visit
    assert second.index("Bernd Vogel (BBSR): Tentative") < second.index(
        "Claire Tremblay (Housing Canada): Declined"
    )
    assert "Calendar reply" in second
    third = recent_part(client.get(url))
    assert "No new answers since your last visit." in third


def test_times_are_berlin_time(client, notified):
    sign_in(client, notified.english)
    client.get(f"/sessions/{notified.session.id}")
    move_last_visit(notified, notified.english, datetime(2029, 1, 15, 12, 0, tzinfo=UTC))
    answer(
        notified.invitation(notified.platform.anna),
        Response.ACCEPTED,
        datetime(2029, 1, 15, 15, 5, tzinfo=UTC),  # 16:05 in Berlin (CET)
    )

    part = recent_part(client.get(f"/sessions/{notified.session.id}"))

    assert "1 answer since your last visit on 15 Jan 2029, 13:00." in part
    assert "Accepted – 15 Jan 2029, 16:05" in part


def test_each_reader_has_their_own_last_visit_and_their_own_entries_are_left_out(
    client, app, notified
):
    url = f"/sessions/{notified.session.id}"
    invitation_id = notified.invitation(notified.platform.bernd).id
    # Each reader in a context of their own, as separate requests have (the page's language
    # is kept in the context).
    with app.app_context():
        sign_in(client, notified.german)
        client.get(url)
        client.post(
            f"/sessions/{notified.session.id}/invitations/{invitation_id}/answer",
            data={"response": "declined"},
        )
        german_view = recent_part(client.get(url))
        client.post("/logout")
    with app.app_context():
        sign_in(client, notified.english)
        english_view = recent_part(client.get(url))

    assert "Bernd Vogel" not in german_view  # set by hand by this reader
    assert "Bernd Vogel (BBSR): Declined" in english_view


def test_the_list_is_bounded_and_points_to_the_invitations_page(client, notified):
    experts = [
        make_expert(f"Vorname{number}", f"Name{number}", notified.platform.koeln)
        for number in range(RECENT_LIMIT + 5)
    ]
    db.session.commit()
    services.invite_experts(notified.session, experts)
    db.session.commit()
    start = datetime.now(UTC) - timedelta(hours=1)
    for minute, expert in enumerate(experts):
        answer(notified.invitation(expert), Response.ACCEPTED, start + timedelta(minutes=minute))
    sign_in(client, notified.english)

    response = client.get(f"/sessions/{notified.session.id}")
    part = recent_part(response)

    assert part.count("(Stadt Köln): Accepted") == RECENT_LIMIT
    assert f"Vorname{RECENT_LIMIT + 4} Name{RECENT_LIMIT + 4}" in part  # the newest first
    assert "Vorname0 Name0" not in part
    assert "and 5 more answers. All answers on the invitations page" in part
    assert f'href="/sessions/{notified.session.id}/invitations"' in response.text


def statements_for(client, count_queries, url: str) -> int:
    db.session.expire_all()
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_the_queries_do_not_grow_with_the_answers(client, notified, count_queries):
    url = f"/sessions/{notified.session.id}"
    sign_in(client, notified.english)
    client.get(url)  # the visit the others are compared with
    soon = datetime.now(UTC) + timedelta(minutes=1)
    answer(notified.invitation(notified.platform.anna), Response.ACCEPTED, soon)
    few = statements_for(client, count_queries, url)

    experts = [
        make_expert(f"Vorname{number}", f"Name{number}", notified.platform.bbsr)
        for number in range(30)
    ]
    db.session.commit()
    services.invite_experts(notified.session, experts)
    db.session.commit()
    for minute, expert in enumerate(experts):
        answer(notified.invitation(expert), Response.DECLINED, soon + timedelta(minutes=minute + 2))
    many = statements_for(client, count_queries, url)

    assert many == few
    assert few <= 12
