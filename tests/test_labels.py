"""Every labelled enum keeps its stored values and gives each member a translated title."""

import enum
import importlib
import pkgutil

import pytest
from flask_babel import force_locale

import eventsys
from eventsys.invitations.states import Response
from eventsys.labels import LabelledEnum
from eventsys.roles import Role


def _labelled_enums() -> list[type[LabelledEnum]]:
    for module in pkgutil.walk_packages(eventsys.__path__, "eventsys."):
        importlib.import_module(module.name)
    found, pending = [], list(LabelledEnum.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: cls.__qualname__)


def test_members_are_their_values_and_are_found_by_them():
    assert Response.ACCEPTED == "accepted"
    assert Response("accepted") is Response.ACCEPTED
    assert Response.DELEGATED.partstat == "DELEGATED"
    assert isinstance(Role.ADMIN, enum.StrEnum) and str(Role.ADMIN) == "admin"


def test_labels_are_translated_when_read(app):
    with app.test_request_context():
        with force_locale("en"):
            assert Response.ACCEPTED.label == "Accepted"
        with force_locale("de"):
            assert Response.ACCEPTED.label not in ("", "Accepted")


def test_a_member_without_a_title_is_refused():
    with pytest.raises(TypeError):

        class Untitled(LabelledEnum):
            ONE = "one"


@pytest.mark.parametrize("labelled", _labelled_enums(), ids=lambda cls: cls.__qualname__)
def test_every_member_has_a_title(app, labelled):
    with app.test_request_context(), force_locale("en"):
        labels = [member.label for member in labelled]
    assert labels and all(isinstance(label, str) and label.strip() for label in labels)


def test_a_lazy_label_is_translated_where_it_is_shown(app):
    with app.test_request_context():
        with force_locale("de"):
            lazy = Response.ACCEPTED.lazy_label
        with force_locale("en"):
            assert str(lazy) == "Accepted"
