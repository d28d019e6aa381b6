"""Every mapped class says what it is when printed: its own __repr__ naming the class."""

import importlib
import pkgutil

import eventsys
from eventsys.extensions import db


def _mapped_classes() -> list[type]:
    for module in pkgutil.walk_packages(eventsys.__path__, "eventsys."):
        if module.name.endswith(".models"):
            importlib.import_module(module.name)
    return sorted((mapper.class_ for mapper in db.Model.registry.mappers), key=str)


def test_the_registry_holds_every_model():
    names = {cls.__name__ for cls in _mapped_classes()}
    assert {"Expert", "Session", "Minutes", "ActionItem", "CharterVersion"} <= names


def test_every_model_defines_its_own_repr():
    missing = [cls.__name__ for cls in _mapped_classes() if "__repr__" not in vars(cls)]
    assert missing == []


def test_a_repr_names_the_class_and_its_identifying_fields(app):
    from eventsys.experts.models import Expert
    from eventsys.minutes.models import ActionItem

    expert = Expert(id=12, email="anna@example.org")
    item = ActionItem(id=3, topic_id=7, position=2)
    assert repr(expert) == "<Expert 12 anna@example.org>"
    assert repr(item) == "<ActionItem 3 2 in topic 7 open>"
