"""Benchmark: inviting many experts to one session and delivering their mail.

    .venv/bin/python bench/invitations.py           # 1,000 and 10,000 invitations
    .venv/bin/python bench/invitations.py --quick   # 100 and 300; memory at 300 and 3,000
    .venv/bin/python bench/invitations.py --postgres postgresql://postgres@127.0.0.1:5432/test

Prints, all measured in this one run against an aiosmtpd sink in a separate process, each
figure with its baseline and the aim of issue 13, met or not:
1. delivery rate: the outbox's `deliver_due` against a bare smtplib loop sending the same
   pre-built messages over one connection (aim: at least 85 % of the bare loop's rate);
2. the organiser's send request through the Flask test client at 1,000 and at 10,000
   invitations (aim: under 1 s for 1,000), the first mail at the sink (aim: within 2 s of the
   click) and the last (aim: within 2× the same mails sent over one smtplib connection);
3. the peak memory (tracemalloc) of delivering 1,000 and 10,000 queued invitation mails (aim:
   no growth with the number of messages).
See bench/README.md.
"""

import argparse
import html
import multiprocessing
import re
import smtplib
import sys
import tempfile
import threading
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import MultiDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
from bench import benchmark_app  # noqa: E402
from bench.ports import free_port  # noqa: E402
from eventsys.auth.models import User  # noqa: E402
from eventsys.database import utcnow  # noqa: E402
from eventsys.experts.models import Expert, Organisation  # noqa: E402
from eventsys.experts.stakeholders import StakeholderGroup  # noqa: E402
from eventsys.extensions import db  # noqa: E402
from eventsys.invitations import services as invitations  # noqa: E402
from eventsys.outbox import services as outbox  # noqa: E402
from eventsys.outbox.models import DeliveryState, OutboxMessage  # noqa: E402
from eventsys.outbox.seals import Sealer  # noqa: E402
from eventsys.roles import Role  # noqa: E402
from eventsys.sessions.models import AgendaItem, Session  # noqa: E402
from eventsys.sessions.states import SessionKind, SessionStatus  # noqa: E402
from tests.support.databases import throwaway_database  # noqa: E402

PASSWORD = "benchmark password"
STARTS_AT = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)


# --- the SMTP sink, in a process of its own ---------------------------------------------------


class CountingHandler:
    """Accepts every message and counts it; keeps nothing, so that 10,000 cost no memory."""

    def __init__(self, counter) -> None:
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 Message accepted for delivery"


def _run_sink(port: int, counter, ready, stop) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(CountingHandler(counter), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


@dataclass
class Sink:
    port: int
    counter: object

    @property
    def received(self) -> int:
        return self.counter.value

    def wait_for(self, total: int, timeout: float = 600) -> float:
        """Wait until `total` messages have arrived; return the moment (perf_counter)."""
        deadline = time.perf_counter() + timeout
        while self.received < total:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"only {self.received} of {total} messages arrived")
            time.sleep(0.002)
        return time.perf_counter()


@contextmanager
def smtp_sink():
    context = multiprocessing.get_context("spawn")
    counter, ready, stop = context.Value("q", 0), context.Event(), context.Event()
    port = free_port()
    process = context.Process(target=_run_sink, args=(port, counter, ready, stop), daemon=True)
    process.start()
    if not ready.wait(30):
        raise RuntimeError("the SMTP sink did not start")
    try:
        yield Sink(port, counter)
    finally:
        stop.set()
        process.join(10)


# --- databases ----------------------------------------------------------------------------------


def fresh_database(workdir: Path, postgres_url: str | None):
    """A new, empty database URL: a SQLite file, or a throw-away PostgreSQL database."""
    return throwaway_database(workdir, postgres_url, "bench")


def make_app(database_url: str, workdir: Path, sink: Sink | None, delivery: str = "inline"):
    return benchmark_app.make_app(
        workdir,
        database_url,
        PREFERRED_URL_SCHEME="https",
        MAIL_SERVER="127.0.0.1" if sink else None,
        MAIL_PORT=sink.port if sink else 25,
        OUTBOX_DELIVERY=delivery,
    )


def deliver_to(app, sink: Sink) -> None:
    """Point an app that was made without a mail server at the sink."""
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", sink.port
    mail = app.extensions["mail"]
    mail.server, mail.port = "127.0.0.1", sink.port


def add_session_and_experts(count: int) -> tuple[Session, list[Expert]]:
    organisation = Organisation(name="Stadt Ulm", stakeholder_group=StakeholderGroup.MUNICIPALITIES)
    experts = [
        Expert(
            title="Dr." if number % 3 == 0 else "",
            first_name=f"Vorname{number}",
            last_name=f"Nachname{number}",
            email=f"expertin{number}@example.org",
            organisation=organisation,
            language="en" if number % 10 == 0 else "de",
        )
        for number in range(count)
    ]
    session = Session(
        title="Workshop Datenräume und Gemeinwohl",
        kind=SessionKind.WORKSHOP,
        description="Gemeinwohlorientierte Datenstrategien für Städte, Kreise und Gemeinden.",
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + timedelta(hours=6),
        status=SessionStatus.CONFIRMED,
        venue_address="Krausenstraße 17–18, 10117 Berlin",
        venue_room="Saal 2",
        rsvp_deadline=STARTS_AT - timedelta(days=7),
    )
    session.agenda_items = [
        AgendaItem(position=number, title=f"Tagesordnungspunkt {number}", duration_minutes=30)
        for number in range(1, 6)
    ]
    db.session.add_all([organisation, session, *experts])
    db.session.commit()
    return session, experts


def requeue_all() -> None:
    db.session.execute(
        sa.update(OutboxMessage).values(
            state=DeliveryState.QUEUED, attempts=0, next_attempt_at=utcnow(), sent_at=None
        )
    )
    db.session.commit()


def multiply_queued_messages(factor: int) -> int:
    """Copy every queued message `factor - 1` times (new Message-IDs, sealed as the outbox
    seals what it stores); return the total."""
    sealer = Sealer(current_app)
    columns = ["kind", "sender", "recipient", "subject", "raw_message", "invitation_id"]
    query = sa.select(OutboxMessage.message_id, *(getattr(OutboxMessage, c) for c in columns))
    originals = db.session.execute(query).all()
    for copy in range(1, factor):
        rows = []
        for index, (message_id, *values) in enumerate(originals):
            row = dict(zip(columns, values, strict=True))
            new_id = f"<copy{copy}.{index}@bench>"
            # The stored message names its Message-ID too; the outbox checks that they agree.
            row["raw_message"] = row["raw_message"].replace(message_id.encode(), new_id.encode())
            row["seal"] = sealer.seal(
                row["raw_message"], row["sender"], row["recipient"], row["subject"], new_id
            )
            rows.append(row | {"message_id": new_id, "next_attempt_at": utcnow()})
        db.session.execute(sa.insert(OutboxMessage), rows)
        db.session.commit()
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))


# --- the measurements ---------------------------------------------------------------------------


def bare_loop(messages: list[tuple[str, str, bytes]], sink: Sink) -> float:
    """Send pre-built messages over one smtplib connection; return seconds taken."""
    before = sink.received
    begun = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as connection:
        for sender, recipient, raw in messages:
            connection.sendmail(sender, [recipient], raw)
    ended = sink.wait_for(before + len(messages))
    return ended - begun


def outbox_delivery(app, sink: Sink, count: int) -> float:
    before = sink.received
    with app.app_context():
        begun = time.perf_counter()
        sent, failed = outbox.deliver_due()
        ended = sink.wait_for(before + count)
    if (sent, failed) != (count, 0):
        raise RuntimeError(f"delivery sent {sent}, failed {failed} of {count}")
    return ended - begun


def measure_delivery_rate(count: int, workdir: Path, sink: Sink, postgres: str | None) -> dict:
    with fresh_database(workdir, postgres) as url:
        app = make_app(url, workdir, sink=None)
        with app.app_context():
            session, experts = add_session_and_experts(count)
            invitations.invite_experts(session, experts)
            begun = time.perf_counter()
            db.session.commit()  # with no mail server, the commit only composes the mails
            composing = time.perf_counter() - begun
            prebuilt = [
                tuple(row)
                for row in db.session.execute(
                    sa.select(
                        OutboxMessage.sender, OutboxMessage.recipient, OutboxMessage.raw_message
                    ).order_by(OutboxMessage.id)
                )
            ]
        deliver_to(app, sink)
        bare_times, outbox_times = [], []
        for _round in range(2):  # interleaved, best of two each: both see the same machine load
            bare_times.append(bare_loop(prebuilt, sink))
            outbox_times.append(outbox_delivery(app, sink, count))
            with app.app_context():
                requeue_all()
        with app.app_context():
            db.engine.dispose()
    size = sum(len(raw) for _, _, raw in prebuilt) / len(prebuilt)
    bare_rate, outbox_rate = count / min(bare_times), count / min(outbox_times)
    return {
        "count": count,
        "average_size": size,
        "bare_rate": bare_rate,
        "outbox_rate": outbox_rate,
        "share": outbox_rate / bare_rate,
        "compose_rate": count / composing,
    }


def measure_send_request(count: int, workdir: Path, sink: Sink, postgres: str | None) -> dict:
    """The organiser's POST that invites `count` experts, with delivery in the background."""
    with fresh_database(workdir, postgres) as url:
        app = make_app(url, workdir, sink=sink, delivery="background")
        with app.app_context():
            session, experts = add_session_and_experts(count)
            organiser = User(email="organiser@example.org", name="Organiser", role=Role.ORGANISER)
            organiser.set_password(PASSWORD)
            db.session.add(organiser)
            db.session.commit()
            session_id, expert_ids = session.id, [expert.id for expert in experts]
        client = app.test_client()
        credentials = {"email": "organiser@example.org", "password": PASSWORD}
        signed_in = client.post("/login", data=credentials)
        if signed_in.status_code != 302:
            raise RuntimeError("could not sign in")
        # The preview first, as the organiser sees it; its form is what "Send" posts.
        preview = client.post(
            f"/sessions/{session_id}/invitations/new", data={"everyone": "y", "preview": "y"}
        )
        hidden = re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview.get_data(as_text=True)
        )
        confirmation = [(name, html.unescape(value)) for name, value in hidden] + [("send", "y")]
        if len(expert_ids) != int(dict(hidden).get("selection_count", 0)):
            raise RuntimeError("the preview does not offer every expert")
        before = sink.received
        first_arrival: list[float] = []
        watcher = threading.Thread(
            target=lambda: first_arrival.append(sink.wait_for(before + 1)), daemon=True
        )
        watcher.start()
        begun = time.perf_counter()
        response = client.post(
            f"/sessions/{session_id}/invitations/new", data=MultiDict(confirmation)
        )
        answered = time.perf_counter()
        arrived_by_then = sink.received - before
        if response.status_code != 302:
            raise RuntimeError(f"the send request answered {response.status_code}")
        delivered = sink.wait_for(before + count)
        for thread in threading.enumerate():  # let the delivery thread finish its last query
            if "_process_in_thread" in thread.name:
                thread.join(60)
        watcher.join(60)
        with app.app_context():
            queued = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
            prebuilt = [
                tuple(row)
                for row in db.session.execute(
                    sa.select(
                        OutboxMessage.sender, OutboxMessage.recipient, OutboxMessage.raw_message
                    ).order_by(OutboxMessage.id)
                )
            ]
            db.engine.dispose()
        if queued != count:
            raise RuntimeError(f"{queued} messages queued for {count} invitations")
        # The floor: the very same messages, already built, over one smtplib connection.
        floor = bare_loop(prebuilt, sink)
    return {
        "count": count,
        "request": answered - begun,
        "delivery_after_request": delivered - answered,
        "arrived_by_then": arrived_by_then,
        "first_mail": first_arrival[0] - begun,
        "click_to_last": delivered - begun,
        "floor": floor,
    }


def measure_memory(counts: tuple[int, int], workdir: Path, sink: Sink, postgres: str | None):
    """Peak memory of `deliver_due` with counts[0] and counts[1] real invitation mails queued."""
    small, large = counts
    results = []
    with fresh_database(workdir, postgres) as url:
        app = make_app(url, workdir, sink=None)
        with app.app_context():
            session, experts = add_session_and_experts(small)
            invitations.invite_experts(session, experts)
            db.session.commit()
        deliver_to(app, sink)
        for total in (small, large):
            with app.app_context():
                requeue_all()
                if total > small:
                    total = multiply_queued_messages(large // small)
                db.session.remove()
                tracemalloc.start()
                begun = time.perf_counter()
                sent, _failed = outbox.deliver_due()
                seconds = time.perf_counter() - begun
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            results.append({"count": total, "sent": sent, "peak": peak, "seconds": seconds})
        with app.app_context():
            db.engine.dispose()
    return results


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, for a quick check")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server instead of SQLite")
    options = parser.parse_args()
    rate_count = 300 if options.quick else 1000
    request_counts = (100, 300) if options.quick else (1000, 10000)
    memory_counts = (300, 3000) if options.quick else (1000, 10000)

    database = "PostgreSQL" if options.postgres else "SQLite (file, WAL)"
    print(f"eventsys invitation benchmark – {database}, BATCH_SIZE {outbox.BATCH_SIZE}")
    with tempfile.TemporaryDirectory() as directory, smtp_sink() as sink:
        workdir = Path(directory)

        rate = measure_delivery_rate(rate_count, workdir, sink, options.postgres)
        size = rate["average_size"] / 1024
        print(f"\n1. Delivery of {rate['count']} invitation mails ({size:.1f} KiB each)")
        print(f"   bare smtplib loop, one connection: {rate['bare_rate']:8.0f} messages/s")
        print(f"   outbox deliver_due:                {rate['outbox_rate']:8.0f} messages/s")
        print(
            f"   outbox / bare loop: {rate['share']:.0%} "
            f"(aim: at least 85 %: {verdict(rate['share'] >= 0.85)})"
        )
        print(f"   (composing them after the commit: {rate['compose_rate']:.0f} messages/s)")

        print("\n2. The organiser's send request (Flask test client); mail goes out behind it")
        for count in request_counts:
            sent = measure_send_request(count, workdir, sink, options.postgres)
            ratio = sent["click_to_last"] / sent["floor"]
            request_aim = (
                f" (aim for 1,000: under 1 s: {verdict(sent['request'] < 1)})"
                if count == 1000
                else ""
            )
            print(
                f"   {count:5d} invitations: request {sent['request']:6.2f} s{request_aim}; "
                f"{sent['arrived_by_then']} mails had arrived when it returned"
            )
            print(
                f"         first mail {sent['first_mail']:5.2f} s after the click "
                f"(aim: within 2 s: {verdict(sent['first_mail'] <= 2)})"
            )
            print(
                f"         last {sent['click_to_last']:6.2f} s after it, against "
                f"{sent['floor']:5.2f} s for the same mails over one smtplib connection: "
                f"{ratio:.1f}× the floor (aim: within 2×: {verdict(ratio <= 2)})"
            )

        print("\n3. Peak memory of delivery (tracemalloc)")
        memory = measure_memory(memory_counts, workdir, sink, options.postgres)
        for row in memory:
            print(
                f"   {row['count']:6d} queued: peak {row['peak'] / 2**20:6.1f} MiB "
                f"({row['sent']} sent in {row['seconds']:.1f} s)"
            )
        growth = memory[1]["peak"] / memory[0]["peak"]
        print(
            f"   {memory[1]['count'] // memory[0]['count']}× the messages: "
            f"{growth:.2f}× the peak (aim: flat, within 1.25×: {verdict(growth <= 1.25)})"
        )


if __name__ == "__main__":
    main()
