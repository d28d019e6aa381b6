"""`flask demo load`: a believable platform, loaded once."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.audit.models import AuditEntry
from eventsys.auth.models import User
from eventsys.demo import data
from eventsys.demo.services import load_demo_data, upcoming_day
from eventsys.experts.models import Expert, Organisation, WorkingGroup, working_group_members
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.localtime import from_utc
from eventsys.minutes.models import ActionItem, Guideline, Minutes, Recommendation
from eventsys.minutes.states import MinutesState
from eventsys.roles import Role
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind, SessionStatus

COUNTED = (Organisation, Expert, WorkingGroup, User, Session, AgendaItem, AuditEntry)


def row_counts() -> dict[str, int]:
    counts = {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in COUNTED
    }
    counts["working_group_members"] = db.session.scalar(
        sa.select(sa.func.count()).select_from(working_group_members)
    )
    return counts


@pytest.fixture
def loaded(runner, database_states):
    """The demo platform, loaded by the command once per test process and restored after."""
    result = database_states.restore_or_build("demo", lambda: runner.invoke(args=["demo", "load"]))
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def past_sessions() -> list[Session]:
    titles = [content.title for content in data.PAST_SESSIONS]
    return list(db.session.scalars(sa.select(Session).where(Session.title.in_(titles))))


def upcoming_sessions() -> list[Session]:
    titles = [content.title for content in data.UPCOMING_SESSIONS]
    return list(db.session.scalars(sa.select(Session).where(Session.title.in_(titles))))


def test_load_reports_what_it_created(loaded):
    assert loaded.output.startswith("Created ")
    assert "70 experts" in loaded.output
    assert "4 working groups" in loaded.output
    assert "3 staff accounts" in loaded.output
    assert "10 sessions" in loaded.output


def test_about_seventy_experts_from_all_ten_stakeholder_groups(loaded):
    experts = list(db.session.scalars(sa.select(Expert)))
    assert 65 <= len(experts) <= 75
    groups = {expert.organisation.stakeholder_group for expert in experts}
    assert groups == set(StakeholderGroup)
    inactive = [expert for expert in experts if not expert.active]
    assert 1 <= len(inactive) <= 2
    assert all(expert.first_name and expert.last_name and expert.function for expert in experts)


def test_six_international_partners_each_with_a_country(loaded):
    partners = list(
        db.session.scalars(
            sa.select(Organisation).where(
                Organisation.stakeholder_group == StakeholderGroup.INTERNATIONAL_PARTNERS
            )
        )
    )
    assert len(partners) == 6
    countries = [partner.country for partner in partners]
    assert all(country and len(country) == 2 and country.isupper() for country in countries)
    assert len(set(countries)) == 6
    assert "DE" not in countries
    partner_experts = [expert for partner in partners for expert in partner.experts]
    assert partner_experts and all(expert.language == "en" for expert in partner_experts)
    assert "America/Toronto" in {expert.timezone for expert in partner_experts}
    german_orgs = db.session.scalars(
        sa.select(Organisation).where(
            Organisation.stakeholder_group != StakeholderGroup.INTERNATIONAL_PARTNERS
        )
    )
    assert all(organisation.country is None for organisation in german_orgs)


def test_email_addresses_are_unique_lower_case_and_on_example_org(loaded):
    addresses = list(db.session.scalars(sa.select(Expert.email))) + list(
        db.session.scalars(sa.select(User.email))
    )
    assert len(addresses) == len(set(addresses))
    for address in addresses:
        assert address == address.lower()
        local, _, domain = address.partition("@")
        assert local
        assert domain == "example.org" or domain.endswith(".example.org"), address


def test_deputies_come_from_the_same_organisation_or_stakeholder_group(loaded):
    experts = list(db.session.scalars(sa.select(Expert).where(Expert.deputy_id.is_not(None))))
    assert len(experts) >= 5
    for expert in experts:
        assert expert.deputy is not expert
        assert (
            expert.deputy.organisation is expert.organisation
            or expert.deputy.organisation.stakeholder_group == expert.organisation.stakeholder_group
        )


def test_four_working_groups_of_eight_to_fifteen_members(loaded):
    groups = list(db.session.scalars(sa.select(WorkingGroup)))
    assert len(groups) == 4
    for group in groups:
        assert 8 <= len(group.members) <= 15, group.name
        assert group.description


def test_staff_accounts_organise_every_session(loaded):
    accounts = list(db.session.scalars(sa.select(User)))
    assert Counter(account.role for account in accounts) == {
        Role.ORGANISER: 2,
        Role.SECRETARIAT: 1,
    }
    assert all(account.language == "de" for account in accounts)
    for session in db.session.scalars(sa.select(Session)):
        assert set(session.organisers) == set(accounts)


def test_seven_past_workshops_between_july_2016_and_may_2017(loaded):
    sessions = past_sessions()
    assert len(sessions) == 7
    assert Counter(session.kind for session in sessions) == {
        SessionKind.WORKSHOP: 5,
        SessionKind.INTERNATIONAL_WORKSHOP: 2,
    }
    first, last = datetime(2016, 7, 1, tzinfo=UTC), datetime(2017, 6, 1, tzinfo=UTC)
    for session in sessions:
        assert session.status is SessionStatus.HELD
        assert session.starts_at.tzinfo is not None and session.ends_at.tzinfo is not None
        assert first <= session.starts_at < session.ends_at < last
        assert "Berlin" in session.venue_address or "Bonn" in session.venue_address


def test_three_upcoming_sessions_after_today(loaded):
    sessions = upcoming_sessions()
    assert len(sessions) == 3
    now = datetime.now(UTC)
    for session in sessions:
        assert session.status in (SessionStatus.PLANNED, SessionStatus.CONFIRMED)
        assert now + timedelta(days=14) < session.starts_at < now + timedelta(days=200)
        assert session.rsvp_deadline.tzinfo is not None
        assert session.rsvp_deadline < session.starts_at
        days_before = (
            from_utc(session.starts_at, "Europe/Berlin").date()
            - from_utc(session.rsvp_deadline, "Europe/Berlin").date()
        )
        assert days_before == timedelta(days=7)
    assert sum(session.is_online_only for session in sessions) == 1
    assert sum(session.is_hybrid for session in sessions) == 1
    assert sum(session.capacity is not None for session in sessions) == 1
    assert {session.kind for session in sessions} == {
        SessionKind.PLENARY,
        SessionKind.WORKING_GROUP,
        SessionKind.WORKSHOP,
    }


def test_times_are_berlin_wall_clock_times(loaded):
    for session in db.session.scalars(sa.select(Session)):
        local_start = from_utc(session.starts_at, "Europe/Berlin")
        assert 9 <= local_start.hour <= 14
        assert local_start.weekday() < 5


def test_every_session_has_an_agenda_that_fits_its_length(loaded):
    sessions = list(db.session.scalars(sa.select(Session)))
    assert len(sessions) == 10
    for session in sessions:
        items = session.agenda_items
        assert 4 <= len(items) <= 7, session.title
        assert [item.position for item in items] == list(range(1, len(items) + 1))
        assert session.agenda_duration <= session.duration, session.title
        assert session.agenda_duration >= session.duration * 0.6, session.title
        assert all(item.presenter for item in items if item.position == 1)
    presenters = db.session.scalars(
        sa.select(AgendaItem).where(AgendaItem.presenter_expert_id.is_not(None))
    ).all()
    assert presenters


def test_one_audit_entry_per_created_record(loaded):
    entries = list(db.session.scalars(sa.select(AuditEntry)))
    # The PDFs of the approved minutes are rendered after the commit, and stored by the renderer.
    assert {entry.actor_label for entry in entries if entry.action != "minutes.pdf_stored"} == {
        "demo"
    }
    assert {entry.actor_label for entry in entries if entry.action == "minutes.pdf_stored"} == {
        "document preparation"
    }
    counts = row_counts()
    expected = sum(
        counts[model.__tablename__] for model in (Organisation, Expert, WorkingGroup, User, Session)
    )
    # The plenary's invitations (and the calendar addresses they give the invitees), the
    # minutes and the charter leave entries of their own.
    own_entries = [
        entry
        for entry in entries
        if entry.entity_type in ("invitations", "minutes")
        or entry.entity_type.startswith("charter")
        or entry.action == "feed.created"
    ]
    assert len(entries) - len(own_entries) == expected
    minutes_actions = Counter(
        entry.action for entry in own_entries if entry.entity_type == "minutes"
    )
    assert minutes_actions == {"minutes.created": 7, "minutes.approved": 6, "minutes.pdf_stored": 6}
    charter_actions = Counter(
        entry.action for entry in own_entries if entry.entity_type == "charters"
    )
    assert charter_actions["charter.created"] == 1
    assert Counter(entry.action for entry in entries)["expert.created"] == counts["experts"]


def test_loading_twice_creates_nothing_new(runner, loaded):
    before = row_counts()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Nothing new: the demo data is already loaded."
    assert row_counts() == before


def test_a_later_run_does_not_add_the_upcoming_sessions_again(app):
    first = load_demo_data(date(2030, 3, 4))
    db.session.commit()
    assert first.sessions == 10
    before = row_counts()
    second = load_demo_data(date(2030, 5, 20))
    db.session.commit()
    assert not second.created_anything
    assert row_counts() == before


def test_records_that_already_exist_are_kept_as_they_are(app):
    existing = data.EXPERTS[0]
    organisation = Organisation(
        name=existing.organisation.name, stakeholder_group=existing.organisation.group
    )
    expert = Expert(
        first_name=existing.first_name,
        last_name=existing.last_name,
        email=existing.email,
        organisation=organisation,
        function="Changed since the last load",
    )
    db.session.add_all([organisation, expert])
    db.session.commit()

    summary = load_demo_data(date(2030, 3, 4))
    db.session.commit()

    assert summary.organisations == len({content.organisation for content in data.EXPERTS}) - 1
    assert summary.experts == len(data.EXPERTS) - 1
    assert db.session.scalar(sa.select(Expert.function).where(Expert.email == existing.email)) == (
        "Changed since the last load"
    )


@pytest.mark.parametrize(
    ("today", "days_ahead", "weekday", "expected"),
    [
        (date(2030, 3, 4), 21, 1, date(2030, 3, 26)),  # a Monday; three weeks on is a Monday
        (date(2030, 3, 5), 21, 1, date(2030, 3, 26)),  # exactly on the Tuesday
        (date(2030, 3, 6), 0, 1, date(2030, 3, 12)),
    ],
)
def test_upcoming_day_is_the_next_chosen_weekday(today, days_ahead, weekday, expected):
    assert upcoming_day(today, days_ahead, weekday) == expected


def test_the_next_plenary_has_invitations_with_a_mix_of_answers(app, runner):
    from eventsys.invitations.models import Invitation
    from eventsys.invitations.states import Response
    from eventsys.outbox.models import OutboxMessage

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    invitations = db.session.scalars(sa.select(Invitation)).all()
    assert len({invitation.session_id for invitation in invitations}) == 1
    assert invitations[0].session.title.startswith("Plenum")
    national = [
        invitation
        for invitation in invitations
        if invitation.expert.organisation.stakeholder_group.value != "international_partners"
    ]
    assert len(national) == len(invitations) > 50
    answers = {invitation.response for invitation in invitations}
    assert {Response.ACCEPTED, Response.DECLINED, Response.TENTATIVE, Response.NEEDS_ACTION} <= (
        answers
    )
    mails = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    assert mails >= len(invitations)

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == len(invitations)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == mails


def test_past_workshops_have_minutes_six_approved_and_one_draft(loaded):
    minutes = db.session.scalars(
        sa.select(Minutes).join(Minutes.session).order_by(Session.starts_at)
    ).all()
    assert [entry.state for entry in minutes] == [MinutesState.APPROVED] * 6 + [MinutesState.DRAFT]
    for approved in minutes[:6]:
        [version] = approved.versions
        assert version.pdf.startswith(b"%PDF") and len(version.pdf_sha256) == 64
        assert version.content["topics"], approved.session.title
    draft = minutes[-1]
    assert draft.versions == [] and draft.session.title.startswith("Workshop 5")


def test_demo_recommendations_cover_the_four_guidelines_and_action_items_carry_over(loaded):
    guidelines = db.session.scalars(
        sa.select(Guideline.number).join(Recommendation.guideline).distinct()
    ).all()
    assert sorted(guidelines) == [1, 2, 3, 4]
    closed = db.session.scalars(
        sa.select(ActionItem).where(ActionItem.closed_at.is_not(None))
    ).all()
    assert closed and all(item.closed_in is not None and item.closed_note for item in closed)
    assert all(
        item.closed_in.session.starts_at > item.topic.minutes.session.starts_at for item in closed
    )
    still_open = db.session.scalars(
        sa.select(ActionItem).where(ActionItem.closed_at.is_(None))
    ).all()
    assert still_open


def test_demo_attendance_is_recorded_for_the_past_workshops(loaded):
    statuses = Counter(db.session.scalars(sa.select(Attendee.status)))
    assert statuses[AttendanceStatus.PRESENT] > 100
    assert statuses[AttendanceStatus.EXCUSED] > 10 and statuses[AttendanceStatus.ABSENT] > 0
