"""Benchmark: calendar replies taken in at a mail server's speed.

    .venv/bin/python bench/replies.py           # 2,000 invitees; about a minute and a half
    .venv/bin/python bench/replies.py --quick   # 400 invitees
    .venv/bin/python bench/replies.py --postgres postgresql://postgres@127.0.0.1:5432/test

Prints, all measured in this one run on the same messages (calendar replies of four clients'
kinds, one per invitee, each of them applied):
1. a bare parse: `email.parser.BytesParser(policy=email.policy.default).parsebytes` of each
   message, nothing else: the floor;
2. `flask replies serve-lmtp` in a process of its own, as a mail server feeds it: smtplib.LMTP
   over one connection for half the invitees, then the other half's over four connections at
   once (the mail server's concurrency); each message is committed before its 250 (the aim:
   at least 50 messages/s);
3. `flask replies ingest -`, one process per message, as a mail server's pipe runs it.
See bench/README.md.
"""

import argparse
import email.parser
import email.policy
import os
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
from bench.ports import free_port  # noqa: E402
from eventsys import create_app  # noqa: E402
from eventsys.experts.models import Expert, Organisation  # noqa: E402
from eventsys.experts.stakeholders import StakeholderGroup  # noqa: E402
from eventsys.extensions import db  # noqa: E402
from eventsys.invitations.services import invite_experts  # noqa: E402
from eventsys.replies.models import InboundMessage  # noqa: E402
from eventsys.replies.states import Outcome  # noqa: E402
from eventsys.sessions.models import Session  # noqa: E402
from eventsys.sessions.states import SessionKind, SessionStatus  # noqa: E402
from tests.replies.sample_mail import sample  # noqa: E402
from tests.support.databases import throwaway_database  # noqa: E402

STARTS_AT = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)
# The kinds of reply, each applied when it comes from the invitee's own address.
ANSWERS = ["thunderbird_accepted", "outlook_accepted", "google_tentative", "apple_accepted"]
CONNECTIONS = 4
PIPE_PROCESSES = 5
AIM_PER_SECOND = 50


def bench_config(database_url: str) -> dict:
    return {
        "SECRET_KEY": "benchmark",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": "eventsys.example.org",
        "PREFERRED_URL_SCHEME": "https",
        "MAIL_SERVER": None,  # the answer notices stay in the outbox
        "BABEL_DEFAULT_LOCALE": "de",
    }


def receiver_app():
    """The app the receiver's process runs (`flask --app "bench.replies:receiver_app()"`),
    its database and instance folder from the environment this benchmark gives it."""
    return create_app(
        bench_config(os.environ["BENCH_DATABASE_URL"]),
        instance_path=os.environ["BENCH_INSTANCE_PATH"],
    )


def prepare(database_url: str, workdir: Path, count: int) -> tuple[list[bytes], list[bytes]]:
    """Invite `2 × count` experts; return the replies of the first `count` and of the others."""
    app = create_app(bench_config(database_url), instance_path=str(workdir / "instance"))
    with app.app_context():
        db.create_all()
        organisation = Organisation(
            name="Stadt Ulm", stakeholder_group=StakeholderGroup.MUNICIPALITIES
        )
        experts = [
            Expert(
                first_name=f"Vorname{number}",
                last_name=f"Nachname{number}",
                email=f"expertin{number}@ulm.example",
                organisation=organisation,
            )
            for number in range(2 * count)
        ]
        session = Session(
            title="Workshop Datenräume",
            kind=SessionKind.WORKSHOP,
            starts_at=STARTS_AT,
            ends_at=STARTS_AT + timedelta(hours=6),
            status=SessionStatus.CONFIRMED,
            venue_address="Rathausplatz 1, 89073 Ulm",
        )
        db.session.add_all([organisation, session, *experts])
        db.session.flush()
        invitations = invite_experts(session, experts).invited
        db.session.commit()
        replies = []
        for number, invitation in enumerate(invitations):
            values = {
                "uid": invitation.ical_uid or session.ical_uid,
                "attendee": invitation.expert.email,
                "sequence": invitation.calendar_sequence,
            }
            replies.append(sample(ANSWERS[number % len(ANSWERS)], **values))
        db.engine.dispose()
    return replies[:count], replies[count:]


def bare_parse_rate(messages: list[bytes], rounds: int = 3) -> float:
    parser = email.parser.BytesParser(policy=email.policy.default)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for raw in messages:
            parser.parsebytes(raw)
        best = min(best, time.perf_counter() - started)
    return len(messages) / best


def _environment(database_url: str, workdir: Path) -> dict:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    return environment | {
        "BENCH_DATABASE_URL": database_url,
        "BENCH_INSTANCE_PATH": str(workdir / "instance"),
    }


FLASK = [sys.executable, "-m", "flask", "--app", "bench.replies:receiver_app()", "replies"]


def start_receiver(database_url: str, workdir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [*FLASK, "serve-lmtp", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=_environment(database_url, workdir),
        stdout=subprocess.PIPE,
        text=True,
    )
    announced = process.stdout.readline()
    if not announced.startswith("Taking in replies"):
        process.kill()
        raise SystemExit(f"The receiver did not start: {announced!r}")
    return process, port


def deliver_all(port: int, messages: list[bytes]) -> None:
    """Hand `messages` over one LMTP connection, one transaction each, as Postfix does."""
    with smtplib.LMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo("mail.bench.example")
        for raw in messages:
            client.mail("someone@ulm.example")
            client.rcpt("einladungen@dialogplattform.example")
            code, text = client.data(raw)
            if code != 250:
                raise SystemExit(f"The receiver answered {code} {text!r}")


def lmtp_rate(port: int, messages: list[bytes], connections: int) -> float:
    shares = [messages[start::connections] for start in range(connections)]
    threads = [threading.Thread(target=deliver_all, args=(port, share)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(messages) / (time.perf_counter() - started)


def pipe_seconds(database_url: str, workdir: Path, messages: list[bytes]) -> float:
    """Seconds per message when each is piped into a process of its own."""
    started = time.perf_counter()
    for raw in messages:
        subprocess.run(
            [*FLASK, "ingest", "-"],
            input=raw,
            cwd=PROJECT_ROOT,
            env=_environment(database_url, workdir),
            check=True,
            capture_output=True,
        )
    return (time.perf_counter() - started) / len(messages)


def outcomes(database_url: str) -> dict[Outcome, int]:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(InboundMessage.outcome, sa.func.count()).group_by(InboundMessage.outcome)
        ).all()
    engine.dispose()
    return {Outcome(outcome) if isinstance(outcome, str) else outcome: n for outcome, n in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="400 invitees instead of 2,000")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server instead of SQLite")
    arguments = parser.parse_args()
    count = 200 if arguments.quick else 1000
    database = "PostgreSQL" if arguments.postgres else "SQLite"
    print(f"eventsys reply benchmark – {database}, {2 * count} invitees")
    with (
        tempfile.TemporaryDirectory(prefix="eventsys-replies-") as directory,
        throwaway_database(Path(directory), arguments.postgres, "replies") as url,
    ):
        workdir = Path(directory)
        first, second = prepare(url, workdir, count)
        warm_up, piped = second[:PIPE_PROCESSES], second[PIPE_PROCESSES : 2 * PIPE_PROCESSES]
        size = sum(map(len, first)) / len(first) / 1024
        floor = bare_parse_rate(first + second)

        receiver, port = start_receiver(url, workdir)
        try:
            deliver_all(port, warm_up)  # the first message of a process imports what it needs
            one = lmtp_rate(port, first, 1)
            several = lmtp_rate(port, second[2 * PIPE_PROCESSES :], CONNECTIONS)
        finally:
            receiver.terminate()
            receiver.wait(timeout=60)
        per_process = pipe_seconds(url, workdir, piped)
        stored = outcomes(url)

    print(f"\nMessages: {2 * count} replies, {size:.1f} KiB each")
    print(f"1. bare parse (email.parser):            {floor:8.0f} messages/s")
    for label, rate in (("one connection", one), (f"{CONNECTIONS} connections", several)):
        verdict = "met" if rate >= AIM_PER_SECOND else "NOT met"
        print(
            f"2. LMTP receiver, {label + ':':16} {rate:8.0f} messages/s"
            f"  ({floor / rate:.0f}× the bare parse; aim ≥ {AIM_PER_SECOND}/s: {verdict})"
        )
    print(
        f"3. flask replies ingest, a process each: {1 / per_process:8.1f} messages/s"
        f"  ({per_process:.2f} s per message)"
    )
    applied = stored.get(Outcome.APPLIED, 0)
    print(f"\nStored: {sum(stored.values())} messages, {applied} applied ({stored})")
    expected = 2 * count
    if applied != expected:
        raise SystemExit(f"Expected {expected} applied replies")


if __name__ == "__main__":
    main()
