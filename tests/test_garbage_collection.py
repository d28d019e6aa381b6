"""On CPython 3.11 the web app collects reference cycles after each response, never inside a
request (eventsys/garbage_collection.py): a collection that starts inside an attribute store
and runs a weak reference's callback on the same object corrupts the heap."""

import gc
import os
import subprocess
import sys
import textwrap
import weakref

import pytest

from eventsys import PROJECT_ROOT
from eventsys.garbage_collection import needed_here


@pytest.fixture
def app_config():
    return {"COLLECT_GARBAGE_BETWEEN_REQUESTS": True}


@pytest.fixture
def low_thresholds():
    """A collection is due after every allocation; the thresholds are put back afterwards."""
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(1, 1, 1)
    yield
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()


class Node:
    pass


def test_cycles_are_collected_after_the_response_not_during_the_request(client, low_thresholds):
    client.get("/login")
    assert not gc.isenabled()
    found = []
    node = Node()
    node.cycle = node  # only the cyclic collector frees it
    reference = weakref.ref(node, found.append)
    del node
    more = [[number] for number in range(1000)]  # allocations that would have collected it
    # (Each check keeps only a bool: an assertion's operands live on in its explanation.)
    alive_during_allocations = reference() is not None
    response = client.get("/login")
    alive_until_sent = reference() is not None
    response.close()  # as the server does once it has sent the response
    freed_once_sent = reference() is None
    assert response.status_code == 200
    assert alive_during_allocations
    assert alive_until_sent
    assert freed_once_sent
    assert len(found) == 1
    del more


@pytest.mark.parametrize("app_config", [{"COLLECT_GARBAGE_BETWEEN_REQUESTS": False}])
def test_without_the_setting_the_collector_is_left_alone(client, low_thresholds):
    gc.enable()
    client.get("/login")
    assert gc.isenabled()


# A request that sets, many times over, an attribute its class has no shared key for, while a
# collection is due and would free an object whose weak reference's callback writes to the
# same object: what SQLAlchemy's InstanceState does when a row's object dies in a cycle.
ATTRIBUTE_STORES_IN_A_REQUEST = textwrap.dedent(
    """
    import gc, sys, weakref
    sys.path.insert(0, {root!r})
    from eventsys import create_app
    from eventsys.access import public

    class State:
        pass

    filler = State()
    for number in range(30):  # all the shared keys the class gets
        setattr(filler, f"k{{number}}", None)

    class Instance:
        pass

    def store_while_a_collection_is_due():
        state, instance = State(), Instance()
        instance.cycle = instance

        def cleanup(reference, state=state):
            state.session_id = None

        state.k0 = weakref.ref(instance, cleanup)
        del instance
        gc.set_threshold(1)
        state.strong_obj = None  # makes the dictionary; a collection may start inside
        gc.set_threshold(700)

    app = create_app({{
        "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "COLLECT_GARBAGE_BETWEEN_REQUESTS": {guarded},
    }})

    @app.route("/stores")
    @public
    def stores():
        for _ in range(50):
            store_while_a_collection_is_due()
        return "stored"

    client = app.test_client()
    client.get("/login")  # a first request, as a worker has before any other
    for _ in range(3):
        assert client.get("/stores").text == "stored"
    print("survived")
    """
)


def run_stores(guarded: bool) -> subprocess.CompletedProcess:
    script = ATTRIBUTE_STORES_IN_A_REQUEST.format(root=str(PROJECT_ROOT), guarded=guarded)
    # Python's debugging allocator overwrites freed memory, so that a use after free fails at
    # once instead of by chance.
    environment = dict(os.environ, PYTHONMALLOC="debug", PYTHONFAULTHANDLER="1")
    return subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_attribute_stores_under_a_due_collection_do_not_crash_the_process():
    outcome = run_stores(guarded=True)
    assert outcome.returncode == 0, outcome.stderr[-3000:]
    assert outcome.stdout.strip() == "survived"


def test_without_the_guard_the_same_request_crashes_where_the_interpreter_needs_it():
    outcome = run_stores(guarded=False)
    if needed_here():
        assert outcome.returncode != 0
        assert "Fatal Python error" in outcome.stderr
    else:
        assert outcome.returncode == 0, outcome.stderr[-3000:]
