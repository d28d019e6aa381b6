"""The daily digest: one mail per organiser and day with the answers since their previous
digest, per session with counts; nothing when nothing happened; never twice; not lost when a
run dies before its commit."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.states import Channel, Response
from eventsys.notices.digest import DIGEST_KIND, send_due_digests
from eventsys.notices.models import AnswerDigest, NoticeChoice
from eventsys.outbox.models import OutboxMessage
from tests.invitations.conftest import make_session, text_of
from tests.notices.conftest import answer, choose

BERLIN_SUMMER = timedelta(hours=2)  # CEST: Berlin is UTC+2 in June


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in June 2030, given in Berlin time."""
    return datetime(2030, 6, day, hour, minute, tzinfo=UTC) - BERLIN_SUMMER


def digests_queued() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.kind == DIGEST_KIND)
            .order_by(OutboxMessage.id)
        )
    )


def digest_text(entry: OutboxMessage) -> str:
    from email import policy
    from email.parser import BytesParser

    return text_of(BytesParser(policy=policy.default).parsebytes(entry.raw_message))


def test_the_digest_lists_the_days_answers_per_session_and_is_sent_once(app, notified):
    anna, bernd, claire = (
        notified.platform.anna,
        notified.platform.bernd,
        notified.platform.claire,
    )
    answer(notified.invitation(anna), Response.ACCEPTED, berlin(19, 10, 5))
    answer(notified.invitation(bernd), Response.TENTATIVE, berlin(19, 11))
    answer(notified.invitation(bernd), Response.DECLINED, berlin(19, 15, 30))  # changed his mind
    answer(notified.invitation(claire), Response.DECLINED, berlin(19, 16))

    assert send_due_digests(berlin(20, 6, 59)) == 0  # before 7:00 nothing is due
    sent = send_due_digests(berlin(20, 7, 15))
    db.session.commit()
    again = send_due_digests(berlin(20, 7, 30))
    later_that_day = send_due_digests(berlin(20, 18))
    db.session.commit()

    assert (sent, again, later_that_day) == (2, 0, 0)
    by_recipient = {entry.recipient: entry for entry in digests_queued()}
    assert set(by_recipient) == {notified.german.email, notified.english.email}
    english = by_recipient[notified.english.email]
    assert english.subject == "Answers of the day – 20 Jun 2030"
    text = digest_text(english)
    assert "Since your previous digest, 3 answers have come in:" in text
    assert "Workshop Datenräume (1 Jul 2030)" in text
    assert "3 new answers: Accepted 1 · Declined 2" in text
    assert "- Claire Tremblay (Housing Canada): Declined – 19 Jun 2030, 16:00" in text
    assert "- Bernd Vogel (BBSR): Declined – 19 Jun 2030, 15:30" in text
    assert "- Dr. Anna Schmidt (Stadt Köln): Accepted – 19 Jun 2030, 10:05" in text
    assert "Tentative" not in text  # Bernd's earlier answer was replaced by his later one
    assert text.index("Claire") < text.index("Bernd") < text.index("Anna")  # newest first
    german = digest_text(by_recipient[notified.german.email])
    assert by_recipient[notified.german.email].subject == "Antworten des Tages – 20.06.2030"
    assert "3 neue Antworten: Zusage 1 · Absage 2" in german
    assert "19.06.2030, 16:00 Uhr" in german


def test_the_next_digest_starts_where_the_previous_ended_and_quiet_days_send_nothing(app, notified):
    anna, bernd = notified.platform.anna, notified.platform.bernd
    answer(notified.invitation(anna), Response.ACCEPTED, berlin(19, 10))
    send_due_digests(berlin(20, 7))
    db.session.commit()

    quiet = send_due_digests(berlin(21, 7))
    db.session.commit()
    answer(notified.invitation(bernd), Response.DECLINED, berlin(21, 9))
    next_one = send_due_digests(berlin(22, 7))
    db.session.commit()

    assert quiet == 0
    assert next_one == 2
    english = [e for e in digests_queued() if e.recipient == notified.english.email]
    assert len(english) == 2
    text = digest_text(english[1])
    assert "Bernd Vogel" in text
    assert "Anna Schmidt" not in text
    assert "1 new answer: Declined 1" in text


def test_a_run_that_dies_before_its_commit_loses_no_digest(app, notified):
    answer(notified.invitation(notified.platform.anna), Response.ACCEPTED, berlin(19, 10))

    assert send_due_digests(berlin(20, 7)) == 2
    db.session.rollback()  # the process died before committing
    assert db.session.scalar(sa.select(sa.func.count(AnswerDigest.id))) == 0

    assert send_due_digests(berlin(20, 7, 15)) == 2
    db.session.commit()
    assert len(digests_queued()) == 2


def test_only_sessions_where_the_organiser_chose_the_digest_and_not_their_own_entries(
    app, notified
):
    other = make_session("Plenum Datenstrategien", starts_at=datetime(2030, 9, 1, 8, tzinfo=UTC))
    other.organisers = [notified.english, notified.german]
    db.session.commit()
    services.invite_experts(other, [notified.platform.anna])
    db.session.commit()
    choose(notified.english, notified.session, NoticeChoice.EACH)
    choose(notified.german, other, NoticeChoice.NONE)
    answer(notified.invitation(notified.platform.anna), Response.ACCEPTED, berlin(19, 10))
    answer(notified.invitation(notified.platform.bernd), Response.DECLINED, berlin(19, 11))
    other_invitation = services.invitations_of(other)[0]
    # The German organiser sets this answer by hand: it is news to the English one only.
    with app.test_request_context():
        from flask_login import login_user

        login_user(notified.german)
        answer(other_invitation, Response.TENTATIVE, berlin(19, 12), channel=Channel.MANUAL)

    send_due_digests(berlin(20, 7))
    db.session.commit()

    by_recipient = {entry.recipient: digest_text(entry) for entry in digests_queued()}
    english = by_recipient[notified.english.email]
    assert "Plenum Datenstrategien" in english
    assert "Workshop Datenräume" not in english  # mailed per answer instead
    german = by_recipient[notified.german.email]
    assert "Workshop Datenräume" in german
    assert "Plenum Datenstrategien" not in german


def test_many_answers_name_a_bounded_number_and_count_all(app, notified):
    from eventsys.notices import digest as digest_module
    from tests.invitations.conftest import make_expert

    experts = [
        make_expert(f"Vorname{number}", f"Name{number}", notified.platform.koeln)
        for number in range(digest_module.NAMES_PER_SESSION + 5)
    ]
    db.session.commit()
    services.invite_experts(notified.session, experts)
    db.session.commit()
    for minute, expert in enumerate(experts):
        answer(notified.invitation(expert), Response.ACCEPTED, berlin(19, 10, minute))

    send_due_digests(berlin(20, 7))
    db.session.commit()

    (english,) = [e for e in digests_queued() if e.recipient == notified.english.email]
    text = digest_text(english)
    assert "30 new answers: Accepted 30" in text
    assert text.count("): Accepted – ") == digest_module.NAMES_PER_SESSION
    assert "- and 5 more" in text
