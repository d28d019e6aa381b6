"""An expert's history: each part with its entries linked to where they live, states in words
of the reader's language, mail for each audience, pages per part, and the same number of
queries however long the history."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.charters.models import Clause, ConsultationComment
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.minutes.models import ActionItem, Minutes, MinutesComment, MinutesTopic
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.people.history import PART_SIZE
from tests.conftest import page_text, sign_in
from tests.invitations.conftest import make_expert, make_organisation
from tests.minutes.conftest import make_plenary
from tests.people.conftest import Histories, history_url

NOW = "2026-04-25 08:00:00"


def section(response, part: str) -> str:
    """The HTML of one part of the history page."""
    page = response.get_data(as_text=True)
    found = re.search(
        rf'<section class="history-part" id="history-{part}".*?</section>', page, re.S
    )
    assert found is not None, f"no part {part}"
    return found.group(0)


def links(fragment: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', fragment)]


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def labels(fragment: str) -> list[str]:
    """The states and answers, which the page sets in bold."""
    return [text_of(label) for label in re.findall(r"<strong>(.*?)</strong>", fragment, re.S)]


def lands_on(client, href: str, anchor_text: str) -> None:
    """Following `href` opens a page that holds its anchor (or, without one, `anchor_text`)."""
    path, _, anchor = href.partition("#")
    response = client.get(path)
    assert response.status_code == 200, href
    page = response.get_data(as_text=True)
    if anchor:
        assert f'id="{anchor}"' in page, f"{href} has no element {anchor}"
    assert anchor_text in page_text(response), href


@freeze_time(NOW)
def test_each_part_links_to_where_its_entries_live(client, staff, histories: Histories):
    sign_in(client, staff.secretariat)
    anna, record = histories.anna, histories.record
    response = client.get(history_url(anna))
    assert response.status_code == 200

    invitations = section(response, "invitations")
    assert links(invitations) == [
        f"/sessions/{histories.later.id}/invitations/{histories.withdrawn.id}",
        f"/sessions/{record.session.id}/invitations/{histories.accepted.id}",
        f"/sessions/{record.earlier.id}/invitations/{histories.declined.id}",
    ]
    assert labels(invitations) == ["Withdrawn", "Accepted", "Declined"]
    text = text_of(invitations)
    assert "5. Plenum der Dialogplattform, 12 Mar 2026 · Accepted" in text
    assert "answered 20 Feb 2026, 16:30 · Link in the mail" in text
    assert "answered 12 Nov 2025, 16:30 · Calendar reply" in text
    assert "3 entries, the newest first." in text
    for href in links(invitations):
        lands_on(client, href, "Invitation of Dr. Anna Schmidt")

    attendance = section(response, "attendance")
    assert links(attendance) == [f"/sessions/{record.session.id}/attendance"]
    assert labels(attendance) == ["present"]
    lands_on(client, links(attendance)[0], "Dr. Anna Schmidt")

    minutes_comments = section(response, "minutes-comments")
    (comment_link,) = links(minutes_comments)
    assert comment_link.startswith(f"/minutes/session/{record.session.id}/comments#comment-")
    assert "Item 2: Datenstrategien der Kommunen" in text_of(minutes_comments)
    lands_on(client, links(minutes_comments)[0], "Bitte die Datenstrategie von Köln ergänzen.")

    charter_comments = section(response, "charter-comments")
    version = histories.version
    comments_page = f"/charters/{version.charter_id}/versions/0.2/comments"
    assert links(charter_comments) == [
        f"{comments_page}#comment-{histories.on_whole.id}",
        f"{comments_page}#comment-{histories.on_clause.id}",
    ]
    text = text_of(charter_comments)
    assert "Smart City Charter, version 0.2 · On the version as a whole · open" in text
    assert "Recommendation 2.1 · answered · 22 Feb 2026, 16:30" in text
    for href in links(charter_comments):
        lands_on(client, href, "Früh heißt: vor der Ausschreibung.")

    action_items = section(response, "action-items")
    items = record.minutes.topics[0].action_items[0], record.minutes.topics[1].action_items[0]
    hrefs = links(action_items)
    for item in items:
        to_list = next(href for href in hrefs if href.endswith(f"#action-item-{item.id}"))
        assert "owner=Anna+Schmidt" in to_list and "state=all" in to_list
        lands_on(client, to_list, item.text)
    assert f"/minutes/session/{record.session.id}" in hrefs
    text = text_of(action_items)
    session_id = record.session.id
    assert f"A-{session_id}.1.1: Entwurf 1 an alle versenden · due within two weeks" in text
    assert "due on 30 Apr 2026" in text
    # Another owner's items are not theirs.
    assert "Studie 1 beauftragen" not in text and "Leitfaden" not in text
    assert "/minutes/action-items?owner=Anna+Schmidt&state=all" in page_links(response)


def page_links(response) -> list[str]:
    return links(response.get_data(as_text=True))


@freeze_time(NOW)
@pytest.mark.parametrize("role", ["organiser", "secretariat"])
def test_staff_see_the_mail_about_invitations_as_its_mail_log_shows_it(
    client, staff, histories: Histories, role
):
    sign_in(client, getattr(staff, role))
    response = client.get(history_url(histories.anna))
    mail = section(response, "mail")
    text = text_of(mail)
    assert "Invitation · sent · 10 Feb 2026, 10:01" in text
    # Neither the subject nor mail outside the invitations (the outbox is the admins').
    assert "Einladung:" not in text
    assert "Consultation on a charter" not in text and "Kommentierung" not in text
    assert links(mail) == [
        f"/sessions/{histories.record.session.id}/invitations/{histories.accepted.id}#mail-log"
    ]
    assert not [href for href in page_links(response) if href.startswith("/outbox")]
    assert "the outbox with all mail is open to administrators" in page_text(response)
    lands_on(client, links(mail)[0], "Invitation")


@freeze_time(NOW)
def test_admins_see_all_mail_to_the_address_with_links_into_the_outbox(
    client, staff, histories: Histories
):
    sign_in(client, staff.admin)
    response = client.get(history_url(histories.anna))
    mail = section(response, "mail")
    text = text_of(mail)
    # The newest first; the address matched whatever its case.
    assert text.index(
        "Kommentierung: Smart City Charta 0.2 · Consultation on a charter · failed"
    ) < (text.index("Einladung: 5. Plenum der Dialogplattform · Invitation · sent"))
    assert links(mail) == [
        f"/outbox/{histories.consultation_mail.id}",
        f"/outbox/{histories.invitation_mail.id}",
    ]
    assert f"/outbox/?recipient={histories.anna.email}" in page_links(response)
    for href in links(mail):
        assert client.get(href).status_code == 200


@freeze_time(NOW)
def test_states_and_answers_are_words_of_the_readers_language(client, staff, histories: Histories):
    staff.secretariat.language = "de"
    db.session.commit()
    sign_in(client, staff.secretariat)
    response = client.get(history_url(histories.anna))
    codes = {
        "accepted",
        "declined",
        "needs_action",
        "present",
        "excused",
        "link",
        "calendar",
        "open",
        "answered",
        "due_soon",
        "overdue",
        "sent",
        "failed",
        "invitation",
        "charter_consultation",
    }
    expected = {
        "invitations": ["Zurückgezogen", "Zusage", "Absage"],
        "attendance": ["anwesend"],
        "charter-comments": ["offen", "beantwortet"],
        "action-items": ["in den nächsten zwei Wochen fällig"] * 3,
        "mail": ["versendet"],
    }
    for part, words in expected.items():
        shown = labels(section(response, part))
        assert shown == words, part
        assert not codes & {word.lower() for word in shown}
    text = page_text(response)
    assert "12.03.2026" in text and "20.02.2026, 16:30 Uhr" in text
    assert "Link in der E-Mail" in text and "TOP 2" in text
    assert "Empfehlung 2.1" in text and "Smart City Charta, Fassung 0.2" in text


@freeze_time(NOW)
def test_a_deputy_and_the_person_they_stood_in_for(client, staff, histories: Histories):
    people = histories.record.people
    sign_in(client, staff.secretariat)
    represented = text_of(section(client.get(history_url(people.erika)), "attendance"))
    assert "5. Plenum der Dialogplattform, 12 Mar 2026 · excused" in represented
    assert "represented by Dieter Brandt: present" in represented
    deputy = text_of(section(client.get(history_url(people.dieter)), "attendance"))
    assert "present · Deputy for Erika Zeller" in deputy


@freeze_time(NOW)
def test_a_comment_on_a_recommendation_the_version_lacks_links_to_the_page_without_anchor(
    client, staff, histories: Histories
):
    charter = histories.version.charter
    elsewhere = Clause(charter=charter, text_de="Noch im Pool.")
    db.session.add(elsewhere)
    db.session.flush()
    db.session.add(
        ConsultationComment(
            version=histories.version,
            expert=histories.anna,
            clause_id=elsewhere.id,
            text="Ohne Platz",
            created_at=datetime(2026, 4, 1, tzinfo=UTC),
        )
    )
    db.session.commit()
    sign_in(client, staff.secretariat)
    found = links(section(client.get(history_url(histories.anna)), "charter-comments"))
    assert found[0] == f"/charters/{charter.id}/versions/0.2/comments"


def test_a_newcomer_has_an_empty_history(client, staff, app):
    newcomer = make_expert("Neu", "Ling", make_organisation("Stadt Ulm"))
    db.session.commit()
    sign_in(client, staff.organiser)
    text = page_text(client.get(history_url(newcomer)))
    for empty in (
        "Not invited to any session yet.",
        "Not on any attendance list yet.",
        "No comments on minutes.",
        "No comments on charters.",
        "Owns no action items.",
        "No mail about invitations has been sent to this person.",
    ):
        assert empty in text
    assert "All action items of" not in text


@pytest.mark.parametrize("role", ["admin", "organiser", "secretariat"])
def test_the_experts_page_leads_to_the_history(client, staff, histories: Histories, role):
    sign_in(client, getattr(staff, role))
    page = client.get(f"/experts/{histories.anna.id}").get_data(as_text=True)
    assert f'href="/experts/{histories.anna.id}/history"' in page


def test_only_staff_open_a_history_and_only_of_someone_who_exists(
    client, staff, histories: Histories
):
    response = client.get(history_url(histories.anna))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    sign_in(client, staff.organiser)
    assert client.get("/experts/999999/history").status_code == 404
    assert client.get("/experts/99999999999/history").status_code == 404


# --- Long histories -----------------------------------------------------------------------


def grow(histories: Histories, sessions: int, offset: int = 0) -> None:
    """`sessions` more sessions in Anna's history: invited, present, an action item and a
    comment on the minutes, a comment on the charter and a mail about the invitation each."""
    anna = histories.anna
    for number in range(offset, offset + sessions):
        held = make_plenary(
            ["Punkt"],
            title=f"Sitzung {number}",
            starts_at=datetime(2024, 1, 1, 9, 0, tzinfo=UTC) + timedelta(days=number),
        )
        topic = MinutesTopic(position=1, title="Punkt")
        topic.action_items = [
            ActionItem(
                position=1, text=f"Aufgabe {number}", owner_expert=anna, due_date=date(2026, 1, 1)
            )
        ]
        minutes = Minutes(session=held, topics=[topic])
        invitation = Invitation(session=held, expert=anna, response=Response.ACCEPTED)
        db.session.add_all(
            [
                minutes,
                invitation,
                Attendee(session=held, expert=anna, status=AttendanceStatus.PRESENT),
                MinutesComment(minutes=minutes, expert=anna, version_number=1, text="Gut"),
                ConsultationComment(version=histories.version, expert=anna, text=f"Nr. {number}"),
            ]
        )
        db.session.flush()
        db.session.add(
            OutboxMessage(
                kind="invitation",
                sender="plattform@example.org",
                recipient=anna.email,
                subject=f"Einladung {number}",
                message_id=f"<grown-{number}@example.org>",
                state=DeliveryState.QUEUED,
                invitation_id=invitation.id,
            )
        )
    db.session.commit()


@freeze_time(NOW)
@pytest.mark.parametrize("role", ["admin", "secretariat"])
def test_the_history_needs_as_many_queries_at_ten_times_the_size(
    client, staff, histories: Histories, count_queries, role
):
    sign_in(client, getattr(staff, role))
    url = history_url(histories.anna)
    grow(histories, 3)
    client.get(url)  # warm up
    with count_queries() as small:
        assert client.get(url).status_code == 200
    grow(histories, 30, offset=3)
    client.get(url)
    with count_queries() as large:
        response = client.get(url)
    assert large.count == small.count
    # Later pages of the parts, too. (The address is made outside the counting: a passing
    # `assert` shows what it compared, which would load the records for their repr.)
    later_pages = history_url(histories.anna, mail=2, invitations=2)
    with count_queries() as paged:
        assert client.get(later_pages).status_code == 200
    assert paged.count == small.count
    assert "36 entries, the newest first." in text_of(section(response, "invitations"))
    print(f"queries for {role}: {small.count} at 3 sessions, {large.count} at 33")


@freeze_time(NOW)
def test_each_part_pages_on_its_own(client, staff, histories: Histories):
    grow(histories, PART_SIZE + 2)
    sign_in(client, staff.secretariat)
    first = client.get(history_url(histories.anna))
    invitations = section(first, "invitations")
    assert len(re.findall(r"<li id=\"history-invitation-", invitations)) == PART_SIZE
    assert "Page 1 of 2" in text_of(invitations)
    older = [href for href in links(invitations) if "invitations_page=2" in href]
    assert older == [f"/experts/{histories.anna.id}/history?invitations_page=2#history-invitations"]

    # The second page of the invitations keeps the page another part was on.
    second = client.get(history_url(histories.anna, action_items=2, invitations=2))
    invitations = section(second, "invitations")
    # 25 in all: the five oldest on the second page.
    assert len(re.findall(r"<li id=\"history-invitation-", invitations)) == 5
    assert text_of(invitations).endswith("Sitzung 0, 1 Jan 2024 · Accepted Newer Page 2 of 2")
    newer = html.unescape(re.search(r'<a href="([^"]+)">Newer</a>', invitations).group(1))
    assert newer == (
        f"/experts/{histories.anna.id}/history?action_items_page=2&invitations_page=1"
        "#history-invitations"
    )
    assert "Page 2 of 2" in text_of(section(second, "action-items"))
    # Beyond the last page: none of its entries, still the count.
    beyond = section(client.get(history_url(histories.anna, attendance=9)), "attendance")
    assert "23 entries, the newest first." in text_of(beyond)
    assert '<li id="history-attendee-' not in beyond
