"""Rendering with a time limit that really stops the work.

WeasyPrint cannot be interrupted inside a thread, so `render_pdf_within` renders in a child
process and kills it when the limit is over. Children are forked from a small server process
that has imported WeasyPrint once (multiprocessing's "forkserver" context): a fork of the web
process itself could inherit locks held by its other threads, and a fresh interpreter per PDF
would spend a second importing WeasyPrint.

In a daemonic process (a Celery prefork worker) no child may be started; there the rendering
runs in the process itself and the caller's own limit (the task's `time_limit`) applies.
"""

import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from eventsys.pdf.rendering import PdfRenderingError, render_pdf

# The child imports this module anew in the forkserver; it is light, WeasyPrint is the weight,
# so the server imports WeasyPrint (which `rendering` imports only when it renders) once.
_PRELOADED_MODULES = ["eventsys.pdf.rendering", "eventsys.pdf.fetcher", "weasyprint"]
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(_PRELOADED_MODULES)


class RenderingTimedOut(PdfRenderingError):
    """The rendering took longer than its time limit and was stopped."""


def render_pdf_within(seconds: float, html: str, **options: Any) -> bytes:
    """`render_pdf(html, **options)`, stopped after `seconds`.

    Raises RenderingTimedOut when the limit is over, the PdfRenderingError the rendering
    raised, or PdfRenderingError when the child process died without an answer.
    """
    return run_within(seconds, render_pdf, html, **options)


def run_within(seconds: float, function: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes:
    """`function(*args, **kwargs)` in a child process, stopped after `seconds`. The function
    must be importable by its name (a module-level function) and return bytes."""
    if multiprocessing.current_process().daemon:
        return function(*args, **kwargs)
    receiving, sending = _context.Pipe(duplex=False)
    child = _context.Process(
        target=_run_and_send, args=(sending, function, args, kwargs), name="pdf-rendering"
    )
    child.start()
    sending.close()  # the child holds its own end; ours would keep the pipe from ever closing
    deadline = time.monotonic() + seconds
    try:
        if not receiving.poll(max(deadline - time.monotonic(), 0)):
            raise RenderingTimedOut(f"the rendering took longer than {seconds:g} seconds")
        try:
            outcome, value = receiving.recv()
        except EOFError as error:
            raise PdfRenderingError("the rendering process ended without a result") from error
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
        child.close()
    if outcome == "error":
        raise value
    return value


def _run_and_send(sending: Connection, function: Callable[..., bytes], args, kwargs) -> None:
    try:
        result: tuple[str, Any] = ("pdf", function(*args, **kwargs))
    except PdfRenderingError as error:
        result = ("error", error)
    except Exception as error:  # the parent reports it; the child has nobody else to tell
        result = ("error", PdfRenderingError(f"{type(error).__name__}: {error}"))
    sending.send(result)
    sending.close()
