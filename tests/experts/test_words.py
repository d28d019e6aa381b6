"""The words of the directory: salutations and letter openings, names in the order German
readers expect (in the database and in Python alike), and time zones chosen from a list."""

import re

import pytest
import sqlalchemy as sa

from eventsys.documents.names import name_sort_key
from eventsys.experts.csv_import import Outcome, import_experts
from eventsys.experts.csv_reading import read_expert_file
from eventsys.experts.models import Expert, expert_sort_key
from eventsys.experts.salutations import Salutation, letter_opening
from eventsys.extensions import db
from tests.conftest import page_text
from tests.experts.test_views import expert_form


def person(salutation: Salutation, title: str, first: str, last: str, language: str) -> Expert:
    return Expert(
        salutation=salutation, title=title, first_name=first, last_name=last, language=language
    )


@pytest.mark.parametrize(
    ("salutation", "title", "first", "last", "language", "opening"),
    [
        (Salutation.MS, "Dr.", "Verena", "Albrecht", "de", "Sehr geehrte Frau Dr. Albrecht,"),
        (Salutation.MR, "Prof. Dr.", "Jan", "Kranz", "de", "Sehr geehrter Herr Prof. Dr. Kranz,"),
        (Salutation.MR, "", "Jan", "Kranz", "de", "Sehr geehrter Herr Kranz,"),
        (Salutation.NONE, "Dr.", "Verena", "Albrecht", "de", "Guten Tag, Dr. Verena Albrecht,"),
        (Salutation.NONE, "", "Kim", "Berg", "de", "Guten Tag, Kim Berg,"),
        (Salutation.MS, "Dr.", "Verena", "Albrecht", "en", "Dear Dr Albrecht,"),
        (Salutation.MS, "", "Verena", "Albrecht", "en", "Dear Ms Albrecht,"),
        (Salutation.MR, "", "Jan", "Kranz", "en", "Dear Mr Kranz,"),
        (Salutation.MR, "Prof. Dr.", "Jan", "Kranz", "en", "Dear Professor Kranz,"),
        (Salutation.NONE, "", "Verena", "Albrecht", "en", "Dear Verena Albrecht,"),
        # A doctor needs no Ms or Mr in English, so nothing about gender is assumed.
        (Salutation.NONE, "Dr.", "Verena", "Albrecht", "en", "Dear Dr Albrecht,"),
        # Degrees that are not used in an English salutation are left out.
        (Salutation.MS, "Dipl.-Ing.", "Verena", "Albrecht", "en", "Dear Ms Albrecht,"),
    ],
)
def test_letter_openings(salutation, title, first, last, language, opening):
    assert letter_opening(person(salutation, title, first, last, language)) == opening


def test_the_opening_follows_the_language_asked_for():
    expert = person(Salutation.MS, "Dr.", "Verena", "Albrecht", "en")
    assert letter_opening(expert, "de") == "Sehr geehrte Frau Dr. Albrecht,"


def test_the_salutation_is_chosen_on_the_form_and_shown(organiser_client, make_organisation):
    city = make_organisation("Stadt Köln")
    form_page = organiser_client.get("/experts/new")
    assert re.search(r'<select[^>]*name="salutation"', form_page.text)

    response = organiser_client.post(
        "/experts/new",
        data=expert_form(city, salutation="mr", title="Prof. Dr.", last_name="Kranz"),
    )

    assert response.status_code == 302
    expert = db.session.scalar(sa.select(Expert).where(Expert.last_name == "Kranz"))
    assert expert.salutation is Salutation.MR
    detail = page_text(organiser_client.get(f"/experts/{expert.id}"))
    assert "Salutation Mr" in detail
    assert "Sehr geehrter Herr Prof. Dr. Kranz," in detail


def test_a_made_up_salutation_is_refused(organiser_client, make_organisation):
    city = make_organisation("Stadt Köln")
    response = organiser_client.post("/experts/new", data=expert_form(city, salutation="dr"))

    assert response.status_code == 200
    assert "Not a valid choice" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(Expert.id))) == 0


def test_the_csv_import_reads_the_salutation_column(app):
    data = (
        "E-Mail;Vorname;Nachname;Anrede;Titel;Organisation;Stakeholdergruppe\n"
        "v.albrecht@bbsr.example;Verena;Albrecht;Frau;Dr.;BBSR;Wissenschaftsorganisationen\n"
        "j.kranz@bbsr.example;Jan;Kranz;Herr;;BBSR;Wissenschaftsorganisationen\n"
        "k.berg@bbsr.example;Kim;Berg;;;BBSR;Wissenschaftsorganisationen\n"
        "x.y@bbsr.example;Xaver;Yilmaz;Exzellenz;;BBSR;Wissenschaftsorganisationen\n"
    ).encode("cp1252")

    report = import_experts(read_expert_file(data))
    db.session.commit()

    assert [row.outcome for row in report.rows] == [Outcome.CREATED] * 3 + [Outcome.REJECTED]
    assert 'Unknown salutation "Exzellenz"' in report.rows[3].reason
    salutations = dict(db.session.execute(sa.select(Expert.last_name, Expert.salutation)).all())
    assert salutations == {
        "Albrecht": Salutation.MS,
        "Kranz": Salutation.MR,
        "Berg": Salutation.NONE,
    }


def test_the_privacy_export_names_the_salutation(admin_client, make_expert):
    expert = make_expert("Verena", "Albrecht", salutation=Salutation.MS)

    export = admin_client.get(f"/experts/{expert.id}/privacy/export.json")

    assert export.status_code == 200
    assert export.get_json()["directory"]["salutation"] == "ms"


# --- the order of names -------------------------------------------------------------------------

# As a German reader orders them (DIN 5007-1): umlauts as their base letter, ß as ss, case
# ignored, academic titles ignored, surname before given name.
GERMAN_ORDER = [
    ("", "Hans", "Kohl"),
    ("", "Anna", "Köhler"),
    ("Dr.", "Bernd", "Kohler"),
    ("", "Carla", "Kraemer"),
    ("Prof. Dr.", "Dora", "Krämer"),
    ("", "Emil", "Krämer"),
    ("", "Fritz", "Strauss"),
    ("", "Gerda", "Strauß"),
    ("", "Heike", "von Berg"),
]


@pytest.fixture
def names(make_expert) -> list[Expert]:
    """The experts of GERMAN_ORDER, created in an order unlike it."""
    created = {}
    for title, first, last in reversed(GERMAN_ORDER):
        created[last, first] = make_expert(first, last, title=title)
    return [created[last, first] for _, first, last in GERMAN_ORDER]


def test_the_directory_lists_names_as_german_readers_expect(organiser_client, names):
    text = page_text(organiser_client.get("/experts/"))

    shown = [f"{expert.last_name}, {expert.first_name}" for expert in names]
    positions = [text.find(name) for name in shown]
    assert -1 not in positions, [name for name in shown if name not in text]
    assert positions == sorted(positions), [
        name for _, name in sorted(zip(positions, shown, strict=True))
    ]


def test_the_database_and_python_agree_on_the_order(app, names):
    in_sql = list(db.session.scalars(sa.select(Expert).order_by(Expert.sort_key, Expert.id)))
    in_python = sorted(names, key=lambda expert: name_sort_key(expert.sort_name))

    assert in_sql == names
    assert in_python == names


def test_the_sort_key_follows_every_change_of_name(app, names):
    kohl = names[0]
    kohl.last_name = "Zuse"
    db.session.commit()

    assert kohl.sort_key == expert_sort_key("Zuse", "Hans") == "zuse, hans"
    last = db.session.scalars(sa.select(Expert).order_by(Expert.sort_key.desc())).first()
    assert last is kohl


def test_the_invitation_selection_lists_names_in_german_order(organiser_client, app, names):
    from tests.invitations.conftest import make_session

    session = make_session()
    db.session.commit()
    # Single experts are found by a search (here: everyone's mail domain), a page at a time.
    text = page_text(
        organiser_client.post(
            f"/sessions/{session.id}/invitations/new", data={"q": "stadt.example", "search": "y"}
        )
    )

    shown = [f"{expert.last_name}, {expert.first_name}" for expert in names]
    positions = [text.find(name) for name in shown]
    assert -1 not in positions, [name for name in shown if name not in text]
    assert positions == sorted(positions)


# --- time zones ---------------------------------------------------------------------------------


def test_the_time_zone_is_chosen_from_a_grouped_list(organiser_client):
    html = organiser_client.get("/experts/new").text

    select = html[
        html.index('name="timezone"') : html.index("</select>", html.index('name="timezone"'))
    ]
    assert '<optgroup label="Commonly used">' in select
    assert '<option selected value="Europe/Berlin">Germany – Berlin</option>' in select
    assert '<option value="America/Toronto">Canada – Toronto</option>' in select
    assert '<optgroup label="Asia">' in select
    # The commonly used zones come first.
    assert select.index("Canada – Toronto") < select.index('<optgroup label="Europe">')


def test_a_made_up_time_zone_is_refused_with_a_clear_message(organiser_client, make_organisation):
    city = make_organisation("Stadt Köln")
    response = organiser_client.post(
        "/experts/new", data=expert_form(city, timezone="Europe/Atlantis")
    )

    assert response.status_code == 200
    assert "Time zone: Please choose a time zone from the list." in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(Expert.id))) == 0


def test_a_chosen_time_zone_is_saved_and_shown_by_its_place(organiser_client, make_organisation):
    city = make_organisation("Stadt Köln")
    response = organiser_client.post(
        "/experts/new", data=expert_form(city, timezone="America/Toronto")
    )

    assert response.status_code == 302
    expert = db.session.scalar(sa.select(Expert))
    assert expert.timezone == "America/Toronto"
    detail = page_text(organiser_client.get(f"/experts/{expert.id}"))
    assert "Time zone Canada – Toronto (America/Toronto)" in detail


def test_an_imported_alias_stays_selected_when_the_expert_is_edited(organiser_client, make_expert):
    expert = make_expert("Sam", "Lee", timezone="US/Eastern")

    html = organiser_client.get(f"/experts/{expert.id}/edit").text

    assert '<option selected value="US/Eastern">US/Eastern</option>' in html
