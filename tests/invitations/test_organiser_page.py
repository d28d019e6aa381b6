"""The organisers' view of a session's invitations, answers set by hand, and the CSV list."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.invitations import deputies, services
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import AttendanceMode, Channel, Response
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.conftest import page_text
from tests.invitations.conftest import invitation_of, make_expert, make_organisation


def list_url(session) -> str:
    return f"/sessions/{session.id}/invitations"


def detail_url(invitation: Invitation) -> str:
    return f"/sessions/{invitation.session_id}/invitations/{invitation.id}"


def detail_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def row_text(response, invitation: Invitation) -> str:
    match = re.search(rf'<tr id="invitation-{invitation.id}">(.*?)</tr>', response.text, re.S)
    assert match, f"no row for {invitation}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


@pytest.fixture
def answered(platform):
    """Anna accepted by link (Köln), Bernd declined by calendar (BBSR), Claire has not answered."""
    session = platform.session
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire])
    services.record_answer(
        invitation_of(session, platform.anna),
        Response.ACCEPTED,
        Channel.LINK,
        comment="Ich komme gern.",
    )
    services.record_answer(
        invitation_of(session, platform.bernd), Response.DECLINED, Channel.CALENDAR
    )
    db.session.commit()
    return platform


def test_the_page_counts_answers_in_total_and_by_stakeholder_group(organiser_client, answered):
    text = page_text(organiser_client.get(list_url(answered.session)))

    assert "3 experts invited." in text
    assert "Accepted: 1 · Waiting list: 0 · Tentative: 0 · Declined: 1" in text
    assert "No answer yet: 1" in text
    assert "Cities, districts and municipalities 1 0 0 0 0 0 1" in text
    assert "Science organisations 0 0 0 1 0 0 1" in text
    assert "International partners 0 0 0 0 0 1 1" in text
    assert "Total 1 0 0 1 0 1 3" in text


def test_each_row_shows_answer_comment_time_and_channel(organiser_client, answered):
    session = answered.session
    response = organiser_client.get(list_url(session))

    anna = row_text(response, invitation_of(session, answered.anna))
    bernd = row_text(response, invitation_of(session, answered.bernd))
    claire = row_text(response, invitation_of(session, answered.claire))
    assert "Accepted" in anna and "Ich komme gern." in anna and "Link in the mail" in anna
    assert "Declined" in bernd and "Calendar reply" in bernd
    assert "No answer yet" in claire
    assert "Invitation : queued" in claire


def test_answers_to_an_earlier_version_are_marked_and_the_history_kept(organiser_client, answered):
    session = answered.session
    services.session_moved(session)
    services.record_answer(
        invitation_of(session, answered.anna), Response.TENTATIVE, Channel.LINK, comment="Mal sehen"
    )
    db.session.commit()

    response = organiser_client.get(list_url(session))

    anna = row_text(response, invitation_of(session, answered.anna))
    bernd = row_text(response, invitation_of(session, answered.bernd))
    assert "Given for an earlier version" not in anna
    assert "Given for an earlier version" in bernd
    # The history is on the invitation's own page, linked from the row.
    anna_url = detail_url(invitation_of(session, answered.anna))
    assert f'href="{anna_url}"' in response.text
    history = detail_text(organiser_client.get(anna_url))
    assert "History (2 answers)" in history
    assert re.search(r"Accepted, .*? earlier version .*? Tentative", history)
    assert "1 update has been sent since the first invitations." in page_text(response)
    assert "Answers given before the last change of time or place are marked." in page_text(
        response
    )


def test_the_waiting_list_in_order_and_withdrawn_invitations_apart(organiser_client, platform):
    session = platform.session
    session.capacity = 1
    eve = make_expert("Eve", "Martin", platform.canada, language="en")
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire, eve])
    for expert in (platform.anna, platform.claire, platform.bernd):
        services.record_answer(invitation_of(session, expert), Response.ACCEPTED, Channel.LINK)
    services.withdraw_invitation(invitation_of(session, eve))
    db.session.commit()

    response = organiser_client.get(list_url(session))

    assert "Position 2 on the waiting list" in row_text(
        response, invitation_of(session, platform.bernd)
    )
    assert f'id="invitation-{invitation_of(session, eve).id}"' not in response.text
    assert "Places 1 of 1 taken" in page_text(response)
    assert "Show the waiting list (2 people, in order of arrival)" in page_text(response)
    assert "Show the withdrawn invitation (1)" in page_text(response)

    waitlist = organiser_client.get(list_url(session) + "?answer=waitlisted")
    table = re.search(r'<table class="table" id="invitees">(.*?)</table>', waitlist.text, re.S)
    assert table.group(1).index("Tremblay") < table.group(1).index("Vogel")
    assert "Schmidt" not in table.group(1)
    withdrawn = organiser_client.get(list_url(session) + "?answer=withdrawn")
    assert "Martin" in row_text(withdrawn, invitation_of(session, eve))
    assert "Withdrawn invitations" in page_text(withdrawn)


def test_the_mail_log_shows_sent_failed_and_retried_messages(organiser_client, answered):
    session = answered.session
    invitation = invitation_of(session, answered.claire)
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id)
    ).all()
    messages[0].state = DeliveryState.SENT
    messages[0].attempts = 3
    messages[0].sent_at = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)
    services.session_moved(session)
    db.session.flush()
    update = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.invitation_id == invitation.id, OutboxMessage.kind == "update"
        )
    )
    update.state = DeliveryState.FAILED
    update.attempts = 12
    update.last_error = "550 5.1.1 mailbox unavailable"
    anna_update = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.invitation_id == invitation_of(session, answered.anna).id,
            OutboxMessage.kind == "update",
        )
    )
    anna_update.attempts = 2
    anna_update.last_error = "451 try again later"
    anna_update.next_attempt_at = utcnow() + timedelta(minutes=2)
    db.session.commit()

    response = organiser_client.get(list_url(session))

    claire = row_text(response, invitation)
    anna = row_text(response, invitation_of(session, answered.anna))
    assert "Invitation : sent 1 Jun 2030, 10:00 (after 3 attempts)" in claire
    assert "Update : failed after 12 attempts (550 5.1.1 mailbox unavailable)" in claire
    assert "Update : 2 attempts failed, retried" in anna and "451 try again later" in anna


def test_the_page_needs_a_fixed_number_of_queries(organiser_client, platform, count_queries):
    def session_with(count: int):
        from tests.invitations.conftest import make_session

        session = make_session(title=f"Sitzung mit {count}", capacity=count - 1)
        db.session.commit()
        experts = []
        for number in range(count):
            organisation = make_organisation(f"Organisation {count}-{number}")
            experts.append(make_expert(f"Vorname{number}", f"Name{count}x{number}", organisation))
        db.session.commit()
        services.invite_experts(session, experts)
        for expert in experts:
            invitation = invitation_of(session, expert)
            services.record_answer(invitation, Response.TENTATIVE, Channel.LINK, comment="?")
            services.record_answer(invitation, Response.ACCEPTED, Channel.MANUAL)
        services.withdraw_invitation(invitation_of(session, experts[0]))
        db.session.commit()
        return session

    few, many = session_with(3), session_with(30)

    def statements(session) -> int:
        db.session.expire_all()
        with count_queries() as counter:
            response = organiser_client.get(list_url(session))
        assert response.status_code == 200
        return counter.count

    assert statements(few) == statements(many)
    # Among them: the open counter-proposals, the count of the rows filtered, the totals.
    assert statements(few) <= 13


def test_the_secretariat_sets_an_answer_by_hand(secretariat_client, staff, answered):
    session = answered.session
    session.online_url = "https://konferenz.example.org/raum"
    db.session.commit()
    invitation = invitation_of(session, answered.claire)

    response = secretariat_client.post(
        f"/sessions/{session.id}/invitations/{invitation.id}/answer",
        data={
            "response": "accepted",
            "comment": "Telefonisch zugesagt",
            "attendance_mode": "online",
        },
        follow_redirects=True,
    )

    assert "The answer of Claire Tremblay has been recorded: Accepted." in page_text(response)
    assert "Withdraw" not in page_text(response)  # the secretariat does not withdraw
    assert response.request.path == detail_url(invitation)
    db.session.expire_all()
    assert invitation.response == Response.ACCEPTED
    assert invitation.channel == Channel.MANUAL
    assert invitation.attendance_mode == AttendanceMode.ONLINE
    assert invitation.answers[-1].recorded_by == staff.secretariat
    history = re.search(
        r'<ol class="compact-list" id="answer-history">(.*?)</ol>', response.text, re.S
    )
    row = detail_text(response).split("History")[1]
    assert history and "Set by hand" in row and "Telefonisch zugesagt" in row
    assert "Test Secretariat" in row


def test_an_answer_by_hand_needs_a_valid_answer(organiser_client, answered):
    invitation = invitation_of(answered.session, answered.claire)
    url = f"/sessions/{answered.session.id}/invitations/{invitation.id}/answer"

    for data in ({}, {"response": "needs_action"}, {"response": "delegated"}):
        response = organiser_client.post(url, data=data, follow_redirects=True)
        assert "Please choose an answer." in page_text(response)
    db.session.expire_all()
    assert invitation.response == Response.NEEDS_ACTION


def test_no_answer_can_be_set_for_a_withdrawn_invitation(organiser_client, answered):
    invitation = invitation_of(answered.session, answered.claire)
    services.withdraw_invitation(invitation)
    db.session.commit()

    response = organiser_client.post(
        f"/sessions/{answered.session.id}/invitations/{invitation.id}/answer",
        data={"response": "accepted"},
        follow_redirects=True,
    )

    assert "This invitation has been withdrawn." in page_text(response)


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_the_csv_opens_in_german_excel_with_words_and_berlin_times(secretariat_client, answered):
    session = answered.session
    anna = invitation_of(session, answered.anna)
    anna.responded_at = datetime(2030, 6, 3, 12, 30, tzinfo=UTC)
    claire = invitation_of(session, answered.claire)
    services.record_answer(claire, Response.TENTATIVE, Channel.MANUAL, comment="=HYPERLINK(1)")
    db.session.commit()

    response = secretariat_client.get(f"/sessions/{session.id}/invitations.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith('\ufeff"Name";"E-mail";"Organisation";"Stakeholder group";"Answer";')
    rows = read_csv(text.removeprefix("\ufeff"))
    assert [row["E-mail"] for row in rows] == [
        "anna.schmidt@example.org",
        "claire.tremblay@example.org",
        "bernd.vogel@example.org",
    ]
    assert rows[0] == {
        "Name": "Dr. Anna Schmidt",
        "E-mail": "anna.schmidt@example.org",
        "Organisation": "Stadt Köln",
        "Stakeholder group": "Cities, districts and municipalities",
        "Answer": "Accepted",
        "In person / online": "",
        "Deputy": "",
        "Answered at": "2030-06-03 14:30",
        "Answered by": "Link in the mail",
        "For which version": "The current version",
        "Comment": "Ich komme gern.",
    }
    assert (rows[1]["Answer"], rows[1]["Answered by"]) == ("Tentative", "Set by hand")
    assert rows[1]["Comment"] == "'=HYPERLINK(1)"
    assert rows[2]["Answered by"] == "Calendar reply"


def test_the_excel_list_names_deputies_the_way_of_taking_part_and_the_version(
    organiser_client, answered
):
    session = answered.session
    anna = invitation_of(session, answered.anna)
    anna.attendance_mode = AttendanceMode.ONLINE
    services.send_deputy(invitation_of(session, answered.bernd), answered.claire)
    deputies.propose_deputy(
        invitation_of(session, answered.claire),
        deputies.NewDeputy("Marc", "Gagnon", "marc.gagnon@example.ca"),
    )
    session.ical_sequence += 1  # the session moved after Anna's answer
    session.major_change_sequence = session.ical_sequence
    db.session.commit()

    response = organiser_client.get(f"/sessions/{session.id}/invitations.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    headings = [cell.value for cell in sheet[1]]
    rows = {
        row[1]: dict(zip(headings, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["anna.schmidt@example.org"]["In person / online"] == "Online"
    assert rows["anna.schmidt@example.org"]["For which version"] == "An earlier version"
    assert rows["bernd.vogel@example.org"]["Answer"] == "Sends a deputy"
    assert rows["bernd.vogel@example.org"]["Deputy"] == "Claire Tremblay"
    assert rows["claire.tremblay@example.org"]["Deputy"] == "Marc Gagnon (to be confirmed)"
    assert rows["bernd.vogel@example.org"]["Stakeholder group"] == "Science organisations"


def test_the_csv_is_german_for_german_staff(secretariat_client, staff, answered):
    staff.secretariat.language = "de"
    invitation_of(answered.session, answered.anna).responded_at = datetime(
        2030, 6, 3, 12, 30, tzinfo=UTC
    )
    db.session.commit()
    response = secretariat_client.get(f"/sessions/{answered.session.id}/invitations.csv")
    rows = read_csv(response.get_data(as_text=True).removeprefix("\ufeff"))
    assert rows[0]["Antwort"] == "Zusage" and rows[0]["Beantwortet am"] == "03.06.2030 14:30"
    assert rows[0]["Für welche Fassung"] == "Die aktuelle Fassung"


def test_the_csv_marks_the_waiting_list_and_leaves_out_withdrawn_invitations(
    organiser_client, answered
):
    session = answered.session
    session.capacity = 1
    services.record_answer(invitation_of(session, answered.claire), Response.ACCEPTED, Channel.LINK)
    services.withdraw_invitation(invitation_of(session, answered.bernd))
    db.session.commit()

    response = organiser_client.get(f"/sessions/{session.id}/invitations.csv")

    rows = read_csv(response.get_data(as_text=True).removeprefix("\ufeff"))
    assert [(row["E-mail"], row["Answer"]) for row in rows] == [
        ("anna.schmidt@example.org", "Accepted"),
        ("claire.tremblay@example.org", "Waiting list"),
    ]


def test_the_session_page_shows_the_counts_and_links_to_the_invitations(
    secretariat_client, answered
):
    response = secretariat_client.get(f"/sessions/{answered.session.id}")

    summary = re.search(r'id="invitations-summary">(.*?)</section>', response.text, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary))
    assert "3 experts invited: Accepted 1 · Declined 1 · No answer yet 1" in text
    assert f'href="/sessions/{answered.session.id}/invitations"' in summary
