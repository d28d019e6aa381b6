"""The consultation services: starting it, comments while it is open, answers, and what
became of a recommendation in a later version."""

import copy
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.audit.models import AuditEntry
from eventsys.charters import consultation
from eventsys.charters import content as charter_text
from eventsys.charters.consultation import ClauseFate, RecipientGroup
from eventsys.charters.errors import CharterError
from eventsys.charters.models import (
    Charter,
    CharterVersion,
    Clause,
    ConsultationComment,
    ConsultationRecipient,
    VersionClause,
)
from eventsys.charters.states import CommentStatus, VersionState
from eventsys.database import utcnow
from eventsys.experts.models import Expert, WorkingGroup
from eventsys.extensions import db
from eventsys.outbox.models import OutboxMessage
from tests.charters.conftest import Workshops, clause_from
from tests.invitations.conftest import make_expert, make_organisation

IN_A_WEEK = timedelta(days=7)


def assign_by_guideline(charter: Charter) -> None:
    """Put every recommendation of the pool into the chapter of its guideline."""
    clauses = db.session.scalars(sa.select(Clause).where(Clause.charter_id == charter.id))
    for clause in clauses:
        clause.chapter = charter.chapters[clause.origins[0].guideline_number - 1]
    db.session.flush()


def make_version(
    charter: Charter,
    major: int = 0,
    minor: int = 1,
    text: dict | None = None,
    state: VersionState = VersionState.WORKING_DRAFT,
) -> CharterVersion:
    """A frozen version made directly from the working text (or from `text`)."""
    text = text or charter_text.with_version(charter_text.working_text(charter), major, minor)
    version = CharterVersion(charter=charter, major=major, minor=minor, content=text, state=state)
    for clause in charter_text.clauses_of(text):
        version.clauses.append(VersionClause(clause_id=clause["id"], number=clause["number"]))
    db.session.add(version)
    db.session.commit()
    return version


def edited(version: CharterVersion, major: int, minor: int, **wordings: str) -> dict:
    """`version`'s text as the next version: clauses named by number get a new German wording
    (None drops them)."""
    text = charter_text.with_version(copy.deepcopy(version.content), major, minor)
    for chapter in text["chapters"]:
        kept = []
        for clause in chapter["clauses"]:
            wording = wordings.get(clause["number"], clause["text_de"])
            if wording is not None:
                kept.append({**clause, "text_de": wording})
        chapter["clauses"] = kept
    return text


def outsider(name: str = "Olaf", active: bool = True) -> Expert:
    """An expert who attended none of the workshops."""
    expert = make_expert(name, "Aussen", make_organisation(f"Verband {name}"), active=active)
    db.session.commit()
    return expert


@pytest.fixture
def version(charter) -> CharterVersion:
    """Version 0.1 of the Smart City Charta with all six recommendations in their chapters."""
    assign_by_guideline(charter)
    return make_version(charter)


@pytest.fixture
def consulted(version, workshops, staff) -> CharterVersion:
    """Version 0.1 in consultation for a week, sent to Anna and Claire."""
    consultation.start(
        version, [workshops.anna, workshops.claire], utcnow() + IN_A_WEEK, staff.organiser
    )
    db.session.commit()
    return version


def clause_id(version: CharterVersion, number: str) -> int:
    return next(
        clause["id"]
        for clause in charter_text.clauses_of(version.content)
        if clause["number"] == number
    )


def outbox_subjects() -> list[tuple[str, str]]:
    return [
        (message.recipient, message.subject)
        for message in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
    ]


# --- Choosing the experts -------------------------------------------------------------------


def test_the_attendees_are_those_present_at_the_sessions_of_the_version(
    version, workshops: Workshops
):
    excused = outsider("Erika")
    db.session.add(
        Attendee(session=workshops.first, expert=excused, status=AttendanceStatus.EXCUSED)
    )
    retired = outsider("Rudi", active=False)
    db.session.add(
        Attendee(session=workshops.first, expert=retired, status=AttendanceStatus.PRESENT)
    )
    db.session.commit()

    attendees = consultation.candidates(version, RecipientGroup.ATTENDEES)
    assert [expert.id for expert in attendees] == [workshops.anna.id, workshops.claire.id]
    everyone = consultation.candidates(version, RecipientGroup.EVERYONE)
    assert {expert.id for expert in everyone} == {
        workshops.anna.id,
        workshops.claire.id,
        excused.id,
    }


def test_a_version_of_one_session_goes_to_that_sessions_attendees(charter, workshops):
    # Only the first workshop's recommendations in the text: Claire was not there.
    for number in ("E-{}.1.1", "E-{}.1.2", "E-{}.2.1"):
        clause = clause_from(charter, number.format(workshops.first.id))
        clause.chapter = charter.chapters[0]
    db.session.flush()
    version = make_version(charter)
    attendees = consultation.candidates(version, RecipientGroup.ATTENDEES)
    assert [expert.id for expert in attendees] == [workshops.anna.id]


def test_a_working_group_means_its_active_members(version, workshops):
    retired = outsider("Rudi", active=False)
    group = WorkingGroup(name="AG Daten", members=[workshops.claire, retired])
    db.session.add(group)
    db.session.commit()
    members = consultation.candidates(version, RecipientGroup.WORKING_GROUP, group)
    assert [expert.id for expert in members] == [workshops.claire.id]
    assert consultation.candidates(version, RecipientGroup.WORKING_GROUP, None) == []


# --- Starting -------------------------------------------------------------------------------


def test_starting_puts_the_version_out_and_queues_one_mail_each(version, workshops, staff):
    deadline = datetime(2099, 12, 31, 23, 0, tzinfo=UTC)  # 01.01.2100, 00:00 in Berlin
    count = consultation.start(version, [workshops.anna, workshops.claire], deadline, staff.admin)
    db.session.commit()

    assert count == 2
    assert version.state is VersionState.CONSULTATION
    assert version.consultation_started_at is not None
    assert version.consultation_deadline == deadline
    assert consultation.last_comment_day(version).isoformat() == "2099-12-31"
    assert consultation.recipient_ids(version) == {workshops.anna.id, workshops.claire.id}
    subjects = dict(outbox_subjects())
    assert set(subjects) == {workshops.anna.email, workshops.claire.email}
    assert subjects[workshops.claire.email] == "Consultation: Smart City Charter, version 0.1"
    assert "Smart City Charta" in subjects[workshops.anna.email]
    assert consultation.comments_open(version)
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "charter.consultation_started")
    )
    assert entry.entity_id == version.id


def test_starting_again_adds_experts_and_moves_the_deadline_without_second_mails(
    consulted, workshops, staff
):
    started_at = consulted.consultation_started_at
    newcomer = outsider()
    later = utcnow() + timedelta(days=30)

    count = consultation.start(
        consulted, [workshops.anna, newcomer, newcomer], later, staff.organiser
    )
    db.session.commit()

    assert count == 1
    assert consulted.consultation_deadline == later
    assert consulted.consultation_started_at == started_at
    rows = db.session.scalars(
        sa.select(ConsultationRecipient.expert_id).where(
            ConsultationRecipient.version_id == consulted.id
        )
    ).all()
    assert sorted(rows) == sorted([workshops.anna.id, workshops.claire.id, newcomer.id])
    recipients = [recipient for recipient, _subject in outbox_subjects()]
    assert recipients.count(workshops.anna.email) == 1
    assert recipients.count(newcomer.email) == 1


def test_inactive_experts_are_skipped_and_someone_must_be_left(version, workshops, staff):
    retired = outsider("Rudi", active=False)
    with pytest.raises(CharterError):
        consultation.start(version, [retired], utcnow() + IN_A_WEEK, staff.organiser)
    with pytest.raises(CharterError):
        consultation.start(version, [], utcnow() + IN_A_WEEK, staff.organiser)
    assert version.state is VersionState.WORKING_DRAFT

    count = consultation.start(
        version, [retired, workshops.anna], utcnow() + IN_A_WEEK, staff.organiser
    )
    assert count == 1
    assert consultation.recipient_ids(version) == {workshops.anna.id}


@pytest.mark.parametrize("case", ["secretariat", "past deadline", "adopted"])
def test_starting_is_refused(version, workshops, staff, case):
    user, deadline = staff.organiser, utcnow() + IN_A_WEEK
    if case == "secretariat":
        user = staff.secretariat
    elif case == "past deadline":
        deadline = utcnow() - timedelta(minutes=1)
    else:
        version.state = VersionState.ADOPTED
        db.session.commit()
    with pytest.raises(CharterError):
        consultation.start(version, [workshops.anna], deadline, user)
    assert consultation.recipient_ids(version) == set()
    assert outbox_subjects() == []


# --- Comments -------------------------------------------------------------------------------


def test_comments_on_a_recommendation_a_chapter_and_the_whole(consulted, workshops):
    anna = workshops.anna
    on_clause = consultation.add_comment(
        consulted, anna, chapter_id=None, clause_id=clause_id(consulted, "3.1"), text=" Zu eng. "
    )
    chapter = consulted.content["chapters"][1]
    on_chapter = consultation.add_comment(
        consulted, anna, chapter_id=chapter["id"], clause_id=None, text="Fehlt: Inklusion."
    )
    on_whole = consultation.add_comment(
        consulted, anna, chapter_id=None, clause_id=None, text="Insgesamt gut."
    )
    db.session.commit()

    assert on_clause.text == "Zu eng."
    assert on_clause.chapter_id == consulted.content["chapters"][2]["id"]
    assert (on_chapter.chapter_id, on_chapter.clause_id) == (chapter["id"], None)
    assert (on_whole.chapter_id, on_whole.clause_id) == (None, None)
    assert all(c.status is CommentStatus.OPEN for c in (on_clause, on_chapter, on_whole))
    actors = db.session.scalars(
        sa.select(AuditEntry.actor_label).where(AuditEntry.action == "charter.commented")
    ).all()
    assert actors == [anna.email] * 3


def test_a_recommendation_outside_the_version_is_refused(consulted, charter, workshops):
    # A recommendation that arrives in the pool after freezing is not part of version 0.1.
    late = Clause(charter=charter, text_de="Neu nach dem Einfrieren.", chapter=charter.chapters[0])
    db.session.add(late)
    db.session.commit()
    in_version = clause_id(consulted, "1.1")
    second_chapter = consulted.content["chapters"][1]["id"]
    attempts = [
        {"chapter_id": None, "clause_id": late.id},
        {"chapter_id": None, "clause_id": 0},
        {"chapter_id": second_chapter, "clause_id": in_version},
        {"chapter_id": 999999, "clause_id": None},
    ]
    for place in attempts:
        with pytest.raises(CharterError):
            consultation.add_comment(consulted, workshops.anna, text="Text", **place)
    assert db.session.scalar(sa.select(sa.func.count(ConsultationComment.id))) == 0


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_empty_or_overlong_comments_are_refused(consulted, workshops, text):
    with pytest.raises(CharterError):
        consultation.add_comment(
            consulted, workshops.anna, chapter_id=None, clause_id=None, text=text
        )


def test_only_recipients_comment_and_only_until_the_deadline(consulted, workshops):
    with pytest.raises(CharterError):
        consultation.add_comment(
            consulted, outsider(), chapter_id=None, clause_id=None, text="Ich auch."
        )
    consulted.consultation_deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not consultation.comments_open(consulted)
    with pytest.raises(CharterError):
        consultation.add_comment(
            consulted, workshops.anna, chapter_id=None, clause_id=None, text="Zu spät."
        )


def test_a_working_draft_takes_no_comments(version, workshops):
    assert not consultation.comments_open(version)


# --- Answers --------------------------------------------------------------------------------


def test_answering_and_resolving(consulted, workshops, staff):
    comment = consultation.add_comment(
        consulted, workshops.claire, chapter_id=None, clause_id=None, text="Please add a glossary."
    )
    with pytest.raises(CharterError):
        consultation.answer(comment, "  ", staff.secretariat, resolve=False)
    with pytest.raises(CharterError):
        consultation.answer(comment, "x" * 5001, staff.secretariat, resolve=True)
    assert comment.status is CommentStatus.OPEN

    consultation.answer(comment, "Wir nehmen es auf.", staff.secretariat, resolve=False)
    assert comment.status is CommentStatus.ANSWERED
    assert comment.answer == "Wir nehmen es auf." and comment.answered_by == staff.secretariat
    assert comment.answered_at is not None

    consultation.answer(comment, "", staff.organiser, resolve=True)
    assert comment.status is CommentStatus.RESOLVED
    assert comment.answer == "Wir nehmen es auf."  # resolving without an answer keeps it
    assert comment.answered_by == staff.organiser


def test_open_comments_are_counted_per_recommendation(consulted, workshops, staff):
    first, second = clause_id(consulted, "1.1"), clause_id(consulted, "4.1")
    for text in ("a", "b"):
        consultation.add_comment(
            consulted, workshops.anna, chapter_id=None, clause_id=first, text=text
        )
    answered = consultation.add_comment(
        consulted, workshops.anna, chapter_id=None, clause_id=second, text="c"
    )
    consultation.add_comment(consulted, workshops.claire, chapter_id=None, clause_id=None, text="d")
    consultation.answer(answered, "Erledigt.", staff.secretariat, resolve=True)

    assert consultation.comment_counts(consulted) == {first: 2, None: 1}
    assert consultation.status_counts(consulted) == {
        CommentStatus.OPEN: 3,
        CommentStatus.ANSWERED: 0,
        CommentStatus.RESOLVED: 1,
    }


# --- Later versions -------------------------------------------------------------------------


def test_what_became_of_each_recommendation_in_the_newest_later_version(
    consulted, charter, workshops
):
    assert consultation.later_version(consulted) is None
    second = make_version(charter, 0, 2, edited(consulted, 0, 2, **{"1.1": "Neu gefasst."}))
    third = make_version(
        charter, 0, 3, edited(second, 0, 3, **{"1.1": "Neu gefasst.", "2.1": None})
    )

    assert consultation.later_version(consulted).id == third.id
    assert consultation.later_version(second).id == third.id
    assert consultation.later_version(third) is None
    fates = consultation.clause_fates(consulted, third)
    assert fates[clause_id(consulted, "1.1")] is ClauseFate.CHANGED
    assert fates[clause_id(consulted, "2.1")] is ClauseFate.REMOVED
    assert fates[clause_id(consulted, "3.1")] is ClauseFate.UNCHANGED
    assert list(fates.values()).count(ClauseFate.UNCHANGED) == 4


def test_a_release_counts_as_later_than_every_draft_version(consulted, charter):
    release = make_version(charter, 1, 0, edited(consulted, 1, 0))
    assert consultation.later_version(consulted).id == release.id
