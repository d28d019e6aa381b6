"""Every page a staff member can open renders with the full demo platform behind it."""

import pytest
import sqlalchemy as sa

from eventsys.attendance.models import Attendee
from eventsys.charters.models import Chapter, Charter, Clause
from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.minutes.models import ActionItem, Decision, MinutesTopic, Recommendation
from eventsys.roles import Role
from eventsys.sessions.models import AgendaItem, Session
from tests.conftest import sign_in
from tests.test_access import ROUTES


@pytest.fixture
def demo(app, runner, database_states):
    result = database_states.restore_or_build("demo", lambda: runner.invoke(args=["demo", "load"]))
    assert result.exit_code == 0, result.output


def first_id(model) -> int:
    return db.session.scalar(sa.select(sa.func.min(model.id)))


@pytest.mark.parametrize("role", ["admin", "organiser", "secretariat"])
def test_every_page_renders_for_every_role(app, client, staff, demo, role):
    sign_in(client, staff.by_role(Role(role)))
    session_id = first_id(Session)
    values = {
        "expert_id": first_id(Expert),
        "organisation_id": first_id(Organisation),
        "group_id": first_id(WorkingGroup),
        "session_id": session_id,
        "item_id": db.session.scalar(
            sa.select(sa.func.min(AgendaItem.id)).where(AgendaItem.session_id == session_id)
        ),
        "user_id": staff.admin.id,
        "message_id": 1,
        "token": "x",
        "answer": "accepted",
        "invitation_id": first_id(Invitation),
        "attendee_id": db.session.scalar(
            sa.select(sa.func.min(Attendee.id)).where(Attendee.session_id == session_id)
        ),
        "topic_id": first_id(MinutesTopic),
        "decision_id": first_id(Decision),
        "action_item_id": first_id(ActionItem),
        "recommendation_id": first_id(Recommendation),
        "comment_id": 1,
        "version_number": 1,  # the first workshop's approved minutes
        "year": 2016,
        "charter_id": first_id(Charter),
        "chapter_id": first_id(Chapter),
        "clause_id": db.session.scalar(
            sa.select(sa.func.min(Clause.id)).where(Clause.chapter_id.is_not(None))
        ),
        "major": 0,  # the demo charter's frozen first draft
        "minor": 1,
        "charter_comment_id": 1,
        "page": "privacy",
        "kind": "xlsx",
    }
    for rule in ROUTES:
        if "GET" not in rule.methods or rule.endpoint in ("auth.login", "auth.second_step"):
            continue  # the sign-in pages send a signed-in person on
        if "token" in rule.arguments:
            continue  # signed links and feed addresses have tests of their own
        if rule.endpoint.split(".")[0] in ("outbox", "replies") and rule.arguments:
            continue  # the demo queues no mail and receives none
        if "job_id" in rule.arguments:
            continue  # the demo imports no file
        arguments = {name: values[name] for name in rule.arguments}
        if "invitation_id" in arguments:  # the first session of the demo invites nobody
            arguments["session_id"] = db.session.get(Invitation, values["invitation_id"]).session_id
        url = rule.build(arguments)[1]
        response = client.get(url)
        allowed = app.view_functions[rule.endpoint].allowed_roles
        expected = 200 if allowed is None or Role(role) in allowed else 403
        assert response.status_code == expected, f"{url} as {role}: {response.status_code}"


def test_the_demo_is_searchable_once_loaded(app, client, staff, demo):
    """`flask demo load` saves through the models, so the search index is filled with it."""
    from eventsys.search import services

    sign_in(client, staff.secretariat)
    response = client.get("/search?q=Standard")
    assert response.status_code == 200
    found = services.search("Standard")
    kinds = {result.kind.value for result in found.results}
    assert {"topic", "decision", "recommendation", "draft_clause"} <= kinds
    workshop = next(result for result in found.results if result.kind.value == "topic")
    assert workshop.session_title.startswith("Workshop 4") and workshop.topic_number == 5
    assert workshop.link.url.endswith("#top-5")


def test_datenstrategie_finds_the_top_where_cities_presented_theirs(app, client, staff, demo):
    """The secretariat's search of the issue's walk-through: the singular finds the plural."""
    from eventsys.search import services

    found = services.search("Datenstrategie")
    topic = next(result for result in found.results if result.kind.value == "topic")
    assert topic.session_title.startswith("Workshop 4") and topic.link.url.endswith("#top-5")
    sign_in(client, staff.secretariat)
    html = client.get("/search?q=Datenstrategie").get_data(as_text=True)
    assert "<mark>Datenstrategien</mark>" in html
