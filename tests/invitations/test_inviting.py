"""Choosing whom to invite, previewing the mail, confirming, and withdrawing."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import selection, services
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Channel, Response
from eventsys.outbox.models import OutboxMessage
from eventsys.sessions.states import SessionStatus
from tests.conftest import page_text
from tests.invitations.conftest import (
    confirm_preview,
    invitation_of,
    make_session,
    send_confirmed,
)


def new_url(session) -> str:
    return f"/sessions/{session.id}/invitations/new"


def preview(client, session, **choice):
    response = client.post(new_url(session), data={**choice, "preview": "y"})
    assert response.status_code == 200
    return response


def outbox_size() -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))


def section(response, heading_id: str) -> str:
    """The visible text of the list after the heading with this id on a preview page."""
    match = re.search(rf'id="{heading_id}".*?</h2>\s*<ul[^>]*>(.*?)</ul>', response.text, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def test_the_selection_page_offers_experts_groups_and_stakeholder_groups(
    organiser_client, platform
):
    text = page_text(organiser_client.get(new_url(platform.session)))
    found = page_text(
        organiser_client.post(new_url(platform.session), data={"q": "", "search": "y"})
    )
    searched = page_text(
        organiser_client.post(new_url(platform.session), data={"q": "a", "search": "y"})
    )

    assert "Schmidt, Anna" not in text  # single experts come from the search
    assert "Schmidt, Anna (Stadt Köln)" in searched
    assert "Tremblay, Claire (Housing Canada)" in searched
    assert "Alt, Dora" not in searched  # inactive
    assert "Schmidt, Anna" not in found  # an empty search finds nobody
    assert "AG Daten (2 active members)" in text
    assert "International partners" in text
    assert "Everyone invited to" not in text  # no earlier session with invitations


def test_a_preview_shows_the_mail_in_both_languages_and_sends_nothing(organiser_client, platform):
    mails_before = outbox_size()

    response = preview(organiser_client, platform.session, working_group_ids=platform.group.id)

    text = page_text(response)
    assert "2 experts will be invited" in text
    assert "Anna Schmidt" in section(response, "to-invite-heading")
    assert "Dora Alt" in section(response, "inactive-heading")
    assert "The mail in German" in text and "The mail in English" in text
    assert "Montag, 1. Juli 2030" in text and "Monday, 1 July 2030" in text
    assert 'lang="de"' in response.text and 'lang="en"' in response.text
    assert "Invitation: Workshop Datenräume" in text
    assert outbox_size() == mails_before
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_the_english_preview_is_a_real_invitees_when_one_reads_english(organiser_client, platform):
    response = preview(
        organiser_client,
        platform.session,
        expert_ids=[platform.anna.id, platform.claire.id],
    )

    assert "As Claire Tremblay would receive it" in page_text(response)
    assert "04:00 – 10:00 (Toronto time; in Berlin 10:00–16:00)" in page_text(response)


def test_confirming_invites_exactly_the_experts_previewed(organiser_client, platform):
    shown = preview(organiser_client, platform.session, stakeholder_groups="science")
    assert 'name="invitee_ids"' not in shown.text  # the choice is carried, not the experts

    response = confirm_preview(
        organiser_client, new_url(platform.session), shown, follow_redirects=True
    )

    assert "1 invitation sent." in page_text(response)
    invited = db.session.scalars(sa.select(Invitation.expert_id)).all()
    assert invited == [platform.bernd.id]
    assert db.session.scalar(sa.select(OutboxMessage.kind)) == "invitation"


def test_experts_already_invited_are_skipped(organiser_client, platform):
    services.invite_experts(platform.session, [platform.anna])
    db.session.commit()

    response = preview(organiser_client, platform.session, working_group_ids=platform.group.id)

    assert "Anna Schmidt" in section(response, "already-heading")
    assert "Anna Schmidt" not in section(response, "to-invite-heading")


def test_everyone_invited_last_time(organiser_client, platform):
    earlier = make_session(title="3. Plenum", starts_at=datetime(2030, 3, 2, 9, 0, tzinfo=UTC))
    oldest = make_session(title="2. Plenum", starts_at=datetime(2029, 3, 2, 9, 0, tzinfo=UTC))
    later = make_session(title="5. Plenum", starts_at=datetime(2031, 3, 2, 9, 0, tzinfo=UTC))
    db.session.add_all(
        [
            Invitation(session=earlier, expert=platform.anna),
            Invitation(session=earlier, expert=platform.bernd, withdrawn_at=earlier.starts_at),
            Invitation(session=oldest, expert=platform.claire),
            Invitation(session=later, expert=platform.claire),
        ]
    )
    db.session.commit()

    page = page_text(organiser_client.get(new_url(platform.session)))
    response = preview(organiser_client, platform.session, last_time="y")

    assert "Everyone invited to “3. Plenum” (1 expert)" in page
    assert section(response, "to-invite-heading").split("(")[0].strip() == "Dr. Anna Schmidt"


def test_previous_session_skips_those_whose_invitations_were_all_withdrawn(platform):
    earlier = make_session(title="3. Plenum", starts_at=datetime(2030, 3, 2, 9, 0, tzinfo=UTC))
    oldest = make_session(title="2. Plenum", starts_at=datetime(2029, 3, 2, 9, 0, tzinfo=UTC))
    db.session.add_all(
        [
            Invitation(session=earlier, expert=platform.anna, withdrawn_at=earlier.starts_at),
            Invitation(session=oldest, expert=platform.bernd),
        ]
    )
    db.session.commit()

    assert selection.previous_session(platform.session) == oldest
    assert selection.previous_session(oldest) is None


def test_all_active_experts(organiser_client, platform):
    response = preview(organiser_client, platform.session, everyone="y")

    assert "3 experts will be invited" in page_text(response)
    assert "Dora" not in page_text(response)


def test_an_empty_selection_is_refused(organiser_client, platform):
    response = preview(organiser_client, platform.session)

    assert "Please choose at least one expert or group." in page_text(response)


def test_changing_the_selection_keeps_what_was_ticked(organiser_client, platform):
    response = organiser_client.post(
        new_url(platform.session),
        data={"stakeholder_groups": "science", "expert_ids": platform.claire.id, "change": "y"},
    )

    assert re.search(r'<input[^>]*checked[^>]*value="science"', response.text)
    assert re.search(rf'<input[^>]*checked[^>]*value="{platform.claire.id}"', response.text)
    assert "Preview the invitation" in page_text(response)


def test_a_cancelled_session_takes_no_invitations(organiser_client, platform):
    platform.session.status = SessionStatus.CANCELLED
    db.session.commit()

    page = organiser_client.get(new_url(platform.session))
    sent = organiser_client.post(
        new_url(platform.session),
        data=send_confirmed(platform.anna),
        follow_redirects=True,
    )

    assert "The session is cancelled; nobody can be invited." in page_text(page)
    assert "Preview the invitation" not in page_text(page)
    assert "The session is cancelled; nobody can be invited." in page_text(sent)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_withdrawing_an_invitation(organiser_client, platform):
    services.invite_experts(platform.session, [platform.anna, platform.claire])
    db.session.commit()
    invitation = invitation_of(platform.session, platform.claire)
    url = f"/sessions/{platform.session.id}/invitations/{invitation.id}/withdraw"

    first = organiser_client.post(url, follow_redirects=True)
    second = organiser_client.post(url, follow_redirects=True)

    assert "The invitation of Claire Tremblay has been withdrawn" in page_text(first)
    assert "Show the withdrawn invitation (1)" in page_text(first)
    assert "This invitation has already been withdrawn." in page_text(second)
    db.session.expire_all()
    assert invitation.withdrawn_at is not None


def test_an_invitation_of_another_session_is_not_found(organiser_client, platform):
    other = make_session(title="Anderer Workshop")
    db.session.commit()
    services.invite_experts(other, [platform.anna])
    db.session.commit()
    invitation = invitation_of(other, platform.anna)

    for action in ("withdraw", "answer"):
        url = f"/sessions/{platform.session.id}/invitations/{invitation.id}/{action}"
        assert organiser_client.post(url, data={"response": "accepted"}).status_code == 404


def test_inviting_again_after_a_withdrawal_starts_afresh(platform):
    services.invite_experts(platform.session, [platform.anna])
    invitation = invitation_of(platform.session, platform.anna)
    services.record_answer(invitation, Response.ACCEPTED, Channel.LINK, comment="Gern")
    services.withdraw_invitation(invitation)
    db.session.commit()

    result = services.invite_experts(platform.session, [platform.anna])

    assert result.invited == [invitation]
    assert invitation.response == Response.NEEDS_ACTION
    assert (invitation.comment, invitation.responded_at, invitation.channel) == ("", None, None)
    assert len(invitation.answers) == 1  # the history keeps the earlier answer


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/sessions/{session}/invitations/new"),
        ("POST", "/sessions/{session}/invitations/new"),
        ("POST", "/sessions/{session}/invitations/{invitation}/withdraw"),
    ],
)
def test_the_secretariat_does_not_invite_or_withdraw(secretariat_client, platform, method, path):
    services.invite_experts(platform.session, [platform.anna])
    db.session.commit()
    invitation = invitation_of(platform.session, platform.anna)
    url = path.format(session=platform.session.id, invitation=invitation.id)

    assert secretariat_client.open(url, method=method).status_code == 403
