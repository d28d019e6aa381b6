"""Benchmark: the search page over 100 minutes of 40 TOPs each, against a plain staff page.

    .venv/bin/python bench/search.py                 # 100 minutes × 40 TOPs, 15 rounds
    .venv/bin/python bench/search.py --quick         # 20 minutes × 40 TOPs, 7 rounds
    .venv/bin/python bench/search.py --postgres postgresql://postgres@127.0.0.1:5432/test

Fills a temporary SQLite database (or, with --postgres, a throw-away database on that server)
with 100 sessions whose minutes have 40 TOPs each: a discussion of three to five German
sentences, two decisions, an action item and a recommendation per TOP, drawn from varied word
forms (Datenstrategie, Datenstrategien, kommunale, Kommunen …), saved through the models as
the editor saves them, so that the index is written by the same flush. Then prints, all in
this one run, wall-clock time per request through the Flask test client signed in as the
secretariat (median and best of interleaved rounds) and the SQL queries of one request:
1. the search page for a few queries (a frequent word, another form of it, a phrase, a word
   with an exclusion, a rare word, page 5 of the frequent one), against the sessions list, a
   plain staff page of the same app;
2. how long saving the minutes took with the index written in the same flush, and how long
   `flask search rebuild` takes for the whole index.
See bench/README.md.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.benchmark_app import make_app  # noqa: E402
from eventsys.auth.models import User  # noqa: E402
from eventsys.extensions import db  # noqa: E402
from eventsys.minutes.models import (  # noqa: E402
    ActionItem,
    Decision,
    Guideline,
    Minutes,
    MinutesTopic,
    Recommendation,
)
from eventsys.roles import Role  # noqa: E402
from eventsys.search import indexing  # noqa: E402
from eventsys.search.models import SearchEntry  # noqa: E402
from eventsys.sessions.models import Session  # noqa: E402
from eventsys.sessions.states import SessionKind, SessionStatus  # noqa: E402
from tests.support.databases import throwaway_database  # noqa: E402

EMAIL = "geschaeftsstelle@example.org"
PASSWORD = "benchmark password"
FIRST_SESSION = datetime(2016, 7, 12, 8, 0, tzinfo=UTC)

SUBJECTS = [
    "Die kommunale Datenstrategie",
    "Kommunale Datenstrategien",
    "Die Datenstrategie der Stadt",
    "Offene Daten der Kommunen",
    "Die Mobilitätswende in den Städten",
    "Bürgerbeteiligung in der Stadtentwicklung",
    "Digitale Verwaltungsleistungen",
    "Urbane Datenplattformen",
    "Die Wärmeplanung der Gemeinden",
    "Smarte Quartiere",
]
VERBS = ["erörtern", "vergleichen", "bewerten", "diskutieren", "beschreiben", "kritisieren"]
OBJECTS = [
    "Erfahrungen aus den Modellprojekten",
    "die Schnittstellen zwischen Ländern und Kommunen",
    "offene Standards bei der Beschaffung",
    "den Schutz personenbezogener Daten",
    "Kooperationen kleiner Gemeinden",
    "die Finanzierung kommunaler Plattformen",
    "Kompetenzen in den Verwaltungen",
    "Beteiligungsverfahren für Bürgerinnen und Bürger",
]
SPEAKERS = ["Die Sachverständigen", "Mehrere Kommunen", "Die Länder", "Der Bund", "Die Leitung"]
RARE = "Zeppelinlandeplatz"


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SPEAKERS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} im Hinblick auf "
        f"{rng.choice(SUBJECTS).lower()}."
    )


def fill(sessions: int, tops: int, rng: random.Random) -> float:
    """Add the sessions and their minutes; returns the seconds spent saving (one commit per
    minutes, the index written by its flush)."""
    guidelines = list(db.session.scalars(sa.select(Guideline)))
    spent = 0.0
    for number in range(sessions):
        starts_at = FIRST_SESSION + timedelta(days=30 * number)
        session = Session(
            title=f"Workshop {number + 1}: {rng.choice(SUBJECTS)}",
            kind=SessionKind.WORKSHOP,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=5),
            status=SessionStatus.HELD,
        )
        minutes = Minutes(session=session)
        for position in range(1, tops + 1):
            topic = MinutesTopic(
                position=position,
                title=rng.choice(SUBJECTS),
                discussion=" ".join(sentence(rng) for _ in range(rng.randint(3, 5))),
            )
            if number == sessions // 2 and position == tops // 2:
                topic.discussion += f" Ein {RARE} wird nicht weiter verfolgt."
            topic.decisions = [Decision(position=n, text=sentence(rng)) for n in (1, 2)]
            topic.action_items = [ActionItem(position=1, text=sentence(rng))]
            topic.recommendations = [
                Recommendation(
                    position=1,
                    text=sentence(rng),
                    guideline=rng.choice(guidelines),
                    actors="Kommunen, Länder",
                )
            ]
            minutes.topics.append(topic)
        started = time.perf_counter()
        db.session.add(minutes)
        db.session.commit()
        spent += time.perf_counter() - started
    return spent


def timed(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Wall-clock seconds of each run, interleaved round by round."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return times


def queries_of(engine: sa.Engine, run: Callable[[], object]) -> int:
    statements: list[str] = []

    def count(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", metavar="URL")
    arguments = parser.parse_args()
    sessions, rounds = (20, 7) if arguments.quick else (100, 15)
    rng = random.Random(2017)
    with (
        tempfile.TemporaryDirectory() as workdir,
        throwaway_database(Path(workdir), arguments.postgres, "search") as url,
    ):
        app = make_app(Path(workdir), url.replace("postgresql://", "postgresql+psycopg://"))
        with app.app_context():
            user = User(email=EMAIL, name="Sabine Geschäftsstelle", role=Role.SECRETARIAT)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            saving = fill(sessions, 40, rng)
            entries = db.session.scalar(sa.select(sa.func.count(SearchEntry.id)))
            started = time.perf_counter()
            indexing.rebuild(db.session.connection())
            db.session.commit()
            rebuilding = time.perf_counter() - started
            engine = db.engine
            dialect = engine.dialect.name
        client = app.test_client()
        if client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code != 302:
            raise RuntimeError("could not sign in")
        pages = {
            "sessions list (baseline)": "/sessions/",
            "search: Datenstrategie": "/search?q=Datenstrategie",
            "search: Datenstrategien": "/search?q=Datenstrategien",
            "search: Kommunen": "/search?q=Kommunen",
            'search: "offene Standards"': "/search?q=%22offene+Standards%22",
            "search: Daten -Kommunen": "/search?q=Daten+-Kommunen",
            f"search: {RARE}": f"/search?q={RARE}",
            "search: Datenstrategie, page 5": "/search?q=Datenstrategie&page=5",
        }

        def getter(url: str) -> Callable[[], object]:
            def get() -> object:
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code}")
                return response

            return get

        runs = {name: getter(url) for name, url in pages.items()}
        for run in runs.values():
            run()  # warm the caches
        times = timed(runs, rounds)
        counts = {name: queries_of(engine, run) for name, run in runs.items()}

    baseline = statistics.median(times["sessions list (baseline)"])
    print(
        f"{dialect}: {sessions} minutes × 40 TOPs, {entries} index entries; "
        f"{rounds} rounds, wall-clock ms per request"
    )
    print(f"{'page':34} {'median':>8} {'best':>8} {'× baseline':>11} {'queries':>8}")
    for name in pages:
        median = statistics.median(times[name])
        print(
            f"{name:34} {median * 1000:8.1f} {min(times[name]) * 1000:8.1f} "
            f"{median / baseline:11.2f} {counts[name]:8d}"
        )
    print(f"saving the minutes with their index: {saving / sessions * 1000:.0f} ms per minutes")
    print(f"flask search rebuild ({entries} entries): {rebuilding:.1f} s")


if __name__ == "__main__":
    main()
