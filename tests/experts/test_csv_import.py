"""Importing expert lists from CSV: encodings, headings, re-imports, refusals, dry runs, the CLI
and the upload page."""

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.experts import people, working_groups
from eventsys.experts.csv_import import Outcome, import_experts
from eventsys.experts.csv_reading import UnreadableFile, read_expert_file
from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from tests.conftest import page_text

EXCEL_FILE = Path(__file__).parent / "data" / "experts_excel_de.csv"

ENGLISH_HEADINGS = [
    "Email",
    "First name",
    "Last name",
    "Title",
    "Organization",
    "Stakeholder group",
    "Function",
    "Language",
    "Time zone",
    "Country",
    "Working groups",
]
GERMAN_HEADINGS = [
    "E-Mail",
    "Vorname",
    "Nachname",
    "Titel",
    "Organisation",
    "Stakeholdergruppe",
    "Funktion",
    "Sprache",
    "Zeitzone",
    "Land",
    "Arbeitsgruppen",
]

ROWS = [
    [
        "juergen.mueller@stadt-koeln.example",
        "Jürgen",
        "Müller",
        "Dr.",
        "Stadt Köln",
        "municipalities",
        "Leiter des Amts für Straßen und Verkehr",
        "de",
        "Europe/Berlin",
        "",
        "Mobilität|Daten",
    ],
    [
        "aenne.weiss@staedtetag.example",
        "Änne",
        "Weiß",
        "",
        "Deutscher Städtetag",
        "Municipal umbrella associations",
        "Referentin",
        "English",
        "",
        "",
        "Daten",
    ],
    [
        "soeren@aarhus.example",
        "Søren",
        "Østergaard",
        "",
        "Aarhus Kommune",
        "International partners",
        "Chief Digital Officer",
        "en",
        "Europe/Copenhagen",
        "DK",
        "",
    ],
]


def csv_bytes(
    rows: list[list[str]],
    headings: list[str] = ENGLISH_HEADINGS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    """A CSV file as a spreadsheet would write it (CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def run_import(data: bytes, dry_run: bool = False):
    report = import_experts(read_expert_file(data), dry_run=dry_run)
    db.session.commit()
    return report


def outcomes(report) -> list[tuple[int, str, Outcome]]:
    return [(row.line, row.email, row.outcome) for row in report.rows]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def expert(email: str) -> Expert:
    db.session.expire_all()
    return db.session.scalar(sa.select(Expert).where(Expert.email == email))


# --- encodings and separators -------------------------------------------------------------------


def test_utf8_with_byte_order_mark(app):
    data = b"\xef\xbb\xbf" + csv_bytes(ROWS)

    expert_file = read_expert_file(data)
    report = run_import(data)

    assert (expert_file.encoding, expert_file.delimiter) == ("utf-8-sig", ",")
    # The mark must not stick to the first heading, or the e-mail column would be missing.
    assert expert_file.columns[0] == "email"
    assert outcomes(report) == [
        (2, "juergen.mueller@stadt-koeln.example", Outcome.CREATED),
        (3, "aenne.weiss@staedtetag.example", Outcome.CREATED),
        (4, "soeren@aarhus.example", Outcome.CREATED),
    ]
    mueller = expert("juergen.mueller@stadt-koeln.example")
    assert (mueller.title, mueller.first_name, mueller.last_name) == ("Dr.", "Jürgen", "Müller")
    assert mueller.function == "Leiter des Amts für Straßen und Verkehr"
    assert mueller.organisation.name == "Stadt Köln"
    assert [group.name for group in mueller.working_groups] == ["Daten", "Mobilität"]
    weiss = expert("aenne.weiss@staedtetag.example")
    assert weiss.language == "en"
    assert weiss.timezone == "Europe/Berlin"
    assert weiss.organisation.stakeholder_group is StakeholderGroup.UMBRELLA_ASSOCIATIONS
    partner = expert("soeren@aarhus.example").organisation
    assert (partner.stakeholder_group, partner.country) == (
        StakeholderGroup.INTERNATIONAL_PARTNERS,
        "DK",
    )


def test_excel_unicode_text_in_utf16_with_tabs(app):
    data = csv_bytes(ROWS, delimiter="\t", encoding="utf-16")
    expert_file = read_expert_file(data)
    assert (expert_file.encoding, expert_file.delimiter) == ("utf-16", "\t")
    run_import(data)
    assert expert("soeren@aarhus.example").last_name == "Østergaard"


def test_reimporting_an_inactive_expert_says_it_stays_inactive(app):
    run_import(csv_bytes(ROWS))
    people.deactivate_expert(expert("soeren@aarhus.example"))
    db.session.commit()

    report = run_import(csv_bytes(ROWS))

    assert report.rows[2].outcome is Outcome.UNCHANGED
    assert "inactive" in report.rows[2].reason
    assert expert("soeren@aarhus.example").active is False
    assert report.rows[0].reason == ""


def test_utf8_without_byte_order_mark_and_tabs(app):
    report = run_import(csv_bytes(ROWS, delimiter="\t"))
    assert [row.outcome for row in report.rows] == [Outcome.CREATED] * 3
    assert expert("aenne.weiss@staedtetag.example").first_name == "Änne"


def test_the_excel_file_in_windows_1252_with_semicolons(app):
    data = EXCEL_FILE.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the file really is an Excel export, not UTF-8

    expert_file = read_expert_file(data)
    report = run_import(data)

    assert (expert_file.encoding, expert_file.delimiter) == ("cp1252", ";")
    assert [row.outcome for row in report.rows] == [Outcome.CREATED] * 3, report.rows
    mueller = expert("juergen.mueller@stadt-koeln.example")
    assert (mueller.first_name, mueller.last_name) == ("Jürgen", "Müller")
    assert mueller.function == "Leiter des Amts für Straßen und Verkehr"
    assert mueller.organisation.name == "Stadt Köln"
    assert mueller.organisation.stakeholder_group is StakeholderGroup.MUNICIPALITIES
    assert [group.name for group in mueller.working_groups] == [
        "Daten und Plattformen",
        "Mobilität",
    ]
    weiss = expert("aenne.weiss@staedtetag.example")
    assert (weiss.first_name, weiss.last_name) == ("Änne", "Weiß")
    assert weiss.function == "Referentin für Förderprogramme (€)"
    assert weiss.organisation.stakeholder_group is StakeholderGroup.UMBRELLA_ASSOCIATIONS
    partner = expert("soeren.oestergaard@aarhus.example")
    assert (partner.first_name, partner.language, partner.timezone) == (
        "Søren",
        "en",
        "Europe/Copenhagen",
    )
    assert partner.organisation.country == "DK"


def test_a_generated_excel_export_with_separator_hint_and_german_headings(app):
    data = b"sep=;\r\n" + csv_bytes(
        [[*ROWS[0][:10], "Mobilität"]], headings=GERMAN_HEADINGS, delimiter=";", encoding="cp1252"
    )
    report = run_import(data)
    assert outcomes(report) == [(3, "juergen.mueller@stadt-koeln.example", Outcome.CREATED)]
    assert expert("juergen.mueller@stadt-koeln.example").organisation.name == "Stadt Köln"


def test_headings_are_understood_in_any_case_and_spacing(app):
    headings = [" E-MAIL-ADRESSE ", "vorname", "NAME", "Institution", "gruppe", "Position"]
    row = ["a.b@ulm.example", "Anna", "Bauer", "Stadt Ulm", "Städte, Kreise und Gemeinden", "CDO"]
    expert_file = read_expert_file(csv_bytes([row], headings=headings))
    assert expert_file.columns == (
        "email",
        "first_name",
        "last_name",
        "organisation",
        "stakeholder_group",
        "function",
    )
    run_import(csv_bytes([row], headings=headings))
    assert expert("a.b@ulm.example").organisation.stakeholder_group is (
        StakeholderGroup.MUNICIPALITIES
    )


def test_line_numbers_count_blank_lines_and_cells_spanning_lines(app):
    data = (
        b"Email,First name,Last name,Organisation,Stakeholder group,Function\r\n"
        b"\r\n"
        b'a@ulm.example,Anna,Albers,Stadt Ulm,municipalities,"Leiterin\r\nDigitalisierung"\r\n'
        b"b@ulm.example,Bernd,Brandt,Stadt Ulm,,\r\n"
        b",,,,,\r\n"
    )
    report = run_import(data)
    assert [(row.line, row.email) for row in report.rows] == [
        (3, "a@ulm.example"),
        (5, "b@ulm.example"),
    ]
    # A line break inside a cell is refused like on the form: it would break mail headers.
    assert report.rows[0].outcome is Outcome.REJECTED
    assert "one line" in report.rows[0].reason


# --- re-importing -------------------------------------------------------------------------------


def test_importing_again_updates_instead_of_duplicating(app):
    run_import(csv_bytes(ROWS))
    experts_before = count(Expert)

    again = run_import(csv_bytes(ROWS))
    assert [row.outcome for row in again.rows] == [Outcome.UNCHANGED] * 3

    changed = [list(row) for row in ROWS]
    changed[0][0] = "JUERGEN.Mueller@Stadt-Koeln.EXAMPLE"
    changed[0][6] = "Beigeordneter"
    report = run_import(csv_bytes(changed))

    assert [row.outcome for row in report.rows] == [
        Outcome.UPDATED,
        Outcome.UNCHANGED,
        Outcome.UNCHANGED,
    ]
    assert count(Expert) == experts_before == 3
    assert expert("juergen.mueller@stadt-koeln.example").function == "Beigeordneter"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "expert.updated"))
    assert entry.changes == {
        "function": ["Leiter des Amts für Straßen und Verkehr", "Beigeordneter"]
    }
    created = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "expert.created")
    ).all()
    assert len(created) == 3


def test_reimport_keeps_other_working_groups_and_existing_organisations(app, make_organisation):
    make_organisation("Stadt Köln")
    row = ["j.m@koeln.example", "Jürgen", "Müller", "STADT KÖLN", "Daten"]
    headings = ["Email", "First name", "Last name", "Organisation", "Working groups"]
    first = run_import(csv_bytes([row], headings=headings))
    assert first.rows[0].outcome is Outcome.CREATED

    second = run_import(csv_bytes([[*row[:4], "Mobilität, Daten"]], headings=headings))

    assert second.rows[0].outcome is Outcome.UPDATED
    mueller = expert("j.m@koeln.example")
    assert mueller.organisation.name == "Stadt Köln"
    assert [group.name for group in mueller.working_groups] == ["Daten", "Mobilität"]
    assert count(Organisation) == 1
    assert count(WorkingGroup) == 2


def test_columns_left_out_keep_their_values(app, make_expert, make_organisation):
    make_expert(
        email="j.m@koeln.example",
        organisation=make_organisation("Stadt Köln"),
        function="Amtsleiter",
        language="en",
        timezone="Europe/London",
    )
    headings = ["Email", "First name", "Last name", "Organisation", "Language", "Time zone"]
    report = run_import(
        csv_bytes([["j.m@koeln.example", "Jürgen", "Müller", "Stadt Köln", "", ""]], headings)
    )
    assert report.rows[0].outcome is Outcome.UPDATED  # the names changed
    stored = expert("j.m@koeln.example")
    assert (stored.function, stored.language, stored.timezone) == (
        "Amtsleiter",
        "en",
        "Europe/London",
    )


# --- rows that are refused ----------------------------------------------------------------------


def test_rejected_rows_say_why_and_leave_nothing_behind(app, make_organisation):
    make_organisation("Stadt Ulm")
    headings = [
        "Email",
        "First name",
        "Last name",
        "Organisation",
        "Stakeholder group",
        "Language",
        "Time zone",
        "Country",
        "Working groups",
    ]
    rows = [
        ["ok@ulm.example", "Anna", "Albers", "Stadt Ulm", "", "", "", "", ""],
        ["a@new.example", "Bea", "Berg", "Unbekannte Stadt", "", "", "", "", ""],
        ["not-an-address", "Carl", "Cramer", "Stadt Ulm", "", "", "", "", ""],
        [
            "d@new.example",
            "Dora",
            "Diehl",
            "Neue Stadt",
            "municipalities",
            "",
            "Mars/Base",
            "",
            "Neu",
        ],
        ["e@ulm.example", "Emil", "Ernst", "Stadt Ulm", "", "Französisch", "", "", ""],
        [
            "f@nl.example",
            "Femke",
            "Faber",
            "Gemeente Utrecht",
            "International partners",
            "",
            "",
            "",
            "",
        ],
        ["g@ulm.example", "Gerd", "", "Stadt Ulm", "", "", "", "", ""],
        ["OK@ulm.example", "Anna", "Albers", "Stadt Ulm", "", "", "", "", ""],
        ["h@ulm.example", "H" * 101, "Hahn", "Stadt Ulm", "", "", "", "", ""],
        ["i@new.example", "Ida", "Imhof", "Verein", "Sportvereine", "", "", "", ""],
        [
            "j@nl.example",
            "Jan",
            "Jansen",
            "Gemeente Delft",
            "International partners",
            "",
            "",
            "Atlantis",
            "",
        ],
        ["", "Kai", "Kurz", "Stadt Ulm", "", "", "", "", ""],
        [
            "l@new.example",
            "Lea",
            "Lang",
            "Neue Stadt",
            "municipalities",
            "",
            "",
            "",
            "Gut|" + "W" * 201,
        ],
    ]

    report = run_import(csv_bytes(rows, headings))

    results = {row.line: (row.outcome, row.reason) for row in report.rows}
    assert results[2] == (Outcome.CREATED, "")
    expected_reasons = {
        3: 'organisation "Unbekannte Stadt" is not in the directory yet',
        4: "not-an-address is not a valid e-mail address",
        5: 'Unknown time zone "Mars/Base"',
        6: 'Unknown language "Französisch"',
        7: "An international partner represents a country",
        8: "Last name: please fill in this field",
        9: "already appears in line 2",
        10: "at most 100 characters",
        11: 'Unknown stakeholder group "Sportvereine"',
        12: 'Unknown country "Atlantis"',
        13: "E-mail address: please fill in this field",
        14: "Name: at most 200 characters",
    }
    for line, reason in expected_reasons.items():
        outcome, given = results[line]
        assert outcome is Outcome.REJECTED, line
        assert reason in given, (line, given)
    assert report.counts == {
        Outcome.CREATED: 1,
        Outcome.UPDATED: 0,
        Outcome.UNCHANGED: 0,
        Outcome.REJECTED: 12,
    }
    # Line 5 created "Neue Stadt" before its time zone was found wrong; line 14 created the
    # organisation, the expert and working group "Gut" before the second group's name was
    # refused. Each row's savepoint took all of it back.
    assert [name for name in db.session.scalars(sa.select(Organisation.name))] == ["Stadt Ulm"]
    assert count(WorkingGroup) == 0
    assert count(Expert) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AuditEntry.action == "organisation.created")
        )
        == 1
    )  # the factory's "Stadt Ulm" only


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            csv_bytes(
                [["Anna", "Albers", "Stadt Ulm"]], ["Kontakt", "Vorname", "Nachname", "Institution"]
            ),
            'columns are missing: E-mail address. These headings were not recognised: "Kontakt"',
        ),
        (
            csv_bytes([["a@ulm.example"]], ["E-Mail", "Telefon"]),
            "columns are missing: First name, Last name, Organisation",
        ),
        (
            csv_bytes(
                [["a", "b", "c", "d", "e"]],
                ["E-Mail", "Vorname", "Nachname", "Name", "Organisation"],
            ),
            'The headings "Nachname" and "Name" both mean Last name',
        ),
        (b"", "The file is empty"),
        (b"\r\n \r\n", "The file is empty"),
        (b"E-Mail;Vorname\r\n\x81\x8d", "could not be read"),
    ],
)
def test_a_file_that_cannot_be_understood_saves_nothing(app, data, message):
    with pytest.raises(UnreadableFile, match=message):
        read_expert_file(data)


def test_a_dry_run_reports_the_same_and_saves_nothing(app):
    data = csv_bytes([*ROWS, ["bad", "X", "Y", "", "Stadt Köln", "", "", "", "", "", ""]])

    check = run_import(data, dry_run=True)

    assert check.dry_run is True
    assert (count(Expert), count(Organisation), count(WorkingGroup), count(AuditEntry)) == (
        0,
        0,
        0,
        0,
    )
    real = run_import(data)
    assert outcomes(check) == outcomes(real)
    assert [row.reason for row in check.rows] == [row.reason for row in real.rows]
    assert count(Expert) == 3


# --- the command line ---------------------------------------------------------------------------


def test_flask_experts_import_saves_and_prints_the_report(runner, tmp_path):
    path = tmp_path / "experten.csv"
    path.write_bytes(EXCEL_FILE.read_bytes())

    result = runner.invoke(args=["experts", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert "2\tjuergen.mueller@stadt-koeln.example\tcreated" in result.output
    assert "Imported: 3 created, 0 updated, 0 unchanged, 0 rejected." in result.output
    assert count(Expert) == 3
    actors = set(db.session.scalars(sa.select(AuditEntry.actor_label)))
    assert actors == {"cli"}

    again = runner.invoke(args=["experts", "import", str(path)])
    assert "0 created, 0 updated, 3 unchanged" in again.output


def test_flask_experts_import_check_saves_nothing(runner, tmp_path):
    path = tmp_path / "experten.csv"
    path.write_bytes(csv_bytes([*ROWS, ["x@ulm.example", "X", "Y", "", "Nirgendwo", *[""] * 6]]))

    result = runner.invoke(args=["experts", "import", "--check", str(path)])

    assert result.exit_code == 0, result.output
    assert "Checked only, nothing saved: 3 created, 0 updated, 0 unchanged, 1 rejected." in (
        result.output
    )
    assert "5\tx@ulm.example\trejected\t" in result.output
    assert count(Expert) == 0
    assert count(AuditEntry) == 0


def test_flask_experts_import_refuses_a_file_it_cannot_understand(runner, tmp_path):
    path = tmp_path / "experten.csv"
    path.write_bytes(csv_bytes([["x"]], ["Telefon"]))

    result = runner.invoke(args=["experts", "import", str(path)])

    assert result.exit_code == 1
    assert "columns are missing" in result.output
    assert count(Expert) == 0


# --- the upload page ----------------------------------------------------------------------------


def upload(client, data: bytes, button: str = "save", filename: str = "experten.csv"):
    return client.post(
        "/experts/import",
        data={"file": (io.BytesIO(data), filename), button: "1"},
        content_type="multipart/form-data",
        follow_redirects=True,  # to the import's page, which shows its report once done
    )


def test_the_upload_page_explains_the_columns(organiser_client):
    text = page_text(organiser_client.get("/experts/import"))
    assert "E-Mail-Adresse" in text
    assert "Check only" in text


def test_checking_an_upload_shows_the_report_and_saves_nothing(organiser_client):
    data = csv_bytes([*ROWS, ["x@ulm.example", "X", "Y", "", "Nirgendwo", *[""] * 6]])

    response = upload(organiser_client, data, button="check")

    assert response.status_code == 200
    text = page_text(response)
    assert "This was a check only: nothing has been saved" in text
    assert "2 juergen.mueller@stadt-koeln.example created" in text
    assert "5 x@ulm.example rejected" in text
    assert 'The organisation "Nirgendwo" is not in the directory yet' in text
    assert count(Expert) == 0
    assert count(Organisation) == 0


def test_importing_an_upload_saves_and_shows_the_report(organiser_client, staff):
    response = upload(organiser_client, EXCEL_FILE.read_bytes())

    assert response.status_code == 200
    text = page_text(response)
    assert "Result of the import" in text
    assert "Created: 3" in text
    assert "4 soeren.oestergaard@aarhus.example created" in text
    assert count(Expert) == 3
    actors = set(db.session.scalars(sa.select(AuditEntry.actor_label)))
    assert actors == {staff.organiser.email}


def test_an_upload_with_headings_it_cannot_understand_saves_nothing(organiser_client):
    response = upload(organiser_client, csv_bytes([["x"]], ["Telefon"]))

    assert response.status_code == 200
    text = page_text(response)
    assert "columns are missing: E-mail address, First name, Last name, Organisation" in text
    assert '"Telefon"' in text
    assert count(Expert) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"save": "1"}, "Please choose a CSV file."),
        ({"file": (io.BytesIO(b"x"), "experten.xlsx"), "save": "1"}, "(.csv or .txt)"),
    ],
)
def test_an_upload_without_a_csv_file_is_refused(organiser_client, data, message):
    response = organiser_client.post(
        "/experts/import", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert message in page_text(response)


def test_secretariat_may_not_import(secretariat_client):
    assert secretariat_client.get("/experts/import").status_code == 403
    assert upload(secretariat_client, csv_bytes(ROWS)).status_code == 403
    assert count(Expert) == 0


def test_the_directory_shows_imported_experts(organiser_client):
    upload(organiser_client, csv_bytes(ROWS))
    group = working_groups.find_working_group_by_name("daten")
    text = page_text(organiser_client.get(f"/experts/?working_group={group.id}"))
    assert "Müller, Jürgen" in text
    assert "Weiß, Änne" in text
    assert "Østergaard" not in text


def test_an_imported_expert_is_stored_as_one_entered_by_hand(app, make_organisation):
    """The import writes its experts in bulk; what it stores is what the form would."""
    organisation = make_organisation("Stadt Köln")
    by_hand = people.create_expert(
        people.ExpertDetails(
            first_name="Änne",
            last_name="Weiß",
            email="aenne.weiss@koeln.example",
            organisation=organisation,
            title="Dr.",
            function="Referentin",
            language="en",
        )
    )
    db.session.commit()
    headings = ["Email", "Title", "First name", "Last name", "Organisation", "Function",
                "Language", "Working groups"]  # fmt: skip
    row = ["Oeznur.Weiss@koeln.example", "Dr.", "Öznur", "Weiß", "Stadt Köln", "Referentin",
           "en", "Daten|Klima"]  # fmt: skip
    run_import(csv_bytes([row], headings=headings))
    db.session.commit()

    imported = expert("oeznur.weiss@koeln.example")
    fields = [f for f in people.EXPERT_AUDIT_FIELDS if f not in ("email", "first_name")]
    assert [getattr(imported, f) for f in fields] == [getattr(by_hand, f) for f in fields]
    assert imported.sort_key.startswith("weiss, ") and imported.sort_key != by_hand.sort_key
    assert imported.created_at is not None and imported.updated_at is not None
    assert sorted(group.name for group in imported.working_groups) == ["Daten", "Klima"]

    def changes(action: str, expert_id: int) -> dict:
        return db.session.scalar(
            sa.select(AuditEntry.changes).where(
                AuditEntry.action == action, AuditEntry.entity_id == expert_id
            )
        )

    created_by_hand = changes("expert.created", by_hand.id)
    created_by_import = changes("expert.created", imported.id)
    assert created_by_import.keys() == created_by_hand.keys()
    assert created_by_import["email"] == [None, "oeznur.weiss@koeln.example"]
    assert changes("expert.working_groups_joined", imported.id) == {
        "working_groups": [[], ["Daten", "Klima"]]
    }
