"""English for every test here, and factories for organisations and experts, made through the
services like real ones."""

import itertools

import pytest
from flask_babel import force_locale

from eventsys.experts import organisations, people
from eventsys.experts.models import Expert, Organisation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from tests.conftest import reading_english


@pytest.fixture(autouse=True)
def english(app):
    """Assert against the English source strings, whatever the German catalogue holds.

    Forcing the locale covers services called outside requests; the accounts' language covers
    requests, whichever application context they run in.
    """
    with force_locale("en"):
        yield


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@pytest.fixture
def make_organisation(app):
    numbers = itertools.count(1)

    def make(
        name: str | None = None,
        group: StakeholderGroup = StakeholderGroup.MUNICIPALITIES,
        country: str | None = None,
    ) -> Organisation:
        organisation = organisations.create_organisation(
            name or f"Organisation {next(numbers)}", group, country
        )
        db.session.commit()
        return organisation

    return make


@pytest.fixture
def make_expert(app, make_organisation):
    numbers = itertools.count(1)

    def make(
        first_name: str = "Anna",
        last_name: str | None = None,
        email: str | None = None,
        organisation: Organisation | None = None,
        **details,
    ) -> Expert:
        number = next(numbers)
        expert = people.create_expert(
            people.ExpertDetails(
                first_name=first_name,
                last_name=last_name or f"Expert{number:03d}",
                email=email or f"expert{number}@stadt.example",
                organisation=organisation or make_organisation(),
                **details,
            )
        )
        db.session.commit()
        return expert

    return make
