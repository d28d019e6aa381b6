"""Benchmark: a charter of 400 recommendations: freezing, comparing, printing and its pages.

    .venv/bin/python bench/charters.py             # 400 recommendations (80 for the counts)
    .venv/bin/python bench/charters.py --quick     # 80 recommendations (20), fewer rounds
    .venv/bin/python bench/charters.py --profile   # and where the time goes

Builds, in a temporary SQLite app, approved minutes of workshops with five recommendations per
TOP (German sentences of 15 to 30 words with their English wording), a charter created from
them whose four chapters hold every recommendation, and a smaller charter made from the first
workshops only (80 recommendations; 20 with --quick). Prints, all measured in this one run
(CPU seconds of interleaved rounds, median and best, unless said otherwise):
1. freezing version 0.1 (`versions.freeze`, rolled back after each round so that every freeze
   starts from the same state) against reading the working text (`content.working_text`), with
   the SQL queries of each for both charters (the aim: as many for either size);
2. `diff.compare` of versions 0.1 and 0.2, where 0.2 has 10 % of the recommendations reworded,
   5 % moved to another chapter, 2 % set aside and 2 % new ones, against one word diff
   (`difflib.SequenceMatcher`) over all words of each whole text, and against a word diff of
   each recommendation found in both texts;
3. pages per second of `charter_pdf` for version 0.2, in German and in both languages side by
   side, and its overhead against bare WeasyPrint rendering the same HTML with the same
   stylesheet, without and with the tags `render_pdf` asks for (the aim: at most 15 % over
   WeasyPrint with tags);
4. the version, diff and pool pages through the Flask test client, signed in as the
   secretariat: wall-clock time and SQL queries for both charters (the aims: as many queries
   for either size, and every page in under a second with 400 recommendations).
See bench/README.md.
"""

import argparse
import cProfile
import difflib
import gc
import io
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import weasyprint  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from bench.benchmark_app import make_app  # noqa: E402
from eventsys.auth.models import User  # noqa: E402
from eventsys.charters import (  # noqa: E402
    charters,
    content,
    diff,
    document,
    intake,
    pool,
    pool_queries,
    versions,
)
from eventsys.charters.models import Charter, CharterVersion, Clause  # noqa: E402
from eventsys.charters.states import ClauseStatus  # noqa: E402
from eventsys.extensions import db  # noqa: E402
from eventsys.minutes.models import Minutes, MinutesVersion  # noqa: E402
from eventsys.minutes.states import MinutesState  # noqa: E402
from eventsys.pdf.fetcher import ASSET_FOLDER, ASSET_SCHEME  # noqa: E402
from eventsys.roles import Role  # noqa: E402
from eventsys.sessions.models import Session  # noqa: E402
from eventsys.sessions.states import SessionKind, SessionStatus  # noqa: E402

PASSWORD = "benchmark password"
SECRETARIAT_EMAIL = "geschaeftsstelle@example.org"
FIRST_SESSION = datetime(2016, 7, 4, 9, 0, tzinfo=UTC)
SEED = 2017
TOPICS_PER_SESSION = 4  # one per guideline
RECOMMENDATIONS_PER_TOPIC = 5
PER_SESSION = TOPICS_PER_SESSION * RECOMMENDATIONS_PER_TOPIC

# What happens between version 0.1 and 0.2, as shares of the recommendations in the text.
REWORDED, MOVED, SET_ASIDE, ADDED = 0.10, 0.05, 0.02, 0.02

# --- recommendations --------------------------------------------------------------------------

# Parallel German and English parts: a recommendation picks one of each, so that its English
# wording is a translation of its German one.
SUBJECTS = [
    ("Kommunen", "Municipalities"),
    ("Städte, Kreise und Gemeinden", "Cities, districts and municipalities"),
    ("Bund und Länder", "The federal government and the states"),
    ("Die Länder", "The states"),
    ("Kommunale Spitzenverbände", "Municipal umbrella associations"),
    ("Die Verwaltungen", "Public administrations"),
    ("Kommunale Unternehmen", "Municipal companies"),
    ("Wissenschaft und Wirtschaft", "Science and business"),
    ("Die Bundesressorts", "The federal ministries"),
    ("Stadtwerke und Verkehrsbetriebe", "Public utilities and transport operators"),
]
VERBS = [
    ("fördern", "promote"),
    ("entwickeln", "develop"),
    ("stärken", "strengthen"),
    ("unterstützen", "support"),
    ("sichern", "secure"),
    ("gestalten", "shape"),
    ("schaffen", "create"),
    ("erproben", "pilot"),
    ("verankern", "embed"),
    ("finanzieren", "fund"),
]
MANNERS = [
    ("gemeinsam mit der Zivilgesellschaft", "together with civil society"),
    (
        "auf der Grundlage einer langfristigen Strategie",
        "on the basis of a long-term strategy",
    ),
    ("unter Wahrung des Datenschutzes", "while protecting personal data"),
    (
        "im Rahmen einer integrierten Stadtentwicklung",
        "as part of integrated urban development",
    ),
    ("mit klaren Zuständigkeiten und messbaren Zielen", "with clear responsibilities and goals"),
    (
        "in enger Abstimmung mit den Nachbarkommunen",
        "in close coordination with neighbouring municipalities",
    ),
    ("über Ressortgrenzen hinweg", "across departmental boundaries"),
    ("frühzeitig und nachvollziehbar", "early and transparently"),
]
OBJECTS = [
    ("offene und interoperable Datenplattformen", "open and interoperable data platforms"),
    ("digitale Kompetenzen in allen Ämtern", "digital skills in every department"),
    ("gemeinwohlorientierte digitale Dienste", "digital services for the common good"),
    ("transparente Verfahren der Bürgerbeteiligung", "transparent public participation"),
    ("sichere und widerstandsfähige Infrastrukturen", "secure and resilient infrastructures"),
    ("regionale Kooperationen bei der Beschaffung", "regional cooperation in procurement"),
    ("kommunale Datenräume als öffentliches Gut", "municipal data spaces as a public good"),
    ("barrierefreie Angebote für alle Generationen", "accessible services for all generations"),
]
PURPOSES = [
    (
        "damit alle Bürgerinnen und Bürger von der digitalen Transformation profitieren",
        "so that all citizens benefit from the digital transformation",
    ),
    (
        "um Abhängigkeiten von einzelnen Anbietern zu vermeiden",
        "to avoid depending on single vendors",
    ),
    (
        "sodass Daten dem Gemeinwohl dienen und nicht allein wirtschaftlichen Interessen",
        "so that data serve the common good and not business interests alone",
    ),
    (
        "damit Entscheidungen für die Öffentlichkeit nachvollziehbar bleiben",
        "so that decisions remain comprehensible to the public",
    ),
    (
        "um die Handlungsfähigkeit der Kommunen dauerhaft zu sichern",
        "to secure the municipalities' capacity to act for the long term",
    ),
    (
        "damit kleine und große Kommunen gleichermaßen teilhaben können",
        "so that small and large municipalities can take part alike",
    ),
]
SECOND_SENTENCES = [
    (
        "Dabei werden Erfahrungen aus Modellprojekten ausgewertet.",
        "Experience from pilot projects is evaluated.",
    ),
    ("Die Ergebnisse werden regelmäßig öffentlich berichtet.", "Results are reported regularly."),
    (
        "Der Bund stellt hierfür Fördermittel bereit.",
        "The federal government provides funding for this.",
    ),
    ("Offene Standards haben dabei Vorrang.", "Open standards take precedence."),
]
# Rewording swaps words for these (German only: the English wording is left as it was).
SYNONYMS = {
    "fördern": "unterstützen",
    "unterstützen": "fördern",
    "entwickeln": "erarbeiten",
    "stärken": "festigen",
    "sichern": "gewährleisten",
    "schaffen": "etablieren",
    "offene": "freie",
    "digitale": "elektronische",
    "sichere": "verlässliche",
    "langfristigen": "nachhaltigen",
    "klaren": "eindeutigen",
    "enger": "ständiger",
    "frühzeitig": "rechtzeitig",
    "regionale": "interkommunale",
    "alle": "sämtliche",
    "Kommunen": "Gemeinden",
    "Daten": "Informationen",
    "Verwaltungen": "Behörden",
    "Strategie": "Gesamtstrategie",
    "Ziele": "Vorgaben",
    "Zielen": "Vorgaben",
    "Infrastrukturen": "Netze",
    "Angebote": "Dienste",
    "vermeiden": "verhindern",
    "bleiben": "sind",
    "gleichermaßen": "ebenso",
    "regelmäßig": "jährlich",
    "Ergebnisse": "Befunde",
}
TOPIC_TITLES = [
    "Ziele, Strategien und Strukturen",
    "Transparenz, Teilhabe und Mitgestaltung",
    "Infrastrukturen, Daten und Dienstleistungen",
    "Ressourcen, Kompetenzen und Kooperationen",
]
ACTORS = ["Kommunen", "Bund", "Länder", "Wirtschaft", "Wissenschaft", "Zivilgesellschaft"]


def recommendation_text(rng: random.Random) -> tuple[str, str]:
    """A German recommendation of 15 to 30 words, and its English wording."""
    while True:
        parts = [rng.choice(options) for options in (SUBJECTS, VERBS, MANNERS, OBJECTS, PURPOSES)]
        (subject, verb, manner, thing, purpose) = parts
        german = f"{subject[0]} {verb[0]} {manner[0]} {thing[0]}, {purpose[0]}."
        english = f"{subject[1]} {verb[1]} {thing[1]} {manner[1]}, {purpose[1]}."
        if rng.random() < 0.4:
            second = rng.choice(SECOND_SENTENCES)
            german, english = f"{german} {second[0]}", f"{english} {second[1]}"
        if 15 <= len(german.split()) <= 30:
            return german, english


def reworded(text: str, rng: random.Random) -> str:
    """`text` with two or three of its words replaced by synonyms."""
    words = text.split(" ")
    candidates = [index for index, word in enumerate(words) if word.rstrip(",.") in SYNONYMS]
    for index in rng.sample(candidates, min(len(candidates), rng.choice((2, 3)))):
        word = words[index]
        bare = word.rstrip(",.")
        words[index] = SYNONYMS[bare] + word[len(bare) :]
    return " ".join(words)


def paragraphs(rng: random.Random, count: int) -> tuple[str, str]:
    """`count` Markdown paragraphs of two recommendations each, German and English."""
    pairs = [(recommendation_text(rng), recommendation_text(rng)) for _ in range(count)]
    german = "\n\n".join(f"{first[0]} {second[0]}" for first, second in pairs)
    english = "\n\n".join(f"{first[1]} {second[1]}" for first, second in pairs)
    return german, english


# --- the data ---------------------------------------------------------------------------------


def add_secretariat() -> User:
    user = User(email=SECRETARIAT_EMAIL, name="Sabine Geschäftsstelle", role=Role.SECRETARIAT)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def add_workshops(
    count: int, rng: random.Random, recommendations: int = PER_SESSION
) -> list[MinutesVersion]:
    """`count` held workshops, each with an approved minutes version (written directly, as the
    snapshot would hold it) of four TOPs, one per guideline, with `recommendations` in all."""
    already = db.session.scalar(sa.select(sa.func.count(Session.id)))
    sessions = []
    for number in range(already + 1, already + count + 1):
        starts_at = FIRST_SESSION + timedelta(days=14 * number)
        sessions.append(
            Session(
                title=f"{number}. Workshop der Dialogplattform Smart Cities",
                kind=SessionKind.WORKSHOP,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=6),
                status=SessionStatus.HELD,
                venue_address="Krausenstraße 17–18, 10117 Berlin",
            )
        )
    db.session.add_all(sessions)
    db.session.flush()
    added = []
    for session in sessions:
        topics = []
        for position in range(1, TOPICS_PER_SESSION + 1):
            per_topic = -(-recommendations // TOPICS_PER_SESSION)
            made = min(per_topic, recommendations - (position - 1) * per_topic)
            topics.append(
                {
                    "position": position,
                    "title": TOPIC_TITLES[position - 1],
                    "recommendations": [
                        {
                            "number": f"E-{session.id}.{position}.{n}",
                            "text": recommendation_text(rng)[0],
                            "actors": ", ".join(rng.sample(ACTORS, 2)),
                            "guideline": {"number": position},
                        }
                        for n in range(1, made + 1)
                    ],
                }
            )
        snapshot = {
            "schema": "eventsys.minutes/1",
            "session": {
                "id": session.id,
                "title": session.title,
                "kind": session.kind.value,
                "starts_at": session.starts_at.isoformat(),
            },
            "topics": topics,
        }
        minutes = Minutes(session=session, state=MinutesState.APPROVED)
        added.append(
            MinutesVersion(
                minutes=minutes,
                number=1,
                content=snapshot,
                approved_at=session.ends_at,
                pdf=b"%PDF",
                pdf_sha256="0",
            )
        )
    db.session.add_all(added)
    db.session.flush()
    return added


def fill_in(charter: Charter, rng: random.Random) -> None:
    """Give the charter a preamble, its chapters introductions, and every clause its English
    wording (what the secretariat would write)."""
    charter.preamble_de, charter.preamble_en = paragraphs(rng, 3)
    for chapter in charter.chapters:
        chapter.introduction_de, chapter.introduction_en = paragraphs(rng, 2)
    for clause in db.session.scalars(sa.select(Clause).where(Clause.charter_id == charter.id)):
        clause.text_en = translation(clause.text_de)


def translation(german: str) -> str:
    """The English wording of a generated German recommendation."""
    english = german
    for options in (SUBJECTS, VERBS, MANNERS, OBJECTS, PURPOSES, SECOND_SENTENCES):
        for de, en in options:
            english = english.replace(de, en, 1) if de in english else english
    return english


def build_charters(small: int, large: int, rng: random.Random, user: User):
    """The small charter (from the first workshops) and the large one (from all), each with
    every recommendation assigned to its guideline's chapter."""
    add_workshops(small // PER_SESSION, rng)
    little = charters.create_charter("Smart City Charta (Auszug)", "Smart City Charter", user)
    add_workshops((large - small) // PER_SESSION, rng)
    big = charters.create_charter("Smart City Charta", "Smart City Charter", user)
    for charter in (little, big):
        pool.assign_suggested(charter, user)
        fill_in(charter, rng)
    db.session.commit()
    return little, big


def change_between_versions(charter: Charter, user: User, rng: random.Random) -> dict[str, int]:
    """Reword, move and set aside shares of the text's recommendations and assign new ones from
    the pool, through the pool's services; return how many of each."""
    in_text = list(
        db.session.scalars(
            sa.select(Clause)
            .where(
                Clause.charter_id == charter.id,
                Clause.status == ClauseStatus.ACTIVE,
                Clause.chapter_id.is_not(None),
            )
            .order_by(Clause.id)
        )
    )
    total = len(in_text)
    # At least one of each, so that the small charter's diff has every kind of change too.
    counts = {
        "reworded": max(1, round(total * REWORDED)),
        "moved": max(1, round(total * MOVED)),
        "set aside": max(1, round(total * SET_ASIDE)),
        "added": max(1, round(total * ADDED)),
    }
    chosen = rng.sample(in_text, counts["reworded"] + counts["moved"] + counts["set aside"])
    chapters = list(charter.chapters)
    for clause in chosen[: counts["reworded"]]:
        pool.reword(clause, reworded(clause.text_de, rng), clause.text_en, user)
    for clause in chosen[counts["reworded"] : counts["reworded"] + counts["moved"]]:
        elsewhere = rng.choice([chapter for chapter in chapters if chapter.id != clause.chapter_id])
        pool.assign(clause, elsewhere, user)
    for clause in chosen[counts["reworded"] + counts["moved"] :]:
        pool.set_aside(clause, "Wird in Kapitel 2 bereits abgedeckt.", user)
    waiting = db.session.scalars(
        sa.select(Clause)
        .where(
            Clause.charter_id == charter.id,
            Clause.status == ClauseStatus.ACTIVE,
            Clause.chapter_id.is_(None),
        )
        .order_by(Clause.id)
    )
    by_guideline = pool_queries.suggested_chapters(charter)
    for clause in list(waiting)[: counts["added"]]:
        clause.text_en = translation(clause.text_de)
        pool.assign(clause, pool_queries.suggested_chapter(clause, by_guideline), user)
    return counts


# --- bare WeasyPrint --------------------------------------------------------------------------


def with_file_urls(html: str) -> str:
    """The same HTML with our `asset:` URLs pointing at the files, for WeasyPrint's own fetcher."""
    return html.replace(f'"{ASSET_SCHEME}:', f'"{ASSET_FOLDER.as_uri()}/')


def bare_weasyprint(html: str, **features) -> bytes:
    """WeasyPrint on its own, reading base.css each time as `render_pdf` does."""
    base_css = weasyprint.CSS(filename=str(ASSET_FOLDER / "base.css"))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[base_css], **features)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Seconds of each round: CPU seconds unless said otherwise, because other jobs on a shared
    machine disturb them far less than wall-clock time."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)


def timed(
    runs: dict[str, Callable[[], object]],
    rounds: int,
    *,
    clock: Callable[[], float] = time.process_time,
    reset: Callable[[], object] | None = None,
) -> dict[str, Timing]:
    """Run each callable `rounds` times, interleaved so that all see the same machine load, in
    reverse order every other round so that none always runs first, and each after a garbage
    collection so that none pays for another's garbage. `reset`, untimed, follows every run."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for number in range(rounds):
        order = list(runs.items()) if number % 2 == 0 else list(reversed(runs.items()))
        for name, run in order:
            gc.collect()
            begun = clock()
            run()
            times[name].append(clock() - begun)
            if reset is not None:
                reset()
    return {name: Timing(tuple(values)) for name, values in times.items()}


def overhead(ours: Timing, reference: Timing) -> float:
    """The median of the rounds' ratios: each round's two runs saw the same machine load, so
    their ratio is steadier than the ratio of the medians."""
    ratios = [mine / theirs for mine, theirs in zip(ours.samples, reference.samples, strict=True)]
    return statistics.median(ratios) - 1


@contextmanager
def counted_queries(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` executes inside the block."""
    statements: list[str] = []

    def count(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def queries_of(engine: sa.Engine, run: Callable[..., object], *arguments: object) -> int:
    """How many SQL statements `run(*arguments)` executes."""
    with counted_queries(engine) as statements:
        run(*arguments)
    return len(statements)


def profiled(run: Callable[[], object], lines: int = 18) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


# --- the four measurements --------------------------------------------------------------------


def measure_freezing(
    engine: sa.Engine, small: Charter, large: Charter, user: User, rounds: int
) -> tuple[dict[str, Timing], dict[tuple[str, int], int]]:
    """Freezing the large charter's working text as version 0.1 against reading that text, each
    freeze rolled back so that every round starts from the same state (no version yet); and
    the queries of both for either charter."""

    def fresh() -> None:
        # Undo the freeze; load the charter and the user again, as a view has them before it
        # calls the service.
        db.session.rollback()
        for loaded in (small, large, user):
            db.session.refresh(loaded)

    queries = {}
    for charter in (small, large):
        size = len(content.clauses_of(content.working_text(charter)))
        fresh()
        queries["working_text", size] = queries_of(engine, content.working_text, charter)
        fresh()
        queries["freeze", size] = queries_of(engine, versions.freeze, charter, user)
        fresh()
    timings = timed(
        {
            "working_text": lambda: content.working_text(large),
            "freeze": lambda: versions.freeze(large, user),
        },
        rounds,
        reset=fresh,
    )
    return timings, queries


def freeze_two_versions(
    small: Charter, large: Charter, user: User, rng: random.Random, new_count: int
) -> dict[int, dict[str, int]]:
    """Version 0.1 of both charters; then a workshop with `new_count` new recommendations, the
    changes of `change_between_versions`, and version 0.2. Returns the changes by charter id."""
    for charter in (small, large):
        versions.freeze(charter, user, note="Erster Arbeitsentwurf")
    db.session.commit()
    added = add_workshops(1, rng, recommendations=new_count)
    intake.receive_minutes_version(added[0])
    changes = {
        charter.id: change_between_versions(charter, user, rng) for charter in (small, large)
    }
    for charter in (small, large):
        versions.freeze(charter, user, note="Nach der Klausur der Geschäftsstelle")
    db.session.commit()
    return changes


def words_of(text: dict) -> list[str]:
    """Every word of a charter's text (preamble, chapters, recommendations; German, then
    English), in the order of the text."""
    charter = text["charter"]
    parts = [charter["preamble_de"], charter["preamble_en"]]
    for chapter in text["chapters"]:
        parts += [chapter[name] for name in ("title_de", "title_en")]
        parts += [chapter[name] for name in ("introduction_de", "introduction_en")]
        for clause in chapter["clauses"]:
            parts += [clause["text_de"], clause["text_en"]]
    return " ".join(parts).split()


def matched_words(old: dict, new: dict) -> list[tuple[list[str], list[str]]]:
    """The words of each recommendation in both texts, old and new, German and English."""
    before = {clause["id"]: clause for clause in content.clauses_of(old)}
    return [
        (before[clause["id"]][language].split(), clause[language].split())
        for clause in content.clauses_of(new)
        if clause["id"] in before
        for language in ("text_de", "text_en")
    ]


def measure_diff(old: dict, new: dict, rounds: int) -> tuple[dict[str, Timing], diff.Summary]:
    """`diff.compare` of the two versions against one word diff of their whole texts, and
    against a word diff of each recommendation found in both (what `compare` does at heart)."""
    old_words, new_words = words_of(old), words_of(new)
    pairs = matched_words(old, new)

    def each_recommendation() -> None:
        for before, after in pairs:
            difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()

    timings = timed(
        {
            "compare": lambda: diff.compare(old, new),
            "difflib": lambda: difflib.SequenceMatcher(
                None, old_words, new_words, autojunk=False
            ).get_opcodes(),
            "difflib_each": each_recommendation,
        },
        rounds,
    )
    return timings, diff.compare(old, new).summary


@dataclass
class PdfResults:
    timings: dict[str, Timing]
    pages: int
    both_pages: int
    html_kib: float


def measure_pdf(version: CharterVersion, rounds: int) -> PdfResults:
    """`charter_pdf` of the version, in German and in both languages, against bare WeasyPrint
    on the same HTML, without and with tags (`render_pdf` asks for `pdf_tags=True`, nothing
    else for a charter: no PDF/A, no attachment)."""
    text = version.content
    state_label = version.state.lazy_label
    arguments = {"state_label": state_label, "frozen_at": version.frozen_at}
    html = document.charter_html(text, language="de", **arguments)
    bare_html = with_file_urls(html)
    rendered: dict[str, bytes] = {}

    # The PDFs of the last round are kept for their page counts (no extra renders).
    def kept(name: str, render: Callable[[], bytes]) -> Callable[[], None]:
        return lambda: rendered.__setitem__(name, render())

    timings = timed(
        {
            "bare": kept("bare", lambda: bare_weasyprint(bare_html)),
            "bare_tagged": kept("bare_tagged", lambda: bare_weasyprint(bare_html, pdf_tags=True)),
            "ours": kept("ours", lambda: document.charter_pdf(text, language="de", **arguments)),
            "ours_both": kept(
                "ours_both", lambda: document.charter_pdf(text, language="both", **arguments)
            ),
        },
        rounds,
    )
    pages = page_count(rendered["ours"])
    if {page_count(rendered["bare"]), page_count(rendered["bare_tagged"])} != {pages}:
        raise RuntimeError("bare WeasyPrint laid the HTML out differently")
    return PdfResults(timings, pages, page_count(rendered["ours_both"]), len(html) / 1024)


PAGES = {
    "version 0.2": "/charters/{id}/versions/0.2",
    "diff 0.1 → 0.2": "/charters/{id}/diff?from=0.1&to=0.2",
    "pool, all": "/charters/{id}/pool?state=all",
}


def signed_in_client(app):
    client = app.test_client()
    response = client.post("/login", data={"email": SECRETARIAT_EMAIL, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError("could not sign in")
    return client


def measure_pages(
    app, engine: sa.Engine, charter_ids: dict[int, int], rounds: int
) -> tuple[dict[str, Timing], dict[str, int], dict[str, int]]:
    """The pages through the test client, outside any app context of ours, so that every
    request has its own database session as in production. Returns wall-clock timings, query
    counts and response sizes, keyed "<page> <size>"."""
    client = signed_in_client(app)

    def getter(url: str) -> Callable[[], bytes]:
        def get() -> bytes:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return response.get_data()

        return get

    runs = {
        f"{page} {size}": getter(url.format(id=charter_id))
        for page, url in PAGES.items()
        for size, charter_id in charter_ids.items()
    }
    sizes = {name: len(run()) for name, run in runs.items()}  # also compiles the templates
    queries = {name: queries_of(engine, run) for name, run in runs.items()}
    return timed(runs, rounds, clock=time.perf_counter), queries, sizes


# --- the report -------------------------------------------------------------------------------


def same_or_grows(counts: list[int]) -> str:
    return "same" if len(set(counts)) == 1 else "GROWS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="80 recommendations (20), fewer rounds"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile a freeze, the diff, and the diff and pool pages",
    )
    options = parser.parse_args()
    large_size, small_size = (80, 20) if options.quick else (400, 80)
    rounds, pdf_rounds, page_rounds = (3, 2, 3) if options.quick else (7, 3, 5)
    rng = random.Random(SEED)

    with tempfile.TemporaryDirectory() as directory:
        app = make_app(Path(directory))
        with app.app_context():
            engine = db.engine
            begun = time.perf_counter()
            user = add_secretariat()
            small, large = build_charters(small_size, large_size, rng, user)
            built = time.perf_counter() - begun
            charter_ids = {small_size: small.id, large_size: large.id}
            print(
                f"eventsys charter benchmark – {large_size} recommendations in 4 chapters "
                f"(and {small_size} for the query counts); median and best of interleaved rounds"
            )
            print(f"(the workshops and charters took {built:.1f} s to build)")

            freezing, freeze_queries = measure_freezing(engine, small, large, user, rounds)
            changes = freeze_two_versions(
                small, large, user, rng, new_count=round(large_size * ADDED)
            )
            first = versions.find_version(large, "0.1")
            second = versions.find_version(large, "0.2")
            differences, summary = measure_diff(first.content, second.content, rounds)
            print_freezing(freezing, freeze_queries, small_size, large_size, rounds)
            print_diff(differences, summary, changes[large.id], rounds)
            profiles = []
            if options.profile:
                profiles.append(("versions.freeze", profiled(lambda: versions.freeze(large, user))))
                db.session.rollback()
                profiles.append(
                    ("diff.compare", profiled(lambda: diff.compare(first.content, second.content)))
                )
            pdf = measure_pdf(second, pdf_rounds)
            print_pdf(pdf, pdf_rounds)
        pages, page_queries, page_sizes = measure_pages(app, engine, charter_ids, page_rounds)
        print_pages(pages, page_queries, page_sizes, small_size, large_size, page_rounds)
        if options.profile:
            client = signed_in_client(app)
            for page in ("diff 0.1 → 0.2", "pool, all"):
                url = PAGES[page].format(id=charter_ids[large_size])
                profiles.append((f"GET {url}", profiled(partial(client.get, url))))
            print("\n5. Profiles (cumulative)")
            for title, profile in profiles:
                print(f"\n   {title}\n{profile}")


def print_freezing(
    timings: dict[str, Timing],
    queries: dict[tuple[str, int], int],
    small: int,
    large: int,
    rounds: int,
) -> None:
    freeze, read = timings["freeze"], timings["working_text"]
    print(f"\n1. Freezing {large} recommendations (CPU, {rounds} rounds, each rolled back)")
    print(f"   {'':<36} {'median':>9} {'best':>9}   queries {small:>3} / {large:>3}")
    for label, name, timing in (
        ("content.working_text (baseline)", "working_text", read),
        ("versions.freeze", "freeze", freeze),
    ):
        counts = [queries[name, small], queries[name, large]]
        print(
            f"   {label:<36} {timing.median * 1000:6.0f} ms {timing.best * 1000:6.0f} ms"
            f"   {counts[0]:>11} / {counts[1]:>3}  {same_or_grows(counts)}"
        )
    print(f"   freeze over reading the text: {overhead(freeze, read):+.0%}")


def print_diff(
    timings: dict[str, Timing], summary: diff.Summary, changes: dict[str, int], rounds: int
) -> None:
    compare, baseline = timings["compare"], timings["difflib"]
    made = ", ".join(f"{count} {what}" for what, count in changes.items())
    print(f"\n2. Comparing 0.1 with 0.2 (CPU, {rounds} rounds); made: {made}")
    print(
        f"   diff.compare found: {summary.changed} changed, {summary.moved} moved, "
        f"{summary.removed} removed, {summary.added} added, {summary.renumbered} renumbered, "
        f"{summary.unchanged} unchanged"
    )
    print(f"   {'':<46} {'median':>9} {'best':>9}   diff.compare takes")
    for label, timing in (
        ("difflib, one diff over all words of each text", baseline),
        ("difflib, each recommendation in both texts", timings["difflib_each"]),
        ("diff.compare", compare),
    ):
        line = f"   {label:<46} {timing.median * 1000:6.1f} ms {timing.best * 1000:6.1f} ms"
        if timing is not compare:
            line += f"   {overhead(compare, timing) + 1:.2f}×"
        print(line)


def print_pdf(results: PdfResults, rounds: int) -> None:
    timings, pages = results.timings, results.pages
    bare, tagged = timings["bare"], timings["bare_tagged"]
    print(
        f"\n3. The PDF of version 0.2 (CPU, {rounds} rounds; {results.html_kib:.0f} KiB of HTML, "
        f"{pages} pages in German, {results.both_pages} in both languages)"
    )
    print(f"   {'':<36} {'median':>8} {'best':>8} {'pages/s':>8}   over bare   over tagged")

    def row(label: str, timing: Timing, page_total: int, against: bool = True) -> str:
        line = (
            f"   {label:<36} {timing.median:6.2f} s {timing.best:6.2f} s "
            f"{page_total / timing.median:8.1f}"
        )
        if against:
            line += f"   {overhead(timing, bare):+9.1%}   {overhead(timing, tagged):+11.1%}"
        return line

    print(row("bare WeasyPrint", bare, pages, against=False))
    print(row("bare WeasyPrint, pdf_tags=True", tagged, pages, against=False))
    print(row("charter_pdf, de", timings["ours"], pages))
    print(row("charter_pdf, both side by side", timings["ours_both"], results.both_pages, False))
    verdict = "met" if overhead(timings["ours"], tagged) <= 0.15 else "NOT met"
    print(
        f"   WeasyPrint's tags over bare: {overhead(tagged, bare):+.1%}; "
        f"aim: charter_pdf at most 15 % over tagged WeasyPrint: {verdict}"
    )


def print_pages(
    timings: dict[str, Timing],
    queries: dict[str, int],
    sizes: dict[str, int],
    small: int,
    large: int,
    rounds: int,
) -> None:
    print(f"\n4. Pages, signed in as the secretariat (wall-clock, {rounds} rounds)")
    print(
        f"   {'':<18} {'median ' + str(small):>11} {'median ' + str(large):>11} "
        f"{'best ' + str(large):>9} {'KiB':>5}   queries {small:>3} / {large:>3}"
    )
    for page in PAGES:
        counts = [queries[f"{page} {small}"], queries[f"{page} {large}"]]
        few, many = timings[f"{page} {small}"], timings[f"{page} {large}"]
        print(
            f"   {page:<18} {few.median * 1000:8.0f} ms {many.median * 1000:8.0f} ms "
            f"{many.best * 1000:6.0f} ms {sizes[f'{page} {large}'] / 1024:5.0f}"
            f"   {counts[0]:>11} / {counts[1]:>3}  {same_or_grows(counts)}"
        )
    slowest = max(timings[f"{page} {large}"].median for page in PAGES)
    verdict = "met" if slowest < 1 else "NOT met"
    print(f"   aim: every page in under a second with {large} recommendations: {verdict}")


if __name__ == "__main__":
    main()
