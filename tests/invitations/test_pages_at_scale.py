"""The answers overview and the invite page with many invitees: one page of rows, the same
number of queries however many there are, filters that survive the page links, reminders to
everyone a filter shows, and a preview that carries the choice instead of every invitee."""

import html
import re

import pytest
import sqlalchemy as sa

from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations import selection, services
from eventsys.invitations.mail import MailKind
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import AttendanceMode, Channel, Response
from tests.conftest import confirm_sending, page_text
from tests.invitations.conftest import (
    confirm_preview,
    invitation_of,
    make_expert,
    make_organisation,
    make_session,
)

PAGE = 50


def list_url(session, **arguments) -> str:
    query = "&".join(f"{name}={value}" for name, value in arguments.items())
    return f"/sessions/{session.id}/invitations" + (f"?{query}" if query else "")


def rows_on(response) -> list[int]:
    return [int(number) for number in re.findall(r'<tr id="invitation-(\d+)">', response.text)]


def invite_many(session, count: int, group=StakeholderGroup.MUNICIPALITIES, tag: str = "a",
                response=Response.NEEDS_ACTION, mode=None) -> list[Invitation]:  # fmt: skip
    """`count` invitations to `session` of experts of one organisation in `group`, stored
    directly (no mail), all with `response`."""
    organisation = make_organisation(f"Organisation {tag} {session.id}", group)
    invitations = []
    for number in range(count):
        expert = make_expert(
            f"Vorname{tag}{number}", f"Name{session.id}{tag}{number:04}", organisation
        )
        invitation = Invitation(session=session, expert=expert, response=response,
                                attendance_mode=mode)  # fmt: skip
        if response != Response.NEEDS_ACTION:
            invitation.responded_at = session.starts_at
            invitation.channel = Channel.LINK
        invitations.append(invitation)
    db.session.add_all(invitations)
    db.session.commit()
    return invitations


def test_the_overview_needs_the_same_queries_for_10_and_100_invitations(
    organiser_client, platform, count_queries
):
    def crowd(count: int):
        session = make_session(title=f"Plenum mit {count}", capacity=count // 2)
        db.session.commit()
        invite_many(session, count // 2, tag="n")
        accepted = invite_many(
            session, count // 2, StakeholderGroup.SCIENCE, tag="y", response=Response.ACCEPTED,
            mode=AttendanceMode.IN_PERSON,
        )  # fmt: skip
        accepted[0].waitlisted_at = session.starts_at
        services.record_answer(accepted[1], Response.DECLINED, Channel.MANUAL, comment="leider")
        services.withdraw_invitation(accepted[2])
        db.session.commit()
        return session

    few, many = crowd(10), crowd(100)

    def statements(url: str) -> int:
        db.session.expire_all()
        with count_queries() as counter:
            response = organiser_client.get(url)
        assert response.status_code == 200
        return counter.count

    for arguments in ({}, {"answer": "accepted", "q": "Vorname"}, {"answer": "waitlisted"}):
        assert statements(list_url(few, **arguments)) == statements(list_url(many, **arguments))
    assert statements(list_url(many, page=2)) == statements(list_url(few))


def test_230_invitations_show_one_small_page_with_totals_of_all(organiser_client, platform):
    session = platform.session
    invite_many(session, 180, tag="n")
    invite_many(session, 50, StakeholderGroup.SCIENCE, tag="y", response=Response.ACCEPTED)

    first = organiser_client.get(list_url(session))
    last = organiser_client.get(list_url(session, page=5))

    assert len(rows_on(first)) == PAGE
    assert len(rows_on(last)) == 230 - 4 * PAGE
    assert not set(rows_on(first)) & set(rows_on(last))
    assert len(first.data) < 150_000  # about 2.5 KB a row; the old page carried two forms each
    text = page_text(first)
    assert "230 experts invited." in text and "230 invitations found" in text
    assert "Cities, districts and municipalities 0 0 0 0 0 180 180" in text
    assert "Science organisations 50 0 0 0 0 0 50" in text
    assert "Page 1 of 5" in text
    # One form for the page's reminders (beside the filters), none per row.
    listing = re.search(
        r'<section aria-labelledby="invitees-heading">(.*?)</section>', first.text, re.S
    )
    assert listing.group(1).count("<form") == 2
    assert listing.group(1).count('method="post"') == 1


def test_filters_and_search_combine_and_survive_the_page_links(organiser_client, platform):
    session = platform.session
    invite_many(session, 120, tag="n")
    invite_many(session, 30, tag="y", response=Response.ACCEPTED)
    invite_many(session, 60, StakeholderGroup.SCIENCE, tag="s")

    first = organiser_client.get(list_url(session, answer="needs_action", group="municipalities"))
    assert "120 invitations found" in page_text(first)
    assert len(rows_on(first)) == PAGE
    links = [
        html.unescape(link) for link in re.findall(r'<a href="([^"]*page=2[^"]*)"', first.text)
    ]
    assert links, "no link to the next page"
    assert "answer=needs_action" in links[0] and "group=municipalities" in links[0]

    third = organiser_client.get(links[0].replace("page=2", "page=3"))
    shown = db.session.scalars(sa.select(Invitation).where(Invitation.id.in_(rows_on(third))))
    shown = list(shown)
    assert len(shown) == 20
    assert all(invitation.response == Response.NEEDS_ACTION for invitation in shown)
    assert {i.expert.organisation.stakeholder_group for i in shown} == {
        StakeholderGroup.MUNICIPALITIES
    }
    # The filter form shows what is chosen, and the reminder form carries the filter along.
    assert re.search(
        r'<option selected value="needs_action">|<option value="needs_action" selected>', third.text
    )
    assert '<input type="hidden" name="group" value="municipalities">' in third.text

    searched = organiser_client.get(list_url(session, answer="needs_action", q="Vornamen1"))
    names = {i.expert.first_name for i in db.session.scalars(
        sa.select(Invitation).where(Invitation.id.in_(rows_on(searched))))}  # fmt: skip
    assert names and all(name.startswith("Vornamen1") for name in names)
    assert "Vornamey1" not in searched.text  # accepted: left out by the answer filter


@pytest.mark.parametrize(
    "query",
    [
        "answer=nonsense",
        "group=%E2%80%8B",
        "mode=<b>",
        "q=" + "x" * 5000,
        "page=-3",
        "page=99999999999",
    ],
)
def test_unreadable_filters_show_a_page(organiser_client, platform, query):
    response = organiser_client.get(f"/sessions/{platform.session.id}/invitations?{query}")
    assert response.status_code == 200


@pytest.fixture
def app_config(mail_config):
    return mail_config


def received(smtp_server) -> list[str]:
    """The addresses mail arrived for at the SMTP server."""
    return [address for mail in smtp_server.sink.received for address in mail.envelope_to]


def test_remind_everyone_the_filter_shows_after_the_confirmation(
    organiser_client, platform, smtp_server
):
    """The task of the day: no answer yet, in one stakeholder group, reminded."""
    session = platform.session
    koeln = [make_expert(f"Kai{n}", f"Koelner{n}", platform.koeln) for n in range(3)]
    db.session.commit()
    services.invite_experts(session, [*koeln, platform.anna, platform.bernd, platform.claire])
    services.record_answer(invitation_of(session, platform.anna), Response.ACCEPTED, Channel.LINK)
    db.session.commit()
    invited = set(received(smtp_server))
    assert len(invited) == 6
    smtp_server.sink.received.clear()

    filters = {"answer": "needs_action", "group": "municipalities"}
    page = organiser_client.get(list_url(session, **filters))
    assert "3 invitations found" in page_text(page)
    asked = organiser_client.post(
        f"/sessions/{session.id}/invitations/remind", data={**filters, "remind_filtered": "y"}
    )

    assert asked.status_code == 200
    assert "Before you send: who gets mail" in page_text(asked)
    assert received(smtp_server) == []  # nothing before the confirmation
    done = confirm_sending(organiser_client, asked)
    assert done.status_code == 302
    assert "answer=needs_action" in done.location and "group=municipalities" in done.location

    reminded = sorted(received(smtp_server))
    assert reminded == sorted(expert.email for expert in koeln)
    for invitation in (invitation_of(session, expert) for expert in koeln):
        db.session.refresh(invitation)
        assert invitation.deadline_reminder_sent_at is not None
    kinds = db.session.scalars(
        sa.text("SELECT kind FROM outbox_messages WHERE kind = :kind"),
        {"kind": MailKind.DEADLINE_REMINDER},
    ).all()
    assert len(kinds) == 3


def test_remind_the_ticked_rows(organiser_client, platform, smtp_server):
    session = platform.session
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire])
    db.session.commit()
    smtp_server.sink.received.clear()
    ticked = [invitation_of(session, platform.anna).id, invitation_of(session, platform.claire).id]

    asked = organiser_client.post(
        f"/sessions/{session.id}/invitations/remind",
        data={"invitation_ids": [str(i) for i in ticked], "remind_ticked": "y"},
    )
    confirm_sending(organiser_client, asked)

    assert sorted(received(smtp_server)) == sorted([platform.anna.email, platform.claire.email])


def test_reminding_needs_a_tick(organiser_client, platform):
    session = platform.session
    services.invite_experts(session, [platform.anna])
    db.session.commit()
    url = f"/sessions/{session.id}/invitations/remind"

    nothing = organiser_client.post(url, data={"remind_ticked": "y"}, follow_redirects=True)

    assert "Please tick at least one invitee." in page_text(nothing)
    assert 'name="invitation_ids"' in organiser_client.get(list_url(session)).text


def test_the_secretariat_sends_no_reminders_from_the_overview(secretariat_client, platform):
    session = platform.session
    services.invite_experts(session, [platform.anna])
    db.session.commit()

    refused = secretariat_client.post(
        f"/sessions/{session.id}/invitations/remind", data={"remind_filtered": "y"}
    )

    assert refused.status_code == 403
    assert 'name="invitation_ids"' not in secretariat_client.get(list_url(session)).text


# --- the invite page ---------------------------------------------------------------------------


def new_url(session) -> str:
    return f"/sessions/{session.id}/invitations/new"


def test_the_invite_page_does_not_list_the_directory(organiser_client, platform, count_queries):
    organisation = make_organisation("Landkreis Viele")
    for number in range(220):
        make_expert(f"Viel{number}", f"Experte{number:04}", organisation)
    db.session.commit()

    page = organiser_client.get(new_url(platform.session))
    searched = organiser_client.post(
        new_url(platform.session), data={"q": "Experte", "search": "y"}
    )
    second = organiser_client.post(
        new_url(platform.session), data={"q": "Experte", "results_page": "2"}
    )

    assert "Experte0000" not in page.text and len(page.data) < 30_000
    assert searched.text.count('name="expert_ids"') == selection.SEARCH_PAGE_SIZE
    assert "220 active experts found" in page_text(searched)
    assert "Experte0020" in second.text and "Experte0000" not in second.text


def test_the_invite_page_needs_the_same_queries_for_10_and_100_experts(
    organiser_client, platform, count_queries
):
    def experts(count: int, tag: str) -> list[str]:
        organisation = make_organisation(f"Organisation {tag}")
        made = [make_expert(f"V{tag}{n}", f"N{tag}{n:03}", organisation) for n in range(count)]
        db.session.commit()
        return [str(expert.id) for expert in made]

    few, many = experts(10, "f"), experts(100, "m")

    def statements(data: dict) -> int:
        db.session.expire_all()
        with count_queries() as counter:
            response = organiser_client.post(new_url(platform.session), data=data)
        assert response.status_code == 200
        return counter.count

    assert statements({"q": "Nf", "search": "y"}) == statements({"q": "Nm", "search": "y"})
    assert statements({"expert_ids": few, "preview": "y"}) == statements(
        {"expert_ids": many, "preview": "y"}
    )
    assert statements({"everyone": "y", "expert_ids": few[:2], "preview": "y"}) == statements(
        {"everyone": "y", "expert_ids": many, "preview": "y"}
    )


def test_the_preview_of_many_names_a_hundred_and_carries_no_invitee_ids(organiser_client, platform):
    organisation = make_organisation("Landkreis Viele", StakeholderGroup.MUNICIPALITIES)
    for number in range(230):
        make_expert(f"Viel{number}", f"Experte{number:04}", organisation)
    db.session.commit()

    preview = organiser_client.post(
        new_url(platform.session), data={"everyone": "y", "preview": "y"}
    )

    text = page_text(preview)
    assert "233 experts will be invited" in text  # with Anna, Bernd and Claire
    assert "and 133 more" in text
    names = re.search(r'<ul id="to-invite">(.*?)</ul>', preview.text, re.S).group(1)
    assert names.count("<li>") == selection.PREVIEW_NAMES
    assert 'name="invitee_ids"' not in preview.text and 'name="expert_ids"' not in preview.text
    assert '<input type="hidden" name="selection_count" value="233">' in preview.text


def test_the_send_invites_exactly_the_previewed_and_refuses_a_changed_selection(
    organiser_client, platform
):
    session = platform.session
    preview = organiser_client.post(
        new_url(session), data={"stakeholder_groups": "municipalities", "preview": "y"}
    )
    assert "1 expert will be invited" in page_text(preview)  # Anna (Dora is inactive)

    # Meanwhile someone joins the stakeholder group.
    newcomer = make_expert("Nina", "Neu", platform.koeln)
    db.session.commit()
    refused = confirm_preview(organiser_client, new_url(session), preview)

    assert refused.status_code == 200
    assert "The selection has changed since the preview." in page_text(refused)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    assert "2 experts will be invited" in page_text(refused)  # shown as it is now

    sent = confirm_preview(organiser_client, new_url(session), refused, follow_redirects=True)

    assert "2 invitations sent." in page_text(sent)
    invited = set(db.session.scalars(sa.select(Invitation.expert_id)))
    assert invited == {platform.anna.id, newcomer.id}


def test_a_forged_fingerprint_sends_nothing(organiser_client, platform):
    response = organiser_client.post(
        new_url(platform.session),
        data={
            "everyone": "y",
            "send": "y",
            "selection_count": "3",
            "selection_digest": "0" * 64,
        },
    )
    assert "The selection has changed since the preview." in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_the_downloads_are_complete_in_the_same_queries_for_10_and_100(
    secretariat_client, platform, count_queries
):
    def crowd(count: int):
        session = make_session(title=f"Liste mit {count}")
        db.session.commit()
        invitations = invite_many(session, count, tag=f"l{count}")
        invitations[0].delegated_to = invitations[1]
        invitations[0].response = Response.DELEGATED
        db.session.commit()
        return session

    few, many = crowd(10), crowd(230)

    def download(session, kind: str):
        db.session.expire_all()
        with count_queries() as counter:
            response = secretariat_client.get(f"/sessions/{session.id}/invitations.{kind}")
        assert response.status_code == 200
        return response, counter.count

    for kind in ("csv", "xlsx"):
        (_, small), (_, large) = download(few, kind), download(many, kind)
        assert small == large
    csv_text = download(many, "csv")[0].get_data(as_text=True)
    assert csv_text.count("\n") == 230 + 1
    assert "Vornamel2301 Name" in csv_text  # the deputy of the first, by name
