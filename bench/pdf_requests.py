"""Benchmark: eight readers opening a circulated draft's PDF link at once, and the longest texts
a form accepts against the rendering time limit.

    .venv/bin/python bench/pdf_requests.py           # about two minutes
    .venv/bin/python bench/pdf_requests.py --quick   # fewer sign-in page samples

Prints, all measured in this one run on a temporary SQLite app served over HTTP by a threaded
werkzeug server (the app's own process, as `flask run` serves it):
1. the sign-in page's latency with nothing else going on (the baseline);
2. the same while eight renderings of the draft run in the server's process, which is what eight
   readers caused when the link rendered the PDF on every request;
3. the same while eight clients keep asking for the reader link (the prepared document: the
   first ones get the "being prepared" page, then everyone the stored PDF), with how many
   renderings that caused and how long until the first PDF arrived;
4. the rendering time of 50,000 characters (the longest text a form accepts) as prose, as
   one-word list items and as a table, against PDF_TIME_LIMIT_SECONDS.
See bench/README.md.
"""

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import sqlalchemy as sa  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from bench import benchmark_app  # noqa: E402
from bench.minutes import add_long_minutes  # noqa: E402
from eventsys.attendance.models import Attendee  # noqa: E402
from eventsys.database import utcnow  # noqa: E402
from eventsys.documents.models import PreparedDocument  # noqa: E402
from eventsys.experts.models import Expert  # noqa: E402
from eventsys.extensions import db  # noqa: E402
from eventsys.markup import MAX_MARKDOWN_LENGTH, render_markdown  # noqa: E402
from eventsys.minutes import document, snapshot, workflow  # noqa: E402
from eventsys.minutes.tokens import make_reader_token  # noqa: E402
from eventsys.pdf import render_pdf  # noqa: E402

READERS = 8


def make_app(workdir: Path):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    return benchmark_app.make_app(workdir, SERVER_NAME=None, DOCUMENT_PREPARATION="background")


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def sign_in_page_latency(base: str, samples: int, busy: list[threading.Thread] | None = None):
    """Milliseconds per request of the sign-in page (median, worst, samples): `samples` in a
    row, or, given `busy` threads, one every quarter second for as long as any of them runs."""
    times = []
    while len(times) < samples if busy is None else any(thread.is_alive() for thread in busy):
        begun = time.perf_counter()
        status, _body = get(f"{base}/login")
        assert status == 200, status
        times.append((time.perf_counter() - begun) * 1000)
        if busy is not None:
            time.sleep(0.25)
    return statistics.median(times), max(times), len(times)


def while_running(work, base: str):
    """The sign-in page's latency while `work` runs in READERS threads, and the time the slowest
    thread took."""
    durations: list[float] = []

    def run() -> None:
        begun = time.perf_counter()
        work()
        durations.append(time.perf_counter() - begun)

    threads = [threading.Thread(target=run) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    latency = sign_in_page_latency(base, 0, threads)
    for thread in threads:
        thread.join()
    return latency, max(durations)


def worst_form_texts() -> dict[str, str]:
    words = "Lorem ipsum dolor sit amet, consetetur sadipscing elitr. " * 2000
    return {
        "prose": words[:MAX_MARKDOWN_LENGTH],
        "one-word list items": ("- a\n" * MAX_MARKDOWN_LENGTH)[:MAX_MARKDOWN_LENGTH],
        "table rows": ("|a|b|\n|-|-|\n" + "|x|y|\n" * MAX_MARKDOWN_LENGTH)[:MAX_MARKDOWN_LENGTH],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    options = parser.parse_args()
    samples = 20 if options.quick else 60

    with tempfile.TemporaryDirectory() as workdir:
        app = make_app(Path(workdir))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        app.config["SERVER_NAME"] = f"127.0.0.1:{server.server_port}"  # links in the mail
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with app.test_request_context():
            minutes = add_long_minutes()
            workflow.circulate(minutes, utcnow() + timedelta(days=7))
            db.session.commit()
            reader = db.session.scalars(
                sa.select(Expert)
                .join(Attendee, Attendee.expert_id == Expert.id)
                .where(Attendee.session_id == minutes.session_id)
                .order_by(Expert.id)
            ).first()
            reader_pdf = f"{base}/minutes/read/{make_reader_token(minutes, reader)}/minutes.pdf"
            content = snapshot.take(minutes)
            language = reader.language or "de"

        idle = sign_in_page_latency(base, samples)
        print(f"1. sign-in page, idle: median {idle[0]:.0f} ms, worst {idle[1]:.0f} ms")

        def render_directly() -> None:
            with app.test_request_context():
                document.minutes_pdf(content, language=language, approval=None)

        (median, worst, count), slowest = while_running(render_directly, base)
        print(
            f"2. while {READERS} renderings run in the server's process: median {median:.0f} "
            f"ms, worst {worst:.0f} ms ({count} samples); the last rendering took "
            f"{slowest:.1f} s"
        )

        first_pdf: list[float] = []
        begun = time.perf_counter()

        def keep_reading() -> None:
            for _ in range(40):
                status, body = get(reader_pdf)
                if status == 200:
                    assert body.startswith(b"%PDF")
                    first_pdf.append(time.perf_counter() - begun)
                    for _ in range(5):
                        get(reader_pdf)
                    return
                assert status == 202, status
                time.sleep(1)

        (median, worst, count), _slowest = while_running(keep_reading, base)
        with app.app_context():
            attempts = db.session.scalars(sa.select(PreparedDocument.attempts)).all()
        print(
            f"3. while {READERS} clients read the prepared draft: median {median:.0f} ms, "
            f"worst {worst:.0f} ms ({count} samples); renderings: {sum(attempts)}; "
            f"first PDF after {min(first_pdf):.1f} s"
        )
        server.shutdown()

        limit = app.config["PDF_TIME_LIMIT_SECONDS"]
        print(f"4. {MAX_MARKDOWN_LENGTH:,} characters in one text, limit {limit} s:")
        with app.test_request_context():
            for name, text in worst_form_texts().items():
                html = (
                    '<html lang="de"><head><title>t</title></head><body>'
                    f"{render_markdown(text)}</body></html>"
                )
                started = time.perf_counter()
                render_pdf(html)
                print(f"   {name}: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
