"""The expert directory as Excel and as CSV for German Excel: what the page's filters find,
across all pages, with organisation, group, working groups, language and deputy; every cell
data, never a formula; noted in the audit trail; the same queries for 3 experts as for 60."""

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from eventsys.audit.models import AuditEntry
from eventsys.experts import working_groups
from eventsys.experts.salutations import Salutation
from eventsys.experts.search import DIRECTORY_PAGE_SIZE
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from tests.conftest import sign_in

HEADINGS = [
    "Salutation", "Title", "First name", "Last name", "E-mail address", "Organisation",
    "Stakeholder group", "Country", "Function", "Working groups", "Preferred language",
    "Time zone", "Deputy", "Deputy's e-mail address", "Status",
]  # fmt: skip


@pytest.fixture
def directory(make_expert, make_organisation):
    """Three experts in two groups: one with a deputy and two working groups, one reading
    English in Toronto, one whose function a hostile form filled with a formula."""
    berlin = make_organisation("Land Berlin", StakeholderGroup.STATE_MINISTRIES)
    koeln = make_organisation("Stadt Köln", StakeholderGroup.MUNICIPALITIES)
    claire = make_expert(
        "Claire",
        "Tremblay",
        "claire@montreal.example",
        koeln,
        language="en",
        timezone="America/Toronto",
    )
    joerg = make_expert(
        "Jörg",
        "Müller",
        "joerg@koeln.example",
        koeln,
        salutation=Salutation.MR,
        title="Dr.",
        deputy=claire,
    )
    hostile = make_expert(
        "Eve", "Angriff", "eve@berlin.example", berlin, function='=HYPERLINK("http://x","y")'
    )
    working_groups.create_working_group("AG Mobilität", members=[joerg])
    working_groups.create_working_group("AG Daten", members=[joerg, hostile])
    db.session.commit()
    return joerg, claire, hostile


def sheet_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [["" if cell is None else cell for cell in row] for row in sheet.values]


def test_the_excel_list_holds_every_expert_found_with_their_details(client, staff, directory):
    sign_in(client, staff.secretariat)

    response = client.get("/experts/directory.xlsx")

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="experts-' in response.headers["Content-Disposition"]
    rows = sheet_rows(response)
    assert rows[0] == HEADINGS
    by_name = {row[3]: dict(zip(HEADINGS, row, strict=True)) for row in rows[1:]}
    assert list(by_name) == ["Angriff", "Müller", "Tremblay"]  # by surname
    assert by_name["Müller"] | {"Time zone": "(checked below)"} == {
        "Salutation": "Mr",
        "Title": "Dr.",
        "First name": "Jörg",
        "Last name": "Müller",
        "E-mail address": "joerg@koeln.example",
        "Organisation": "Stadt Köln",
        "Stakeholder group": "Cities, districts and municipalities",
        "Country": "",
        "Function": "",
        "Working groups": "AG Daten, AG Mobilität",
        "Preferred language": "Deutsch",
        "Time zone": "(checked below)",
        "Deputy": "Claire Tremblay",
        "Deputy's e-mail address": "claire@montreal.example",
        "Status": "active",
    }
    assert by_name["Tremblay"]["Preferred language"] == "English"
    assert "Berlin" in by_name["Müller"]["Time zone"]
    assert "Toronto" in by_name["Tremblay"]["Time zone"]
    assert by_name["Angriff"]["Stakeholder group"] == "State ministries for urban development"


def test_a_formula_stays_text_in_both_files(client, staff, directory):
    sign_in(client, staff.secretariat)

    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/experts/directory.xlsx").data))
    csv_text = client.get("/experts/directory.csv").data.decode("utf-8-sig")

    functions = [row[8] for row in workbook.active.iter_rows(min_row=2)]
    hostile = next(cell for cell in functions if "HYPERLINK" in str(cell.value))
    assert hostile.data_type == "s" and hostile.quotePrefix
    assert "'=HYPERLINK" in csv_text and ";=HYPERLINK" not in csv_text


def test_the_csv_opens_in_german_excel(client, staff, directory):
    staff.secretariat.language = "de"
    db.session.commit()
    sign_in(client, staff.secretariat)

    with force_locale("de"):  # over the English of every test here
        response = client.get("/experts/directory.csv")

    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # Excel reads UTF-8 with the mark
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Anrede", "Titel", "Vorname", "Nachname"]
    assert rows[2][:6] == ["Herr", "Dr.", "Jörg", "Müller", "joerg@koeln.example", "Stadt Köln"]
    assert rows[2][-1] == "aktiv"


def test_the_filters_of_the_page_choose_the_experts_across_pages(
    client, staff, directory, make_expert, make_organisation
):
    many = make_organisation("Stadt Ulm", StakeholderGroup.MUNICIPALITIES)
    for number in range(DIRECTORY_PAGE_SIZE + 5):
        make_expert("Uli", f"Ulm{number:03d}", f"uli{number}@ulm.example", many)
    sign_in(client, staff.secretariat)
    filters = {"stakeholder_group": "municipalities", "q": "ulm", "page": "2"}

    page = client.get("/experts/", query_string=filters)
    response = client.get("/experts/directory.xlsx", query_string=filters)

    names = [row[3] for row in sheet_rows(response)[1:]]
    assert names == [f"Ulm{number:03d}" for number in range(DIRECTORY_PAGE_SIZE + 5)]
    assert "/experts/directory.xlsx?stakeholder_group=municipalities&amp;q=ulm" in page.text
    assert "page=2" not in page.text.split("directory.xlsx", 1)[1].split('"', 1)[0]


def test_each_download_is_noted_in_the_audit_trail(client, staff, directory):
    sign_in(client, staff.organiser)

    client.get("/experts/directory.csv", query_string={"stakeholder_group": "state_ministries"})

    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "experts.directory_exported")
    )
    assert entry.actor_id == staff.organiser.id
    assert entry.changes["format"] == "csv" and entry.changes["experts"] == 1
    assert entry.changes["filters"]["stakeholder_group"] == "state_ministries"


def test_the_directory_is_not_for_anyone_signed_out(client, directory):
    for kind in ("xlsx", "csv"):
        response = client.get(f"/experts/directory.{kind}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_download_needs_as_many_queries_for_60_experts_as_for_3(
    client, staff, directory, make_expert, make_organisation, count_queries
):
    sign_in(client, staff.secretariat)
    client.get("/experts/directory.xlsx")
    db.session.expire_all()
    with count_queries() as few:
        client.get("/experts/directory.xlsx")
    organisation = make_organisation("Stadt Ulm")
    for number in range(57):
        make_expert("Uli", f"Ulm{number:03d}", f"uli{number}@ulm.example", organisation)
    db.session.expire_all()
    with count_queries() as many:
        response = client.get("/experts/directory.xlsx")

    assert len(sheet_rows(response)) == 61
    assert many.count == few.count
