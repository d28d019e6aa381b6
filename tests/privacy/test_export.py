"""A request for access (Art. 15 GDPR): admins download everything held about an expert, as
JSON and as a readable PDF; nobody else may."""

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.privacy.export import expert_export
from eventsys.replies.models import CounterProposal, InboundMessage
from eventsys.replies.states import Outcome, Source
from tests.conftest import page_text, sign_in
from tests.pdf.pdf_contents import page_texts, tagged_structure


def test_the_json_holds_what_is_kept_about_anna_and_nothing_about_others(admin_client, answered):
    anna = answered.anna
    response = admin_client.get(f"/experts/{anna.id}/privacy/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert 'filename="Auskunft-Anna-Schmidt.json"' in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["directory"]["email"] == anna.email
    assert data["directory"]["organisation"] == "Stadt Köln"
    (invitation,) = data["invitations"]
    assert invitation["session"] == "Plenum Datenschutz"
    assert invitation["answer"] == "accepted" and invitation["comment"] == "Gern dabei"
    assert [answer["channel"] for answer in invitation["answers_given"]] == ["link"]
    assert sorted(row["session"] for row in data["attendance"]) == [
        "Workshop Kompetenzen",
        "Workshop Strategien",
    ]
    assert [mail["kind"] for mail in data["mail_sent_to_them"]] == ["invitation"]
    assert [record["session"] for record in data["kept_records"]] == [
        "Workshop Strategien",
        "Workshop Kompetenzen",
    ]
    assert answered.claire.email not in response.get_data(as_text=True)
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.exported")
    ).all()
    assert [(entry.entity_type, entry.entity_id) for entry in entries] == [("experts", anna.id)]


def test_the_pdf_reads_as_a_letter_of_access(admin_client, answered):
    response = admin_client.get(f"/experts/{answered.anna.id}/privacy/export.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = " ".join(" ".join(page.split()) for page in page_texts(response.data))
    assert "Auskunft über personenbezogene Daten (Art. 15 DSGVO)" in text
    assert "Dr. Anna Schmidt" in text
    assert ("Plenum Datenschutz" in text and "Zugesagt" in text) or "Zusage" in text
    assert "Bundesarchiv" in text  # the kept minutes are named as records
    assert "Tremblay" not in text
    structure = tagged_structure(response.data)
    assert structure.language == "de" and {"H1", "H2", "Table", "TH"} <= structure.types()


def test_a_pdf_over_the_time_limit_leaves_the_json_and_no_trace_of_an_export(
    app, admin_client, answered
):
    app.config["PDF_TIME_LIMIT_SECONDS"] = 0.01  # no real rendering is that fast
    response = admin_client.get(f"/experts/{answered.anna.id}/privacy/export.pdf")
    assert response.status_code == 302
    assert response.location.endswith(f"/experts/{answered.anna.id}/privacy/")
    assert "enthält dieselben Daten" in page_text(admin_client.get(response.location))
    assert (
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "privacy.exported")
        ).all()
        == []
    )


def test_the_page_shows_every_part_in_words(admin_client, answered):
    text = page_text(admin_client.get(f"/experts/{answered.anna.id}/privacy/"))
    for heading in (
        "Verzeichniseintrag",
        "Einladungen und Antworten",
        "Teilnehmende",
        "An die Person gesandte E-Mails",
        "Freigegebene Protokolle, die die Person nennen",
    ):
        assert heading in text
    assert "accepted" not in text  # states in words, not codes
    assert "Bundesarchiv" in text


def test_only_admins_see_or_download_it(client, staff, answered):
    for role in (staff.organiser, staff.secretariat):
        other = client.application.test_client()
        sign_in(other, role)
        for suffix in ("", "export.json", "export.pdf"):
            path = f"/experts/{answered.anna.id}/privacy/{suffix}"
            assert other.get(path).status_code == 403
    assert not db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.exported")
    ).all()


def test_the_export_asks_the_same_queries_however_long_the_history(app, answered, count_queries):
    with count_queries() as short:
        expert_export(answered.claire, utcnow())
    with count_queries() as long:
        expert_export(answered.anna, utcnow())
    assert long.count == short.count


def test_a_time_the_expert_proposed_from_their_calendar_is_in_the_export(admin_client, answered):
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.expert_id == answered.anna.id)
    )
    mail = InboundMessage(
        source=Source.UPLOAD, digest="c" * 64, message_id="<counter@example.org>",
        sender=answered.anna.email, subject="Neuer Zeitvorschlag", raw_message=b"\r\n",
        method="COUNTER", outcome=Outcome.COUNTER_PROPOSAL, invitation_id=invitation.id,
    )  # fmt: skip
    db.session.add(mail)
    db.session.flush()
    db.session.add(
        CounterProposal(
            invitation_id=invitation.id,
            inbound_message_id=mail.id,
            starts_at=datetime(2030, 7, 2, 8, 0, tzinfo=UTC),
            ends_at=datetime(2030, 7, 2, 14, 0, tzinfo=UTC),
            comment="Dienstag ginge besser.",
        )
    )
    db.session.commit()

    data = admin_client.get(f"/experts/{answered.anna.id}/privacy/export.json").get_json()

    ((proposal,),) = [row["times_proposed"] for row in data["invitations"]]
    assert proposal["starts_at"] == "2030-07-02T08:00:00+00:00"
    assert proposal["comment"] == "Dienstag ginge besser."
