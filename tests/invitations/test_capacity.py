"""Capacity and the waiting list: first come, first served; a free place goes to the first
waiting; parallel answers never overbook (on PostgreSQL with row locks, on SQLite because it
serialises writers)."""

import threading
import urllib.request
from urllib.parse import urlencode

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Channel, Response
from eventsys.outbox.models import OutboxMessage
from tests.invitations.conftest import (
    invitation_of,
    make_expert,
    make_organisation,
    make_session,
    rsvp_path,
)


def mail_kinds(invitation: Invitation) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.kind)
            .where(OutboxMessage.invitation_id == invitation.id)
            .order_by(OutboxMessage.id)
        )
    )


def seats(session) -> tuple[int, int]:
    """(confirmed, waiting) acceptances of `session`."""
    db.session.expire_all()
    waiting = db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).where(
            Invitation.session_id == session.id, Invitation.waitlisted_at.is_not(None)
        )
    )
    return services.confirmed_count(session), waiting


def test_beyond_the_capacity_acceptances_wait_and_are_told(client, platform):
    session = platform.session
    session.capacity = 2
    db.session.commit()
    experts = [platform.anna, platform.bernd, platform.claire]
    services.invite_experts(session, experts)
    db.session.commit()

    for expert in experts:
        client.post(rsvp_path(invitation_of(session, expert)), data={"response": "accepted"})

    assert seats(session) == (2, 1)
    assert invitation_of(session, platform.claire).is_waitlisted
    # The waiting list's mail is the confirmation; those with a place get the calendar entry.
    assert mail_kinds(invitation_of(session, platform.claire)) == ["invitation", "waitlisted"]
    assert mail_kinds(invitation_of(session, platform.bernd)) == ["invitation", "answer_confirmed"]


def test_a_decline_moves_the_first_waiting_up_and_tells_them(client, platform):
    session = platform.session
    session.capacity = 1
    eve = make_expert("Eve", "Martin", platform.canada, language="en")
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire, eve])
    for expert in (platform.anna, platform.claire, eve):
        services.record_answer(invitation_of(session, expert), Response.ACCEPTED, Channel.LINK)
    db.session.commit()

    client.post(rsvp_path(invitation_of(session, platform.anna)), data={"response": "declined"})

    assert seats(session) == (1, 1)
    assert not invitation_of(session, platform.claire).is_waitlisted
    assert mail_kinds(invitation_of(session, platform.claire))[-1] == "moved_up"
    assert invitation_of(session, eve).is_waitlisted
    assert mail_kinds(invitation_of(session, eve))[-1] == "waitlisted"


def test_a_withdrawal_frees_the_place_too(organiser_client, platform):
    session = platform.session
    session.capacity = 1
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.claire])
    for expert in (platform.anna, platform.claire):
        services.record_answer(invitation_of(session, expert), Response.ACCEPTED, Channel.LINK)
    db.session.commit()
    anna = invitation_of(session, platform.anna)

    organiser_client.post(f"/sessions/{session.id}/invitations/{anna.id}/withdraw")

    assert seats(session) == (1, 0)
    assert mail_kinds(invitation_of(session, platform.claire))[-1] == "moved_up"


def test_accepting_again_keeps_the_place(client, platform):
    session = platform.session
    session.capacity = 1
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.claire])
    db.session.commit()
    anna = rsvp_path(invitation_of(session, platform.anna))

    client.post(anna, data={"response": "accepted"})
    client.post(rsvp_path(invitation_of(session, platform.claire)), data={"response": "accepted"})
    client.post(anna, data={"response": "accepted", "comment": "Mit Vortrag"})

    assert seats(session) == (1, 1)
    assert not invitation_of(session, platform.anna).is_waitlisted


def test_parallel_acceptances_through_http_never_overbook(app, live_server):
    """Ten experts press "accept" at the same moment for three places."""
    session = make_session(capacity=3)
    organisation = make_organisation("Stadt Leipzig")
    experts = [make_expert(f"Person{number}", "Parallel", organisation) for number in range(10)]
    db.session.commit()
    services.invite_experts(session, experts)
    db.session.commit()
    urls = [live_server.url + rsvp_path(invitation_of(session, expert)) for expert in experts]
    db.session.commit()  # no transaction of the test may hold the database meanwhile
    start = threading.Barrier(len(urls))
    statuses: list[int] = []
    failures: list[BaseException] = []

    def accept(url: str) -> None:
        request = urllib.request.Request(
            url, data=urlencode({"response": "accepted"}).encode(), method="POST"
        )
        try:
            start.wait(timeout=30)
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append(response.status)
        except BaseException as error:  # reported below; a thread cannot fail the test itself
            failures.append(error)

    threads = [threading.Thread(target=accept, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert statuses == [200] * 10  # each redirected to its answer page
    assert seats(session) == (3, 7)
    waiting = db.session.scalars(
        sa.select(Invitation).where(
            Invitation.session_id == session.id, Invitation.waitlisted_at.is_not(None)
        )
    ).all()
    assert all(mail_kinds(invitation) == ["invitation", "waitlisted"] for invitation in waiting)


def test_raising_the_capacity_moves_the_waiting_list_up(client, platform):
    """More places for the session: those waiting get them at once, in order of arrival."""
    from dataclasses import fields

    from eventsys.sessions import services as sessions
    from eventsys.sessions.services import SessionDetails

    session = platform.session
    session.capacity = 1
    db.session.commit()
    experts = [platform.anna, platform.bernd, platform.claire]
    services.invite_experts(session, experts)
    db.session.commit()
    for expert in experts:
        client.post(rsvp_path(invitation_of(session, expert)), data={"response": "accepted"})
    assert seats(session) == (1, 2)

    details = SessionDetails(
        **{detail.name: getattr(session, detail.name) for detail in fields(SessionDetails)}
        | {"capacity": 2}
    )
    sessions.update_session(session, details)
    db.session.commit()

    assert seats(session) == (2, 1)
    assert mail_kinds(invitation_of(session, platform.bernd))[-1] == "moved_up"
    assert invitation_of(session, platform.claire).is_waitlisted
