"""Benchmark: the minutes PDF of a long session, against bare WeasyPrint and a stored download.

    .venv/bin/python bench/minutes.py             # 40 TOPs, 120 attendees, 7 rounds
    .venv/bin/python bench/minutes.py --quick     # the same minutes, 3 rounds
    .venv/bin/python bench/minutes.py --profile   # and where our own rendering spends its time

Prints, all measured in this one run on a temporary SQLite app, in CPU seconds of interleaved
rounds (median and best; overheads as the median of each round's ratio):
1. pages per second of `minutes_pdf`, for an approved version (PDF/A-3u with minutes.json) and
   for a draft;
2. our overhead against bare WeasyPrint rendering the same HTML with the same stylesheets
   (`HTML(string=…).write_pdf(stylesheets=[base.css])`, assets read from files), and against
   WeasyPrint asked for the same features (tags, PDF/A-3u, the attachment), which separates
   the cost of what the record needs from the cost of our own code (the aim: at most 15 %);
3. downloading the stored PDF of the approved version through the download route and the Flask
   test client, against rendering it afresh (the aim: at least 50 times faster);
4. the approval request (POST to `minutes.approve` with the Flask test client, signed in as the
   organiser), which stores the snapshot and asks for the PDF, against one render of the same
   minutes; and how long after the click the PDF was stored by the renderer (a thread of this
   process, WeasyPrint in a child process: DOCUMENT_PREPARATION "background").
See bench/README.md.
"""

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import url_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import weasyprint  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from bench.benchmark_app import make_app  # noqa: E402
from eventsys.attendance.models import Attendee  # noqa: E402
from eventsys.attendance.states import AttendanceStatus  # noqa: E402
from eventsys.auth.models import User  # noqa: E402
from eventsys.experts.models import Expert, Organisation  # noqa: E402
from eventsys.experts.stakeholders import StakeholderGroup  # noqa: E402
from eventsys.extensions import db  # noqa: E402
from eventsys.minutes import snapshot, workflow  # noqa: E402
from eventsys.minutes.document import (  # noqa: E402
    ATTACHMENT_NAME,
    Approval,
    minutes_html,
    minutes_json,
    minutes_pdf,
)
from eventsys.minutes.models import (  # noqa: E402
    ActionItem,
    Decision,
    Guideline,
    Minutes,
    MinutesTopic,
    MinutesVersion,
    Recommendation,
)
from eventsys.pdf.fetcher import ASSET_FOLDER, ASSET_SCHEME  # noqa: E402
from eventsys.roles import Role  # noqa: E402
from eventsys.sessions.models import AgendaItem, Session  # noqa: E402
from eventsys.sessions.states import SessionKind, SessionStatus  # noqa: E402

PASSWORD = "benchmark password"
STARTS_AT = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
TOPICS = 40
ATTENDEES = 120
DOWNLOADS = 50

DISCUSSION = (
    "Die Sachverständigen erörtern den Stand der **Datenstrategie** und die Erfahrungen der "
    "Modellprojekte. Mehrere Kommunen berichten von ihren Beteiligungsverfahren.\n\n"
    "- Offene Daten als Grundlage gemeinwohlorientierter Dienste\n"
    "- Gemeinsame Plattformen statt Insellösungen\n"
    "- Kompetenzaufbau in den Verwaltungen\n\n"
    "Die Leitung fasst zusammen und verweist auf den Bericht des Forschungsclusters."
)


# --- the minutes ----------------------------------------------------------------------------


def add_long_minutes() -> Minutes:
    """A plenary with 40 TOPs (each with discussion, two decisions, two action items and two
    recommendations), 120 attendees from every stakeholder group, and ten action items carried
    over from an earlier session."""
    organisations = [
        Organisation(
            name=f"Organisation {number} ({group.value})",
            stakeholder_group=group,
            country="CA" if group is StakeholderGroup.INTERNATIONAL_PARTNERS else None,
        )
        for group in StakeholderGroup
        for number in range(3)
    ]
    experts = [
        Expert(
            title="Dr." if number % 4 == 0 else "",
            first_name=f"Vorname{number}",
            last_name=f"Nachname{number:03d}",
            email=f"expertin{number}@example.org",
            organisation=organisations[number % len(organisations)],
        )
        for number in range(ATTENDEES)
    ]
    guidelines = list(db.session.scalars(sa.select(Guideline).order_by(Guideline.number)))

    earlier = plenary("4. Plenum", STARTS_AT - timedelta(days=120), ["Rückblick"])
    earlier_topic = MinutesTopic(position=1, title="Rückblick")
    earlier_topic.action_items = [
        ActionItem(position=number, text=f"Offene Aufgabe {number}", owner_expert=experts[number])
        for number in range(1, 11)
    ]
    titles = [f"Tagesordnungspunkt {number}: Datenstrategien" for number in range(1, TOPICS + 1)]
    session = plenary("5. Plenum der Dialogplattform", STARTS_AT, titles)
    minutes = Minutes(
        session=session,
        opening="Die Leitung begrüßt die Teilnehmenden und stellt die Tagesordnung vor.",
        closing="Die Leitung dankt allen für die Mitarbeit.",
        next_session_date=date(2026, 6, 18),
    )
    for position, title in enumerate(titles, start=1):
        topic = MinutesTopic(position=position, title=title, discussion=DISCUSSION)
        topic.decisions = [
            Decision(position=n, text=f"Die Plattform beschließt Vorschlag {position}.{n}.")
            for n in (1, 2)
        ]
        topic.action_items = [
            ActionItem(
                position=n,
                text=f"Entwurf {position}.{n} erstellen und versenden",
                owner_expert=experts[(position * n) % ATTENDEES],
                due_date=date(2026, 4, 30),
            )
            for n in (1, 2)
        ]
        topic.recommendations = [
            Recommendation(
                position=n,
                text=f"Kommunen veröffentlichen ihre Daten offen und maschinenlesbar ({n}).",
                guideline=guidelines[(position + n) % len(guidelines)],
                actors="Kommunen, Länder, Bund",
            )
            for n in (1, 2)
        ]
        minutes.topics.append(topic)
    attendees = [
        Attendee(
            session=session,
            expert=expert,
            status=AttendanceStatus.EXCUSED if number % 6 == 0 else AttendanceStatus.PRESENT,
        )
        for number, expert in enumerate(experts)
    ]
    db.session.add_all([*organisations, *experts, earlier, session, *attendees])
    db.session.add_all([Minutes(session=earlier, topics=[earlier_topic]), minutes])
    db.session.commit()
    return minutes


def plenary(title: str, starts_at: datetime, agenda: list[str]) -> Session:
    session = Session(
        title=title,
        kind=SessionKind.PLENARY,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=6),
        status=SessionStatus.HELD,
        venue_address="Krausenstraße 17–18, 10117 Berlin",
        venue_room="Saal 2",
    )
    session.agenda_items = [
        AgendaItem(position=number, title=item, duration_minutes=15)
        for number, item in enumerate(agenda, start=1)
    ]
    return session


def add_organiser() -> User:
    organiser = User(email="organiser@example.org", name="Maria Muster", role=Role.ORGANISER)
    organiser.set_password(PASSWORD)
    db.session.add(organiser)
    db.session.commit()
    return organiser


# --- bare WeasyPrint --------------------------------------------------------------------------


def with_file_urls(html: str) -> str:
    """The same HTML with our `asset:` URLs pointing at the files, for WeasyPrint's own fetcher."""
    return html.replace(f'"{ASSET_SCHEME}:', f'"{ASSET_FOLDER.as_uri()}/')


def bare_weasyprint(html: str, **features) -> bytes:
    """WeasyPrint on its own, reading base.css each time as `render_pdf` does."""
    base_css = weasyprint.CSS(filename=str(ASSET_FOLDER / "base.css"))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[base_css], **features)


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """CPU seconds of each round; CPU time, because other jobs on a shared machine disturb it
    far less than wall-clock time (WeasyPrint runs in this one thread)."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)


def timed(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, Timing]:
    """Run each callable `rounds` times, interleaved so that all see the same machine load, in
    reverse order every other round so that none always runs first, and each after a garbage
    collection so that none pays for another's garbage."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for number in range(rounds):
        order = list(runs.items()) if number % 2 == 0 else list(reversed(runs.items()))
        for name, run in order:
            gc.collect()
            begun = time.process_time()
            run()
            times[name].append(time.process_time() - begun)
    return {name: Timing(tuple(values)) for name, values in times.items()}


def overhead(ours: Timing, reference: Timing) -> float:
    """The median of the rounds' ratios: each round's two runs saw the same machine load, so
    their ratio is steadier than the ratio of the medians."""
    ratios = [mine / theirs for mine, theirs in zip(ours.samples, reference.samples, strict=True)]
    return statistics.median(ratios) - 1


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def stored_download(app, minutes: Minutes, version: MinutesVersion, count: int):
    """Seconds per download of the stored PDF, and how it was fetched."""
    if "minutes.version_pdf" in app.view_functions:
        client = app.test_client()
        signed_in = client.post(
            "/login", data={"email": "organiser@example.org", "password": PASSWORD}
        )
        if signed_in.status_code != 302:
            raise RuntimeError("could not sign in")
        with app.test_request_context():
            url = url_for(
                "minutes.version_pdf", session_id=minutes.session_id, version_number=version.number
            )

        def download() -> bytes:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"the download answered {response.status_code}")
            return response.get_data()

        how = f"GET {url} (Flask test client, signed in)"
    else:

        def download() -> bytes:
            db.session.expire_all()
            query = sa.select(MinutesVersion.pdf).where(MinutesVersion.id == version.id)
            return db.session.scalar(query)

        how = "the stored bytes read through the ORM (there is no download route yet)"

    if download() != version.pdf:
        raise RuntimeError("the download is not the stored PDF")
    return timed({"download": download}, count)["download"].median, how


@dataclass(frozen=True)
class ApprovalRound:
    """One approval through the route: the request's wall-clock and CPU seconds, and the
    wall-clock seconds from the click until the PDF was stored."""

    request_wall: float
    request_cpu: float
    stored_after: float


def signed_in_client(app):
    client = app.test_client()
    signed_in = client.post("/login", data={"email": "organiser@example.org", "password": PASSWORD})
    if signed_in.status_code != 302:
        raise RuntimeError("could not sign in")
    return client


def approve_through_the_route(app, minutes: Minutes, rounds: int) -> list[ApprovalRound]:
    """Approve `rounds` versions as the organiser does (each after the PDF of the one before
    is stored, and a correction), timing the request and the wait for its PDF."""
    client = signed_in_client(app)
    with app.test_request_context():
        approve_url = url_for("minutes.approve", session_id=minutes.session_id)
        correct_url = url_for("minutes.correct", session_id=minutes.session_id)
    measured = []
    for number in range(1, rounds + 1):
        if number > 1:
            corrected = client.post(correct_url, data={"reason": f"Korrektur {number}"})
            if corrected.status_code != 302:
                raise RuntimeError(f"the correction answered {corrected.status_code}")
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.post(approve_url)
        request_wall, request_cpu = time.perf_counter() - wall, time.process_time() - cpu
        if response.status_code != 302:
            raise RuntimeError(f"the approval answered {response.status_code}")
        stored_after = wait_for_the_pdf(minutes.id, number) - wall
        measured.append(ApprovalRound(request_wall, request_cpu, stored_after))
    return measured


def wait_for_the_pdf(minutes_id: int, number: int, seconds: float = 300) -> float:
    """The perf_counter time at which version `number` was seen with its PDF stored."""
    query = sa.select(MinutesVersion.pdf_sha256).where(
        MinutesVersion.minutes_id == minutes_id, MinutesVersion.number == number
    )
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        db.session.rollback()  # see what the renderer committed
        if db.session.scalar(query) is not None:
            return time.perf_counter()
        time.sleep(0.02)
    raise RuntimeError(f"version {number} had no PDF after {seconds} seconds")


def profile_our_rendering(content: dict, approval: Approval) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    minutes_pdf(content, language="de", approval=approval)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    parser.add_argument("--profile", action="store_true", help="profile one approved render")
    options = parser.parse_args()
    rounds = 3 if options.quick else 7

    with tempfile.TemporaryDirectory() as directory:
        app = make_app(Path(directory))
        with app.app_context():
            minutes = add_long_minutes()
            organiser = add_organiser()
            approvals = approve_through_the_route(app, minutes, rounds)
            version = workflow.latest_version(minutes)
            content = version.content
            approval = Approval(version.number, version.approved_at, organiser.name, version.reason)
            html = minutes_html(content, language="de", approval=approval)
            draft_html = minutes_html(content, language="de", approval=None)
            pages = page_count(version.pdf)
            draft_pages = page_count(minutes_pdf(content, language="de", approval=None))

            bare_html, bare_draft_html = with_file_urls(html), with_file_urls(draft_html)
            attached = minutes_json(content)
            bare_pdf = bare_weasyprint(bare_html)
            if page_count(bare_pdf) != pages:
                raise RuntimeError("bare WeasyPrint laid the HTML out differently")

            print(
                f"eventsys minutes PDF benchmark – {TOPICS} TOPs, {ATTENDEES} attendees, "
                f"{len(html) / 1024:.0f} KiB of HTML, {pages} pages; "
                f"median and best of {rounds} interleaved rounds"
            )
            # Each of ours runs next to what it is compared with.
            timings = timed(
                {
                    "bare": lambda: bare_weasyprint(bare_html),
                    "bare_features": lambda: bare_weasyprint(
                        bare_html,
                        pdf_tags=True,
                        pdf_variant="pdf/a-3u",
                        # An attachment can be written once, so each round gets its own.
                        attachments=[
                            weasyprint.Attachment(
                                string=attached, name=ATTACHMENT_NAME, relationship="Data"
                            )
                        ],
                    ),
                    "ours_approved": lambda: minutes_pdf(content, language="de", approval=approval),
                    "bare_draft": lambda: bare_weasyprint(bare_draft_html),
                    "bare_draft_tagged": lambda: bare_weasyprint(bare_draft_html, pdf_tags=True),
                    "ours_draft": lambda: minutes_pdf(content, language="de", approval=None),
                    "snapshot": lambda: snapshot.take(minutes),
                },
                rounds,
            )
            download, how = stored_download(app, minutes, version, DOWNLOADS)
            profile = profile_our_rendering(content, approval) if options.profile else ""

    def row(label: str, timing: Timing, page_total: int, against: Timing | None = None) -> str:
        line = (
            f"   {label:<44} {timing.median:6.2f} s {timing.best:6.2f} s "
            f"{page_total / timing.median:7.1f}"
        )
        return line + (f"   {overhead(timing, against):+7.1%}" if against else "")

    bare, bare_draft = timings["bare"], timings["bare_draft"]
    features, tagged_draft = timings["bare_features"], timings["bare_draft_tagged"]
    ours, ours_draft = timings["ours_approved"], timings["ours_draft"]
    print("\n1. Rendering one document (CPU seconds)")
    print(f"   {'':<44} {'median':>8} {'best':>8} {'pages/s':>7}   against bare")
    print(row("bare WeasyPrint, approved HTML", bare, pages))
    print(row("bare WeasyPrint + tags, PDF/A-3u, attachment", features, pages, bare))
    print(row("minutes_pdf, approved (PDF/A-3u)", ours, pages, bare))
    print(row("bare WeasyPrint, draft HTML", bare_draft, draft_pages))
    print(row("bare WeasyPrint + tags, draft", tagged_draft, draft_pages, bare_draft))
    print(row("minutes_pdf, draft", ours_draft, draft_pages, bare_draft))
    print(f"   (snapshot.take, not included above: {timings['snapshot'].median * 1000:.0f} ms)")

    worst = max(overhead(ours, bare), overhead(ours_draft, bare_draft))
    verdict = "met" if worst <= 0.15 else "NOT met"
    print("\n2. Overhead (median of the rounds' ratios)")
    print(f"   {'':<44} {'approved':>9} {'draft':>9}")
    for label, approved_share, draft_share in (
        (
            "minutes_pdf over bare WeasyPrint",
            overhead(ours, bare),
            overhead(ours_draft, bare_draft),
        ),
        (
            "WeasyPrint's tags (and PDF/A-3u) over bare",
            overhead(features, bare),
            overhead(tagged_draft, bare_draft),
        ),
        (
            "minutes_pdf over WeasyPrint with those",
            overhead(ours, features),
            overhead(ours_draft, tagged_draft),
        ),
    ):
        print(f"   {label:<44} {approved_share:+9.1%} {draft_share:+9.1%}")
    print(f"   aim: at most 15 % over bare WeasyPrint: {verdict}")

    render = timings["ours_approved"].median
    speedup = render / download
    verdict = "met" if speedup >= 50 else "NOT met"
    print(f"\n3. Stored download: {how}")
    print(f"   download {download * 1000:8.2f} ms   fresh render {render:.2f} s")
    print(f"   {speedup:.0f}× faster (aim: at least 50×: {verdict})")

    request_wall = statistics.median(round_.request_wall for round_ in approvals)
    request_cpu = statistics.median(round_.request_cpu for round_ in approvals)
    stored_after = statistics.median(round_.stored_after for round_ in approvals)
    print(f"\n4. Approval request: POST to minutes.approve ({len(approvals)} versions, median)")
    print(
        f"   request {request_wall * 1000:8.0f} ms wall-clock, {request_cpu * 1000:.0f} ms CPU"
        f"   one render {render:.2f} s CPU ({render / request_cpu:.0f}× the request's CPU)"
    )
    print(
        f"   PDF stored {stored_after:.2f} s after the click (renderer thread and child process); "
        f"each round: {', '.join(f'{round_.stored_after:.1f}' for round_ in approvals)} s"
    )

    if profile:
        print("\n5. Profile of one approved render (cumulative)")
        print(profile)


if __name__ == "__main__":
    main()
