"""Benchmark: the staff pages on a database of national size, served by gunicorn; and a soak.

    .venv/bin/python bench/national.py build              # the databases (reused when complete)
    .venv/bin/python bench/national.py pages              # each staff page, national and demo
    .venv/bin/python bench/national.py soak --minutes 10  # 8 clients for ten minutes
    .venv/bin/python bench/national.py figures            # mail, import, replies, both databases
    .venv/bin/python bench/national.py purge              # the size before and after a purge
    .venv/bin/python bench/national.py all                # all of it, about 25 minutes

`build` makes two PostgreSQL databases with the app's migrations: the national one (10,000
experts in about 700 organisations, stakeholder groups and working groups; 200 sessions, past
and upcoming; 100,000 invitations, among them one plenary of about 9,800, with a realistic mix
of answers, deputies and withdrawals; attendance lists; 50 approved minutes of 40 TOPs whose
4,000 recommendations fill a charter's pool; the outbox of all that mail, the audit trail, the
calendar replies and a few hundred replies waiting for review) and, as the baseline, the demo
platform (`flask demo load`). Rows are written with multi-row INSERTs through SQLAlchemy Core,
in the shapes the models give them; the minutes snapshots, the charter's pool and its version
0.1 go through the app's own functions. A database that exists and carries this builder's mark
is reused.

`pages` starts gunicorn (wsgi:app, 4 workers, as the README deploys it) on each database in
turn, signs in as admin and fetches every staff page that shows a list: once to warm up, then
alone five times (median) and by 8 clients at once (40 requests: median and max), with status
and bytes. Aims: under 300 ms alone, under 1 s with 8 at once, no response over 500 KB.

`figures` runs the companion benchmarks on SQLite and then on PostgreSQL: bench/invitations.py
(the invitation run at 1,000 and 10,000), bench/imports.py (10,000 rows) and bench/replies.py
(the reply path); each prints its figures against its own baseline from the same run. `all`
runs build, pages, figures, purge, restarts and the soak in turn. `purge` copies the national
database, runs `flask privacy purge` on the copy as cron would, and reports the sizes before
and after (VACUUM FULL in between, so that the space the purge frees shows).

`soak` runs gunicorn with 4 workers, PYTHONFAULTHANDLER=1 and mail delivered by a background
thread after each commit (OUTBOX_DELIVERY "background", as in production) to an SMTP sink, and
8 clients cycling over the big pages, now and then sending a reminder (a POST that queues mail),
for the given minutes; then reads gunicorn's log for workers that died (signals, exits, workers
booted beyond the first four, faulthandler's tracebacks). It fails when any did.

See bench/README.md.
"""

import argparse
import atexit
import hashlib
import html
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
from bench.ports import free_port  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
NATIONAL_DATABASE = "eventsys_national"
DEMO_DATABASE = "eventsys_national_demo"
# Written into the database's comment once a build is complete; a build by another version of
# this script (another shape of data) is not reused.
BUILD_MARK = "eventsys national benchmark, build 1"
PASSWORD = "national benchmark password"
STAFF = {
    "admin": ("admin@national.example.org", "Anna Admin"),
    "organiser": ("organisation@national.example.org", "Oskar Organisation"),
    "secretariat": ("geschaeftsstelle@national.example.org", "Greta Geschäftsstelle"),
}
SEED = 2016
WORKERS = 4
CONCURRENT = 8
PAGE_ROUNDS = 5
CONCURRENT_REQUESTS = 40
AIM_ALONE = 0.300
AIM_CONCURRENT = 1.0
AIM_BYTES = 500_000

EXPERTS = 10_000
SESSIONS_PAST = 150
SESSIONS_UPCOMING = 50
INVITATIONS = 100_000
MINUTES = 50
TOPS = 40
RECOMMENDATIONS_PER_TOP = 2
REVIEW_REPLIES = 300


# --- words ------------------------------------------------------------------------------------

FEMALE = [
    "Anna",
    "Birgit",
    "Claudia",
    "Dagmar",
    "Elke",
    "Franziska",
    "Gabriele",
    "Hannah",
    "Ines",
    "Jana",
    "Katrin",
    "Lena",
    "Maria",
    "Nadine",
    "Olga",
    "Petra",
    "Renate",
    "Sabine",
    "Tanja",
    "Ulrike",
    "Verena",
    "Wiebke",
    "Yvonne",
    "Zoë",
    "Jördis",
    "Bärbel",
    "Sören",
    "Änne",
    "Mareike",
    "Heike",
    "Sophie",
    "Charlotte",
    "Emilia",
    "Mia",
    "Leonie",
    "Greta",
    "Frauke",
    "Svenja",
    "Ilka",
]
MALE = [
    "Andreas",
    "Bernd",
    "Christian",
    "Dieter",
    "Erik",
    "Frank",
    "Georg",
    "Hans",
    "Ingo",
    "Jörg",
    "Klaus",
    "Lars",
    "Markus",
    "Norbert",
    "Oliver",
    "Peter",
    "Ralf",
    "Stefan",
    "Thomas",
    "Uwe",
    "Volker",
    "Werner",
    "Yusuf",
    "Jürgen",
    "Björn",
    "Hendrik",
    "Malte",
    "Jan",
    "Lukas",
    "Felix",
    "Tobias",
    "Matthias",
    "Florian",
    "Sebastian",
    "Timo",
    "Jens",
    "Kai",
    "Holger",
    "Rüdiger",
    "Torsten",
]
SURNAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Böhm",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Groß",
    "Seidel",
    "Heinrich",
    "Brandt",
    "Haas",
    "Schreiber",
    "Graf",
    "Schulte",
    "Dietrich",
    "Ziegler",
    "Kuhn",
    "Kühn",
    "Pohl",
    "Engel",
    "Horn",
    "Busch",
    "Bergmann",
    "Thomas",
    "Voigt",
    "Sauer",
    "Arnold",
    "Wolff",
    "Pfeiffer",
    "Öztürk",
    "Yılmaz",
    "Nowak",
    "Kowalski",
    "Ødegaard",
    "Łukasiewicz",
    "Dąbrowski",
    "Ußner",
    "Äbersold",
    "Übel",
    "Özdemir",
]
TITLES = ["", "", "", "", "", "Dr.", "Dr.", "Prof. Dr.", "Dipl.-Ing.", "Prof."]
FUNCTIONS = [
    "Referentin Digitalisierung",
    "Referent Stadtentwicklung",
    "Leitung Smart-City-Büro",
    "Chief Digital Officer",
    "Amtsleitung Stadtplanung",
    "Wissenschaftliche Mitarbeiterin",
    "Projektleitung",
    "Abteilungsleiter",
    "Geschäftsführerin",
    "Beigeordneter",
    "Oberbürgermeisterin",
    "Referatsleiter",
    "",
]
CITIES = [
    "Aachen",
    "Augsburg",
    "Bamberg",
    "Bergisch-Gladbach",
    "Berlin",
    "Bielefeld",
    "Bochum",
    "Bonn",
    "Bottrop",
    "Brandenburg",
    "Braunschweig",
    "Bremen",
    "Bremerhaven",
    "Chemnitz",
    "Cottbus",
    "Darmstadt",
    "Dessau",
    "Dortmund",
    "Dresden",
    "Duisburg",
    "Düren",
    "Düsseldorf",
    "Eisenach",
    "Erfurt",
    "Erlangen",
    "Essen",
    "Esslingen",
    "Flensburg",
    "Frankfurt",
    "Freiburg",
    "Fulda",
    "Fürth",
    "Gelsenkirchen",
    "Gera",
    "Gießen",
    "Görlitz",
    "Göttingen",
    "Greifswald",
    "Gütersloh",
    "Hagen",
    "Halle",
    "Hamburg",
    "Hamm",
    "Hanau",
    "Hannover",
    "Heidelberg",
    "Heilbronn",
    "Herne",
    "Hildesheim",
    "Ingolstadt",
    "Jena",
    "Kaiserslautern",
    "Karlsruhe",
    "Kassel",
    "Kiel",
    "Koblenz",
    "Köln",
    "Konstanz",
    "Krefeld",
    "Leipzig",
    "Leverkusen",
    "Lübeck",
    "Ludwigsburg",
    "Ludwigshafen",
    "Lüneburg",
    "Magdeburg",
    "Mainz",
    "Mannheim",
    "Marburg",
    "Moers",
    "Mönchengladbach",
    "Mülheim",
    "München",
    "Münster",
    "Neubrandenburg",
    "Neuss",
    "Nürnberg",
    "Oberhausen",
    "Offenbach",
    "Oldenburg",
    "Osnabrück",
    "Paderborn",
    "Passau",
    "Pforzheim",
    "Potsdam",
    "Recklinghausen",
    "Regensburg",
    "Remscheid",
    "Reutlingen",
    "Rostock",
    "Saarbrücken",
    "Salzgitter",
    "Schwerin",
    "Siegen",
    "Solingen",
    "Stralsund",
    "Stuttgart",
    "Trier",
    "Tübingen",
    "Ulm",
    "Weimar",
    "Wiesbaden",
    "Wismar",
    "Wolfsburg",
    "Wuppertal",
    "Würzburg",
    "Zwickau",
]
PLACE_PARTS = (
    ["Ober", "Unter", "Neu", "Alt", "Groß", "Klein", "Bad ", "Hohen", "Nieder", "Sankt "],
    ["bach", "feld", "hausen", "heim", "stadt", "berg", "au", "dorf", "brück", "furt", "rode"],
    ["Linden", "Buchen", "Eich", "Mühl", "Wald", "Rosen", "Stein", "Birken", "Sonnen", "Wies"],
)
LANDER = [
    "Baden-Württemberg", "Bayern", "Berlin", "Brandenburg", "Bremen", "Hamburg", "Hessen",
    "Mecklenburg-Vorpommern", "Niedersachsen", "Nordrhein-Westfalen", "Rheinland-Pfalz",
    "Saarland", "Sachsen", "Sachsen-Anhalt", "Schleswig-Holstein", "Thüringen",
]  # fmt: skip
PARTNER_COUNTRIES = {
    "AT": "Europe/Vienna", "CH": "Europe/Zurich", "FR": "Europe/Paris", "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw", "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm",
    "FI": "Europe/Helsinki", "GB": "Europe/London", "ES": "Europe/Madrid", "US": "America/New_York",
    "CA": "America/Toronto", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "IN": "Asia/Kolkata",
    "BR": "America/Sao_Paulo", "ZA": "Africa/Johannesburg", "AU": "Australia/Sydney",
}  # fmt: skip
WORKING_GROUPS = [
    "Datenstrategien", "Mobilität", "Energie und Klima", "Beteiligung", "Digitale Daseinsvorsorge",
    "Open Data", "Urbane Datenplattformen", "Künstliche Intelligenz", "Smarte Regionen",
    "Wohnen und Quartier", "Verwaltungsdigitalisierung", "Resilienz", "Beschaffung",
    "Kompetenzen", "Ethik und Gemeinwohl", "Sensorik und IoT", "Digitale Zwillinge",
    "Gesundheit und Pflege", "Bildung", "Handel und Innenstadt", "Internationale Kooperation",
    "Recht und Datenschutz", "Finanzierung", "Kommunikation", "Evaluation",
]  # fmt: skip
DISCUSSION = (
    "Die Teilnehmenden berichten aus ihren Kommunen über **Erfahrungen** mit dem Thema. "
    "Es wird betont, dass *verbindliche Ziele* und klare Zuständigkeiten nötig sind.\n\n"
    "- Kommunen wünschen sich mehr Austausch untereinander\n"
    "- Die Länder prüfen eine gemeinsame Förderlinie\n"
    "- Offene Standards sollen Vorrang haben\n\n"
    "In der Diskussion wird außerdem auf die Ergebnisse der Begleitforschung verwiesen, die "
    "im nächsten Plenum vorgestellt werden."
)


def _ascii(text: str) -> str:
    """An e-mail-address form of a name: umlauts spelled out, other marks dropped."""
    spelled = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    spelled = spelled.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    spelled = spelled.replace("ı", "i").replace("ł", "l").replace("Ł", "L").replace("ø", "o")
    spelled = spelled.replace("Ø", "O")
    decomposed = unicodedata.normalize("NFKD", spelled)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-")).lower()


# --- databases --------------------------------------------------------------------------------


def database_url(name: str) -> str:
    return f"{SERVER}/{name}"


def _admin_engine() -> sa.Engine:
    return sa.create_engine(
        sa.make_url(f"{SERVER}/postgres").set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )


def _database_mark(name: str) -> str | None:
    """The comment on database `name` (None if there is no such database)."""
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
                    "FROM pg_database WHERE datname = :name"
                ),
                {"name": name},
            ).first()
    finally:
        engine.dispose()
    return None if row is None else row[0]


def _recreate_database(name: str) -> None:
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def _mark_complete(name: str) -> None:
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f"COMMENT ON DATABASE \"{name}\" IS '{BUILD_MARK}'"))
    finally:
        engine.dispose()


def builder_app(url: str, server_name: str | None = None):
    """The app the builder writes through (no mail server: mail stays in the outbox)."""
    from eventsys import create_app

    config = {
        "SECRET_KEY": "national benchmark",
        "SQLALCHEMY_DATABASE_URI": url,
        "SERVER_NAME": server_name,
        "MAIL_SERVER": None,
        "OUTBOX_DELIVERY": "inline",
        "DOCUMENT_PREPARATION": "inline",
        "CELERY_BROKER_URL": None,
    }
    workdir = Path(tempfile.mkdtemp(prefix="eventsys-national-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    return create_app(config, instance_path=str(workdir / "instance"))


def migrate(app) -> None:
    """`flask db upgrade`: the schema from the app's migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


# --- the national database --------------------------------------------------------------------


@dataclass
class Rows:
    """The rows of every table, written in dependency order."""

    tables: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, row: dict) -> dict:
        self.tables.setdefault(table, []).append(row)
        return row

    def next_id(self, table: str) -> int:
        return len(self.tables.get(table, ())) + 1


def _table(name: str) -> sa.Table:
    from eventsys.extensions import db

    return db.metadata.tables[name]


def write_rows(connection: sa.Connection, rows: Rows, order: list[str]) -> None:
    """Insert the rows table by table, in slices (multi-row INSERTs through SQLAlchemy Core)."""
    for name in order:
        table_rows = rows.tables.pop(name, [])
        began = time.perf_counter()
        for start in range(0, len(table_rows), 5000):
            connection.execute(_table(name).insert(), table_rows[start : start + 5000])
        if table_rows:
            print(f"    {name}: {len(table_rows):,} rows, {time.perf_counter() - began:.1f} s")


def reset_sequences(connection: sa.Connection) -> None:
    """Rows were written with their ids: the sequences continue after the highest."""
    from eventsys.extensions import db

    for table in db.metadata.sorted_tables:
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer) and table.c.id.primary_key:
            connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                )
            )


@dataclass
class Directory:
    experts: list[dict]
    active_ids: list[int]
    by_group: dict[str, list[int]]
    organisations: list[dict]
    working_groups: dict[int, list[int]]


def make_directory(rows: Rows, rng: random.Random, now: datetime) -> Directory:
    """About 700 organisations in the ten stakeholder groups, 10,000 experts, 25 working
    groups."""
    from eventsys.experts.models import expert_sort_key
    from eventsys.experts.salutations import Salutation
    from eventsys.experts.stakeholders import StakeholderGroup as G

    names: set[str] = set()

    def organisation(name: str, group: G, country: str | None = None) -> dict:
        names.add(name)
        return rows.add(
            "organisations",
            {
                "id": rows.next_id("organisations"),
                "name": name,
                "stakeholder_group": group,
                "country": country,
            },
        )

    organisations = []
    for city in CITIES:
        organisations.append(organisation(f"Stadt {city}", G.MUNICIPALITIES))
    for city in CITIES[:60]:
        organisations.append(organisation(f"Landkreis {city}", G.MUNICIPALITIES))
    while len(organisations) < 300:
        prefix, suffix, stem = (rng.choice(part) for part in PLACE_PARTS)
        stem = stem if prefix.endswith(" ") else stem.lower()
        name = f"Gemeinde {prefix}{stem}{suffix}"
        if name not in names:
            organisations.append(organisation(name, G.MUNICIPALITIES))
    for name in (
        "Deutscher Städtetag",
        "Deutscher Landkreistag",
        "Deutscher Städte- und Gemeindebund",
    ):
        organisations.append(organisation(name, G.UMBRELLA_ASSOCIATIONS))
    for land in LANDER:
        organisations.append(organisation(f"Städtetag {land}", G.UMBRELLA_ASSOCIATIONS))
        organisations.append(
            organisation(f"Ministerium für Bauen und Wohnen {land}", G.STATE_MINISTRIES)
        )
    for ministry in (
        "Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen",
        "Bundesministerium des Innern",
        "Bundesministerium für Digitales und Verkehr",
        "Bundesministerium für Wirtschaft und Klimaschutz",
        "Bundesministerium für Bildung und Forschung",
        "Bundesministerium der Finanzen",
        "Bundesministerium für Umwelt, Naturschutz und nukleare Sicherheit",
        "Bundesministerium für Arbeit und Soziales",
        "Bundesinstitut für Bau-, Stadt- und Raumforschung",
    ):
        organisations.append(organisation(ministry, G.FEDERAL_MINISTRIES))
    for group, patterns, count in (
        (G.SCIENCE, ["Universität {}", "Hochschule {}", "Fraunhofer-Institut {}"], 90),
        (G.BUSINESS_ASSOCIATIONS, ["IHK {}", "Handwerkskammer {}", "Wirtschaftsrat {}"], 60),
        (G.SOCIAL_ASSOCIATIONS, ["Caritas {}", "Diakonie {}", "AWO {}", "Paritätischer {}"], 50),
        (G.PROFESSIONAL_ASSOCIATIONS, ["Architektenkammer {}", "VDI {}", "Bitkom {}"], 60),
        (G.CIVIL_SOCIETY, ["Bürgerstiftung {}", "Code for {}", "Zukunftswerkstatt {}"], 70),
    ):
        made = 0
        while made < count:
            name = rng.choice(patterns).format(rng.choice(CITIES))
            if name not in names:
                organisations.append(organisation(name, group))
                made += 1
    for country in PARTNER_COUNTRIES:
        for kind in ("Ministry of Urban Development", "Smart City Network", "National Institute"):
            organisations.append(
                organisation(f"{kind} ({country})", G.INTERNATIONAL_PARTNERS, country)
            )
    # Cities send most experts, partners few.
    weights = {
        G.MUNICIPALITIES: 16,
        G.UMBRELLA_ASSOCIATIONS: 14,
        G.FEDERAL_MINISTRIES: 30,
        G.STATE_MINISTRIES: 14,
        G.SCIENCE: 12,
        G.BUSINESS_ASSOCIATIONS: 10,
        G.SOCIAL_ASSOCIATIONS: 8,
        G.PROFESSIONAL_ASSOCIATIONS: 10,
        G.CIVIL_SOCIETY: 8,
        G.INTERNATIONAL_PARTNERS: 3,
    }
    chosen_organisations = rng.choices(
        organisations,
        weights=[weights[o["stakeholder_group"]] for o in organisations],
        k=EXPERTS,
    )
    emails: set[str] = set()
    experts = []
    for number, org in enumerate(chosen_organisations, start=1):
        female = rng.random() < 0.5
        first = rng.choice(FEMALE if female else MALE)
        last = rng.choice(SURNAMES)
        if rng.random() < 0.08:
            last = f"{last}-{rng.choice(SURNAMES)}"
        domain = _ascii(org["name"].split(" (")[0]).replace(".", "")[:30].strip("-") or "org"
        email = f"{_ascii(first)}.{_ascii(last)}@{domain}.example.org"
        while email in emails:
            email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(2, 999)}@{domain}.example.org"
        emails.add(email)
        partner = org["stakeholder_group"] == G.INTERNATIONAL_PARTNERS
        created = now - timedelta(days=rng.randint(30, 3000))
        experts.append(
            rows.add(
                "experts",
                {
                    "id": number,
                    "salutation": rng.choice(
                        [Salutation.MS if female else Salutation.MR, Salutation.NONE]
                    ),
                    "title": rng.choice(TITLES),
                    "first_name": first,
                    "last_name": last,
                    "sort_key": expert_sort_key(last, first),
                    "email": email,
                    "organisation_id": org["id"],
                    "function": rng.choice(FUNCTIONS),
                    "language": "en" if partner or rng.random() < 0.03 else "de",
                    "timezone": PARTNER_COUNTRIES[org["country"]] if partner else "Europe/Berlin",
                    "deputy_id": None,
                    "active": rng.random() > 0.02,
                    "feed_token": secrets.token_urlsafe(24),
                    "created_at": created,
                    "updated_at": created,
                },
            )
        )
    by_organisation: dict[int, list[dict]] = {}
    for expert in experts:
        by_organisation.setdefault(expert["organisation_id"], []).append(expert)
    for expert in experts:
        colleagues = by_organisation[expert["organisation_id"]]
        if len(colleagues) > 1 and rng.random() < 0.06:
            deputy = rng.choice([c for c in colleagues if c is not expert])
            expert["deputy_id"] = deputy["id"]
    active_ids = [expert["id"] for expert in experts if expert["active"]]
    working_groups: dict[int, list[int]] = {}
    for number, name in enumerate(WORKING_GROUPS, start=1):
        rows.add(
            "working_groups",
            {"id": number, "name": f"AG {name}", "description": f"Arbeitsgruppe {name}."},
        )
        members = rng.sample(active_ids, rng.randint(40, 600))
        working_groups[number] = members
        for expert_id in members:
            rows.add("working_group_members", {"working_group_id": number, "expert_id": expert_id})
    by_group: dict[str, list[int]] = {}
    group_of = {o["id"]: o["stakeholder_group"] for o in organisations}
    for expert in experts:
        by_group.setdefault(group_of[expert["organisation_id"]].value, []).append(expert["id"])
    return Directory(experts, active_ids, by_group, organisations, working_groups)


def make_staff(rows: Rows, now: datetime) -> dict[str, int]:
    """The three accounts the benchmark signs in with, and more organisers and secretariat."""
    from werkzeug.security import generate_password_hash

    from eventsys.roles import Role

    password_hash = generate_password_hash(PASSWORD)  # scrypt, as in production
    ids = {}
    people = [
        (role, email, name) for role, (email, name) in STAFF.items()
    ] + [
        ("organiser", "bbsr.referat@national.example.org", "Bernd Referat"),
        ("organiser", "moderation@national.example.org", "Mona Moderation"),
        ("organiser", "ministerium@national.example.org", "Marta Ministerium"),
        ("secretariat", "protokoll@national.example.org", "Paul Protokoll"),
    ]  # fmt: skip
    for number, (role, email, name) in enumerate(people, start=1):
        rows.add(
            "users",
            {
                "id": number,
                "email": email,
                "name": name,
                "password_hash": password_hash,
                "role": Role(role),
                "language": "de",
                "active": True,
                "created_at": now - timedelta(days=2000),
                "session_token": secrets.token_hex(16),
            },
        )
        ids.setdefault(role, number)
    ids["organisers"] = [1 + i for i, person in enumerate(people) if person[0] == "organiser"]
    return ids


@dataclass
class PlannedSession:
    row: dict
    invitees: int
    agenda: int
    minutes: bool = False


def make_sessions(rows: Rows, rng: random.Random, now: datetime, staff: dict) -> list:
    """150 past sessions (held, a few cancelled) since 2017 and 50 upcoming, with agendas; the
    invitees each will get, adding up to INVITATIONS; the first upcoming plenary invites (almost)
    everyone."""
    from eventsys.sessions.models import new_calendar_uid
    from eventsys.sessions.states import SessionKind as K
    from eventsys.sessions.states import SessionStatus as S

    kinds = [K.PLENARY] * 10 + [K.WORKSHOP] * 90 + [K.WORKING_GROUP] * 80
    kinds += [K.INTERNATIONAL_WORKSHOP] * 20
    rng.shuffle(kinds)
    planned = []
    first = now - timedelta(days=8 * 365)
    past_days = sorted(rng.sample(range(0, 8 * 365 - 10), SESSIONS_PAST))
    upcoming_days = sorted(rng.sample(range(8, 240), SESSIONS_UPCOMING - 1))
    starts = [first + timedelta(days=day) for day in past_days]
    starts += [now + timedelta(days=day) for day in upcoming_days]
    # The national plenary: in 24 days, answers due in 14.
    big_index = SESSIONS_PAST
    starts.insert(big_index, now + timedelta(days=24))
    kinds[big_index] = K.PLENARY
    number = {kind: 0 for kind in K}
    for index, (kind, start) in enumerate(zip(kinds, starts, strict=True), start=1):
        start = start.replace(hour=8, minute=0, second=0, microsecond=0)
        number[kind] += 1
        past = start < now
        title = {
            K.PLENARY: f"{number[kind]}. Plenum der Dialogplattform Smart Cities",
            K.WORKSHOP: f"Workshop {number[kind]}: {rng.choice(WORKING_GROUPS)}",
            K.WORKING_GROUP: f"Sitzung der AG {rng.choice(WORKING_GROUPS)} ({number[kind]})",
            K.INTERNATIONAL_WORKSHOP: f"International Workshop {number[kind]}",
        }[kind]
        status = S.HELD if past else rng.choice([S.PLANNED, S.CONFIRMED])
        if past and rng.random() < 0.06:
            status = S.CANCELLED
        hybrid = kind in (K.PLENARY, K.WORKSHOP) and rng.random() < 0.7
        created = start - timedelta(days=rng.randint(40, 120))
        row = rows.add(
            "sessions",
            {
                "id": index,
                "title": title,
                "title_en": title if kind == K.INTERNATIONAL_WORKSHOP else "",
                "kind": kind,
                "description": "Die Sitzung der Dialogplattform Smart Cities.",
                "description_en": "",
                "starts_at": start,
                "ends_at": start + timedelta(hours=7 if kind != K.WORKING_GROUP else 3),
                "venue_address": "Krausenstraße 17–18, 10117 Berlin",
                "venue_room": "Saal 2",
                "online_url": "https://konferenz.example.org/raum" if hybrid else "",
                "status": status,
                "capacity": 600 if kind == K.PLENARY else (rng.choice([None, 120]) or None),
                "online_capacity": None,
                "rsvp_deadline": start - timedelta(days=10),
                "ical_uid": new_calendar_uid(),
                "ical_sequence": rng.choice([0, 0, 0, 1, 2]),
                "major_change_sequence": 0,
                "agenda_changed": False,
                "reminders_enabled": True,
                "counter_proposals_blocked": False,
                "copied_from_id": None,
                "created_at": created,
                "updated_at": created,
            },
        )
        for organiser in rng.sample(staff["organisers"], rng.choice([1, 2])):
            rows.add("session_organisers", {"session_id": index, "user_id": organiser})
        invitees = {
            K.PLENARY: 4000,
            K.WORKSHOP: rng.randint(150, 900),
            K.WORKING_GROUP: rng.randint(30, 300),
            K.INTERNATIONAL_WORKSHOP: rng.randint(60, 250),
        }[kind]
        planned.append(PlannedSession(row, invitees, rng.randint(4, 10)))
    planned[big_index].invitees = 0  # everyone active, below
    # The minutes: 50 held workshops and plenaries, each with 40 TOPs.
    held = [
        p for p in planned if p.row["status"] == S.HELD and p.row["kind"] in (K.WORKSHOP, K.PLENARY)
    ]
    for p in rng.sample(held, MINUTES):
        p.minutes, p.agenda = True, TOPS
    # Scale the others to add up to INVITATIONS with the national plenary.
    others = sum(p.invitees for p in planned)
    share = (INVITATIONS - 9800) / others
    for p in planned:
        p.invitees = round(p.invitees * share)
    planned[big_index].invitees = -1
    for p in planned:
        for position in range(1, p.agenda + 1):
            rows.add(
                "agenda_items",
                {
                    "id": rows.next_id("agenda_items"),
                    "session_id": p.row["id"],
                    "position": position,
                    "title": f"TOP {position}: {rng.choice(WORKING_GROUPS)}",
                    "title_en": "",
                    "description": "",
                    "presenter_expert_id": None,
                    "presenter_text": rng.choice(["", "Geschäftsstelle", "BBSR"]),
                    "duration_minutes": 10 if p.agenda == TOPS else 30,
                },
            )
    return planned


ANSWER_MIX_PAST = [("accepted", 45), ("declined", 25), ("tentative", 5), ("delegated", 3),
                   ("needs_action", 22)]  # fmt: skip
ANSWER_MIX_UPCOMING = [("accepted", 22), ("declined", 12), ("tentative", 6), ("delegated", 2),
                       ("needs_action", 58)]  # fmt: skip


def make_invitations(
    rows: Rows, rng: random.Random, now: datetime, planned: list, directory: Directory, staff
) -> dict[int, list[dict]]:
    """The invitations of every session with their answers (and answer history), deputies,
    withdrawals; return them by session."""
    from eventsys.invitations.models import new_invitation_uid
    from eventsys.invitations.states import AttendanceMode, Channel, Response

    deputy_of = {e["id"]: e["deputy_id"] for e in directory.experts if e["deputy_id"]}
    by_session: dict[int, list[dict]] = {}
    all_ids = [e["id"] for e in directory.experts]
    for p in planned:
        session = p.row
        past = session["starts_at"] < now
        if p.invitees < 0:
            invitees = list(directory.active_ids)
        else:
            invitees = rng.sample(all_ids if past else directory.active_ids, p.invitees)
        mix = ANSWER_MIX_PAST if past else ANSWER_MIX_UPCOMING
        answers = rng.choices([m[0] for m in mix], weights=[m[1] for m in mix], k=len(invitees))
        invited_at = session["created_at"] + timedelta(days=rng.randint(1, 10))
        invited_set = set(invitees)
        made = []
        seats = session["capacity"] or 10**9
        for expert_id, answer in zip(invitees, answers, strict=True):
            deputy = deputy_of.get(expert_id)
            if answer == "delegated" and (deputy is None or deputy in invited_set):
                answer = "declined"
            invitation = _invitation(rows, session, expert_id, invited_at, staff)
            invitation["ical_uid"] = new_invitation_uid(session["ical_uid"])
            made.append(invitation)
            if rng.random() < 0.015:
                invitation["withdrawn_at"] = invited_at + timedelta(days=2)
                continue
            if answer == "needs_action":
                continue
            answered = invited_at + timedelta(
                hours=rng.randint(1, max(2, int((session["starts_at"] - invited_at).days * 12)))
            )
            if not past:
                answered = min(answered, now - timedelta(minutes=rng.randint(5, 5000)))
            channel = rng.choices(
                [Channel.LINK, Channel.CALENDAR, Channel.MANUAL], weights=[60, 30, 10]
            )[0]
            mode = None
            if answer == "accepted" and session["online_url"]:
                mode = rng.choice([AttendanceMode.IN_PERSON, AttendanceMode.ONLINE])
            invitation.update(
                response=Response(answer),
                responded_sequence=session["ical_sequence"],
                responded_at=answered,
                channel=channel,
                attendance_mode=mode,
                comment=rng.choice(["", "", "", "Ich freue mich.", "Leider verhindert."]),
            )
            if answer == "accepted" and mode != AttendanceMode.ONLINE:
                seats -= 1
                if seats < 0:
                    invitation["waitlisted_at"] = answered
            if rng.random() < 0.1:  # changed their mind once
                _answer(rows, invitation, Response.TENTATIVE, answered - timedelta(days=1), channel)
            _answer(rows, invitation, Response(answer), answered, channel)
            if answer == "delegated":
                invited_set.add(deputy)
                own = _invitation(rows, session, deputy, answered, staff)
                own["ical_uid"] = new_invitation_uid(session["ical_uid"])
                own["invited_as_deputy"] = True
                invitation["delegated_to_id"] = own["id"]
                made.append(own)
        by_session[session["id"]] = made
    print(f"    {sum(len(v) for v in by_session.values()):,} invitations made")
    return by_session


def _invitation(rows: Rows, session: dict, expert_id: int, invited_at: datetime, staff) -> dict:
    from eventsys.invitations.states import Response

    return rows.add(
        "invitations",
        {
            "id": rows.next_id("invitations"),
            "session_id": session["id"],
            "expert_id": expert_id,
            "invited_at": invited_at,
            "invited_by_id": staff["organiser"],
            "response": Response.NEEDS_ACTION,
            "responded_sequence": None,
            "responded_at": None,
            "channel": None,
            "comment": "",
            "attendance_mode": None,
            "waitlisted_at": None,
            "invited_as_deputy": False,
            "delegated_to_id": None,
            "withdrawn_at": None,
            "deadline_reminder_sent_at": None,
            "eve_reminder_sent_at": None,
            "own_sequence": 0,
            "entry_removed": False,
        },
    )


def _answer(rows: Rows, invitation: dict, response, received_at: datetime, channel) -> None:
    rows.add(
        "invitation_answers",
        {
            "id": rows.next_id("invitation_answers"),
            "invitation_id": invitation["id"],
            "response": response,
            "sequence": invitation["responded_sequence"] or 0,
            "channel": channel,
            "comment": invitation["comment"],
            "attendance_mode": invitation["attendance_mode"],
            "received_at": received_at,
            "recorded_by_id": None,
            "inbound_message_id": None,
        },
    )


def make_attendance(
    rows: Rows, rng: random.Random, now: datetime, planned: list, invitations: dict, staff
) -> None:
    """Attendance lists: marked for held sessions, prefilled from the answers for the national
    plenary."""
    from eventsys.attendance.states import AttendanceStatus as A
    from eventsys.invitations.states import Response
    from eventsys.sessions.states import SessionStatus

    expected = {Response.ACCEPTED: A.EXPECTED, Response.TENTATIVE: A.EXPECTED,
                Response.DECLINED: A.EXCUSED, Response.DELEGATED: A.EXCUSED}  # fmt: skip
    for p in planned:
        session = p.row
        held = session["status"] == SessionStatus.HELD
        if not held and p.invitees >= 0:
            continue
        delegated_by = {
            i["delegated_to_id"]: i["expert_id"] for i in invitations[session["id"]]
            if i["delegated_to_id"]
        }  # fmt: skip
        for invitation in invitations[session["id"]]:
            status = expected.get(invitation["response"])
            if status is None and invitation["id"] in delegated_by:
                status = A.EXPECTED
            if status is None or invitation["waitlisted_at"] or invitation["withdrawn_at"]:
                continue
            marked_at = None
            if held and status == A.EXPECTED:
                status = A.PRESENT if rng.random() < 0.85 else A.ABSENT
                marked_at = session["starts_at"] + timedelta(minutes=rng.randint(0, 90))
            rows.add(
                "attendees",
                {
                    "id": rows.next_id("attendees"),
                    "session_id": session["id"],
                    "expert_id": invitation["expert_id"],
                    "invitation_id": invitation["id"],
                    "deputy_for_id": delegated_by.get(invitation["id"]),
                    "guest_name": "",
                    "guest_organisation": "",
                    "guest_stakeholder_group": None,
                    "status": status,
                    "marked_at": marked_at,
                    "marked_by_id": staff["secretariat"] if marked_at else None,
                    "created_at": session["starts_at"] - timedelta(days=2),
                },
            )
        if held:
            for guest in range(rng.randint(0, 4)):
                rows.add(
                    "attendees",
                    {
                        "id": rows.next_id("attendees"),
                        "session_id": session["id"],
                        "expert_id": None,
                        "invitation_id": None,
                        "deputy_for_id": None,
                        "guest_name": f"Gast {guest + 1} {rng.choice(SURNAMES)}",
                        "guest_organisation": f"Stadt {rng.choice(CITIES)}",
                        "guest_stakeholder_group": None,
                        "status": A.PRESENT,
                        "marked_at": session["starts_at"],
                        "marked_by_id": staff["secretariat"],
                        "created_at": session["starts_at"],
                    },
                )


def make_minutes_working_copies(
    rows: Rows, rng: random.Random, planned: list, directory: Directory, staff
) -> list[int]:
    """The working copy of the minutes of 50 held sessions (40 TOPs each, with a discussion, two
    decisions, an action item and two recommendations), still as drafts; return their ids."""
    from bench.charters import ACTORS, recommendation_text
    from eventsys.minutes.states import MinutesState

    minutes_ids = []
    for p in sorted((p for p in planned if p.minutes), key=lambda p: p.row["starts_at"]):
        session = p.row
        minutes_id = rows.next_id("minutes")
        minutes_ids.append(minutes_id)
        rows.add(
            "minutes",
            {
                "id": minutes_id,
                "session_id": session["id"],
                "state": MinutesState.DRAFT,
                "version_number": 1,
                "correction_reason": "",
                "opening": "Die Geschäftsstelle begrüßt die Teilnehmenden.",
                "closing": "Die nächste Sitzung findet im Herbst statt.",
                "next_session_date": None,
                "comment_deadline": None,
                "created_at": session["ends_at"],
                "updated_at": session["ends_at"] + timedelta(days=5),
                "updated_by_id": staff["secretariat"],
                "revision": 12,
            },
        )
        for position in range(1, TOPS + 1):
            topic_id = rows.next_id("minutes_topics")
            rows.add(
                "minutes_topics",
                {
                    "id": topic_id,
                    "minutes_id": minutes_id,
                    "agenda_item_id": None,
                    "position": position,
                    "title": f"TOP {position}: {rng.choice(WORKING_GROUPS)}",
                    "discussion": DISCUSSION,
                },
            )
            for n in (1, 2):
                rows.add(
                    "decisions",
                    {
                        "id": rows.next_id("decisions"),
                        "topic_id": topic_id,
                        "position": n,
                        "text": "Die Plattform nimmt den Bericht zustimmend zur Kenntnis.",
                    },
                )
            rows.add(
                "action_items",
                {
                    "id": rows.next_id("action_items"),
                    "topic_id": topic_id,
                    "position": 1,
                    "text": "Die Geschäftsstelle bereitet eine Übersicht der Beispiele vor.",
                    "owner_expert_id": rng.choice(directory.active_ids),
                    "owner_organisation_id": None,
                    "due_date": (session["starts_at"] + timedelta(days=60)).date(),
                    "closed_at": session["starts_at"] + timedelta(days=50),
                    "closed_in_minutes_id": None,
                    "closed_note": "erledigt",
                },
            )
            for n in range(1, RECOMMENDATIONS_PER_TOP + 1):
                rows.add(
                    "recommendations",
                    {
                        "id": rows.next_id("recommendations"),
                        "topic_id": topic_id,
                        "position": n,
                        "text": recommendation_text(rng)[0],
                        "guideline_id": rng.randint(1, 4),
                        "actors": ", ".join(rng.sample(ACTORS, 2)),
                    },
                )
    return minutes_ids


MESSAGE_TEMPLATE_TEXT = (
    "Sehr geehrte Damen und Herren,\n\nwir laden Sie herzlich ein. " * 12
    + "\n\nMit freundlichen Grüßen\nIhre Geschäftsstelle der Dialogplattform Smart Cities\n"
)


def _raw_message(kind: str, recipient: str, message_id: str, subject: str, full: bool) -> bytes:
    """A stored message as the outbox keeps it: the whole message with text, HTML and (for
    invitations) the calendar part while it is recent, only its headers once the retention
    period has passed (`privacy.retention`)."""
    from eventsys.privacy.retention import PURGED_BODY, PURGED_MARK

    sender = "Dialogplattform Smart Cities <einladungen@dialogplattform.example>"
    head = (
        f"From: {sender}\r\nTo: {recipient}\r\nSubject: {subject}\r\n"
        f"Date: Mon, 01 Jun 2026 08:00:00 +0000\r\nMessage-ID: {message_id}\r\n"
    )
    if not full:
        body = PURGED_BODY
        return (
            f'{head}{PURGED_MARK}: retention\r\nContent-Type: text/plain; charset="utf-8"\r\n'
            f"Content-Transfer-Encoding: 8bit\r\nMIME-Version: 1.0\r\n\r\n{body}\r\n"
        ).encode()
    boundary = "===============0817287123713249=="
    text = MESSAGE_TEMPLATE_TEXT.replace("\n", "\r\n")
    parts = [
        f'Content-Type: text/plain; charset="utf-8"\r\n\r\n{text}',
        f'Content-Type: text/html; charset="utf-8"\r\n\r\n<html><body><p>{text}</p>'
        f'<p><a href="https://dialog.example.org/rsvp/x">Zusagen</a></p></body></html>',
    ]
    if kind == "invitation":
        calendar = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n" + "X-FILL:0123456789\r\n" * 40
        parts.append(f"Content-Type: text/calendar; method=REQUEST\r\n\r\n{calendar}END:VCALENDAR")
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    return (
        f"{head}MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n{body}'
    ).encode()


def make_outbox_and_audit(
    rows: Rows, rng: random.Random, now: datetime, planned: list, invitations: dict, staff,
    directory: Directory,
) -> None:  # fmt: skip
    """The mail of all that (invitations, confirmations of answers by link, reminders, digests;
    a few failed), the audit trail of each invitation and answer and of other changes, the
    calendar replies that came in, and replies waiting for review."""
    from eventsys.invitations.states import Channel, Response
    from eventsys.outbox.models import DeliveryState
    from eventsys.replies.states import Outcome, Source

    email_of = {e["id"]: e["email"] for e in directory.experts}
    title_of = {p.row["id"]: p.row["title"] for p in planned}
    keep_after = now - timedelta(days=180)

    def mail(kind: str, invitation: dict | None, recipient: str, subject: str, at: datetime):
        number = rows.next_id("outbox_messages")
        message_id = f"<{number}.{secrets.token_hex(6)}@dialogplattform.example>"
        failed = rng.random() < 0.004
        rows.add(
            "outbox_messages",
            {
                "id": number,
                "created_at": at,
                "kind": kind,
                "sender": "Dialogplattform Smart Cities <einladungen@dialogplattform.example>",
                "recipient": recipient,
                "subject": subject[:300],
                "message_id": message_id,
                "raw_message": _raw_message(kind, recipient, message_id, subject, at > keep_after),
                "link_base": None,
                "state": DeliveryState.FAILED if failed else DeliveryState.SENT,
                "attempts": 12 if failed else 1,
                "next_attempt_at": at,
                "claimed_until": None,
                "last_error": "550 5.1.1 mailbox unavailable" if failed else "",
                "sent_at": None if failed else at + timedelta(seconds=rng.randint(1, 90)),
                "invitation_id": invitation["id"] if invitation else None,
                "details": None,
            },
        )

    def audit(at, actor, action, entity_type, entity_id, summary, changes=None):
        rows.add(
            "audit_entries",
            {
                "id": rows.next_id("audit_entries"),
                "occurred_at": at,
                "actor_id": actor,
                "actor_label": "organisation@national.example.org" if actor else "link",
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "summary": summary[:400],
                "changes": changes or {},
            },
        )

    inbound = 0
    for session_id, made in invitations.items():
        title = title_of[session_id]
        for invitation in made:
            recipient = email_of[invitation["expert_id"]]
            at = invitation["invited_at"]
            mail("invitation", invitation, recipient, f"Einladung: {title}", at)
            audit(at, staff["organiser"], "invitation.sent", "invitations", invitation["id"],
                  f"Invitation sent to {recipient}")  # fmt: skip
            answered = invitation["responded_at"]
            if answered is None:
                continue
            audit(answered, None, "invitation.answered", "invitations", invitation["id"],
                  f"{recipient}: {invitation['response'].value}",
                  {"response": ["needs_action", invitation["response"].value]})  # fmt: skip
            if invitation["channel"] == Channel.LINK:
                mail("answer_confirmed", invitation, recipient, f"Ihre Antwort: {title}", answered)
            elif invitation["channel"] == Channel.CALENDAR:
                inbound += 1
                raw = b"" if answered < now - timedelta(days=90) else _reply_bytes(recipient)
                rows.add(
                    "inbound_messages",
                    _inbound(inbound, answered, recipient, title, raw, Outcome.APPLIED,
                             invitation["id"], Source.IMAP),
                )  # fmt: skip
            accepted = invitation["response"] == Response.ACCEPTED
            if accepted and answered < now - timedelta(days=2) and rng.random() < 0.5:
                eve = invitation["invited_at"] + timedelta(days=30)
                mail("eve_reminder", invitation, recipient, f"Morgen: {title}", eve)
    # The organisers' daily digests over the last year; changes to sessions and experts.
    for day in range(365):
        at = now - timedelta(days=day, hours=-7)
        for _organiser in staff["organisers"]:
            mail("answer_digest", None, STAFF["organiser"][0], "Antworten des Tages", at)
        for _ in range(8):
            expert = rng.choice(directory.experts)
            changes = {"function": ["", "Referentin"]}
            audit(at, staff["organiser"], "expert.changed", "experts", expert["id"],
                  f"Expert {expert['email']} changed", changes)  # fmt: skip
    # Replies waiting for a decision: unreadable answers, unknown senders, forwarded mail.
    for _ in range(REVIEW_REPLIES):
        inbound += 1
        expert = rng.choice(directory.experts)
        at = now - timedelta(minutes=rng.randint(10, 60 * 24 * 30))
        rows.add(
            "inbound_messages",
            _inbound(inbound, at, expert["email"], "AW: Einladung", _reply_bytes(expert["email"]),
                     Outcome.NEEDS_REVIEW, None, Source.IMAP),
        )  # fmt: skip


def _reply_bytes(sender: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: einladungen@dialogplattform.example\r\nSubject: AW: Einladung\r\n"
        f"Message-ID: <{secrets.token_hex(8)}@example.org>\r\nContent-Type: text/plain\r\n\r\n"
        + "Vielen Dank, ich nehme gern teil.\r\n"
        * 40
    ).encode()


def _inbound(number, at, sender, title, raw, outcome, invitation_id, source) -> dict:
    from eventsys.replies.reasons import Reason  # noqa: F401  (the codes' module)

    return {
        "id": number,
        "received_at": at,
        "source": source,
        "digest": hashlib.sha256(f"{number}".encode()).hexdigest(),
        "message_id": f"<reply{number}@example.org>",
        "sender": sender,
        "subject": f"Angenommen: {title}"[:998],
        "raw_message": raw,
        "method": "REPLY" if invitation_id else "",
        "calendar_uid": "",
        "attendee": sender if invitation_id else "",
        "outcome": outcome,
        "reasons": [],
        "explanation": "" if invitation_id else "Die Antwort war nicht zu lesen.",
        "invitation_id": invitation_id,
        "decided_at": None,
        "decided_by_id": None,
    }


def approve_minutes_and_fill_the_pool(app, minutes_ids: list[int], staff: dict) -> None:
    """Each minutes' snapshot taken by the app (`snapshot.take`) and stored as approved version 1
    (without rendering its PDF); after the first half, the charter is created (its pool takes in
    their recommendations) and they are placed in its chapters; the rest arrive in the pool as
    approval delivers them (`intake.receive_minutes_version`), unplaced. Version 0.1 frozen."""
    from eventsys.audit.services import acting_as
    from eventsys.auth.models import User
    from eventsys.charters import charters, intake, pool, versions
    from eventsys.extensions import db
    from eventsys.minutes import snapshot
    from eventsys.minutes.models import Minutes, MinutesVersion
    from eventsys.minutes.states import MinutesState

    with app.app_context(), acting_as("benchmark"):
        secretariat = db.session.get(User, staff["secretariat"])
        charter = None
        for count, minutes_id in enumerate(minutes_ids, start=1):
            minutes = db.session.get(Minutes, minutes_id)
            content = snapshot.take(minutes)
            pdf = b"%PDF-1.7\n% approved minutes (not rendered by the benchmark)\n"
            version = MinutesVersion(
                minutes=minutes,
                number=1,
                content=content,
                approved_at=minutes.session.ends_at + timedelta(days=21),
                approved_by_id=staff["organiser"],
                pdf=pdf,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            )
            db.session.add(version)
            minutes.state = MinutesState.APPROVED
            db.session.flush()
            if charter is not None:
                intake.receive_minutes_version(version)
            if count == len(minutes_ids) // 2:
                charter = charters.create_charter(
                    "Smart City Charta 2027", "Smart City Charter 2027", secretariat
                )
                pool.assign_suggested(charter, secretariat)
                db.session.flush()
                versions.freeze(charter, secretariat, note="Erster Entwurf aus den Workshops")
            db.session.commit()
        print(f"    {len(minutes_ids)} minutes approved, charter {charter.id} filled")


def _take_references(rows: Rows, table: str, column: str) -> list[tuple[int, int]]:
    """The (id, referenced id) pairs of `column`, emptied in the rows to be written."""
    references = []
    for row in rows.tables[table]:
        if row[column] is not None:
            references.append((row["id"], row[column]))
            row[column] = None
    return references


def build_national(url: str) -> None:
    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    app = builder_app(url)
    began = time.perf_counter()
    migrate(app)
    print(f"  migrations: {time.perf_counter() - began:.1f} s")
    rows = Rows()
    directory = make_directory(rows, rng, now)
    staff = make_staff(rows, now)
    planned = make_sessions(rows, rng, now, staff)
    invitations = make_invitations(rows, rng, now, planned, directory, staff)
    make_attendance(rows, rng, now, planned, invitations, staff)
    minutes_ids = make_minutes_working_copies(rows, rng, planned, directory, staff)
    make_outbox_and_audit(rows, rng, now, planned, invitations, staff, directory)
    print(f"  generated: {time.perf_counter() - began:.1f} s")
    from eventsys.extensions import db

    with app.app_context(), db.engine.begin() as connection:
        # References within one table are set once all its rows are in.
        later = {
            ("experts", "deputy_id"): _take_references(rows, "experts", "deputy_id"),
            ("invitations", "delegated_to_id"): _take_references(
                rows, "invitations", "delegated_to_id"
            ),
        }
        write_rows(
            connection,
            rows,
            [
                "organisations", "experts", "working_groups", "working_group_members", "users",
                "sessions", "session_organisers", "agenda_items", "invitations",
                "invitation_answers", "attendees", "minutes", "minutes_topics", "decisions",
                "action_items", "recommendations", "outbox_messages", "audit_entries",
                "inbound_messages",
            ],
        )  # fmt: skip
        for (name, column), references in later.items():
            table = _table(name)
            connection.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values({column: sa.bindparam("target")}),
                [{"row_id": row_id, "target": target} for row_id, target in references],
            )
        reset_sequences(connection)
    print(f"  written: {time.perf_counter() - began:.1f} s")
    approve_minutes_and_fill_the_pool(app, minutes_ids, staff)
    with app.app_context(), db.engine.connect() as connection:
        # What autovacuum does on a server in use: statistics, and the visibility map that lets
        # counts be answered from an index (the outbox and audit pages took four times as long
        # on tables written in bulk and never vacuumed).
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    print(f"  national database complete: {time.perf_counter() - began:.1f} s")


def build_demo(url: str) -> None:
    """The demo platform (`flask demo load`), with the benchmark's staff accounts."""
    from werkzeug.security import generate_password_hash

    from eventsys.audit.services import acting_as
    from eventsys.auth.models import User
    from eventsys.demo.services import load_demo_data
    from eventsys.extensions import db
    from eventsys.roles import Role

    app = builder_app(url, server_name="127.0.0.1")
    migrate(app)
    with app.app_context(), acting_as("demo"):
        load_demo_data(datetime.now(UTC).date())
        for role, (email, name) in STAFF.items():
            user = User(email=email, name=name, role=Role(role))
            user.password_hash = generate_password_hash(PASSWORD)
            db.session.add(user)
        db.session.commit()
        db.engine.dispose()


def build(rebuild: bool = False) -> None:
    for name, make in ((NATIONAL_DATABASE, build_national), (DEMO_DATABASE, build_demo)):
        if not rebuild and _database_mark(name) == BUILD_MARK:
            # A schema change since (a new index) is applied as `flask db upgrade` would.
            migrate(builder_app(database_url(name)))
            print(f"{name}: complete, reused (migrated to the newest revision)")
            continue
        print(f"{name}: building")
        _recreate_database(name)
        make(database_url(name))
        _mark_complete(name)


# --- gunicorn ---------------------------------------------------------------------------------


@dataclass
class Server:
    """gunicorn serving wsgi:app, its log, and the port it listens on."""

    process: subprocess.Popen
    port: int
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def server_environment(url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the README's PostgreSQL deployment: settings as FLASK_* variables
    (none left from the shell), a secret key, the host the clients use trusted."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("FLASK_") and name not in ("DATABASE_URL", "CELERY_BROKER_URL")
    }
    environment |= {
        "FLASK_SQLALCHEMY_DATABASE_URI": url,
        "FLASK_SECRET_KEY": "national benchmark",
        "FLASK_TRUSTED_HOSTS": '["127.0.0.1"]',
        # A worker that crashes in C code writes the Python stack of each thread to the log.
        "PYTHONFAULTHANDLER": "1",
    }
    return environment | (extra or {})


@contextmanager
def gunicorn(
    url: str,
    log_path: Path,
    extra: dict[str, str] | None = None,
    application: str = "wsgi:app",
    ready_path: str = "/login",
) -> Iterator[Server]:
    """`gunicorn --workers 4 --bind 127.0.0.1:<free port> wsgi:app`, as the README runs it (or
    another `application`); its log (and the workers' standard error, where faulthandler
    writes) goes to `log_path`."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers", str(WORKERS),
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "info",
        application,
    ]  # fmt: skip
    log = log_path.open("wb")
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=server_environment(url, extra),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, port, log_path)
    try:
        _wait_until_serving(server, ready_path)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_serving(server: Server, ready_path: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn ended at start:\n{server.log_text()[-3000:]}")
        booted = server.log_text().count("Booting worker with pid")
        try:
            status, _, _ = Client(server.port).get(ready_path)
        except OSError:
            status = 0
        if status == 200 and booted >= WORKERS:
            return
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not start:\n{server.log_text()[-3000:]}")


# --- the client -------------------------------------------------------------------------------


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """Real HTTP against the server, one connection per request (gunicorn's sync workers close
    each), with the session cookie of its sign-in."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | list | None = None):
        """(status, body, seconds) of one request; the seconds from sending to the last byte."""
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        began = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            seconds = time.perf_counter() - began
            for header in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        finally:
            connection.close()
        return response.status, content, seconds

    def get(self, path: str):
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        status, content, _ = self.get(path)
        match = CSRF_FIELD.search(content.decode(errors="replace"))
        if status != 200 or match is None:
            raise RuntimeError(f"no form at {path} ({status})")
        return html.unescape(match.group(1))

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        token = self.csrf_token("/login")
        status, _, _ = self.request(
            "POST", "/login", {"csrf_token": token, "email": email, "password": password}
        )
        if status != 302:
            raise RuntimeError(f"sign-in as {email} failed ({status})")


# --- the pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A staff page: its name, and how to fetch it from a database's landmarks."""

    name: str
    path: str  # formatted with the landmarks
    form: tuple[tuple[str, str], ...] | None = None  # a POST (with the CSRF token) if given


PAGES = [
    Page("dashboard", "/"),
    Page("sessions", "/sessions/"),
    Page("session page", "/sessions/{big}"),
    Page("answers, first page", "/sessions/{big}/invitations"),
    Page("answers, filtered",
         "/sessions/{big}/invitations?answer=needs_action&group=municipalities"),
    Page("answers, searched", "/sessions/{big}/invitations?q={surname}"),
    Page("answers, last page", "/sessions/{big}/invitations?page={last_page}"),
    Page("one invitation", "/sessions/{big}/invitations/{invitation}"),
    Page("invite page", "/sessions/{big}/invitations/new"),
    Page("invite page, searched", "/sessions/{big}/invitations/new",
         (("q", "{surname}"), ("search", "1"))),
    Page("reminders", "/sessions/{big}/reminders"),
    Page("attendance", "/sessions/{big}/attendance"),
    Page("attendance of a held session", "/sessions/{held}/attendance"),
    Page("check-in", "/sessions/{big}/attendance/check-in"),
    Page("minutes of a long session", "/minutes/session/{held}"),
    Page("minutes archive", "/minutes/"),
    Page("charter draft", "/charters/{charter}"),
    Page("charter pool", "/charters/{charter}/pool"),
    Page("charter pool, all", "/charters/{charter}/pool?state=all"),
    Page("one recommendation", "/charters/{charter}/clauses/{clause}"),
    Page("charter version", "/charters/{charter}/versions/0.1"),
    Page("provenance of a session", "/charters/sessions/{held}"),
    Page("directory", "/experts/"),
    Page("directory, searched", "/experts/?q={surname}"),
    Page("one expert", "/experts/{expert}"),
    Page("organisations", "/experts/organisations"),
    Page("working groups", "/experts/groups"),
    Page("one working group", "/experts/groups/{group}"),
    Page("outbox", "/outbox/"),
    Page("review queue", "/replies/"),
    Page("audit trail", "/audit/"),
    Page("retention", "/admin/retention"),
    Page("accounts", "/users"),
]  # fmt: skip


def landmarks(url: str) -> dict[str, object]:
    """What the pages are about, found in the database: the session with the most invitations
    (the national plenary), the held session with the longest approved minutes, a charter and
    one of its recommendations, a working group, an expert and a surname to search for."""
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    queries = {
        "big": "SELECT session_id FROM invitations GROUP BY session_id ORDER BY count(*) DESC "
        "LIMIT 1",
        "held": "SELECT m.session_id FROM minutes m JOIN minutes_topics t ON t.minutes_id = m.id "
        "WHERE m.state = 'approved' GROUP BY m.session_id ORDER BY count(*) DESC, "
        "m.session_id DESC LIMIT 1",
        "charter": "SELECT min(id) FROM charters",
        "clause": "SELECT min(id) FROM charter_clauses WHERE status = 'active'",
        "group": "SELECT working_group_id FROM working_group_members GROUP BY 1 "
        "ORDER BY count(*) DESC LIMIT 1",
        "surname": "SELECT last_name FROM experts GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    }
    found = {}
    with engine.connect() as connection:
        for name, query in queries.items():
            found[name] = connection.exec_driver_sql(query).scalar()
        found["invitation"] = (
            connection.execute(
                sa.text(
                    "SELECT min(id) FROM invitations WHERE session_id = :big "
                    "AND response = 'delegated'"
                ),
                {"big": found["big"]},
            ).scalar()
            or connection.execute(
                sa.text("SELECT min(id) FROM invitations WHERE session_id = :big"),
                {"big": found["big"]},
            ).scalar()
        )
        found["expert"] = connection.execute(
            sa.text("SELECT expert_id FROM invitations WHERE id = :id"),
            {"id": found["invitation"]},
        ).scalar()
        invitations = connection.execute(
            sa.text("SELECT count(*) FROM invitations WHERE session_id = :big"),
            {"big": found["big"]},
        ).scalar()
        found["invitations"] = invitations
    engine.dispose()
    from eventsys.invitations.overview import PAGE_SIZE

    found["last_page"] = max(1, -(-invitations // PAGE_SIZE))
    return found


@dataclass
class Fetch:
    status: int
    size: int
    seconds: float


def fetch(client: Client, page: Page, marks: dict) -> Fetch:
    """One request for the page; status 0 when the connection broke (a worker that died)."""
    path = urllib.parse.quote(page.path.format(**marks), safe="/?=&")
    began = time.perf_counter()
    try:
        if page.form is None:
            status, content, seconds = client.get(path)
        else:
            form = [("csrf_token", client.csrf_token(path))]
            form += [(name, value.format(**marks)) for name, value in page.form]
            status, content, seconds = client.request("POST", path, form)
    except (OSError, http.client.HTTPException, RuntimeError):
        return Fetch(0, 0, time.perf_counter() - began)
    return Fetch(status, len(content), seconds)


def concurrently(clients: list[Client], run, total: int) -> list:
    """`total` calls of run(client), spread over the clients' threads, all started at once."""
    results: list = []
    lock = threading.Lock()
    start = threading.Barrier(len(clients))
    share = [total // len(clients) + (1 if i < total % len(clients) else 0)
             for i in range(len(clients))]  # fmt: skip

    def worker(client: Client, count: int) -> None:
        start.wait()
        for _ in range(count):
            outcome = run(client)
            with lock:
                results.append(outcome)

    threads = [
        threading.Thread(target=worker, args=(client, count))
        for client, count in zip(clients, share, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@dataclass
class PageFigures:
    alone: list[Fetch]
    together: list[Fetch]

    @property
    def statuses(self) -> str:
        counts = Counter(f.status for f in self.alone + self.together)
        return ", ".join(f"{status}" + (f"×{n}" if len(counts) > 1 else "")
                         for status, n in sorted(counts.items()))  # fmt: skip

    @property
    def size(self) -> int:
        return max(f.size for f in self.alone + self.together)

    @property
    def alone_median(self) -> float:
        return statistics.median(f.seconds for f in self.alone)

    @property
    def together_median(self) -> float:
        return statistics.median(f.seconds for f in self.together)

    @property
    def together_max(self) -> float:
        return max(f.seconds for f in self.together)

    def misses(self) -> list[str]:
        missed = []
        if self.alone_median >= AIM_ALONE:
            missed.append("alone")
        if self.together_max >= AIM_CONCURRENT:
            missed.append("8 at once")
        if self.size > AIM_BYTES:
            missed.append("size")
        if any(f.status >= 400 or f.status == 0 for f in self.alone + self.together):
            missed.append("status")
        return missed


def bare_page(log_path: Path, rounds: int, requests: int) -> PageFigures:
    """The baseline: bench/bare_app.py's one page under gunicorn with the same workers, fetched
    the same way as the staff pages."""
    application = "bench.bare_app:app"
    with gunicorn(database_url(DEMO_DATABASE), log_path, None, application, "/") as bare:
        clients = [Client(bare.port) for _ in range(CONCURRENT)]
        return measure_page(clients, Page("bare Flask page", "/"), {}, rounds, requests)


def measure_page(clients: list[Client], page: Page, marks: dict, rounds: int, requests: int):
    # Every worker renders the page once before it is timed (templates compiled, caches warm).
    concurrently(clients, lambda client: fetch(client, page, marks), len(clients))
    alone = [fetch(clients[0], page, marks) for _ in range(rounds)]
    together = concurrently(clients, lambda client: fetch(client, page, marks), requests)
    return PageFigures(alone, together)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def _kb(size: int) -> str:
    return f"{size / 1024:,.0f}"


def pages(rounds: int, requests: int, only: str | None, workdir: Path) -> bool:
    """Every staff page on the national database and on the demo, interleaved page by page so
    that both see the same machine load; print the table and return whether all met the aims."""
    databases = {"national": NATIONAL_DATABASE, "demo": DEMO_DATABASE}
    for name in databases.values():
        if _database_mark(name) != BUILD_MARK:
            raise SystemExit(f"{name} is missing or incomplete: run `bench/national.py build`")
    marks = {label: landmarks(database_url(name)) for label, name in databases.items()}
    for label, found in marks.items():
        print(f"{label}: {found}")
    chosen = [page for page in PAGES if only is None or only in page.name]
    results: dict[str, dict[str, PageFigures]] = {page.name: {} for page in chosen}
    bare = bare_page(workdir / "bare.log", rounds, requests)
    print(
        f"{'bare Flask page (baseline)':32} {_ms(bare.alone_median):>15} ms alone, "
        f"{_ms(bare.together_median):>6} / {_ms(bare.together_max):>6} ms at 8, "
        f"{_kb(bare.size):>5} KiB {bare.statuses:>6}",
        flush=True,
    )
    with (
        gunicorn(database_url(NATIONAL_DATABASE), workdir / "national.log") as national,
        gunicorn(database_url(DEMO_DATABASE), workdir / "demo.log") as demo,
    ):
        servers = {"national": national, "demo": demo}
        clients = {}
        for label, server in servers.items():
            clients[label] = [Client(server.port) for _ in range(CONCURRENT)]
            for client in clients[label]:
                client.sign_in(STAFF["admin"][0])
        for page in chosen:
            for label in servers:
                figures = measure_page(clients[label], page, marks[label], rounds, requests)
                results[page.name][label] = figures
            row = results[page.name]
            print(
                f"{page.name:32} national {_ms(row['national'].alone_median):>6} ms alone, "
                f"{_ms(row['national'].together_median):>6} / "
                f"{_ms(row['national'].together_max):>6} ms at 8, "
                f"{_kb(row['national'].size):>5} KiB {row['national'].statuses:>6} | demo "
                f"{_ms(row['demo'].alone_median):>5} / {_ms(row['demo'].together_max):>5} ms "
                f"{_kb(row['demo'].size):>4} KiB  {' '.join(row['national'].misses())}",
                flush=True,
            )
        deaths = {label: worker_deaths(server.log_text()) for label, server in servers.items()}
    print()
    print("| page | national alone (ms) | national 8 at once, median / max (ms) | KiB | status "
          "| demo alone (ms) | demo 8 at once, median / max (ms) | demo KiB |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| bare Flask page (baseline) | {_ms(bare.alone_median)} | "
        f"{_ms(bare.together_median)} / {_ms(bare.together_max)} | {_kb(bare.size)} | "
        f"{bare.statuses} | | | |"
    )
    met = True
    for name, row in results.items():
        n, d = row["national"], row["demo"]
        missed = n.misses()
        met = met and not missed

        def flag(text: str, aim: str, missed: list[str] = missed) -> str:
            return f"**{text}**" if aim in missed else text

        print(
            f"| {name} | {flag(_ms(n.alone_median), 'alone')} | "
            f"{_ms(n.together_median)} / {flag(_ms(n.together_max), '8 at once')} | "
            f"{flag(_kb(n.size), 'size')} | {n.statuses} | {_ms(d.alone_median)} | "
            f"{_ms(d.together_median)} / {_ms(d.together_max)} | {_kb(d.size)} |"
        )
    for label, found in deaths.items():
        print(f"{label}: worker deaths {found.total} {found.describe()}")
        met = met and not found.total
    return met


# --- worker deaths ----------------------------------------------------------------------------


@dataclass
class Deaths:
    signalled: list[str]
    exited: list[str]
    timeouts: list[str]
    extra_boots: int
    fatal_errors: list[str]

    @property
    def died(self) -> int:
        """Workers that ended while serving: by a signal, an exit or a timeout."""
        return len(self.signalled) + len(self.exited) + len(self.timeouts)

    @property
    def total(self) -> int:
        """Every sign of a dead worker (one death shows as a signal, a boot and a trace)."""
        return (
            len(self.signalled)
            + len(self.exited)
            + len(self.timeouts)
            + self.extra_boots
            + len(self.fatal_errors)
        )

    def describe(self) -> str:
        return (
            f"(signalled {len(self.signalled)}, exited {len(self.exited)}, timeouts "
            f"{len(self.timeouts)}, workers booted beyond the first {WORKERS}: "
            f"{self.extra_boots}, faulthandler reports {len(self.fatal_errors)})"
        )


def worker_deaths(log: str) -> Deaths:
    """What gunicorn's log says about workers that died while it served: up to the moment it
    was told to stop (the shutdown itself stops every worker)."""
    log = log.split("Handling signal: term", 1)[0]
    return Deaths(
        signalled=re.findall(r"Worker \(pid:\d+\) was sent \w+!.*", log),
        exited=re.findall(r"Worker \(pid:\d+\) exited with code \d+.*", log),
        timeouts=re.findall(r"WORKER TIMEOUT \(pid:\d+\)", log),
        extra_boots=max(0, log.count("Booting worker with pid") - WORKERS),
        fatal_errors=re.findall(r"Fatal Python error: .*", log),
    )


# --- the soak ---------------------------------------------------------------------------------


@dataclass
class SoakFigures:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    reminders: int = 0
    slowest: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, outcome: Fetch) -> None:
        self.requests += 1
        self.statuses[outcome.status] += 1
        self.seconds.append(outcome.seconds)
        self.slowest[name] = max(self.slowest.get(name, 0.0), outcome.seconds)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status == 0 or status >= 500)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def reminder_targets(url: str, session_id: int) -> list[int]:
    """Invitations of the plenary still without an answer, whom a reminder may go to."""
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    with engine.connect() as connection:
        ids = list(
            connection.execute(
                sa.text(
                    "SELECT id FROM invitations WHERE session_id = :session AND "
                    "response = 'needs_action' AND withdrawn_at IS NULL ORDER BY id LIMIT 2000"
                ),
                {"session": session_id},
            ).scalars()
        )
    engine.dispose()
    return ids


def soak(minutes: float, with_fix: bool, workdir: Path) -> bool:
    """8 clients cycling over every staff page of the national database for `minutes`, one
    request in ten a reminder (mail queued, delivered after the commit by a background thread
    to an SMTP sink); then the worker deaths in gunicorn's log. True if there were none and no
    request failed."""
    from bench.invitations import smtp_sink

    if _database_mark(NATIONAL_DATABASE) != BUILD_MARK:
        raise SystemExit(f"{NATIONAL_DATABASE} is missing or incomplete: run `build` first")
    url = database_url(NATIONAL_DATABASE)
    marks = landmarks(url)
    targets = reminder_targets(url, marks["big"])
    figures = SoakFigures()
    lock = threading.Lock()
    remind = Page("reminder (POST)", "/sessions/{big}/invitations/remind")
    with smtp_sink() as sink:
        extra = {
            "FLASK_MAIL_SERVER": "127.0.0.1",
            "FLASK_MAIL_PORT": str(sink.port),
            # As in production: mail goes out from a thread of the worker after the commit.
            "FLASK_OUTBOX_DELIVERY": "background",
        }
        if not with_fix:
            extra["FLASK_COLLECT_GARBAGE_BETWEEN_REQUESTS"] = "false"
        label = "with" if with_fix else "without"
        with gunicorn(url, workdir / f"soak-{label}-fix.log", extra) as server:
            clients = [Client(server.port) for _ in range(CONCURRENT)]
            for client in clients:
                client.sign_in(STAFF["admin"][0])
            deadline = time.monotonic() + minutes * 60
            target_numbers = iter(range(10**9))

            def cycle(number: int, client: Client) -> None:
                made = 0
                while time.monotonic() < deadline:
                    made += 1
                    if made % 10 == 0:
                        with lock:
                            invitation = targets[next(target_numbers) % len(targets)]
                        outcome = send_reminder(client, marks, invitation)
                        name = remind.name
                        with lock:
                            figures.reminders += outcome.status == 302
                    else:
                        page = PAGES[(number * 5 + made) % len(PAGES)]
                        outcome, name = fetch(client, page, marks), page.name
                    with lock:
                        figures.add(name, outcome)

            threads = [
                threading.Thread(target=cycle, args=(number, client))
                for number, client in enumerate(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            time.sleep(5)  # the last reminders' delivery
            deaths = worker_deaths(server.log_text())
        delivered = sink.received
    print(f"soak {label} the fix, {minutes:g} minutes, {WORKERS} workers, {CONCURRENT} clients")
    print(f"  requests: {figures.requests:,}, reminders sent: {figures.reminders:,}, "
          f"mails delivered to the sink: {delivered:,}")  # fmt: skip
    print(f"  statuses: {dict(sorted(figures.statuses.items()))}, errors: {figures.errors}")
    print(f"  latency p50 {_ms(figures.percentile(0.5))} ms, p95 {_ms(figures.percentile(0.95))} "
          f"ms, max {_ms(max(figures.seconds))} ms")  # fmt: skip
    slowest = sorted(figures.slowest.items(), key=lambda item: -item[1])[:5]
    print("  slowest pages (max): " + ", ".join(f"{n} {_ms(s)} ms" for n, s in slowest))
    print(f"  worker deaths: {deaths.total} {deaths.describe()}")
    for line in (deaths.signalled + deaths.exited + deaths.timeouts + deaths.fatal_errors)[:10]:
        print(f"    {line}")
    return deaths.total == 0 and figures.errors == 0


def restarts(rounds: int, seconds: float, workdir: Path) -> bool:
    """gunicorn started anew `rounds` times with the fix and as often without it, alternately,
    each time 8 clients signing in and then asking for the dashboard for `seconds`: whether a
    worker dies depends on the first requests each worker happens to get (which objects fill
    the shared attribute keys first), so it shows over several starts, not in one long run.
    True if no worker died with the fix."""
    url = database_url(NATIONAL_DATABASE)
    dashboard = PAGES[0]
    deaths = {True: [], False: []}
    for number in range(rounds):
        for with_fix in (True, False) if number % 2 == 0 else (False, True):
            extra = {} if with_fix else {"FLASK_COLLECT_GARBAGE_BETWEEN_REQUESTS": "false"}
            log = workdir / f"restart-{number}-{'with' if with_fix else 'without'}-fix.log"
            with gunicorn(url, log, extra) as server:
                clients = [Client(server.port) for _ in range(CONCURRENT)]
                for client in clients:
                    client.sign_in(STAFF["admin"][0])
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    concurrently(clients, lambda client: fetch(client, dashboard, {}), 40)
                found = worker_deaths(server.log_text())
            deaths[with_fix].append(found.died)
            print(f"start {number + 1} {'with' if with_fix else 'without'} the fix: worker "
                  f"deaths {found.total} {found.describe()}", flush=True)  # fmt: skip
    for with_fix, counts in deaths.items():
        starts_with_deaths = sum(1 for count in counts if count)
        print(f"{'with' if with_fix else 'without'} the fix: {starts_with_deaths} of {rounds} "
              f"starts lost workers, {sum(counts)} workers died in all")  # fmt: skip
    return not any(deaths[True])


def send_reminder(client: Client, marks: dict, invitation: int) -> Fetch:
    """The answers page's "Remind the ticked" for one invitee (one mail, no confirmation)."""
    listing = f"/sessions/{marks['big']}/invitations"
    began = time.perf_counter()
    try:
        token = client.csrf_token(listing)
        status, content, seconds = client.request(
            "POST",
            f"{listing}/remind",
            [("csrf_token", token), ("invitation_ids", str(invitation)), ("remind_ticked", "y")],
        )
    except (OSError, http.client.HTTPException, RuntimeError):
        return Fetch(0, 0, time.perf_counter() - began)
    return Fetch(status, len(content), seconds)


PURGED_COPY = "eventsys_national_purged"


def purge_figures() -> bool:
    """The national database's size before and after `flask privacy purge`, measured on a copy
    (the pages keep measuring the database as built): the copy is made from the national one,
    the purge runs as cron would run it, and VACUUM FULL before and after gives the space back
    so that the sizes differ by what the purge removed. Return whether the purge ran."""
    if _database_mark(NATIONAL_DATABASE) != BUILD_MARK:
        raise SystemExit(
            "eventsys_national is missing or incomplete: run `bench/national.py build`"
        )
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {PURGED_COPY}"))
        connection.execute(sa.text(f"CREATE DATABASE {PURGED_COPY} TEMPLATE {NATIONAL_DATABASE}"))
    url = database_url(PURGED_COPY)
    engine = sa.create_engine(
        sa.make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("VACUUM FULL"))  # so that only the purge differs
        before = _sizes(engine)
        began = time.perf_counter()
        purged = subprocess.run(
            [str(Path(sys.executable).parent / "flask"), "--app", "wsgi:app", "privacy", "purge"],
            cwd=PROJECT_ROOT,
            env=server_environment(url),
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - began
        with engine.connect() as connection:
            connection.execute(sa.text("VACUUM FULL"))
        after = _sizes(engine)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {PURGED_COPY}"))
        admin.dispose()
    print(f"flask privacy purge on a copy of the national database ({seconds:.1f} s):")
    for line in purged.stdout.splitlines():
        print(f"  {line}")
    if purged.returncode != 0:
        print(purged.stderr[-3000:])
        return False
    for name in before:
        print(
            f"  {name:>16}: {before[name] / 2**20:8.1f} MiB before, "
            f"{after[name] / 2**20:8.1f} MiB after"
        )
    return True


def _sizes(engine: sa.Engine) -> dict[str, int]:
    """The whole database's size and that of its largest tables (with indexes and TOAST)."""
    with engine.connect() as connection:
        sizes = {
            "database": connection.scalar(sa.text("SELECT pg_database_size(current_database())"))
        }
        for table in ("outbox_messages", "audit_entries", "inbound_messages"):
            sizes[table] = connection.scalar(
                sa.text("SELECT pg_total_relation_size(CAST(:table AS regclass))"), {"table": table}
            )
    return sizes


# The other national figures, each measured by its own benchmark against its own baseline in the
# same run: the invitation run at 1,000 and 10,000, the 10,000-row import, the reply path.
COMPANION_BENCHMARKS = ("invitations.py", "imports.py", "replies.py")


def companions(postgres_url: str) -> bool:
    """Run the companion benchmarks on SQLite and on PostgreSQL, one after the other (each
    alone on the machine, as its figures need); return whether all of them ran."""
    ran = True
    for script in COMPANION_BENCHMARKS:
        for database in ([], ["--postgres", postgres_url]):
            command = [sys.executable, str(PROJECT_ROOT / "bench" / script), *database]
            print(f"\n== {' '.join(['bench/' + script, *database])}", flush=True)
            ran &= subprocess.run(command, cwd=PROJECT_ROOT, check=False).returncode == 0
    return ran


@contextmanager
def log_folder(kept: Path | None) -> Iterator[Path]:
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
        yield kept
        return
    with tempfile.TemporaryDirectory(prefix="eventsys-national-") as workdir:
        yield Path(workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    building = commands.add_parser("build", help="make (or reuse) the two databases")
    building.add_argument("--rebuild", action="store_true", help="build even if complete")
    measuring = commands.add_parser("pages", help="time every staff page, national and demo")
    measuring.add_argument("--rounds", type=int, default=PAGE_ROUNDS)
    measuring.add_argument("--requests", type=int, default=CONCURRENT_REQUESTS)
    measuring.add_argument("--only", help="only the pages whose name contains this")
    soaking = commands.add_parser("soak", help="8 clients on the big pages for some minutes")
    soaking.add_argument("--minutes", type=float, default=10)
    soaking.add_argument(
        "--without-fix",
        action="store_true",
        help="with automatic garbage collection inside requests (the baseline of the crash)",
    )
    restarting = commands.add_parser(
        "restarts", help="gunicorn started anew, dashboard, with and without the fix"
    )
    restarting.add_argument("--rounds", type=int, default=5)
    restarting.add_argument("--seconds", type=float, default=20)
    commands.add_parser(
        "figures", help="the invitation, import and reply benchmarks on SQLite and PostgreSQL"
    )
    commands.add_parser("purge", help="the national database's size before and after a purge")
    everything = commands.add_parser(
        "all", help="build, pages, figures, restarts and a ten-minute soak, in that order"
    )
    for command in (measuring, soaking, restarting, everything):
        command.add_argument("--logs", type=Path, help="keep gunicorn's logs in this folder")
    arguments = parser.parse_args()
    if arguments.command == "all":
        build(rebuild=False)
        with log_folder(arguments.logs) as workdir:
            met = pages(PAGE_ROUNDS, CONCURRENT_REQUESTS, None, workdir)
            ran = companions(f"{SERVER}/test") and purge_figures()
            restarted = restarts(5, 20, workdir)
            soaked = soak(10, True, workdir)
        sys.exit(0 if met and ran and restarted and soaked else 1)
    if arguments.command == "purge":
        sys.exit(0 if purge_figures() else 1)
    if arguments.command == "figures":
        sys.exit(0 if companions(f"{SERVER}/test") else 1)
    if arguments.command == "build":
        build(arguments.rebuild)
    elif arguments.command == "pages":
        with log_folder(arguments.logs) as workdir:
            met = pages(arguments.rounds, arguments.requests, arguments.only, workdir)
        sys.exit(0 if met else 1)
    elif arguments.command == "restarts":
        with log_folder(arguments.logs) as workdir:
            survived = restarts(arguments.rounds, arguments.seconds, workdir)
        sys.exit(0 if survived else 1)
    elif arguments.command == "soak":
        with log_folder(arguments.logs) as workdir:
            survived = soak(arguments.minutes, not arguments.without_fix, workdir)
        sys.exit(0 if survived else 1)


if __name__ == "__main__":
    main()
