"""Every route declares who may use it; each is requested as every role and as a visitor.

The route list is read from the app itself, so a new route is covered (and must declare its
audience) without anyone remembering to add it here. One test per route asks it as each
audience in turn, each time on the records as they were first made (restored in between, so
that one audience's POST cannot change what the next one sees) and with a client and app
context of its own.
"""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.routing import Rule

from eventsys import create_app
from eventsys.attendance.models import Attendee
from eventsys.charters import charters
from eventsys.charters import content as charter_text
from eventsys.charters.models import CharterVersion, Clause, ConsultationComment, VersionClause
from eventsys.documents.models import PreparationState, PreparedDocument
from eventsys.experts.import_jobs import ImportJob, JobState
from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations.models import DeputyProposal, Invitation
from eventsys.minutes import snapshot
from eventsys.minutes.models import (
    ActionItem,
    Decision,
    Guideline,
    Minutes,
    MinutesComment,
    MinutesTopic,
    MinutesVersion,
    Recommendation,
)
from eventsys.outbox import services as outbox
from eventsys.roles import Role
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind
from tests.conftest import base_config, sign_in

VISITOR = "visitor"
AUDIENCES = [VISITOR, Role.ADMIN, Role.ORGANISER, Role.SECRETARIAT]


def _routes() -> list[Rule]:
    app = create_app(base_config("sqlite://"), instance_path="/tmp/eventsys-route-listing")
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: rule.rule,
    )


ROUTES = _routes()


@pytest.fixture
def records_state(app, staff, database_states):
    """One record of each kind, so that every URL parameter can be filled: made once per test
    process, restored for each test and, within a test, for each audience."""
    return database_states.state("access-records", lambda: make_records(staff))


@pytest.fixture
def records(records_state) -> dict[str, object]:
    return records_state.result


def make_records(staff) -> dict[str, object]:
    organisation = Organisation(name="Stadt Ulm", stakeholder_group=StakeholderGroup.MUNICIPALITIES)
    expert = Expert(
        first_name="Anna", last_name="Beispiel", email="anna@example.org", organisation=organisation
    )
    group = WorkingGroup(name="AG Daten", members=[expert])
    start = datetime(2030, 5, 6, 8, 0, tzinfo=UTC)
    session = Session(
        title="Workshop",
        kind=SessionKind.WORKSHOP,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        # Responsible organisers, so that the routes only they may use (their choice of answer
        # notices) answer them; the secretariat is refused there.
        organisers=[staff.admin, staff.organiser],
    )
    session.agenda_items.append(AgendaItem(position=1, title="Begrüßung", duration_minutes=15))
    invitation = Invitation(session=session, expert=expert)
    proposal = DeputyProposal(
        invitation=invitation, first_name="Marc", last_name="Gagnon", email="marc@example.org"
    )
    db.session.add_all([organisation, expert, group, session, invitation, proposal])
    message = outbox.queue("test", outbox.compose("anna@example.org", "Hallo", "Text"))
    attendee = Attendee(session=session, expert=expert, invitation=invitation)
    topic = MinutesTopic(position=1, title="Begrüßung", discussion="Text")
    # Version 1 is approved and version 2 is being written, as after a correction was started.
    minutes = Minutes(session=session, topics=[topic], version_number=2)
    topic.decisions.append(Decision(position=1, text="Beschluss"))
    topic.action_items.append(ActionItem(position=1, text="Aufgabe", owner_expert=expert))
    guideline = db.session.scalars(sa.select(Guideline)).first()
    topic.recommendations.append(Recommendation(position=1, text="Empfehlung", guideline=guideline))
    comment = MinutesComment(
        minutes=minutes, topic=topic, expert=expert, version_number=1, text="?"
    )
    db.session.add_all([attendee, minutes, comment])
    db.session.flush()
    content = snapshot.take(minutes)  # a stored version always holds the whole minutes
    version = MinutesVersion(
        minutes=minutes, number=1, content=content, pdf=b"%PDF-1.7", pdf_sha256="0"
    )
    db.session.add(version)
    db.session.flush()
    charter = charters.create_charter("Charta", "Charter", staff.admin)
    clause = db.session.scalars(sa.select(Clause).where(Clause.charter_id == charter.id)).first()
    clause.chapter = charter.chapters[0]
    db.session.flush()
    charter_version = CharterVersion(
        charter=charter, major=0, minor=1, content=charter_text.working_text(charter)
    )
    charter_version.clauses.append(VersionClause(clause=clause, number="1.1"))
    charter_comment = ConsultationComment(version=charter_version, expert=expert, text="?")
    failed_document = PreparedDocument(
        fingerprint="0" * 64,
        subject=f"minutes-draft:{session.id}:de",
        html="<p>x</p>",
        state=PreparationState.FAILED,
        failure="test",
    )
    import_job = ImportJob(rows_total=0, report={"dry_run": True, "rows": []})
    import_job.state = JobState.DONE
    db.session.add_all([charter_comment, failed_document, import_job])
    db.session.commit()
    return {
        "job_id": import_job.id,
        "expert_id": expert.id,
        "organisation_id": organisation.id,
        "group_id": group.id,
        "session_id": session.id,
        "item_id": session.agenda_items[0].id,
        "invitation_id": invitation.id,
        "proposal_id": proposal.id,
        "document_id": failed_document.id,
        "user_id": staff.organiser.id,
        "message_id": message.id,
        "token": "not-a-valid-token",
        "answer": "accepted",
        "attendee_id": attendee.id,
        "topic_id": topic.id,
        "decision_id": topic.decisions[0].id,
        "action_item_id": topic.action_items[0].id,
        "recommendation_id": topic.recommendations[0].id,
        "comment_id": comment.id,
        "version_number": version.number,
        "year": 2030,
        "charter_id": charter.id,
        "chapter_id": charter.chapters[0].id,
        "clause_id": clause.id,
        "major": 0,
        "minor": 1,
        "charter_comment_id": charter_comment.id,
        "page": "privacy",
        "kind": "xlsx",
    }


def route_url(rule: Rule, records: dict[str, object]) -> str:
    return rule.build({name: records[name] for name in rule.arguments}, append_unknown=False)[1]


def test_every_route_declares_its_audience():
    app = create_app(base_config("sqlite://"), instance_path="/tmp/eventsys-route-listing")
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not hasattr(app.view_functions[rule.endpoint], "allowed_roles")
    ]
    assert undeclared == []


@pytest.mark.parametrize("rule", ROUTES, ids=lambda rule: f"{rule.endpoint}")
def test_route_answers_each_audience(app, staff, records_state, rule):
    allowed = app.view_functions[rule.endpoint].allowed_roles
    url = route_url(rule, records_state.result)
    method = "GET" if "GET" in rule.methods else "POST"
    for number, audience in enumerate(AUDIENCES):
        if number:
            records_state.restore()
        with app.app_context():  # a context (and `g`) of its own, as a separate request has
            client = app.test_client()
            if audience != VISITOR:
                sign_in(client, staff.by_role(audience))
            response = client.open(url, method=method, data={})
            assert_answer(rule, allowed, audience, method, url, response)


def assert_answer(rule, allowed, audience, method, url, response) -> None:
    assert response.status_code != 500, f"{method} {url} failed for {audience}"
    if allowed is None:  # public
        assert response.status_code not in (401, 403)
    elif audience == VISITOR:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    elif audience in allowed:
        assert response.status_code not in (401, 403), f"{audience} refused at {method} {url}"
        if rule.endpoint != "auth.logout":  # signing out rightly ends on the sign-in page
            assert not response.headers.get("Location", "").startswith("/login")
    else:
        assert response.status_code == 403, f"{audience} let in at {method} {url}"


@pytest.fixture
def csrf_app_config():
    return {"WTF_CSRF_ENABLED": True}


POST_ROUTES = [rule for rule in ROUTES if "POST" in rule.methods]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], ids=["csrf-on"])
@pytest.mark.parametrize("rule", POST_ROUTES, ids=lambda rule: rule.endpoint)
def test_posts_without_csrf_token_are_refused(app, client, staff, records, rule):
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(client, staff.admin)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(route_url(rule, records), data={})
    assert response.status_code == 400
    assert "Formular abgelaufen" in response.get_data(as_text=True)


@pytest.mark.parametrize("audience", AUDIENCES, ids=str)
def test_search_with_results_answers_staff_only(app, staff, records, audience):
    """The route walk above asks /search without a query; with one, results from the records'
    minutes and charter are shown to staff only."""
    client = app.test_client()
    if audience != VISITOR:
        sign_in(client, staff.by_role(audience))
    response = client.get("/search?q=Beschluss")
    if audience == VISITOR:
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 200
        assert "<mark>Beschluss</mark>" in response.get_data(as_text=True)
