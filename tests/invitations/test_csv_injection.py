"""Exports safe in any spreadsheet (issue 11, item 8): names and comments that would be formulas
stay text, whichever delimiter the spreadsheet splits on."""

import csv
import io

import pytest

from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.states import Channel, Response
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
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows["eins@example.org"]["name"] == "'=1+1 Eins"
    assert rows["zwei@example.org"]["name"] == "'-2+3;'=cmd|' /C calc'!A0 Zwei"
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
