"""Every calendar object the platform sends or publishes, held against three independent
parsers (icalendar, vobject, Mozilla's ical.js via Node) and against what INTEROP.md requires
and none of the parsers checks: CRLF line ends, folding at 75 octets, METHOD, one ATTENDEE with
RSVP=TRUE on a REQUEST, SEQUENCE, UTC times (no TZID without a VTIMEZONE), valid PARTSTAT.
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa
import vobject

from eventsys.extensions import db
from eventsys.feeds import services as feeds
from eventsys.invitations import services as invitations
from eventsys.invitations.states import Channel, Response
from eventsys.outbox.models import OutboxMessage
from eventsys.reminders import services as reminders
from eventsys.sessions.states import SessionStatus
from tests.sessions.factories import make_expert, make_organisation, make_session

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ICALJS_SCRIPT = PROJECT_ROOT / "tests" / "support" / "icaljs_parse.mjs"

REPLY_ADDRESS = "einladungen@dialogplattform.example"
STARTS_AT = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)  # 10:00 in Berlin
MOVED_TO = STARTS_AT + timedelta(days=7)
DEADLINE = MOVED_TO - timedelta(days=7, hours=10)
PARTSTATS = {"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"}
TITLE = "Workshop Datenräume und Gemeinwohl – Köln, Düsseldorf und Münster im Gespräch"
DESCRIPTION = (
    "Gemeinwohlorientierte Datenstrategien für Städte, Kreise und Gemeinden: Ergebnisse der "
    "Begleitforschung, Übertragbarkeit auf kleinere Kommunen und nächste Schritte – äöüß€."
)


@dataclass
class CalendarCase:
    name: str
    ics: bytes
    method: str | None  # None for a published feed
    sequence: int
    start: datetime
    status: str
    attendee: str | None = None  # the mail's recipient, the one ATTENDEE
    part_method: str | None = None  # the `method` parameter of the text/calendar part
    attachment: bytes | None = None  # the invite.ics attachment


def _calendar_parts(raw: bytes) -> tuple[bytes, str | None, bytes | None]:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    inline = attachment = None
    method = None
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            inline, method = part.get_payload(decode=True), part.get_param("method")
            assert part.get_content_charset() == "utf-8"
        elif part.get_content_type() == "application/ics":
            attachment = part.get_payload(decode=True)
    assert inline is not None, "no text/calendar part"
    return inline, method, attachment


def _mail_case(name: str, kind: str, recipient: str, method: str, sequence: int, start, status):
    message = db.session.scalar(
        sa.select(OutboxMessage)
        .where(OutboxMessage.kind == kind, OutboxMessage.recipient == recipient)
        .order_by(OutboxMessage.id.desc())
    )
    assert message is not None, f"no {kind} mail to {recipient}"
    ics, part_method, attachment = _calendar_parts(message.raw_message)
    return CalendarCase(
        name, ics, method, sequence, start, status, recipient, part_method, attachment
    )


def build_cases(staff_user) -> dict[str, CalendarCase]:
    """Run a session's whole life and collect each calendar object it produced."""
    organisation = make_organisation("Stadt Köln")
    anna = make_expert("Anna", "Schmidt", organisation, title="Dr.")
    bernd = make_expert("Bernd", "Vogel", organisation)
    claire = make_expert("Claire", "Tremblay", organisation)
    claire.language, claire.timezone = "en", "America/Toronto"
    session = make_session(
        TITLE,
        starts_at=STARTS_AT,
        hours=6,
        status=SessionStatus.CONFIRMED,
        description=DESCRIPTION,
        venue_address="Rathausplatz 1, 50667 Köln",
        venue_room="Ratssaal",
        online_url="https://konferenz.example.org/raum/datenraeume-und-gemeinwohl-2030",
        rsvp_deadline=DEADLINE,
    )
    db.session.commit()
    invitations.invite_experts(session, [anna, bernd, claire])
    db.session.commit()
    by_expert = {i.expert_id: i for i in invitations.invitations_of(session)}
    invitations.record_answer(by_expert[bernd.id], Response.ACCEPTED, Channel.LINK)
    db.session.commit()

    cases = {
        "invitation": _mail_case(
            "invitation", "invitation", anna.email, "REQUEST", 0, STARTS_AT, "CONFIRMED"
        ),
        "invitation-en": _mail_case(
            "invitation-en", "invitation", claire.email, "REQUEST", 0, STARTS_AT, "CONFIRMED"
        ),
    }

    session.starts_at, session.ends_at = MOVED_TO, MOVED_TO + timedelta(hours=6)
    invitations.session_moved(session)
    db.session.commit()
    cases["update"] = _mail_case(
        "update", "update", bernd.email, "REQUEST", 1, MOVED_TO, "CONFIRMED"
    )

    invitations.withdraw_invitation(by_expert[claire.id])
    db.session.commit()
    # Withdrawing one invitation raises that invitee's SEQUENCE above the session's.
    cases["withdrawal"] = _mail_case(
        "withdrawal", "withdrawal", claire.email, "CANCEL", 2, MOVED_TO, "CANCELLED"
    )

    assert reminders.send_due_reminders(DEADLINE - timedelta(days=1)).deadline == 1
    assert reminders.send_due_reminders(MOVED_TO - timedelta(days=1)).eve == 1
    db.session.commit()
    cases["deadline-reminder"] = _mail_case(
        "deadline-reminder", "deadline_reminder", anna.email, "REQUEST", 1, MOVED_TO, "CONFIRMED"
    )
    cases["eve-reminder"] = _mail_case(
        "eve-reminder", "eve_reminder", bernd.email, "REQUEST", 1, MOVED_TO, "CONFIRMED"
    )

    session.status = SessionStatus.CANCELLED
    invitations.session_cancelled(session)
    db.session.commit()
    cases["cancellation"] = _mail_case(
        "cancellation", "cancellation", anna.email, "CANCEL", 2, MOVED_TO, "CANCELLED"
    )

    cases["expert-feed"] = CalendarCase(
        "expert-feed", feeds.expert_feed(anna), None, 2, MOVED_TO, "CANCELLED"
    )
    make_session("Plenum", starts_at=STARTS_AT + timedelta(days=60))
    db.session.commit()
    staff_feed = feeds.staff_feed(staff_user)
    cases["staff-feed"] = CalendarCase("staff-feed", staff_feed, None, 2, MOVED_TO, "CANCELLED")
    return cases


CASE_NAMES = [
    "invitation",
    "invitation-en",
    "update",
    "withdrawal",
    "deadline-reminder",
    "eve-reminder",
    "cancellation",
    "expert-feed",
    "staff-feed",
]


@pytest.fixture
def case(app, staff, request) -> CalendarCase:
    return build_cases(staff.organiser)[request.param]


def _unfolded_lines(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def _first_event(ics: bytes) -> list[str]:
    lines = _unfolded_lines(ics)
    start = lines.index("BEGIN:VEVENT")
    return lines[start : lines.index("END:VEVENT", start)]


def _properties(lines: list[str], name: str) -> list[str]:
    return [line for line in lines if re.match(rf"{name}[;:]", line)]


# --- what the text itself must be -------------------------------------------------------------


def check_lines_end_in_crlf_and_are_folded_at_75_octets(case: CalendarCase) -> None:
    assert case.ics.endswith(b"\r\n")
    physical_lines = case.ics[:-2].split(b"\r\n")
    for line in physical_lines:
        assert b"\n" not in line and b"\r" not in line, f"bare line end in {line!r}"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        line.decode("utf-8")  # folding never splits a character
    assert any(line.startswith(b" ") for line in physical_lines), "expected folded lines"
    if case.attachment is not None:
        assert case.attachment == case.ics


def check_method_sequence_status_and_required_properties(case: CalendarCase) -> None:
    lines = _unfolded_lines(case.ics)
    event = _first_event(case.ics)
    methods = _properties(lines, "METHOD")
    if case.method is None:
        assert methods == []
    else:
        assert methods == [f"METHOD:{case.method}"]
        assert case.part_method == case.method
    for name in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "ORGANIZER", "SEQUENCE", "STATUS"):
        assert len(_properties(event, name)) == 1, f"{name} not exactly once"
    assert _properties(event, "SEQUENCE") == [f"SEQUENCE:{case.sequence}"]
    assert _properties(event, "STATUS") == [f"STATUS:{case.status}"]
    assert _properties(event, "ORGANIZER")[0].endswith(f":mailto:{REPLY_ADDRESS}")
    assert _properties(event, "DTSTART") == [f"DTSTART:{case.start:%Y%m%dT%H%M%SZ}"]


def check_times_are_utc_and_no_tzid_lacks_its_vtimezone(case: CalendarCase) -> None:
    lines = _unfolded_lines(case.ics)
    defined = {line.split(":", 1)[1] for line in lines if line.startswith("TZID:")}
    for line in lines:
        for tzid in re.findall(r";TZID=([^;:]+)", line):
            assert tzid.strip('"') in defined, f"TZID without VTIMEZONE: {line}"
        if re.match(r"(DTSTART|DTEND|DTSTAMP)[;:]", line):
            assert re.fullmatch(r"[A-Z]+:\d{8}T\d{6}Z", line), f"not a UTC time: {line}"


def check_one_attendee_per_mail_with_a_valid_partstat(case: CalendarCase) -> None:
    attendees = _properties(_first_event(case.ics), "ATTENDEE")
    if case.attendee is None:  # feeds name nobody
        assert attendees == []
        return
    (attendee,) = attendees
    parameters, address = attendee.split(":", 1)[0], attendee.split(":", 1)[1]
    assert address.lower() == f"mailto:{case.attendee}"
    params = dict(part.split("=", 1) for part in parameters.split(";")[1:])
    assert params["PARTSTAT"] in PARTSTATS
    assert params["ROLE"] == "REQ-PARTICIPANT"
    if case.method == "REQUEST":
        assert params["RSVP"] == "TRUE"


@pytest.mark.parametrize("case", CASE_NAMES, indirect=True)
def test_text_is_what_interop_requires(case):
    check_lines_end_in_crlf_and_are_folded_at_75_octets(case)
    check_method_sequence_status_and_required_properties(case)
    check_times_are_utc_and_no_tzid_lacks_its_vtimezone(case)
    check_one_attendee_per_mail_with_a_valid_partstat(case)


# --- what three independent parsers read --------------------------------------------------------


@pytest.mark.parametrize("case", CASE_NAMES, indirect=True)
def test_icalendar_reads_it(case):
    calendar = icalendar.Calendar.from_ical(case.ics)
    event = calendar.walk("VEVENT")[0]
    assert calendar.get("METHOD") == case.method
    assert event["SEQUENCE"] == case.sequence
    assert event.decoded("DTSTART") == case.start
    assert str(event["STATUS"]) == case.status
    assert str(event["SUMMARY"]) in (TITLE, "Plenum")
    if case.attendee:
        assert event["ATTENDEE"].params["PARTSTAT"] in PARTSTATS


@pytest.mark.parametrize("case", CASE_NAMES, indirect=True)
def test_vobject_validates_it(case):
    calendar = vobject.readOne(case.ics.decode("utf-8"), validate=True)
    event = calendar.vevent
    method = calendar.contents.get("method")
    assert (method[0].value if method else None) == case.method
    assert int(event.sequence.value) == case.sequence
    assert event.dtstart.value == case.start
    assert event.status.value == case.status
    attendees = event.contents.get("attendee", [])
    if case.attendee is None:
        assert attendees == []
    else:
        (attendee,) = attendees
        assert attendee.value.lower() == f"mailto:{case.attendee}"
        assert attendee.params["PARTSTAT"][0] in PARTSTATS
        if case.method == "REQUEST":
            assert attendee.params["RSVP"] == ["TRUE"]


def read_with_icaljs(ics: bytes) -> dict:
    node = shutil.which("node")
    if node is None or not (PROJECT_ROOT / "node_modules" / "ical.js").is_dir():
        pytest.fail("Node.js with ical.js is needed: run `npm ci` (make browser-tools)")
    result = subprocess.run(
        [node, str(ICALJS_SCRIPT)],
        input=ics,
        capture_output=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", CASE_NAMES, indirect=True)
def test_icaljs_reads_it_as_thunderbird_would(case):
    parsed = read_with_icaljs(case.ics)
    event = parsed["events"][0]
    assert parsed["method"] == case.method
    assert event["sequence"] == case.sequence
    assert event["status"] == case.status
    assert event["floating"] is False
    assert event["dtstart_utc"] == case.start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if case.attendee is None:
        assert event["attendees"] == []
    else:
        (attendee,) = event["attendees"]
        assert attendee["address"].lower() == f"mailto:{case.attendee}"
        assert attendee["partstat"] in PARTSTATS
        if case.method == "REQUEST":
            assert attendee["rsvp"] == "TRUE"


def test_icaljs_check_notices_a_tzid_without_vtimezone():
    """The Node check itself: a TZID without VTIMEZONE comes back floating, as in Outlook's
    misreading; were this not reported, the check above would prove nothing."""
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\n"
        b"BEGIN:VEVENT\r\nUID:x@test\r\nDTSTAMP:20300101T000000Z\r\n"
        b"DTSTART;TZID=Europe/Berlin:20300701T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert read_with_icaljs(ics)["events"][0]["floating"] is True


GOOD = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:x@test\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\nSUMMARY:Test\r\n"
    "DTSTAMP:20300101T000000Z\r\nDTSTART:20300701T080000Z\r\n"
    f"ORGANIZER:mailto:{REPLY_ADDRESS}\r\n"
    "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:\r\n mailto:a@example.org\r\n"
    "DESCRIPTION:Eine lange Beschreibung\r\n  die gefaltet ist\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.mark.parametrize(
    ("check", "broken"),
    [
        (check_lines_end_in_crlf_and_are_folded_at_75_octets, GOOD.replace("\r\n", "\n")),
        (
            check_lines_end_in_crlf_and_are_folded_at_75_octets,
            GOOD.replace("SUMMARY:Test", "SUMMARY:" + "x" * 80),
        ),
        (check_method_sequence_status_and_required_properties, GOOD.replace("METHOD:", "X-M:")),
        (check_method_sequence_status_and_required_properties, GOOD.replace("SEQUENCE:0", "")),
        (
            check_times_are_utc_and_no_tzid_lacks_its_vtimezone,
            GOOD.replace("DTSTART:20300701T080000Z", "DTSTART;TZID=Europe/Berlin:20300701T100000"),
        ),
        (check_one_attendee_per_mail_with_a_valid_partstat, GOOD.replace("NEEDS-ACTION", "YES")),
        (check_one_attendee_per_mail_with_a_valid_partstat, GOOD.replace("RSVP=TRUE", "RSVP=NO")),
    ],
)
def test_the_checks_catch_what_the_parsers_let_through(check, broken):
    """Each own check fails on a text with the fault it looks for (and passes on the good one)."""
    start = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)

    def case_of(text: str) -> CalendarCase:
        return CalendarCase(
            "sample", text.encode(), "REQUEST", 0, start, "CONFIRMED", "a@example.org", "REQUEST"
        )

    check(case_of(GOOD))
    with pytest.raises(AssertionError):
        check(case_of(broken))
