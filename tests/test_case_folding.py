"""Search boxes ignore case in every alphabet, on SQLite as on PostgreSQL."""

import sqlalchemy as sa

from eventsys.database import contains_ignoring_case
from eventsys.experts.models import Expert, Organisation
from eventsys.experts.search import ExpertSearch, search_experts
from eventsys.extensions import db
from tests.sessions.factories import make_expert, make_organisation


def test_capitals_find_umlauts_and_lower_case_finds_capitals(app):
    organisation = make_organisation("Stadt Köln")
    make_expert("Jürgen", "Müller", organisation)
    make_expert("Ölgün", "Özdemir", organisation)
    make_expert("Anna", "Schmidt", organisation)
    db.session.commit()

    def found(text: str) -> list[str]:
        return [expert.last_name for expert in search_experts(ExpertSearch(text=text), 1).items]

    assert found("MÜLLER") == ["Müller"]
    assert found("özdemir") == ["Özdemir"]
    assert found("ÖLGÜN ÖZ") == ["Özdemir"]
    assert found("KÖLN") == ["Müller", "Özdemir", "Schmidt"]
    assert found("100%") == []  # a typed % is no wildcard


def test_percent_and_underscore_mean_themselves(app):
    organisation = make_organisation("Amt_für 100% Daten")
    make_expert("Anna", "Schmidt", organisation)
    db.session.commit()
    query = sa.select(sa.func.count(Expert.id)).join(Expert.organisation)
    assert db.session.scalar(query.where(contains_ignoring_case(Organisation.name, "T_F"))) == 1
    assert db.session.scalar(query.where(contains_ignoring_case(Organisation.name, "0% d"))) == 1
    assert db.session.scalar(query.where(contains_ignoring_case(Organisation.name, "t%d"))) == 0
