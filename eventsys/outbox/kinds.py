"""What each kind of mail is called where people see it (the outbox, an invitation's mail log).

Mail is stored with its kind as a code ("deadline_reminder"); the feature that sends it names
it here, in words the reader's language translates. Queueing mail of a kind without a name is
refused, so that no code reaches a page.
"""

from collections.abc import Mapping

from flask_babel.speaklater import LazyString

_names: dict[str, LazyString | str] = {}


def name_kinds(names: Mapping[str, LazyString | str]) -> None:
    """Declare what mail of each kind is called (lazy translations: read when shown)."""
    _names.update(names)


def require_name(kind: str) -> None:
    if kind not in _names:
        raise LookupError(f"mail of kind {kind!r} has no name: declare it with name_kinds")


def kind_name(kind: str) -> str:
    """The kind's name in the current language (the code itself only for mail stored before
    its kind was named, which a test keeps from happening)."""
    name = _names.get(kind)
    return str(name) if name is not None else kind


def named_kinds() -> frozenset[str]:
    return frozenset(_names)
