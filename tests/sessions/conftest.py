"""Fixtures for the session tests: presenters from the directory and English pages.

Messages are checked on English pages, so that they hold once the German catalogue translates
them; dates and times are checked on German pages, where the users expect 23.11.2026, 14:00 Uhr.
"""

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from eventsys.experts.models import Expert
from eventsys.extensions import db
from tests.sessions.factories import make_expert, make_organisation


@dataclass
class Presenters:
    anna: Expert
    bernd: Expert
    retired: Expert


@pytest.fixture
def presenters(app) -> Presenters:
    ulm = make_organisation("Stadt Ulm")
    bbsr = make_organisation("BBSR")
    people = Presenters(
        anna=make_expert("Anna", "Schmidt", ulm, title="Dr."),
        bernd=make_expert("Bernd", "Vogel", bbsr),
        retired=make_expert("Carla", "Alt", bbsr, active=False),
    )
    db.session.commit()
    return people


def switch_to_english(client: FlaskClient) -> FlaskClient:
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 302
    return client


@pytest.fixture
def english_organiser(organiser_client) -> FlaskClient:
    return switch_to_english(organiser_client)
