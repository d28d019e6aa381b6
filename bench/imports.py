"""Benchmark: importing 10,000 experts from a CSV file, against a bulk insert of the same rows.

    .venv/bin/python bench/imports.py             # 10,000 rows
    .venv/bin/python bench/imports.py --rows 2000
    .venv/bin/python bench/imports.py --postgres postgresql://postgres@127.0.0.1:5432/test

Prints, measured in this one run, each on a fresh database:
1. the import job (`import_jobs.run`, the code the upload page's worker and `flask experts
   import` run): reading the file, checking every row, creating organisations and working
   groups, inserting the experts and their memberships, the audit entry and the job's report;
2. the floor: the same experts, organisations and memberships written with multi-row INSERTs
   and nothing else (rows built in Python beforehand, not timed).
The aim (issue 13): the import within 5× the floor. See bench/README.md.
"""

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench import benchmark_app  # noqa: E402
from eventsys.database import utcnow  # noqa: E402
from eventsys.experts import import_jobs  # noqa: E402
from eventsys.experts.csv_reading import GERMAN_STAKEHOLDER_NAMES  # noqa: E402
from eventsys.experts.import_jobs import JobState  # noqa: E402
from eventsys.experts.models import (  # noqa: E402
    Expert,
    Organisation,
    WorkingGroup,
    working_group_members,
)
from eventsys.experts.stakeholders import StakeholderGroup  # noqa: E402
from eventsys.extensions import db  # noqa: E402
from tests.support.databases import throwaway_database  # noqa: E402

HEADINGS = [
    "Titel", "Vorname", "Nachname", "E-Mail-Adresse", "Organisation", "Stakeholdergruppe",
    "Funktion", "Sprache", "Zeitzone", "Land", "Arbeitsgruppen",
]  # fmt: skip
FIRST_NAMES = ["Anna", "Jürgen", "Änne", "Mehmet", "Claire", "Bernd", "Zoë", "Lukas", "Fatma"]
LAST_NAMES = ["Müller", "Schmidt", "Weiß", "Yılmaz", "Tremblay", "Groß", "Öztürk", "Wagner"]
WORKING_GROUPS = ["Mobilität", "Daten und Plattformen", "Klima", "Beteiligung", "Energie"]


def expert_rows(count: int) -> list[dict]:
    """`count` experts in 500 organisations, each in up to two working groups."""
    chance = random.Random(13)
    # (International partners would need a country; the others are the bulk of a directory.)
    groups = [
        (group, name)
        for group, name in GERMAN_STAKEHOLDER_NAMES.items()
        if group != StakeholderGroup.INTERNATIONAL_PARTNERS
    ]
    rows = []
    for number in range(count):
        organisation = number % 500
        group, group_name = groups[organisation % len(groups)]
        rows.append(
            {
                "title": "Dr." if number % 4 == 0 else "",
                "first_name": chance.choice(FIRST_NAMES),
                "last_name": f"{chance.choice(LAST_NAMES)}-{number}",
                "email": f"expertin{number}@kommune{organisation}.example",
                "organisation": f"Kommune {organisation}",
                "group": group,
                "group_name": group_name,
                "function": "Referentin für Digitalisierung",
                "language": "en" if number % 10 == 0 else "de",
                "working_groups": chance.sample(WORKING_GROUPS, number % 3),
            }
        )
    return rows


def csv_file(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow(
            [
                row["title"], row["first_name"], row["last_name"], row["email"],
                row["organisation"], row["group_name"], row["function"],
                "Englisch" if row["language"] == "en" else "Deutsch", "Europe/Berlin", "",
                "|".join(row["working_groups"]),
            ]
        )  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")


def make_app(url: str, workdir: Path):
    return benchmark_app.make_app(workdir, url, EXPERT_IMPORTS="inline")


def measure_import(rows: list[dict], workdir: Path, postgres: str | None) -> float:
    upload = csv_file(rows)
    with throwaway_database(workdir, postgres, "import") as url:
        app = make_app(url, workdir)
        with app.app_context():
            job = import_jobs.create_job(upload, dry_run=False, user_id=None)
            db.session.commit()
            begun = time.perf_counter()
            state = import_jobs.run(job.id)
            seconds = time.perf_counter() - begun
            created = db.session.scalar(sa.select(sa.func.count(Expert.id)))
            job = db.session.get(import_jobs.ImportJob, job.id)
            db.engine.dispose()
    if state != JobState.DONE or created != len(rows):
        reasons = {row.reason for row in job.the_report().rows if row.reason}
        raise RuntimeError(f"the import ended {state}, {created} of {len(rows)}: {reasons}")
    return seconds


def measure_floor(rows: list[dict], workdir: Path, postgres: str | None) -> float:
    now = utcnow()
    organisations = {}
    for row in rows:
        organisations.setdefault(row["organisation"], row["group"])
    with throwaway_database(workdir, postgres, "floor") as url:
        app = make_app(url, workdir)
        with app.app_context():
            begun = time.perf_counter()
            db.session.execute(
                sa.insert(Organisation),
                [
                    {"name": name, "stakeholder_group": group, "created_at": now}
                    for name, group in organisations.items()
                ],
            )
            db.session.execute(sa.insert(WorkingGroup), [{"name": n} for n in WORKING_GROUPS])
            organisation_ids = dict(
                db.session.execute(sa.select(Organisation.name, Organisation.id)).all()
            )
            group_ids = dict(
                db.session.execute(sa.select(WorkingGroup.name, WorkingGroup.id)).all()
            )
            db.session.execute(
                sa.insert(Expert),
                [
                    {
                        "title": row["title"],
                        "first_name": row["first_name"],
                        "last_name": row["last_name"],
                        "email": row["email"],
                        "organisation_id": organisation_ids[row["organisation"]],
                        "function": row["function"],
                        "language": row["language"],
                        "timezone": "Europe/Berlin",
                    }
                    for row in rows
                ],
            )
            expert_ids = dict(db.session.execute(sa.select(Expert.email, Expert.id)).all())
            memberships = [
                {"expert_id": expert_ids[row["email"]], "working_group_id": group_ids[name]}
                for row in rows
                for name in row["working_groups"]
            ]
            if memberships:
                db.session.execute(sa.insert(working_group_members), memberships)
            db.session.commit()
            seconds = time.perf_counter() - begun
            db.engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to measure on")
    options = parser.parse_args()
    rows = expert_rows(options.rows)
    where = "PostgreSQL" if options.postgres else "SQLite (file, WAL)"
    print(f"eventsys import benchmark – {where}, {options.rows:,} rows")
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        imports, floors = [], []
        for _round in range(2):  # interleaved, best of two each
            imports.append(measure_import(rows, workdir, options.postgres))
            floors.append(measure_floor(rows, workdir, options.postgres))
    best_import, best_floor = min(imports), min(floors)
    print(f"   import job (import_jobs.run):   {best_import:6.2f} s")
    print(f"   bulk insert of the same rows:   {best_floor:6.2f} s")
    verdict = "met" if best_import <= 5 * best_floor else "NOT met"
    print(f"   import / floor: {best_import / best_floor:.1f}× (aim: at most 5×: {verdict})")


if __name__ == "__main__":
    main()
