"""Deputies named through an answer link: at most one, typed ones kept as guests of the
invitation until staff confirm them, and nothing from the directory shown for a typed address."""

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.models import DeputyProposal
from eventsys.invitations.states import ProposalState, Response
from eventsys.outbox.models import OutboxMessage
from tests.charters.conftest import language_chosen_per_request  # noqa: F401
from tests.conftest import page_text
from tests.invitations.conftest import invitation_of, rsvp_path


@pytest.fixture
def invited(platform):
    """Claire (English, Housing Canada) and Anna (German, Stadt Köln) invited."""
    services.invite_experts(platform.session, [platform.claire, platform.anna])
    db.session.commit()
    return platform


def name_deputy(client, invitation, first_name: str, last_name: str, address: str):
    return client.post(
        rsvp_path(invitation),
        data={
            "response": "deputy",
            "deputy": "other",
            "deputy_first_name": first_name,
            "deputy_last_name": last_name,
            "deputy_email": address,
        },
        follow_redirects=True,
    )


def name_bernd_in_short_for_claire(client, invited):
    """Claire types Bernd Vogel's address (known to the directory) with only his initials."""
    return name_deputy(
        client, invitation_of(invited.session, invited.claire), "B.", "V.", invited.bernd.email
    )


def mail_kinds_to(address: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.kind)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id)
        )
    )


def experts_held() -> tuple[int, int]:
    """How many directory entries there are, and how many of them are active."""
    return (
        db.session.scalar(sa.select(sa.func.count(Expert.id))),
        db.session.scalar(sa.select(sa.func.count(Expert.id)).where(Expert.active.is_(True))),
    )


def decide(organiser_client, session, decision: str):
    proposal = db.session.scalar(sa.select(DeputyProposal))
    return organiser_client.post(
        f"/sessions/{session.id}/deputy-proposals/{proposal.id}",
        data={decision: "y"},
        follow_redirects=True,
    )


def test_a_typed_deputy_waits_as_a_guest_of_the_invitation(client, invited):
    invitation = invitation_of(invited.session, invited.claire)
    held_before = experts_held()

    page = name_deputy(client, invitation, "Marc", "Gagnon", "Marc.Gagnon@Example.ORG")

    assert "You have named Marc Gagnon (marc.gagnon@example.org) as your deputy." in (
        page_text(page)
    )
    assert "The organisers confirm your deputy" in page_text(page)
    assert experts_held() == held_before
    assert mail_kinds_to("marc.gagnon@example.org") == []
    db.session.expire_all()
    assert invitation.response == Response.DELEGATED
    assert invitation.delegated_to is None
    proposal = invitation.deputy_proposal
    assert (proposal.full_name, proposal.email, proposal.state) == (
        "Marc Gagnon",
        "marc.gagnon@example.org",
        ProposalState.PENDING,
    )


def test_a_typed_address_never_shows_what_the_directory_holds(client, invited):
    invitation = invitation_of(invited.session, invited.claire)

    page = name_deputy(client, invitation, "B.", "V.", "BERND.VOGEL@example.org")

    text = page_text(page)
    assert "B. V. (bernd.vogel@example.org)" in text
    assert "Bernd Vogel" not in text and "BBSR" not in text
    assert invitation_of(invited.session, invited.bernd) is None


def test_the_form_cannot_add_an_active_expert_or_a_second_deputy(client, invited):
    invitation = invitation_of(invited.session, invited.claire)
    held_before = experts_held()

    for number in range(5):
        name_deputy(client, invitation, "Gast", str(number), f"gast{number}@example.org")

    assert experts_held() == held_before
    proposals = db.session.scalars(sa.select(DeputyProposal)).all()
    assert [proposal.email for proposal in proposals] == ["gast4@example.org"]
    assert all(mail_kinds_to(f"gast{number}@example.org") == [] for number in range(5))


def test_naming_someone_else_withdraws_the_deputy_invited_before(client, invited):
    invited.claire.deputy = invited.bernd
    db.session.commit()
    invitation = invitation_of(invited.session, invited.claire)
    client.post(rsvp_path(invitation), data={"response": "deputy", "deputy": "configured"})
    first_deputy = invitation_of(invited.session, invited.bernd)
    assert first_deputy.invited_as_deputy and first_deputy.is_active

    name_deputy(client, invitation, "Marc", "Gagnon", "marc.gagnon@example.org")

    db.session.expire_all()
    assert not first_deputy.is_active
    assert mail_kinds_to(invited.bernd.email) == ["deputy_invited", "withdrawal"]
    assert invitation.delegated_to is None
    assert invitation.deputy_proposal.email == "marc.gagnon@example.org"


def test_a_deputy_invited_in_their_own_right_keeps_their_invitation(client, invited):
    services.invite_experts(invited.session, [invited.bernd])
    invited.claire.deputy = invited.bernd
    db.session.commit()
    invitation = invitation_of(invited.session, invited.claire)
    client.post(rsvp_path(invitation), data={"response": "deputy", "deputy": "configured"})

    name_deputy(client, invitation, "Marc", "Gagnon", "marc.gagnon@example.org")

    db.session.expire_all()
    bernd = invitation_of(invited.session, invited.bernd)
    assert bernd.is_active and not bernd.invited_as_deputy
    assert mail_kinds_to(invited.bernd.email) == ["invitation"]


def test_answering_for_oneself_takes_the_delegation_back(client, invited):
    invited.claire.deputy = invited.bernd
    db.session.commit()
    claire = invitation_of(invited.session, invited.claire)
    anna = invitation_of(invited.session, invited.anna)
    client.post(rsvp_path(claire), data={"response": "deputy", "deputy": "configured"})
    name_deputy(client, anna, "Marc", "Gagnon", "marc.gagnon@example.org")

    client.post(rsvp_path(claire), data={"response": "accepted"})
    client.post(rsvp_path(anna), data={"response": "declined"})

    db.session.expire_all()
    assert not invitation_of(invited.session, invited.bernd).is_active
    assert (claire.response, claire.delegated_to) == (Response.ACCEPTED, None)
    assert (anna.response, anna.deputy_proposal) == (Response.DECLINED, None)


def test_staff_see_the_proposal_with_what_the_directory_knows(client, organiser_client, invited):
    name_bernd_in_short_for_claire(client, invited)

    listing = page_text(organiser_client.get(f"/sessions/{invited.session.id}/invitations"))

    assert "Deputies to confirm" in listing
    assert "B. V. (bernd.vogel@example.org) for Claire Tremblay" in listing
    assert "In the directory as Bernd Vogel (BBSR)." in listing


def test_confirming_a_new_person_adds_them_and_invites_them(client, organiser_client, invited):
    invitation = invitation_of(invited.session, invited.claire)
    name_deputy(client, invitation, "Marc", "Gagnon", "marc.gagnon@example.org")

    page = decide(organiser_client, invited.session, "confirm")

    assert "Marc Gagnon has been invited as the deputy of Claire Tremblay." in page_text(page)
    marc = db.session.scalar(sa.select(Expert).where(Expert.email == "marc.gagnon@example.org"))
    assert marc.active and marc.organisation == invited.canada
    assert (marc.language, marc.timezone) == ("en", "America/Toronto")
    db.session.expire_all()
    assert invitation.delegated_to.expert == marc
    assert invitation.delegated_to.invited_as_deputy
    assert invitation.deputy_proposal.state == ProposalState.CONFIRMED
    assert mail_kinds_to("marc.gagnon@example.org") == ["deputy_invited"]
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.action.like("invitation.deputy_%"))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["invitation.deputy_proposed", "invitation.deputy_confirmed"]
    assert "Marc Gagnon" in page_text(client.get(rsvp_path(invitation)))


def test_confirming_an_address_in_the_directory_invites_that_expert(
    client, organiser_client, invited
):
    held_before = experts_held()
    name_bernd_in_short_for_claire(client, invited)

    decide(organiser_client, invited.session, "confirm")

    assert experts_held() == held_before
    assert invitation_of(invited.session, invited.bernd).invited_as_deputy


def test_a_deactivated_address_is_not_invited(client, organiser_client, invited):
    name_deputy(
        client, invitation_of(invited.session, invited.claire), "D.", "A.", invited.dora.email
    )

    page = decide(organiser_client, invited.session, "confirm")

    assert "belongs to a deactivated directory entry" in page_text(page)
    assert invitation_of(invited.session, invited.dora) is None
    db.session.expire_all()
    assert db.session.scalar(sa.select(DeputyProposal.state)) == ProposalState.PENDING


def test_a_declined_proposal_is_told_on_the_answer_page(client, organiser_client, invited):
    invitation = invitation_of(invited.session, invited.claire)
    name_deputy(client, invitation, "Marc", "Gagnon", "marc.gagnon@example.org")

    decide(organiser_client, invited.session, "decline")
    again = decide(organiser_client, invited.session, "confirm")

    assert "This deputy has already been dealt with." in page_text(again)
    assert mail_kinds_to("marc.gagnon@example.org") == []
    assert "the organisers have not confirmed this" in page_text(client.get(rsvp_path(invitation)))


def test_the_link_of_a_deactivated_expert_stops_with_whom_to_contact(client, invited, staff):
    invited.session.organisers.append(staff.organiser)
    invitation = invitation_of(invited.session, invited.anna)
    invited.anna.active = False
    db.session.commit()

    shown = client.get(rsvp_path(invitation))
    posted = client.post(rsvp_path(invitation), data={"response": "accepted"})

    assert shown.status_code == posted.status_code == 410
    text = page_text(shown)
    assert "Dieser Link funktioniert nicht mehr" in text
    assert staff.organiser.name in text
    assert invited.session.title not in text
    db.session.expire_all()
    assert invitation.response == Response.NEEDS_ACTION
