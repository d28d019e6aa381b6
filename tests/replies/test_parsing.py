"""Reading replies as each client writes them, and never failing on what arrives."""

import email
import email.policy
import random
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import vobject

from eventsys.calendar_reading import parse_content_line, unfold, zone_for_tzid
from eventsys.replies.parsing import parse_message, read_calendar, strip_disclaimer
from tests.replies.sample_mail import SAMPLES, sample

UID = "0f9e8d7c-6b5a-4321-9876-fedcba987654@eventsys"
ERIKA = "erika.muster@stadt-beispiel.example"
JONAS = "jonas.vertreter@stadt-beispiel.example"
SAMPLE_NAMES = sorted(path.stem for path in SAMPLES.glob("*.eml"))
# Samples damaged on purpose: a calendar part cut off, and one with times that are no times.
DAMAGED = {"truncated_reply", "unreadable_times"}


def filled(name: str, **values) -> bytes:
    values.setdefault("sequence", 2)
    return sample(
        name, uid=UID, attendee=ERIKA, deputy=JONAS, in_reply_to="<inv-1@example.org>", **values
    )


@pytest.mark.parametrize("name", sorted(set(SAMPLE_NAMES) - DAMAGED))
def test_samples_are_calendars_other_parsers_accept(name):
    """The hand-written samples hold to RFC 5545 as far as icalendar and vobject check it, so
    that the reader is tested against realistic input, not against its own assumptions."""
    message = email.message_from_bytes(filled(name), policy=email.policy.default)
    parts = [
        part
        for part in message.walk()
        if part.get_content_type() in ("text/calendar", "application/ics")
    ]
    for part in parts:
        data = part.get_payload(decode=True)
        event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
        assert str(event["UID"]) == UID
        vobject.readOne(data.decode("utf-8"), validate=True)
    if name not in ("plain_reply", "out_of_office"):
        assert parts, f"{name} has no calendar part"


@pytest.mark.parametrize(
    ("name", "method", "partstat", "note"),
    [
        ("outlook_accepted", "REPLY", "ACCEPTED", "Ich nehme gern teil, komme aber erst zu TOP 2."),
        (
            "google_tentative",
            "REPLY",
            "TENTATIVE",
            "Mein Zug kommt erst um 10:30 an, ich versuche es",
        ),
        (
            "thunderbird_accepted",
            "REPLY",
            "ACCEPTED",
            "Gern, ich bringe die Ergebnisse unserer Datenstudie mit.",
        ),
        ("apple_accepted", "REPLY", "ACCEPTED", ""),
        (
            "evolution_declined",
            "REPLY",
            "DECLINED",
            "Frau Muster ist an diesem Tag auf einer Dienstreise.",
        ),
        (
            "outlook_counter",
            "COUNTER",
            "TENTATIVE",
            "Am 1. Juli tagt unser Stadtrat. Wäre der Folgetag möglich?",
        ),
        ("delegated", "REPLY", "DELEGATED", "Mein Kollege vertritt mich."),
    ],
)
def test_each_client_style_is_read(name, method, partstat, note):
    parsed = parse_message(filled(name))
    calendar = parsed.calendar
    assert parsed.problems == []
    assert calendar.method == method
    assert calendar.uid == UID
    assert calendar.sequence == 2
    attendee = calendar.attendees[0]
    assert attendee.address == ERIKA  # MAILTO: and capitals in Outlook and Evolution
    assert attendee.partstat == partstat
    assert calendar.note_of(attendee) == note


def test_outlook_reply_without_organizer_and_with_windows_zone():
    calendar = parse_message(filled("outlook_accepted")).calendar
    assert calendar.organizer == ""
    assert calendar.start.tzid == "W. Europe Standard Time"
    assert calendar.start.moment == datetime(2030, 7, 1, 8, 0, tzinfo=UTC)
    assert "disclaimer" not in calendar.note_of(calendar.attendees[0]).lower()
    assert "vertrauliche" in calendar.comment  # kept in full for the person who reads it


def test_apple_calendar_part_without_method_nested_and_quoted_printable():
    parsed = parse_message(filled("apple_accepted", sender="erika.m@icloud.example"))
    assert parsed.sender == "erika.m@icloud.example"  # another account than the attendee
    assert parsed.calendar.part_type == "text/calendar"
    assert parsed.calendar.method == "REPLY"  # from the object; the part names none
    assert parsed.calendar.summary == "Workshop Datenräume"


def test_evolution_long_tzid_and_sent_by():
    calendar = parse_message(filled("evolution_declined")).calendar
    assert calendar.start.tzid == "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin"
    assert calendar.start.moment == datetime(2030, 7, 1, 8, 0, tzinfo=UTC)
    assert calendar.attendees[0].sent_by == "sekretariat@stadt-beispiel.example"


def test_delegation_names_the_deputy():
    attendees = parse_message(filled("delegated")).calendar.attendees
    assert attendees[0].delegated_to == [JONAS]
    assert attendees[1].address == JONAS and attendees[1].delegated_from == [ERIKA]


def test_thunderbird_and_google_repeat_the_reply_as_attachment():
    for name in ("thunderbird_accepted", "google_tentative"):
        parsed = parse_message(filled(name))
        assert parsed.calendar_parts == 2
        assert parsed.calendar.part_type == "text/calendar"


def test_plain_reply_names_the_mail_it_answers():
    parsed = parse_message(filled("plain_reply"))
    assert parsed.calendar is None
    assert parsed.referenced_ids == ["<inv-1@example.org>"]
    assert "ich komme gern." in parsed.text
    assert "\r" not in parsed.text


def test_out_of_office_is_recognised():
    assert parse_message(filled("out_of_office")).auto_reply == "Auto-Submitted: auto-replied"


def test_lines_ending_in_lf_only_as_a_pipe_delivers_them():
    parsed = parse_message(filled("thunderbird_accepted", line_end="\n"))
    assert parsed.calendar.attendees[0].partstat == "ACCEPTED"
    assert parsed.calendar.uid == UID


def test_folds_that_split_a_utf8_character_are_joined_before_decoding():
    data = (
        b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\nCOMMENT:Gr"
        + b"\xc3\r\n \xbc"
        + "ße\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".encode()
    )
    assert read_calendar(data).comment == "Grüße"


def test_parameters_with_quotes_commas_and_caret_escapes():
    line = parse_content_line(
        'ATTENDEE;CN="Muster, Erika";X-RESPONSE-COMMENT="Sage ^\'ja^\'^nund: gern";'
        'DELEGATED-TO="mailto:a@x.example","MAILTO:B@x.example":mailto:e@x.example'
    )
    assert line.param("CN") == "Muster, Erika"
    assert line.param("X-RESPONSE-COMMENT") == 'Sage "ja"\nund: gern'
    assert line.params["DELEGATED-TO"] == ["mailto:a@x.example", "MAILTO:B@x.example"]
    assert line.value == "mailto:e@x.example"


def test_attendee_given_by_urn_with_email_parameter():
    data = (
        b"BEGIN:VCALENDAR\nMETHOD:REPLY\nBEGIN:VEVENT\nUID:x\n"
        b"ATTENDEE;EMAIL=Erika@Example.org;PARTSTAT=ACCEPTED:urn:uuid:1234\n"
        b"END:VEVENT\nEND:VCALENDAR\n"
    )
    assert read_calendar(data).attendees[0].address == "erika@example.org"


def test_unfold_accepts_every_line_end():
    assert unfold(b"A:1\r\n 2\nB:3\n\t4\rC:5") == ["A:12", "B:34", "C:5"]


@pytest.mark.parametrize(
    ("tzid", "zone"),
    [
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("/freeassociation.sourceforge.net/Tzfile/Europe/Berlin", "Europe/Berlin"),
        ("/citadel.org/20250101_1/Europe/Berlin", "Europe/Berlin"),
        ("Europe/Berlin", "Europe/Berlin"),
    ],
)
def test_zone_names_of_each_client(tzid, zone):
    assert str(zone_for_tzid(tzid)) == zone


def test_unknown_zone_names_do_not_break_reading():
    data = (
        b"BEGIN:VCALENDAR\nMETHOD:REPLY\nBEGIN:VEVENT\nUID:x\n"
        b"DTSTART;TZID=Customized Time Zone 1:20300701T100000\n"
        b"DTEND;TZID=../../etc/passwd:20300701T160000\n"
        b"ATTENDEE;PARTSTAT=ACCEPTED:mailto:e@x.example\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    calendar = read_calendar(data)
    assert calendar.start.moment is None and calendar.start.value == "20300701T100000"
    assert calendar.end.moment is None


@pytest.mark.parametrize(
    ("note", "kept"),
    [
        ("Gern.", "Gern."),
        (
            "Ich komme.\n\n________________________________\nDiese E-Mail enthält vertrauliche "
            "Informationen.",
            "Ich komme.",
        ),
        (
            "Ich komme später.\n\nThis e-mail is confidential and intended solely for the "
            "addressee.",
            "Ich komme später.",
        ),
        (
            "Ich komme.\n\nDisclaimer: Der Inhalt dieser Nachricht ist nur für den Empfänger.",
            "Ich komme.",
        ),
        # The note itself is never cut, even when it uses such words.
        (
            "Vertraulich: ich komme nur zum ersten Teil.",
            "Vertraulich: ich komme nur zum ersten Teil.",
        ),
        (
            "Erster Absatz.\n\nZweiter Absatz, ganz normal.",
            "Erster Absatz.\n\nZweiter Absatz, ganz normal.",
        ),
    ],
)
def test_gateway_disclaimers_are_removed_from_notes(note, kept):
    assert strip_disclaimer(note) == kept


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage \x80\x81",
        bytes(random.Random(7).randrange(256) for _ in range(4000)),
        b"Subject: =?utf-8?B?not base64?=\r\nFrom: <<<>>>\r\n\r\nbody",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/calendar\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64!!!\r\n--x",
        b"Content-Type: text/calendar; method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
    ],
    ids=["empty", "bytes", "random", "bad-headers", "bad-base64", "truncated-calendar"],
)
def test_garbage_never_raises(raw):
    parsed = parse_message(raw)
    assert parsed.calendar is None


def test_broken_calendar_part_is_reported():
    parsed = parse_message(
        b"From: a@x.example\r\nSubject: Zusage\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n"
        b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED:"
        b"mailto:a@x.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert parsed.calendar is None
    assert parsed.calendar_parts == 1
    assert parsed.problems == ["text/calendar: the event has no UID"]


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_damaged_samples_are_refused_by_a_strict_parser(name):
    """The damaged samples are really damaged: vobject's validating reader refuses them."""
    message = email.message_from_bytes(filled(name), policy=email.policy.default)
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    with pytest.raises(Exception):  # noqa: B017 - vobject raises several kinds
        vobject.readOne(part.get_payload(decode=True).decode("utf-8"), validate=True)


def test_damaged_calendar_parts_are_read_and_marked_unsound():
    truncated = parse_message(filled("truncated_reply")).calendar
    assert truncated.uid == UID and truncated.attendees[0].partstat == "ACCEPTED"
    assert truncated.unclosed == ["VEVENT", "VCALENDAR"] and not truncated.is_sound
    times = parse_message(filled("unreadable_times")).calendar
    assert times.unreadable_times == [
        ("DTSTART", "2030-07-01T10:00:00"),
        ("DTEND", "2030-07-01T16:00:00"),
    ]
    assert not times.is_sound
    assert parse_message(filled("thunderbird_accepted")).calendar.is_sound


def test_samples_directory_has_every_client():
    names = {path.stem for path in Path(SAMPLES).glob("*.eml")}
    assert {
        "outlook_accepted",
        "google_tentative",
        "thunderbird_accepted",
        "apple_accepted",
        "evolution_declined",
        "outlook_counter",
        "plain_reply",
        "delegated",
    } <= names


def test_calendar_part_in_latin1_is_decoded_by_its_charset():
    raw = (
        b"From: a@x.example\r\nSubject: Zusage\r\n"
        b'Content-Type: text/calendar; charset="iso-8859-1"; method=REPLY\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        b"ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@x.example\r\nCOMMENT:Gr\xfc\xdfe\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert parse_message(raw).calendar.comment == "Grüße"
