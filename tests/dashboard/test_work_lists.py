"""The overview's work lists: what waits, for whom, linked to where it is done, in a bounded
number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from eventsys.charters.models import Charter, CharterVersion, ConsultationComment
from eventsys.charters.states import VersionState
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.minutes.models import Minutes, MinutesComment
from eventsys.minutes.states import MinutesState
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.replies.models import InboundMessage
from eventsys.replies.states import Outcome, Source
from eventsys.sessions.states import SessionStatus
from tests.conftest import page_text, reading_english, sign_in
from tests.invitations.conftest import make_expert, make_organisation
from tests.minutes.conftest import build_record, make_plenary
from tests.sessions.factories import make_session

NOW = "2026-04-25 08:00:00"
UPCOMING = datetime(2026, 6, 18, 8, 0, tzinfo=UTC)


def invite(session, answers: list[tuple[Response, bool]]) -> None:
    db.session.flush()  # the session's id names its experts
    organisation = make_organisation(f"Organisation {session.id}")
    for number, (response, waiting) in enumerate(answers):
        expert = make_expert(f"Vorname{number}", f"Name{session.id}x{number}", organisation)
        db.session.add(
            Invitation(
                session=session,
                expert=expert,
                response=response,
                waitlisted_at=UPCOMING - timedelta(days=30) if waiting else None,
            )
        )


def consultation_with_open_comments(expert, count: int) -> CharterVersion:
    charter = Charter(title_de="Smart City Charta")
    version = CharterVersion(
        charter=charter, major=0, minor=2, state=VersionState.CONSULTATION, content={"chapters": []}
    )
    db.session.add_all(
        [version]
        + [
            ConsultationComment(version=version, expert=expert, text="Bitte prüfen")
            for _ in range(count)
        ]
    )
    return version


@pytest.fixture
def desk(app, staff):
    """A day at the secretariat: a plenary whose minutes are being written (and the earlier
    one's approved, to publish), an upcoming workshop with answers, a reply to decide, open
    consultation comments and a message that failed."""
    reading_english(staff)
    record = build_record()
    workshop = make_session("Workshop Datenräume", starts_at=UPCOMING, organisers=[staff.organiser])
    invite(
        workshop,
        [(Response.ACCEPTED, False)] * 3
        + [(Response.ACCEPTED, True), (Response.DECLINED, False)]
        + [(Response.NEEDS_ACTION, False)] * 2,
    )
    consultation_with_open_comments(record.people.anna, 2)
    db.session.add(
        InboundMessage(
            source=Source.IMAP,
            digest="a" * 64,
            raw_message=b"Subject: Zusage\r\n\r\nIch komme.",
            outcome=Outcome.NEEDS_REVIEW,
        )
    )
    db.session.add(
        OutboxMessage(
            kind="test",
            sender="a@example.org",
            recipient="b@example.org",
            subject="Einladung",
            message_id="<failed@example.org>",
            state=DeliveryState.FAILED,
        )
    )
    db.session.commit()
    return record, workshop


def section(text: str, heading: str, next_heading: str) -> str:
    return text.split(heading, 1)[1].split(next_heading, 1)[0]


@freeze_time(NOW)
def test_the_secretariat_starts_the_day_with_what_waits(secretariat_client, desk):
    record, workshop = desk
    response = secretariat_client.get("/")
    html = response.get_data(as_text=True)
    text = page_text(response)

    answers = section(text, "Answers to upcoming sessions", "Replies waiting")
    assert "Workshop Datenräume" in answers
    assert "3 accepted, 1 on the waiting list, 1 declined, 2 without an answer" in answers
    assert f'href="/sessions/{workshop.id}/reminders"' in html
    assert f'href="/sessions/{workshop.id}/invitations"' in html

    assert "1 reply waits in the review queue" in text
    to_write = section(text, "Minutes to write", "Minutes out for comments")
    assert "5. Plenum der Dialogplattform" in to_write
    to_publish = section(text, "Minutes to publish", "Consultation comments")
    assert "4. Plenum" in to_publish
    assert f'href="/minutes/session/{record.earlier.id}#workflow"' in html
    assert "Smart City Charta, version 0.2 : 2 open comments" in text  # link, then its count
    assert "show=open" in html

    overdue = section(text, "Action items overdue", "Action items due within two weeks")
    assert "Leitfaden Datenräume vorlegen · BBSR · due on 28 Feb 2026" in overdue
    due_soon = section(text, "Action items due within two weeks", "Mail that could not")
    assert "Entwurf 1 an alle versenden" in due_soon and "and 1 more" not in due_soon
    assert "/minutes/action-items?state=due_soon#action-item-" in html

    assert "1 message could not be delivered. An administrator can send them again" in text


@freeze_time(NOW)
def test_minutes_out_for_comments_then_waiting_for_approval(secretariat_client, desk):
    record, _ = desk
    record.minutes.state = MinutesState.CIRCULATED
    record.minutes.comment_deadline = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)
    db.session.add(
        MinutesComment(
            minutes=record.minutes, expert=record.people.anna, version_number=1, text="Ergänzen"
        )
    )
    db.session.commit()
    text = page_text(secretariat_client.get("/"))
    out = section(text, "Minutes out for comments", "Minutes waiting for approval")
    assert "5. Plenum der Dialogplattform" in out
    assert "comments until 1 May 2026 · 1 open comment" in out
    with freeze_time("2026-05-03 08:00:00"):
        text = page_text(secretariat_client.get("/"))
    waiting = section(text, "Minutes waiting for approval", "Minutes to publish")
    assert "5. Plenum der Dialogplattform" in waiting


@freeze_time(NOW)
def test_an_admin_follows_the_failed_mail_to_the_outbox(admin_client, desk):
    html = admin_client.get("/").get_data(as_text=True)
    assert 'href="/outbox/?state=failed"' in html


@freeze_time(NOW)
def test_organisers_see_the_work_of_their_own_sessions(client, staff, desk):
    record, _ = desk
    sign_in(client, staff.organiser)
    text = page_text(client.get("/"))
    assert "For the sessions you organise." in text
    assert "Workshop Datenräume" in section(text, "Answers to upcoming", "Replies waiting")
    # The plenaries are not theirs: neither their minutes nor their action items.
    assert "No minutes wait to be written." in text
    assert "No action item is overdue." in text
    record.session.organisers.append(staff.organiser)
    db.session.commit()
    text = page_text(client.get("/"))
    assert "5. Plenum der Dialogplattform" in section(text, "Minutes to write", "Minutes out")


def grow(people, sessions: int) -> None:
    """More of everything the lists show: held sessions with draft and approved minutes,
    upcoming sessions with answers, overdue action items, open comments."""
    from eventsys.minutes.models import ActionItem, MinutesTopic

    for number in range(sessions):
        held = make_plenary(
            ["Punkt"],
            title=f"Sitzung {number}",
            starts_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=number),
        )
        topic = MinutesTopic(position=1, title="Punkt")
        topic.action_items = [
            ActionItem(
                position=1,
                text="Aufgabe",
                owner_expert=people.anna,
                due_date=datetime(2026, 1, 1).date(),
            ),
        ]
        state = MinutesState.DRAFT if number % 2 else MinutesState.CIRCULATED
        db.session.add(Minutes(session=held, topics=[topic], state=state))
        upcoming = make_session(
            f"Kommend {number}",
            starts_at=UPCOMING + timedelta(days=number),
            status=SessionStatus.CONFIRMED,
        )
        invite(upcoming, [(Response.ACCEPTED, False), (Response.NEEDS_ACTION, False)])
    consultation_with_open_comments(people.anna, sessions)
    db.session.commit()


@freeze_time(NOW)
def test_the_overview_needs_as_many_queries_at_ten_times_the_size(
    secretariat_client, desk, count_queries
):
    record, _ = desk
    grow(record.people, 6)
    secretariat_client.get("/")
    with count_queries() as demo_size:
        assert secretariat_client.get("/").status_code == 200
    grow(record.people, 60)
    secretariat_client.get("/")
    with count_queries() as ten_times:
        text = page_text(secretariat_client.get("/"))
    assert ten_times.count == demo_size.count
    assert "and 62 more" in section(text, "Answers to upcoming", "Replies waiting")
