"""Approval with guard rails: asked once while comments are possible or not dealt with, the
secretariat asking the organisers (a real mail and an entry on their overview), who may
approve, and comments marked as dealt with."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import g

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.minutes import approval
from eventsys.minutes.models import Minutes, MinutesComment
from eventsys.minutes.states import MinutesState
from tests.conftest import page_text, reading_english, sign_in
from tests.invitations.conftest import make_session, text_of
from tests.minutes.workflow_records import held_workshop


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def workshop(app, staff):
    reading_english(staff)
    record = held_workshop()
    record.minutes.session.organisers.append(staff.organiser)
    db.session.commit()
    return record


def circulated_with_a_comment(workshop, deadline: datetime) -> MinutesComment:
    minutes = workshop.minutes
    minutes.state = MinutesState.CIRCULATED
    minutes.comment_deadline = deadline
    comment = MinutesComment(
        minutes=minutes, expert=workshop.present, version_number=1, text="Bitte ergänzen."
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def approve_path(workshop) -> str:
    return f"/minutes/session/{workshop.minutes.session_id}/approve"


def test_approving_while_comments_are_possible_asks_first(workshop, organiser_client):
    circulated_with_a_comment(workshop, datetime(2099, 12, 31, 23, 0, tzinfo=UTC))
    asked = organiser_client.post(approve_path(workshop))
    assert asked.status_code == 200
    text = page_text(asked)
    assert "The attendees can still comment until 31 Dec 2099." in text
    assert "1 comment has not been dealt with yet." in text
    assert "Nobody gets mail until the minutes are published." in text
    db.session.expire_all()
    assert workshop.minutes.state is MinutesState.CIRCULATED

    approved = organiser_client.post(approve_path(workshop), data={"mail_confirmed": "1"})
    assert approved.status_code == 302
    db.session.expire_all()
    assert workshop.minutes.state is MinutesState.APPROVED


def test_a_comment_dealt_with_leaves_nothing_open(workshop, organiser_client, staff):
    comment = circulated_with_a_comment(workshop, datetime(2026, 3, 20, tzinfo=UTC))
    session_id = workshop.minutes.session_id
    assert organiser_client.post(approve_path(workshop)).status_code == 200  # asked first

    marked = organiser_client.post(
        f"/minutes/session/{session_id}/comments/{comment.id}/dealt-with", data={"dealt_with": "1"}
    )
    assert marked.headers["Location"].endswith(f"/comments#comment-{comment.id}")
    db.session.expire_all()
    assert comment.dealt_with_by_id == staff.organiser.id
    assert approval.open_matters(workshop.minutes) == []
    page = page_text(organiser_client.get(f"/minutes/session/{session_id}/comments"))
    assert f"by {staff.organiser.name}." in page and "Open again" in page
    assert db.session.scalar(
        sa.select(AuditEntry.id).where(AuditEntry.action == "minutes.comment_dealt_with")
    )

    assert organiser_client.post(approve_path(workshop)).status_code == 302  # approved at once
    db.session.expire_all()
    assert workshop.minutes.state is MinutesState.APPROVED


def test_marking_checks_its_form_and_the_minutes(workshop, secretariat_client):
    comment = circulated_with_a_comment(workshop, datetime(2026, 3, 20, tzinfo=UTC))
    session_id = workshop.minutes.session_id
    bad = secretariat_client.post(
        f"/minutes/session/{session_id}/comments/{comment.id}/dealt-with", data={"dealt_with": "x"}
    )
    assert "The form has expired" in page_text(secretariat_client.get(bad.headers["Location"]))
    other = Minutes(session=make_session("Plenum", starts_at=datetime(2026, 2, 1, tzinfo=UTC)))
    db.session.add(other)
    db.session.commit()
    elsewhere = secretariat_client.post(
        f"/minutes/session/{other.session_id}/comments/{comment.id}/dealt-with",
        data={"dealt_with": "1"},
    )
    assert elsewhere.status_code == 404
    db.session.expire_all()
    assert comment.dealt_with_at is None


def test_the_secretariat_asks_the_organisers_who_see_it_on_their_overview(
    workshop, secretariat_client, app, staff, smtp_server
):
    session_id = workshop.minutes.session_id
    panel = page_text(secretariat_client.get(f"/minutes/session/{session_id}"))
    assert f"Who may approve {staff.organiser.name}, and every administrator" in panel
    smtp_server.sink.received.clear()

    asked = secretariat_client.post(f"/minutes/session/{session_id}/ask-for-approval")
    assert asked.status_code == 302
    assert f"Approval was asked of {staff.organiser.name} by mail." in page_text(
        secretariat_client.get(asked.headers["Location"])
    )
    (message,) = smtp_server.sink.messages_to(staff.organiser.email)
    assert message["Subject"] == "Please approve the minutes: Workshop Datenräume"
    body = text_of(message)
    assert f"{staff.secretariat.name} asks you to approve" in body
    assert f"/minutes/session/{session_id}#workflow" in body

    g.pop("_login_user", None)  # the test's app context would keep the secretariat signed in
    client = sign_in(app.test_client(), staff.organiser)
    overview = page_text(client.get("/"))
    waiting = overview.split("Approval asked by the secretariat", 1)[1].split("Minutes to publish")[
        0
    ]
    assert "Workshop Datenräume" in waiting

    db.session.expire_all()
    assert client.post(f"/minutes/session/{session_id}/approve").status_code == 302
    db.session.expire_all()
    assert workshop.minutes.approval_requested_at is None
    assert "Nobody has asked for an approval." in page_text(client.get("/"))


def test_without_organisers_the_administrators_are_asked(app, staff, secretariat_client):
    reading_english(staff)
    record = held_workshop()
    assert approval.approvers(record.minutes) == [staff.admin]
    secretariat_client.post(f"/minutes/session/{record.minutes.session_id}/ask-for-approval")
    db.session.expire_all()
    assert record.minutes.approval_requested_by_id == staff.secretariat.id


def test_approved_minutes_cannot_be_asked_for(workshop, secretariat_client, staff):
    workshop.minutes.state = MinutesState.APPROVED
    db.session.commit()
    response = secretariat_client.post(
        f"/minutes/session/{workshop.minutes.session_id}/ask-for-approval", follow_redirects=True
    )
    assert "These minutes are already approved." in page_text(response)
