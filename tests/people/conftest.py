"""An expert with a history in every part: Dr. Anna Schmidt of the minutes' record (present at
the 5th plenary, owner of its action items), invited three times, commenting on minutes and on
a charter version, and sent mail about an invitation and about a consultation."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import flask_babel
import pytest

from eventsys.charters import content as charter_text
from eventsys.charters.models import (
    Chapter,
    Charter,
    CharterVersion,
    Clause,
    ConsultationComment,
    VersionClause,
)
from eventsys.charters.states import CommentStatus, VersionState
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Channel, Response
from eventsys.minutes.models import MinutesComment
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.sessions.models import Session
from tests.conftest import reading_english
from tests.minutes.conftest import PLENARY_STARTS_AT, Record, build_record, make_plenary

ANSWERED_AT = datetime(2026, 2, 20, 15, 30, tzinfo=UTC)  # 16:30 in Berlin


@pytest.fixture(autouse=True)
def language_chosen_per_request(app):
    """Each request chooses its language afresh, as in production (see the charters' tests:
    the requests share the test's app context, where Flask-Babel keeps the first language)."""
    app.before_request_funcs.setdefault(None, []).append(flask_babel.refresh)


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@dataclass
class Histories:
    record: Record
    anna: Expert
    accepted: Invitation  # to the 5th plenary, by link
    declined: Invitation  # to the 4th, by calendar
    withdrawn: Invitation
    later: Session  # the session of the withdrawn invitation
    minutes_comment: MinutesComment
    version: CharterVersion
    on_clause: ConsultationComment  # on recommendation 2.1
    on_whole: ConsultationComment
    invitation_mail: OutboxMessage
    consultation_mail: OutboxMessage


def make_version(charter: Charter) -> CharterVersion:
    """Version 0.2 frozen from the working text, as the freezing service records it."""
    text = charter_text.with_version(charter_text.working_text(charter), 0, 2)
    version = CharterVersion(
        charter=charter, major=0, minor=2, content=text, state=VersionState.CONSULTATION
    )
    for clause in charter_text.clauses_of(text):
        version.clauses.append(VersionClause(clause_id=clause["id"], number=clause["number"]))
    db.session.add(version)
    return version


def build_histories() -> Histories:
    record = build_record()
    anna = record.people.anna
    later = make_plenary(
        ["Ausblick"], title="6. Plenum", starts_at=datetime(2026, 9, 10, 8, 0, tzinfo=UTC)
    )
    accepted = Invitation(
        session=record.session,
        expert=anna,
        response=Response.ACCEPTED,
        responded_at=ANSWERED_AT,
        channel=Channel.LINK,
    )
    declined = Invitation(
        session=record.earlier,
        expert=anna,
        response=Response.DECLINED,
        responded_at=ANSWERED_AT - timedelta(days=100),
        channel=Channel.CALENDAR,
    )
    withdrawn = Invitation(session=later, expert=anna, withdrawn_at=ANSWERED_AT + timedelta(days=1))
    minutes_comment = MinutesComment(
        minutes=record.minutes,
        topic=record.minutes.topics[1],
        expert=anna,
        version_number=1,
        text="Bitte die Datenstrategie von Köln ergänzen.",
    )

    charter = Charter(title_de="Smart City Charta", title_en="Smart City Charter")
    charter.chapters = [
        Chapter(position=1, title_de="Ziele und Strategien", title_en="Goals and strategies"),
        Chapter(position=2, title_de="Teilhabe", title_en="Participation"),
    ]
    db.session.add(charter)
    db.session.flush()
    db.session.add(
        Clause(
            charter=charter,
            chapter=charter.chapters[1],
            text_de="Kommunen beteiligen früh.",
            text_en="Municipalities involve people early.",
        )
    )
    db.session.flush()
    version = make_version(charter)
    clause_id = version.clauses[0].clause_id
    on_clause = ConsultationComment(
        version=version,
        expert=anna,
        clause_id=clause_id,
        text="Früh heißt: vor der Ausschreibung.",
        status=CommentStatus.ANSWERED,
        created_at=ANSWERED_AT + timedelta(days=2),
    )
    on_whole = ConsultationComment(
        version=version,
        expert=anna,
        text="Insgesamt gelungen.",
        created_at=ANSWERED_AT + timedelta(days=3),
    )
    db.session.add_all([accepted, declined, withdrawn, minutes_comment, on_clause, on_whole])
    db.session.flush()
    invitation_mail = OutboxMessage(
        kind="invitation",
        sender="plattform@example.org",
        recipient=anna.email,
        subject="Einladung: 5. Plenum der Dialogplattform",
        message_id="<invitation-anna@example.org>",
        state=DeliveryState.SENT,
        created_at=PLENARY_STARTS_AT - timedelta(days=30),
        sent_at=PLENARY_STARTS_AT - timedelta(days=30) + timedelta(minutes=1),
        invitation_id=accepted.id,
    )
    consultation_mail = OutboxMessage(
        kind="charter_consultation",
        sender="plattform@example.org",
        recipient=anna.email.upper(),
        subject="Kommentierung: Smart City Charta 0.2",
        message_id="<consultation-anna@example.org>",
        state=DeliveryState.FAILED,
        created_at=ANSWERED_AT + timedelta(days=1),
    )
    db.session.add_all([invitation_mail, consultation_mail])
    db.session.commit()
    return Histories(
        record,
        anna,
        accepted,
        declined,
        withdrawn,
        later,
        minutes_comment,
        version,
        on_clause,
        on_whole,
        invitation_mail,
        consultation_mail,
    )


@pytest.fixture
def histories(app, staff) -> Histories:
    return build_histories()


def history_url(expert: Expert, **pages: int) -> str:
    query = "&".join(f"{part}_page={number}" for part, number in pages.items())
    return f"/experts/{expert.id}/history" + (f"?{query}" if query else "")
