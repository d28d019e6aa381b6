"""Writing minutes through the services: the working copy from the agenda, saves that change
everything or nothing, conflicts, frozen minutes, and action items carried over."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.i18n import local
from eventsys.markup import MAX_NESTING_DEPTH
from eventsys.minutes import action_items, editing
from eventsys.minutes.changes import (
    ActionItemChange,
    DecisionChange,
    MinutesChanges,
    RecommendationChange,
    TopicChange,
)
from eventsys.minutes.errors import EditConflict, MinutesError, MinutesFrozen
from eventsys.minutes.models import ActionItem, Decision, Minutes, MinutesTopic, Recommendation
from eventsys.minutes.states import MinutesState
from eventsys.minutes.validation import InvalidMinutes
from tests.conftest import reading_english
from tests.minutes.conftest import guideline, make_plenary


@pytest.fixture
def staff(staff):
    return reading_english(staff)


def reloaded(minutes: Minutes) -> Minutes:
    """The minutes as another request would read them."""
    db.session.commit()
    db.session.expire_all()
    return editing.load_minutes(minutes.session_id)


def audit_actions(entity: object) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(
                AuditEntry.entity_type == entity.__tablename__, AuditEntry.entity_id == entity.id
            )
            .order_by(AuditEntry.id)
        )
    )


def row_ids(minutes: Minutes) -> dict[str, list[int]]:
    return {
        "topics": [topic.id for topic in minutes.topics],
        "decisions": [row.id for topic in minutes.topics for row in topic.decisions],
        "action_items": [row.id for topic in minutes.topics for row in topic.action_items],
        "recommendations": [row.id for topic in minutes.topics for row in topic.recommendations],
    }


def with_topic(changes: MinutesChanges, index: int, **fields) -> MinutesChanges:
    topics = list(changes.topics)
    topics[index] = replace(topics[index], **fields)
    return replace(changes, topics=tuple(topics))


# The working copy


def test_new_minutes_have_one_topic_per_agenda_item(app, staff):
    session = make_plenary(["Begrüßung", "Datenstrategien", "Verschiedenes"])
    db.session.commit()

    minutes = editing.minutes_for(session, staff.secretariat)
    db.session.commit()

    assert [(topic.position, topic.title) for topic in minutes.topics] == [
        (1, "Begrüßung"),
        (2, "Datenstrategien"),
        (3, "Verschiedenes"),
    ]
    assert [topic.agenda_item_id for topic in minutes.topics] == [
        item.id for item in session.agenda_items
    ]
    assert minutes.revision == 1
    assert audit_actions(minutes) == ["minutes.created"]
    assert editing.minutes_for(session, staff.organiser).id == minutes.id
    assert db.session.scalar(sa.select(sa.func.count(Minutes.id))) == 1


def test_a_session_without_agenda_gets_one_general_topic(app, staff):
    session = make_plenary([])
    db.session.commit()

    minutes = editing.minutes_for(session, staff.secretariat)

    assert [(topic.position, topic.title, topic.agenda_item_id) for topic in minutes.topics] == [
        (1, "General", None)
    ]


# Saving


def test_a_save_applies_the_general_part_and_every_topic_at_once(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    before = row_ids(minutes)
    changes = editing.changes_from(minutes)
    first = changes.topics[0]
    changes = replace(changes, opening="Eröffnung durch die Leitung.", next_session_date=None)
    changes = with_topic(
        changes,
        0,
        discussion="Neuer **Text**.",
        decisions=(*first.decisions, DecisionChange(key="new-decision", text="Noch ein Beschluss")),
        action_items=(
            replace(
                first.action_items[0],
                owner_expert_id=None,
                owner_organisation_id=record.people.bbsr.id,
            ),
            first.action_items[1],
        ),
        recommendations=first.recommendations[1:],
    )
    changes = replace(
        changes,
        topics=(
            *changes.topics,
            TopicChange(
                key="new-topic",
                title="Zusätzlicher Punkt",
                discussion="Nicht auf der Tagesordnung.",
                recommendations=(
                    RecommendationChange(
                        key="new-recommendation",
                        text="Offene Standards nutzen",
                        guideline_id=guideline(4).id,
                        actors="Bund",
                    ),
                ),
            ),
        ),
    )

    editing.save(minutes, changes, based_on_revision=1, user=staff.secretariat)
    ids = editing.saved_ids(minutes, changes)
    minutes = reloaded(minutes)

    assert minutes.revision == 2
    assert minutes.updated_by_id == staff.secretariat.id
    assert minutes.opening == "Eröffnung durch die Leitung."
    assert minutes.next_session_date is None
    top_1 = minutes.topics[0]
    assert top_1.discussion == "Neuer **Text**."
    assert [decision.text for decision in top_1.decisions] == [
        "Die Plattform beschließt Vorschlag 1a.",
        "Die Plattform vertagt Vorschlag 1b.",
        "Noch ein Beschluss",
    ]
    assert top_1.decisions[2].id == ids["new-decision"]
    assert top_1.action_items[0].owner_organisation_id == record.people.bbsr.id
    assert top_1.action_items[0].owner_expert_id is None
    assert [(r.position, r.text) for r in top_1.recommendations] == [
        (1, "Der Bund fördert gemeinsame Plattformen (Empfehlung 1).")
    ]
    added = minutes.topics[3]
    assert (added.position, added.title, added.agenda_item_id) == (4, "Zusätzlicher Punkt", None)
    assert added.id == ids["new-topic"]
    assert [(r.text, r.guideline.number, r.actors) for r in added.recommendations] == [
        ("Offene Standards nutzen", 4, "Bund")
    ]
    # Everything that was there before keeps its id, except the recommendation removed.
    after = row_ids(minutes)
    assert after["topics"][:3] == before["topics"]
    assert after["decisions"][:2] == before["decisions"][:2]
    assert after["action_items"] == before["action_items"]
    assert before["recommendations"][0] not in after["recommendations"]
    assert set(before["recommendations"][1:]) <= set(after["recommendations"])
    assert audit_actions(minutes) == ["minutes.saved"]
    summary = db.session.scalar(
        sa.select(AuditEntry.summary).where(AuditEntry.action == "minutes.saved")
    )
    assert "revision 2" in summary
    assert "1 TOP added" in summary
    assert "1 recommendation removed" in summary


def test_topics_move_and_leave_without_breaking_their_numbering(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    first, second, third = (topic.id for topic in minutes.topics)
    changes = editing.changes_from(minutes)
    reordered = replace(changes, topics=(changes.topics[2], changes.topics[0]))

    editing.save(minutes, reordered, based_on_revision=1, user=staff.secretariat)
    minutes = reloaded(minutes)

    assert [(topic.position, topic.id) for topic in minutes.topics] == [(1, third), (2, first)]
    assert db.session.get(MinutesTopic, second) is None
    assert minutes.topics[0].title == "Bericht aus dem Forschungscluster"
    assert len(minutes.topics[0].decisions) == 2


def test_saving_twice_keeps_every_id(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    before = row_ids(minutes)
    changes = editing.changes_from(minutes)
    changes = with_topic(changes, 1, discussion="Geändert.")

    editing.save(minutes, changes, based_on_revision=1, user=staff.secretariat)
    minutes = reloaded(minutes)
    changes = with_topic(editing.changes_from(minutes), 2, title="Bericht (geändert)")
    editing.save(minutes, changes, based_on_revision=2, user=staff.secretariat)
    minutes = reloaded(minutes)

    assert minutes.revision == 3
    assert row_ids(minutes) == before


def test_a_save_that_changes_nothing_keeps_the_revision(app, staff, record):
    minutes = editing.load_minutes(record.session.id)

    editing.save(
        minutes, editing.changes_from(minutes), based_on_revision=1, user=staff.secretariat
    )
    minutes = reloaded(minutes)

    assert minutes.revision == 1
    assert audit_actions(minutes) == []


def test_a_row_someone_else_removed_comes_back_as_a_new_row(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    changes = editing.changes_from(minutes)
    removed = minutes.topics[0].decisions[0]
    removed_id = removed.id
    db.session.delete(removed)
    db.session.commit()

    editing.save(minutes, changes, based_on_revision=1, user=staff.secretariat)
    minutes = reloaded(minutes)

    decisions = minutes.topics[0].decisions
    assert [decision.text for decision in decisions] == [
        "Die Plattform beschließt Vorschlag 1a.",
        "Die Plattform vertagt Vorschlag 1b.",
    ]
    assert removed_id not in [decision.id for decision in decisions]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda topic, record: {"title": "  "}, "topics-0-title"),
        (lambda topic, record: {"title": "x" * 301}, "topics-0-title"),
        (lambda topic, record: {"title": "zwei\nZeilen"}, "topics-0-title"),
        (
            lambda topic, record: {"discussion": ">" * (MAX_NESTING_DEPTH + 2) + " tief"},
            "topics-0-discussion",
        ),
        (lambda topic, record: {"discussion": "a" * 50_001}, "topics-0-discussion"),
        (lambda topic, record: {"discussion": "x" * 1_001}, "topics-0-discussion"),
        (
            lambda topic, record: {"decisions": (replace(topic.decisions[0], text=" "),)},
            "topics-0-decisions-0-text",
        ),
        (
            lambda topic, record: {
                "action_items": (replace(topic.action_items[0], owner_expert_id=999_999),)
            },
            "topics-0-action_items-0-owner",
        ),
        (
            lambda topic, record: {
                "action_items": (
                    replace(topic.action_items[0], owner_organisation_id=record.people.koeln.id),
                )
            },
            "topics-0-action_items-0-owner",
        ),
        (
            lambda topic, record: {
                "action_items": (replace(topic.action_items[0], due_date="morgen"),)
            },
            "topics-0-action_items-0-due_date",
        ),
        (
            lambda topic, record: {
                "recommendations": (replace(topic.recommendations[0], guideline_id=None),)
            },
            "topics-0-recommendations-0-guideline",
        ),
        (
            lambda topic, record: {
                "recommendations": (replace(topic.recommendations[0], guideline_id=999),)
            },
            "topics-0-recommendations-0-guideline",
        ),
        (
            lambda topic, record: {
                "recommendations": (replace(topic.recommendations[0], actors="a" * 501),)
            },
            "topics-0-recommendations-0-actors",
        ),
    ],
)
def test_invalid_changes_change_nothing(app, staff, record, change, field):
    minutes = editing.load_minutes(record.session.id)
    before = row_ids(minutes)
    changes = editing.changes_from(minutes)
    # A valid change in the same save must not be applied either.
    changes = replace(changes, opening="Darf nicht gespeichert werden.")
    changes = with_topic(changes, 0, **change(changes.topics[0], record))

    with pytest.raises(InvalidMinutes) as refused:
        editing.save(minutes, changes, based_on_revision=1, user=staff.secretariat)
    minutes = reloaded(minutes)

    assert field in refused.value.problems
    assert refused.value.problems[field]
    assert minutes.revision == 1
    assert minutes.opening == "Frau Dr. Schmidt begrüßt die Teilnehmenden."
    assert row_ids(minutes) == before
    assert audit_actions(minutes) == []


def test_every_problem_is_reported_at_once(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    changes = editing.changes_from(minutes)
    changes = with_topic(changes, 0, title="")
    changes = with_topic(
        changes,
        1,
        action_items=(
            ActionItemChange(key="topics-1-action_items-9", text="", owner_expert_id=999_999),
        ),
    )

    with pytest.raises(InvalidMinutes) as refused:
        editing.save(minutes, changes, based_on_revision=1, user=staff.secretariat)

    assert set(refused.value.problems) == {
        "topics-0-title",
        "topics-1-action_items-9-text",
        "topics-1-action_items-9-owner",
    }


# Two people at once


def test_a_save_based_on_an_older_revision_is_a_conflict(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    changes = editing.changes_from(minutes)
    editing.save(
        minutes,
        with_topic(changes, 0, discussion="Fassung der Geschäftsstelle"),
        based_on_revision=1,
        user=staff.secretariat,
    )
    minutes = reloaded(minutes)

    with pytest.raises(EditConflict) as conflict:
        editing.save(
            minutes,
            with_topic(changes, 0, discussion="Fassung der Organisatorin"),
            based_on_revision=1,
            user=staff.organiser,
        )
    minutes = reloaded(minutes)

    message = str(conflict.value)
    assert staff.secretariat.name in message
    assert local(minutes.updated_at).strftime("%H:%M") in message
    assert minutes.revision == 2
    assert minutes.topics[0].discussion == "Fassung der Geschäftsstelle"


def test_the_database_decides_a_race_between_two_saves(app, staff, record):
    """The second of two saves that both read revision 1 is refused by the UPDATE itself."""
    minutes = editing.load_minutes(record.session.id)
    changes = editing.changes_from(minutes)
    db.session.execute(
        sa.text("UPDATE minutes SET revision = 2, updated_by_id = :user WHERE id = :id"),
        {"user": staff.organiser.id, "id": minutes.id},
    )
    assert minutes.revision == 1  # this request still believes it is the first

    with pytest.raises(EditConflict) as conflict:
        editing.save(
            minutes,
            with_topic(changes, 0, discussion="Zu spät"),
            based_on_revision=1,
            user=staff.secretariat,
        )
    minutes = reloaded(minutes)

    assert staff.organiser.name in str(conflict.value)
    assert minutes.revision == 2
    assert minutes.topics[0].discussion != "Zu spät"


def test_a_conflict_with_oneself_says_so(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    changes = editing.changes_from(minutes)
    editing.save(
        minutes, replace(changes, opening="Erste Fassung"), based_on_revision=1, user=staff.admin
    )

    with pytest.raises(EditConflict) as conflict:
        editing.save(
            minutes, replace(changes, opening="Zweite"), based_on_revision=1, user=staff.admin
        )

    assert "another window" in str(conflict.value)


# Frozen minutes


@pytest.fixture
def approved(record):
    minutes = record.minutes
    minutes.state = MinutesState.APPROVED
    db.session.commit()
    return editing.load_minutes(record.session.id)


def test_approved_minutes_refuse_a_save_before_the_database_must(app, staff, record, approved):
    changes = replace(editing.changes_from(approved), opening="Nachträglich geändert")

    with pytest.raises(MinutesFrozen) as refused:
        editing.save(approved, changes, based_on_revision=1, user=staff.secretariat)

    assert "correction" in str(refused.value)
    assert reloaded(approved).opening == "Frau Dr. Schmidt begrüßt die Teilnehmenden."


def test_approved_minutes_refuse_closing_and_reopening(app, staff, record, approved):
    with pytest.raises(MinutesFrozen):
        action_items.close_action_item(record.still_open, approved, "erledigt", staff.secretariat)
    with pytest.raises(MinutesFrozen):
        action_items.reopen_action_item(record.closed_here, approved, staff.secretariat)
    db.session.rollback()
    assert db.session.get(ActionItem, record.still_open.id).closed_at is None


def test_minutes_approved_meanwhile_refuse_the_save(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    db.session.execute(
        sa.text("UPDATE minutes SET state = 'approved' WHERE id = :id"), {"id": minutes.id}
    )

    with pytest.raises(MinutesFrozen):
        editing.save(
            minutes,
            replace(editing.changes_from(minutes), opening="x"),
            based_on_revision=1,
            user=staff.secretariat,
        )


# Action items carried over


def test_closing_a_carried_over_action_item_is_recorded(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    item = record.still_open

    action_items.close_action_item(item, minutes, "  Leitfaden liegt vor.  ", staff.secretariat)
    db.session.commit()
    db.session.expire_all()

    item = db.session.get(ActionItem, item.id)
    assert item.closed_at is not None
    assert item.closed_in_minutes_id == minutes.id
    assert item.closed_note == "Leitfaden liegt vor."
    assert audit_actions(item) == ["action_item.closed"]
    # These minutes still list it, as closed here; the next session's do not.
    assert item in action_items.open_before(record.session)
    later = make_plenary(
        ["Rückblick"], title="6. Plenum", starts_at=datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    )
    db.session.commit()
    assert item not in action_items.open_before(later)

    with pytest.raises(MinutesError):
        action_items.close_action_item(item, minutes, "", staff.secretariat)


def test_reopening_undoes_the_closing(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    item = record.closed_here

    action_items.reopen_action_item(item, minutes, staff.secretariat)
    db.session.commit()
    db.session.expire_all()

    item = db.session.get(ActionItem, item.id)
    assert (item.closed_at, item.closed_in_minutes_id, item.closed_note) == (None, None, "")
    assert audit_actions(item) == ["action_item.reopened"]
    with pytest.raises(MinutesError):
        action_items.reopen_action_item(item, minutes, staff.secretariat)


def test_only_action_items_of_earlier_sessions_are_closed_this_way(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    own_item = minutes.topics[0].action_items[0]

    with pytest.raises(MinutesError):
        action_items.close_action_item(own_item, minutes, "", staff.secretariat)
    earlier = editing.load_minutes(record.earlier.id)
    with pytest.raises(MinutesError):
        # An earlier session's minutes cannot close what a later session recorded.
        action_items.close_action_item(own_item, earlier, "", staff.secretariat)
    assert own_item.closed_at is None


def test_carried_over_items_come_with_their_session_and_number(app, staff, record):
    entries = action_items.carried_over(record.session)

    assert [(entry.number, entry.session.title) for entry in entries] == [
        (f"A-{record.earlier.id}.1.1", "4. Plenum"),
        (f"A-{record.earlier.id}.1.2", "4. Plenum"),
    ]
    assert [entry.item.id for entry in entries] == [record.still_open.id, record.closed_here.id]


def test_the_owner_list_offers_active_experts_and_current_owners(app, staff, record):
    record.people.anna.active = False  # owns action items in these minutes
    record.people.frank.active = False
    db.session.commit()
    minutes = editing.load_minutes(record.session.id)

    experts, organisations = editing.owner_candidates(minutes)

    names = [expert.last_name for expert in experts]
    assert "Schmidt" in names
    assert "Ohnesorg" not in names
    assert [organisation.name for organisation in organisations] == sorted(
        organisation.name for organisation in organisations
    )
    assert [guideline.number for guideline in editing.guidelines()] == [1, 2, 3, 4]


def test_rows_are_stored_in_the_order_given(app, staff, record):
    minutes = editing.load_minutes(record.session.id)
    changes = editing.changes_from(minutes)
    topic = changes.topics[0]
    changes = with_topic(changes, 0, decisions=(topic.decisions[1], topic.decisions[0]))

    editing.save(minutes, changes, based_on_revision=1, user=staff.secretariat)
    minutes = reloaded(minutes)

    texts = [(decision.position, decision.text) for decision in minutes.topics[0].decisions]
    assert texts == [
        (1, "Die Plattform vertagt Vorschlag 1b."),
        (2, "Die Plattform beschließt Vorschlag 1a."),
    ]
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 6
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == 6
    assert minutes.next_session_date == date(2026, 6, 18)
