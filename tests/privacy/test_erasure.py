"""Erasure (Art. 17 GDPR): the directory entry anonymous, mails and comments gone, counts kept,
and the approved minutes that name the person unchanged, as records must stay."""

import sqlalchemy as sa

from eventsys.attendance.models import Attendee
from eventsys.audit.models import AuditEntry
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.deputies import NewDeputy, propose_deputy
from eventsys.invitations.models import DeputyProposal, Invitation
from eventsys.minutes.models import MinutesComment, MinutesVersion
from eventsys.outbox.models import OutboxMessage
from eventsys.privacy import erasure
from eventsys.replies.models import InboundMessage
from eventsys.sessions.models import Session
from tests.conftest import page_text, sign_in


def count(model, *conditions) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def frozen_versions() -> list[tuple[int, str, dict]]:
    return [
        (version.id, version.pdf_sha256, version.content)
        for version in db.session.scalars(sa.select(MinutesVersion).order_by(MinutesVersion.id))
    ]


def add_comment_and_reply(answered) -> None:
    anna = answered.anna
    minutes = answered.first_version.minutes
    db.session.add(MinutesComment(minutes=minutes, expert=anna, version_number=1, text="Bitte"))
    db.session.add(
        InboundMessage(
            source="upload", digest="d" * 64, message_id="<m@x>", sender=f"Anna <{anna.email}>",
            subject="AW: Einladung", raw_message=b"Subject: AW", method="", calendar_uid="",
            attendee="", outcome="needs_review", explanation="",
        )
    )  # fmt: skip
    db.session.commit()


def test_erasing_anna_keeps_counts_and_the_approved_minutes(admin_client, answered):
    add_comment_and_reply(answered)
    anna_id, email = answered.anna.id, answered.anna.email
    before = frozen_versions()
    attendance_before = count(Attendee)
    invitations_before = count(Invitation)
    assert count(OutboxMessage, OutboxMessage.recipient == email) == 1

    page = admin_client.get(f"/experts/{anna_id}/privacy/erase")
    assert "Workshop Strategien" in page_text(page) and "Bundesarchiv" in page_text(page)
    response = admin_client.post(f"/experts/{anna_id}/privacy/erase", data={"confirm": "y"})
    assert response.status_code == 302
    assert "Die personenbezogenen Daten wurden gelöscht: 1 gesandte und 1 erhaltene" in (
        page_text(admin_client.get(response.location))
    )

    db.session.expire_all()
    anna = db.session.get(Expert, anna_id)
    assert (anna.first_name, anna.last_name) == ("", f"Gelöschte Person {anna_id}")
    assert anna.email == f"geloescht-{anna_id}@erased.invalid" and not anna.active
    assert anna.working_groups == [] and anna.feed_token is None
    assert count(OutboxMessage, OutboxMessage.recipient == email) == 0
    assert count(InboundMessage) == 0
    assert count(MinutesComment) == 0
    assert (
        db.session.scalar(sa.select(Invitation.comment).where(Invitation.expert_id == anna_id))
        == ""
    )
    assert count(Attendee) == attendance_before and count(Invitation) == invitations_before
    assert frozen_versions() == before  # the records stay exactly as approved
    assert "Schmidt" in str(before[0][2])  # ... and they still name her
    summaries = db.session.scalars(
        sa.select(AuditEntry.summary).where(
            AuditEntry.entity_type == "experts", AuditEntry.entity_id == anna_id
        )
    ).all()
    assert not any(email in summary for summary in summaries)
    assert any(summary.startswith("personal data erased") for summary in summaries)
    # Her export now holds nothing personal.
    export = admin_client.get(f"/experts/{anna_id}/privacy/export.json").get_data(as_text=True)
    assert email not in export and "Anna" not in export


def test_nothing_happens_without_confirmation(admin_client, answered):
    response = admin_client.post(f"/experts/{answered.anna.id}/privacy/erase", data={})
    assert response.status_code == 200
    assert "Bitte bestätigen Sie die Löschung." in page_text(response)
    db.session.expire_all()
    assert db.session.get(Expert, answered.anna.id).first_name == "Anna"


def test_an_erased_entry_cannot_be_erased_again(admin_client, answered):
    erasure.erase_expert(answered.anna)
    db.session.commit()
    response = admin_client.post(
        f"/experts/{answered.anna.id}/privacy/erase", data={"confirm": "y"}
    )
    assert response.status_code == 302
    assert "bereits gelöscht" in page_text(admin_client.get(response.location))


def test_only_admins_erase(client, staff, answered):
    sign_in(client, staff.organiser)
    path = f"/experts/{answered.anna.id}/privacy/erase"
    assert client.post(path, data={"confirm": "y"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Expert, answered.anna.id).first_name == "Anna"


def test_deputies_named_by_or_naming_the_person_go_with_the_erasure(answered):
    plenum = db.session.scalar(sa.select(Session).where(Session.title == "Plenum Datenschutz"))
    anna, claire = (
        db.session.scalar(
            sa.select(Invitation).where(
                Invitation.session_id == plenum.id, Invitation.expert_id == expert.id
            )
        )
        for expert in (answered.anna, answered.claire)
    )
    propose_deputy(anna, NewDeputy("Marc", "Gagnon", "marc.gagnon@example.org"))
    propose_deputy(claire, NewDeputy("Anna", "S.", answered.anna.email))
    db.session.commit()
    assert count(DeputyProposal) == 2

    erasure.erase_expert(answered.anna)
    db.session.commit()

    assert count(DeputyProposal) == 0
