"""The attendance list is prefilled from the answers and kept on the day."""

import pytest

from eventsys.attendance import services
from eventsys.attendance.states import AttendanceStatus
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.states import Channel, Response
from tests.invitations.conftest import invitation_of, make_expert


def by_name(session) -> dict:
    return {a.display_name: a for a in services.attendees_of(session)}


def test_prefill_lists_who_answered_with_deputies_and_excuses(answered):
    session = answered.session
    assert services.prefill(session) == 4
    listed = by_name(session)
    assert listed[answered.anna.full_name].status == AttendanceStatus.EXPECTED
    assert listed[answered.bernd.full_name].status == AttendanceStatus.EXCUSED
    assert listed[answered.claire.full_name].status == AttendanceStatus.EXCUSED
    erik = listed[answered.erik.full_name]
    assert erik.deputy_for == answered.claire  # "in Vertretung für Claire Tremblay"


def test_prefill_again_keeps_the_marks_and_adds_only_newcomers(answered):
    session = answered.session
    services.prefill(session)
    anna = by_name(session)[answered.anna.full_name]
    services.mark(anna, AttendanceStatus.PRESENT, None)
    late = make_expert("Lena", "Spät", answered.koeln)
    db.session.flush()
    invitations.invite_experts(session, [late])
    invitations.record_answer(invitation_of(session, late), Response.ACCEPTED, Channel.MANUAL)
    assert services.prefill(session) == 1
    listed = by_name(session)
    assert listed[answered.anna.full_name].status == AttendanceStatus.PRESENT
    assert listed[late.full_name].status == AttendanceStatus.EXPECTED


def test_marking_and_guests_and_totals_by_group(answered):
    session = answered.session
    services.prefill(session)
    listed = by_name(session)
    assert services.mark(listed[answered.anna.full_name], AttendanceStatus.PRESENT, None)
    assert not services.mark(listed[answered.anna.full_name], AttendanceStatus.PRESENT, None)
    services.mark(listed[answered.erik.full_name], AttendanceStatus.ABSENT, None)
    guest = services.add_guest(
        session, "  Maria   Gast ", "Stadt Jena", StakeholderGroup.MUNICIPALITIES, None
    )
    assert guest.display_name == "Maria Gast" and guest.status == AttendanceStatus.PRESENT
    totals = {t.group: t.counts for t in services.totals_in_database(session)}
    assert totals[StakeholderGroup.MUNICIPALITIES][AttendanceStatus.PRESENT] == 2
    assert totals[StakeholderGroup.SCIENCE][AttendanceStatus.EXCUSED] == 1
    assert totals[StakeholderGroup.INTERNATIONAL_PARTNERS][AttendanceStatus.ABSENT] == 1


def test_bad_guest_and_double_entries_are_refused(answered):
    session = answered.session
    services.prefill(session)
    with pytest.raises(services.AttendanceError):
        services.add_guest(session, "   ", "", None, None)
    with pytest.raises(services.AttendanceError):
        services.add_guest(session, "x" * 201, "", None, None)
    with pytest.raises(services.AttendanceError, match=answered.anna.last_name):
        services.add_expert(session, answered.anna, None)
    added = services.add_expert(session, answered.dora, None)
    assert added.status == AttendanceStatus.PRESENT
