"""The test harness: one app per distinct configuration and process, and database states that
expensive fixtures build once and every later test restores.

Building the app (about 110 URL rules, every blueprint, the Jinja environment) took most of a
plain test's setup; here each configuration is built once per process, and what a test changes
on it (settings, request hooks, extension state) is put back afterwards. A test that adds URL
rules gets a new app next time, because Flask cannot take rules back.
"""

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from tests.support.databases import TestDatabase


def config_key(config: dict) -> str:
    """A stable key for a configuration (its values may be unhashable)."""
    return repr(sorted(config.items()))


@dataclass
class AppState:
    """What a test may change on a shared app, taken before the test to put back after it."""

    config: dict
    request_hooks: dict
    extensions: dict
    mail_state: dict
    rule_count: int

    @classmethod
    def of(cls, app: Flask) -> "AppState":
        mail = app.extensions.get("mail")
        return cls(
            config=copy.copy(dict(app.config)),
            request_hooks={
                name: copy.deepcopy(getattr(app, name))
                for name in (
                    "before_request_funcs",
                    "after_request_funcs",
                    "teardown_request_funcs",
                )
            },
            extensions=dict(app.extensions),
            mail_state=dict(vars(mail)) if mail is not None else {},
            rule_count=len(list(app.url_map.iter_rules())),
        )

    def put_back(self, app: Flask) -> bool:
        """Restore the app; False when it cannot be (URL rules were added)."""
        app.config.clear()
        app.config.update(self.config)
        for name, hooks in self.request_hooks.items():
            setattr(app, name, hooks)
        app.extensions.clear()
        app.extensions.update(self.extensions)
        if self.mail_state:
            vars(app.extensions["mail"]).update(self.mail_state)
        return len(list(app.url_map.iter_rules())) == self.rule_count


@dataclass
class DatabaseStates:
    """Named database states, built once per process by the first test that asks for one.

    `restore_or_build(name, build)`, in the test's app context, is for fixtures whose result
    depends only on the database as the earlier fixtures left it: the first time, `build()`
    runs and commits, and the database is saved; afterwards the saved database is restored and
    `build`'s result returned again. A state is kept per starting point: the rows the database
    held before (its fingerprint) and the settings that change what is written. Where mail
    leaves the process while building (a configured MAIL_SERVER: the SMTP server would miss
    it), `build()` simply runs every time.
    """

    database: TestDatabase
    results: dict[str, Any] = field(default_factory=dict)

    def restore_or_build(self, name: str, build: Callable[[], Any]) -> Any:
        """`build()`'s result, with the database as `build()` leaves it (see the class)."""
        return self.state(name, build).result

    def state(self, name: str, build: Callable[[], Any]) -> "BuiltState":
        """Like `restore_or_build`, and the state can be restored again later in the test."""
        from flask import current_app

        from eventsys.extensions import db

        app = current_app._get_current_object()
        if app.config.get("MAIL_SERVER"):
            return BuiltState(self, None, build())
        db.session.commit()
        with db.engine.connect() as connection:
            before = self.database.fingerprint(connection)
        # The same builder may start from different databases (other fixtures ran first): each
        # starting point has a state of its own.
        settings = config_key(_state_relevant_config(app)) + repr(before)
        key = f"{name}-{hashlib.sha256(settings.encode()).hexdigest()[:12]}"
        if key in self.results:
            # Objects the earlier fixtures hold stay usable: the commit above expired them, and
            # they load again from the restored rows, which have the same ids.
            self.database.restore(key, db.engine)
            return BuiltState(self, key, self.results[key])
        result = build()
        db.session.commit()
        self.database.save(key, db.engine)
        self.results[key] = result
        return BuiltState(self, key, result)


@dataclass
class BuiltState:
    states: DatabaseStates
    key: str | None  # None: not saved (built with mail leaving the process)
    result: Any

    def restore(self) -> None:
        """Put the database back as the state left it; RuntimeError if it was not saved."""
        from eventsys.extensions import db

        if self.key is None:
            raise RuntimeError("This state was built with a MAIL_SERVER and not saved.")
        db.session.commit()
        self.states.database.restore(self.key, db.engine)
        db.session.expire_all()


def _state_relevant_config(app: Flask) -> dict:
    """Settings that change what a builder writes (the language of texts, the link base)."""
    names = ("BABEL_DEFAULT_LOCALE", "SERVER_NAME", "PLATFORM_NAME", "SECRET_KEY")
    return {name: app.config.get(name) for name in names}
