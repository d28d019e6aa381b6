"""Garbage collection between requests, not inside them, on CPython 3.11.

CPython 3.11 starts a collection of reference cycles from inside an allocation. One of those
allocations is the dictionary an object gets when it is given an attribute its class's shared
keys have no room for (`make_dict_from_instance_attributes`). If that collection frees an
object whose weak reference has a callback, and the callback sets an attribute on the very
object whose dictionary is being made, the object's attribute values are moved into a second
dictionary and freed while the first still uses them: the heap is corrupted, and the process
dies with a segmentation fault, later and elsewhere, often inside the next collection.

SQLAlchemy does exactly that: every loaded row's `InstanceState` has a weak reference to its
object with a callback (`InstanceState._cleanup`) that sets attributes on the state, and
objects in reference cycles (a session and its agenda items) are freed only by the collector.
On a database of national size the gunicorn workers died this way (bench/national.py). CPython
3.12 and later only schedule a collection from an allocation and run it between bytecodes,
where no attribute store is half done; earlier versions keep an object's attributes in its
dictionary from the start.

So on CPython 3.11 the web process does not collect by itself: automatic collection is switched
off when the first request arrives, and once a response has been sent the generations that
the thresholds say are due are collected, from Python code, where nothing is half done. Threads
of the process (mail delivery, PDF preparation) allocate under the same rule; their garbage is
collected after the next response. `COLLECT_GARBAGE_BETWEEN_REQUESTS` turns this on or off
(None: on CPython 3.11 only).
"""

import gc
import sys
from collections.abc import Callable, Iterable

from flask import Flask
from werkzeug.wsgi import ClosingIterator

# The interpreters whose collector can start inside an allocation that is rewriting an
# object's attributes (see the module's text).
AFFECTED_VERSIONS = {(3, 11)}


def needed_here() -> bool:
    return sys.version_info[:2] in AFFECTED_VERSIONS


def collect_if_due() -> int:
    """Collect the oldest generation whose count has passed its threshold, as the automatic
    collector would have; return how many unreachable objects were found (0: none was due)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            return gc.collect(generation)
    return 0


class CollectBetweenRequests:
    """WSGI middleware: no automatic collection in this process from the first request on;
    what is due is collected after each response has been sent."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        gc.disable()
        return ClosingIterator(self.wsgi_app(environ, start_response), collect_if_due)


def init_app(app: Flask) -> None:
    """Wrap the app so that garbage is collected between its requests, where needed (or as
    COLLECT_GARBAGE_BETWEEN_REQUESTS says)."""
    wanted = app.config.get("COLLECT_GARBAGE_BETWEEN_REQUESTS")
    if wanted is None:
        wanted = needed_here()
    if wanted:
        app.wsgi_app = CollectBetweenRequests(app.wsgi_app)
