"""The privacy notice, the accessibility statement and the imprint: open to everyone, linked
from every page and every mail, written by admins in German and English."""

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.legal.models import LegalText
from eventsys.markup import MAX_NESTING_DEPTH
from tests.conftest import page_text, sign_in
from tests.invitations.conftest import text_of

PAGES = {
    "privacy": ("Datenschutzerklärung", "Privacy notice", "Art. 13", "Articles 13 and 14"),
    "accessibility": (
        "Erklärung zur Barrierefreiheit",
        "Accessibility statement",
        "Schlichtungsstelle nach § 16 BGG",
        "arbitration body under Section 16 BGG",
    ),
    "imprint": ("Impressum", "Imprint", "Herausgeber", "Publisher"),
}


@pytest.mark.parametrize("page", PAGES)
def test_everyone_reads_each_page_in_german_and_english(client, page):
    german_title, english_title, german_phrase, english_phrase = PAGES[page]
    german = client.get(f"/{page}")
    assert german.status_code == 200
    assert german_title in page_text(german) and german_phrase in page_text(german)
    assert "Dialogplattform Smart Cities" in page_text(german)  # the platform's name filled in
    client.post("/language", data={"language": "en", "next": f"/{page}"})
    english = client.get(f"/{page}")
    assert english_title in page_text(english) and english_phrase in page_text(english)
    assert "{platform}" not in english.get_data(as_text=True)


def test_the_accessibility_statement_names_feedback_and_arbitration(client):
    text = page_text(client.get("/accessibility"))
    assert "Feedback-Stelle" in text
    assert "Mauerstraße 53, 10117 Berlin" in text
    assert "BITV 2.0" in text and "§ 12a des Behindertengleichstellungsgesetzes" in text


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/privacy"])
def test_every_page_links_the_three_pages_in_its_footer(client, path):
    html = client.get(path).get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">') :]
    for page in PAGES:
        assert f'href="/{page}"' in footer


def test_staff_pages_link_them_too(admin_client):
    footer = admin_client.get("/").get_data(as_text=True).split('<footer class="site-footer">')[1]
    assert 'href="/privacy"' in footer and 'href="/imprint"' in footer


def test_an_admin_writes_a_page_in_both_languages(app, admin_client, client):
    response = admin_client.post(
        "/admin/legal/imprint",
        data={
            "body_de": "# Herausgeber\n\nBundesministerium für Wohnen",
            "body_en": "# Publisher\n\nFederal Ministry for Housing",
        },
    )
    assert response.status_code == 302
    assert "Der Text wurde gespeichert." in page_text(admin_client.get(response.location))
    assert "Bundesministerium für Wohnen" in page_text(client.get("/imprint"))
    assert "[Name der Behörde]" not in page_text(client.get("/imprint"))
    client.post("/language", data={"language": "en", "next": "/imprint"})
    assert "Federal Ministry for Housing" in page_text(client.get("/imprint"))
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.entity_type == "legal_texts")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["legal.written", "legal.written"]


def test_an_empty_text_goes_back_to_the_default(admin_client, client):
    admin_client.post("/admin/legal/privacy", data={"body_de": "Eigener Text", "body_en": "Own"})
    assert "Eigener Text" in page_text(client.get("/privacy"))
    admin_client.post("/admin/legal/privacy", data={"body_de": "", "body_en": "Own"})
    assert "Art. 13" in page_text(client.get("/privacy"))
    assert db.session.scalar(sa.select(sa.func.count(LegalText.id))) == 1  # English kept


def test_what_admins_write_is_shown_as_text_not_markup(admin_client, client):
    admin_client.post(
        "/admin/legal/privacy",
        data={
            "body_de": "<script>alert(1)</script> [Kontakt](javascript:alert(2))",
            "body_en": "x",
        },
    )
    html = client.get("/privacy").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_a_text_that_cannot_be_shown_is_refused_and_nothing_is_saved(admin_client):
    too_deep = "> " * (MAX_NESTING_DEPTH + 5) + "tief"
    response = admin_client.post(
        "/admin/legal/privacy", data={"body_de": "Gut", "body_en": too_deep}
    )
    assert response.status_code == 200
    assert "Bitte korrigieren Sie" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(LegalText.id))) == 0


def test_only_admins_edit(app, client, staff):
    sign_in(client, staff.organiser)
    assert client.get("/admin/legal/privacy").status_code == 403
    assert client.post("/admin/legal/privacy", data={"body_de": "x"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(LegalText.id))) == 0


def test_the_editor_says_when_a_default_is_still_shown(admin_client):
    text = page_text(admin_client.get("/admin/legal/accessibility"))
    assert "noch den Text, der mit der Plattform geliefert wird" in text


def test_every_mail_ends_with_the_privacy_notice(app, platform, smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    app.extensions["mail"].server, app.extensions["mail"].port = smtp_server.host, smtp_server.port
    invitations.invite_experts(platform.session, [platform.anna, platform.claire])
    db.session.commit()
    (german,) = smtp_server.sink.messages_to(platform.anna.email)
    assert "Datenschutzerklärung: http://eventsys.test/privacy" in text_of(german)
    html = german.get_body(preferencelist=("html",)).get_content()
    assert 'href="http://eventsys.test/privacy"' in html and "Datenschutzerklärung" in html
    (english,) = smtp_server.sink.messages_to(platform.claire.email)
    assert "Privacy notice: http://eventsys.test/privacy" in text_of(english)
