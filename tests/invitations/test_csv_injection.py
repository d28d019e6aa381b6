"""Exports safe in any spreadsheet: names and comments that would be formulas stay text,
whichever delimiter the spreadsheet splits on, and in the Excel list no cell is a formula. The
XLSX file is read back twice: its sheet's XML as Excel reads it, and through openpyxl."""

import csv
import io
import zipfile
from datetime import datetime

import openpyxl
import pytest
import sqlalchemy as sa

from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.states import Channel, Response
from eventsys.localtime import platform_zone
from eventsys.spreadsheets import FORMULA_STARTS, neutralise_cell
from tests.invitations.conftest import invitation_of

CALC = "-2+3;=cmd|' /C calc'!A0"


def formula_cells(text: str, delimiter: str) -> list[str]:
    """The cells a spreadsheet splitting on `delimiter` would run as formulas."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [cell for row in rows for cell in row if cell.lstrip(' "').startswith(FORMULA_STARTS)]


@pytest.fixture
def hostile(platform):
    session = platform.session
    formula = Expert(
        first_name="=1+1",
        last_name="Eins",
        email="eins@example.org",
        organisation=platform.anna.organisation,
    )
    calc = Expert(
        first_name=CALC,
        last_name="Zwei",
        email="zwei@example.org",
        organisation=platform.anna.organisation,
    )
    db.session.add_all([formula, calc])
    db.session.flush()
    services.invite_experts(session, [formula, calc])
    services.record_answer(
        invitation_of(session, calc),
        Response.ACCEPTED,
        Channel.LINK,
        comment='ok,"@SUM(1+1)*cmd|\' /C calc\'!A0"\t=HYPERLINK("http://evil.example")',
    )
    db.session.commit()
    return session


def test_formulas_in_names_and_comments_stay_text_in_any_split(organiser_client, hostile):
    response = organiser_client.get(f"/sessions/{hostile.id}/invitations.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True).removeprefix("\ufeff")

    for delimiter in (",", ";", "\t", "|"):
        assert formula_cells(text, delimiter) == [], delimiter
    table = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    rows = {row["E-mail"]: row for row in table}
    assert rows["eins@example.org"]["Name"] == "'=1+1 Eins"
    assert rows["zwei@example.org"]["Name"] == "'-2+3;'=cmd|' /C calc'!A0 Zwei"
    # Every field quoted, the header too.
    for line in text.splitlines():
        assert line.startswith('"') and line.endswith('"')


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 123", "'+49 30 123"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t'=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("Köln; -2", "Köln; '-2"),
        ("Bonn", "Bonn"),
        ("Baden-Württemberg", "Baden-Württemberg"),
        (None, ""),
        (12, "12"),
    ],
)
def test_cells_are_neutralised_the_owasp_way(value, written):
    assert neutralise_cell(value) == written


def test_formulas_in_names_and_comments_stay_text_in_the_excel_list(organiser_client, hostile):
    response = organiser_client.get(f"/sessions/{hostile.id}/invitations.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet_xml = zipfile.ZipFile(io.BytesIO(response.data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml  # no formula anywhere

    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == [
        "Name", "E-mail", "Organisation", "Stakeholder group", "Answer", "In person / online",
        "Deputy", "Answered at", "Answered by", "For which version", "Comment",
    ]  # fmt: skip
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    name = rows["eins@example.org"][0]
    assert name.value == "=1+1 Eins" and name.data_type == "s" and name.quotePrefix
    calc = rows["zwei@example.org"]
    assert calc[0].value == f"{CALC} Zwei" and calc[0].quotePrefix
    assert calc[4].value == "Accepted" and calc[8].value == "Link in the mail"
    assert calc[9].value == "The current version"
    assert calc[10].value.startswith('ok,"@SUM') and calc[10].data_type == "s"
    assert isinstance(calc[7].value, datetime)  # a date a spreadsheet can sort and filter
    invitation = invitation_of(hostile, db.session.get(Expert, calc_id(hostile)))
    berlin = invitation.responded_at.astimezone(platform_zone()).replace(tzinfo=None)
    assert abs((calc[7].value - berlin).total_seconds()) < 1
    assert rows["eins@example.org"][4].value == "No answer yet"


def calc_id(session) -> int:
    return db.session.scalar(sa.select(Expert.id).where(Expert.email == "zwei@example.org"))


def test_characters_xml_cannot_carry_do_not_break_the_excel_list(organiser_client, hostile):
    invitation = invitation_of(hostile, db.session.get(Expert, calc_id(hostile)))
    invitation.comment = "vor\x01\x08\x1bnach"  # (PostgreSQL refuses NUL in text)
    db.session.commit()
    response = organiser_client.get(f"/sessions/{hostile.id}/invitations.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    comments = [row[10].value for row in sheet.iter_rows(min_row=2)]
    assert "vor\ufffd\ufffd\ufffdnach" in comments
