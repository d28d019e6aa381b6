"""`render_pdf_within`: the PDF from a child process, the child stopped when the limit is over,
the renderer's own errors passed on."""

import time

import pytest

from eventsys.pdf import MAX_HTML_LENGTH, DocumentTooLarge
from eventsys.pdf.time_limit import RenderingTimedOut, render_pdf_within, run_within


def sleep_then_answer(seconds: float) -> bytes:
    """A rendering made slow on purpose; runs in the child process."""
    time.sleep(seconds)
    return b"too late"


def test_the_pdf_comes_back_from_the_child_process():
    pdf = render_pdf_within(60, "<html lang='de'><body><p>Protokoll</p></body></html>")
    assert pdf.startswith(b"%PDF-")


def test_a_rendering_over_the_limit_is_stopped():
    started = time.monotonic()
    with pytest.raises(RenderingTimedOut, match=r"longer than 0\.5 seconds"):
        run_within(0.5, sleep_then_answer, 30)
    assert time.monotonic() - started < 20  # stopped, not waited for


def test_the_renderers_own_errors_reach_the_caller():
    with pytest.raises(DocumentTooLarge):
        render_pdf_within(60, "x" * (MAX_HTML_LENGTH + 1))
