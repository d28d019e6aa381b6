"""The directory's services: what they save, what they refuse, what they record."""

from dataclasses import replace

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.experts import organisations, people, search, working_groups
from eventsys.experts.checks import DirectoryError
from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.experts.people import ExpertDetails
from eventsys.experts.search import ExpertSearch, ExpertStatus
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


@pytest.fixture
def city(make_organisation) -> Organisation:
    return make_organisation("Stadt Köln")


def details(organisation: Organisation, **changes) -> ExpertDetails:
    values = {
        "first_name": "Jürgen",
        "last_name": "Müller",
        "email": "juergen.mueller@stadt-koeln.example",
        "organisation": organisation,
    }
    return ExpertDetails(**(values | changes))


# --- experts ------------------------------------------------------------------------------------


def test_create_expert_stores_trimmed_lower_case_values_with_defaults(city):
    expert = people.create_expert(
        details(city, first_name="  Jürgen ", email="  Juergen.Mueller@Stadt-Koeln.EXAMPLE ")
    )
    db.session.commit()

    stored = db.session.get(Expert, expert.id)
    assert stored.first_name == "Jürgen"
    assert stored.email == "juergen.mueller@stadt-koeln.example"
    assert stored.timezone == "Europe/Berlin"
    assert stored.language == "de"
    assert stored.active is True
    assert stored.organisation is city


def test_create_expert_writes_the_new_values_to_the_audit_trail(city):
    expert = people.create_expert(details(city, function="Amtsleiter"))
    db.session.commit()

    [entry] = audit_entries("expert.created")
    assert entry.entity_type == "experts"
    assert entry.entity_id == expert.id
    assert entry.changes["email"] == [None, "juergen.mueller@stadt-koeln.example"]
    assert entry.changes["function"] == [None, "Amtsleiter"]
    assert entry.changes["organisation_id"] == [None, city.id]


@pytest.mark.parametrize(
    "email",
    [
        "juergen.mueller@stadt-koeln.example",
        "JUERGEN.MUELLER@STADT-KOELN.EXAMPLE",
        "Juergen.Mueller@stadt-koeln.example",
    ],
)
def test_duplicate_email_in_any_letter_case_is_refused_and_nothing_saved(city, email):
    people.create_expert(details(city))
    db.session.commit()

    with pytest.raises(DirectoryError, match="already exists") as refusal:
        people.create_expert(details(city, first_name="Other", email=email))
    assert refusal.value.field == "email"
    db.session.commit()
    assert count(Expert) == 1
    assert len(audit_entries("expert.created")) == 1


def test_duplicate_email_saved_by_a_concurrent_request_gets_the_same_message(city, monkeypatch):
    people.create_expert(details(city))
    db.session.commit()
    # As if another request saved the address between this one's check and its insert.
    monkeypatch.setattr(people, "find_expert_by_email", lambda email: None)

    with pytest.raises(DirectoryError, match="already exists") as refusal:
        people.create_expert(
            details(city, first_name="Other", email="JUERGEN.mueller@stadt-koeln.example")
        )

    assert refusal.value.field == "email"
    # The savepoint kept the session usable: it can still read and commit.
    assert count(Expert) == 1
    db.session.commit()
    assert count(Expert) == 1


def test_email_taken_concurrently_on_update_leaves_the_expert_unchanged(
    city, make_expert, monkeypatch
):
    make_expert(email="first@stadt.example", organisation=city)
    second = make_expert(email="second@stadt.example", organisation=city, function="Referentin")
    monkeypatch.setattr(people, "find_expert_by_email", lambda email: None)

    with pytest.raises(DirectoryError, match="already exists"):
        people.update_expert(
            second,
            replace(ExpertDetails.of(second), email="first@stadt.example", function="Leiterin"),
        )
    db.session.commit()
    db.session.expire_all()

    stored = db.session.get(Expert, second.id)
    assert (stored.email, stored.function) == ("second@stadt.example", "Referentin")
    assert audit_entries("expert.updated") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "x" * 101, "at most 100 characters"),
        ("last_name", "x" * 101, "at most 100 characters"),
        ("title", "x" * 51, "at most 50 characters"),
        ("function", "x" * 201, "at most 200 characters"),
        ("email", "a" * 250 + "@stadt.example", "at most 254 characters"),
        ("first_name", "Anna\r\nBcc: everyone@example.org", "one line"),
        ("last_name", "Mül\nler", "one line"),
        ("function", "Leiterin\tAmt", "one line"),
        ("title", "Dr.\rmed.", "one line"),
        ("first_name", "   ", "fill in"),
        ("email", "not-an-address", "not a valid e-mail address"),
        ("timezone", "Europe/Bonn", "Unknown time zone"),
        ("timezone", "", "Unknown time zone"),
        ("language", "fr", "German or English"),
    ],
)
def test_unacceptable_values_are_refused_and_nothing_saved(city, field, value, message):
    with pytest.raises(DirectoryError, match=message) as refusal:
        people.create_expert(details(city, **{field: value}))
    assert refusal.value.field == field
    db.session.commit()
    assert count(Expert) == 0


def test_an_expert_without_organisation_is_refused(app):
    with pytest.raises(DirectoryError, match="organisation") as refusal:
        people.create_expert(details(None))
    assert refusal.value.field == "organisation_id"


def test_update_records_old_and_new_values_of_what_changed(city, make_expert, make_organisation):
    expert = make_expert(organisation=city, function="Referentin", timezone="Europe/Berlin")
    deputy = make_expert(first_name="Bernd", organisation=city)
    ministry = make_organisation("Bundesministerium", StakeholderGroup.FEDERAL_MINISTRIES)

    changes = people.update_expert(
        expert,
        replace(
            ExpertDetails.of(expert),
            function="Leiterin",
            organisation=ministry,
            deputy=deputy,
            timezone="America/Toronto",
        ),
    )
    db.session.commit()

    assert changes == {
        "function": ["Referentin", "Leiterin"],
        "organisation_id": [city.id, ministry.id],
        "deputy_id": [None, deputy.id],
        "timezone": ["Europe/Berlin", "America/Toronto"],
    }
    [entry] = audit_entries("expert.updated")
    assert entry.entity_id == expert.id
    assert entry.changes == changes


def test_an_update_that_changes_nothing_records_nothing(city, make_expert):
    expert = make_expert(organisation=city)
    assert people.update_expert(expert, ExpertDetails.of(expert)) == {}
    assert audit_entries("expert.updated") == []


def test_an_expert_cannot_be_their_own_deputy(city, make_expert):
    expert = make_expert(organisation=city)
    with pytest.raises(DirectoryError, match="own deputy") as refusal:
        people.update_expert(expert, replace(ExpertDetails.of(expert), deputy=expert))
    assert refusal.value.field == "deputy_id"
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Expert, expert.id).deputy_id is None


def test_deactivate_and_reactivate_are_recorded_once(city, make_expert):
    expert = make_expert(organisation=city)

    assert people.deactivate_expert(expert) is True
    assert people.deactivate_expert(expert) is False
    db.session.commit()
    assert db.session.get(Expert, expert.id).active is False
    [entry] = audit_entries("expert.deactivated")
    assert entry.changes == {"active": [True, False]}

    assert people.reactivate_expert(expert) is True
    assert people.reactivate_expert(expert) is False
    db.session.commit()
    assert db.session.get(Expert, expert.id).active is True
    assert len(audit_entries("expert.reactivated")) == 1


def test_deputy_candidates_are_active_experts_but_never_the_expert(city, make_expert):
    expert = make_expert(organisation=city, last_name="A")
    active = make_expert(organisation=city, last_name="B")
    inactive = make_expert(organisation=city, last_name="C")
    people.deactivate_expert(inactive)
    db.session.commit()

    assert people.deputy_candidates(expert) == [active]
    people.update_expert(expert, replace(ExpertDetails.of(expert), deputy=active))
    people.deactivate_expert(active)
    db.session.commit()
    # A deputy who has since left is still offered, so that saving does not drop them silently.
    assert people.deputy_candidates(expert) == [active]
    assert people.experts_represented_by(active) == [expert]


# --- organisations ------------------------------------------------------------------------------


def test_international_partner_without_country_is_refused(app):
    with pytest.raises(DirectoryError, match="country") as refusal:
        organisations.create_organisation("Aarhus Kommune", StakeholderGroup.INTERNATIONAL_PARTNERS)
    assert refusal.value.field == "country"
    db.session.commit()
    assert count(Organisation) == 0


def test_international_partner_with_country_is_saved_and_recorded(app):
    organisation = organisations.create_organisation(
        "Aarhus Kommune", StakeholderGroup.INTERNATIONAL_PARTNERS, "dk"
    )
    db.session.commit()
    assert organisation.country == "DK"
    [entry] = audit_entries("organisation.created")
    assert entry.changes["stakeholder_group"] == [None, "international_partners"]
    assert entry.changes["country"] == [None, "DK"]


def test_unknown_country_code_is_refused(app):
    with pytest.raises(DirectoryError, match="country code"):
        organisations.create_organisation("Nowhere", StakeholderGroup.INTERNATIONAL_PARTNERS, "XX")


def test_organisation_names_are_unique_regardless_of_case(make_organisation):
    make_organisation("Stadt Köln")
    with pytest.raises(DirectoryError, match="already exists"):
        organisations.create_organisation("STADT KÖLN", StakeholderGroup.MUNICIPALITIES)


def test_organisation_name_taken_concurrently_is_refused_cleanly(make_organisation, monkeypatch):
    make_organisation("Stadt Köln")
    monkeypatch.setattr(organisations, "find_organisation_by_name", lambda name: None)
    with pytest.raises(DirectoryError, match="already exists"):
        organisations.create_organisation("Stadt Köln", StakeholderGroup.MUNICIPALITIES)
    db.session.commit()
    assert count(Organisation) == 1


def test_update_organisation_records_changes(make_organisation):
    organisation = make_organisation("Stadt Koeln")
    changes = organisations.update_organisation(
        organisation, "Stadt Köln", StakeholderGroup.MUNICIPALITIES, None
    )
    db.session.commit()
    assert changes == {"name": ["Stadt Koeln", "Stadt Köln"]}
    assert audit_entries("organisation.updated")[0].changes == changes


def test_changing_an_organisation_to_partner_needs_a_country(make_organisation):
    organisation = make_organisation("Aarhus Kommune")
    with pytest.raises(DirectoryError, match="country"):
        organisations.update_organisation(
            organisation, "Aarhus Kommune", StakeholderGroup.INTERNATIONAL_PARTNERS, ""
        )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).stakeholder_group is (
        StakeholderGroup.MUNICIPALITIES
    )


def test_organisations_with_counts_counts_active_and_inactive(make_organisation, make_expert):
    city = make_organisation("Stadt Köln")
    empty = make_organisation("Zweckverband")
    make_expert(organisation=city)
    people.deactivate_expert(make_expert(organisation=city))
    db.session.commit()
    assert organisations.organisations_with_counts() == [(city, 1, 1), (empty, 0, 0)]


# --- working groups -----------------------------------------------------------------------------


def test_working_group_members_are_set_and_recorded(city, make_expert):
    first = make_expert(organisation=city, last_name="Albers")
    second = make_expert(organisation=city, last_name="Brandt")
    group = working_groups.create_working_group("Daten", "Datenstrategien", [first])
    db.session.commit()
    assert audit_entries("working_group.created")[0].changes["members"] == [None, [first.id]]

    changes = working_groups.set_working_group_members(group, [second, first, second])
    db.session.commit()
    db.session.expire_all()

    assert sorted(changes["members"][1]) == sorted([first.id, second.id])
    assert [member.id for member in db.session.get(WorkingGroup, group.id).members] == [
        first.id,
        second.id,
    ]
    assert len(audit_entries("working_group.members_changed")) == 1


def test_update_working_group_changes_name_and_members(city, make_expert):
    member = make_expert(organisation=city)
    group = working_groups.create_working_group("Mobilitat", "", [member])
    db.session.commit()

    changes = working_groups.update_working_group(group, "Mobilität", "Verkehrswende", [])
    db.session.commit()

    assert changes == {
        "name": ["Mobilitat", "Mobilität"],
        "description": ["", "Verkehrswende"],
        "members": [[member.id], []],
    }
    assert audit_entries("working_group.updated")[0].changes == changes


def test_working_group_names_are_unique_regardless_of_case(app):
    working_groups.create_working_group("Daten")
    db.session.commit()
    with pytest.raises(DirectoryError, match="already exists"):
        working_groups.create_working_group("  DATEN ")
    with pytest.raises(DirectoryError, match="one line"):
        working_groups.create_working_group("Daten\nund mehr")


# --- the directory search -----------------------------------------------------------------------


@pytest.fixture
def directory(make_organisation, make_expert):
    """A small directory: two cities, a ministry and a partner; one inactive expert."""
    cologne = make_organisation("Stadt Köln")
    ulm = make_organisation("Stadt Ulm")
    ministry = make_organisation(
        "Bundesministerium für Wohnen", StakeholderGroup.FEDERAL_MINISTRIES
    )
    aarhus = make_organisation("Aarhus Kommune", StakeholderGroup.INTERNATIONAL_PARTNERS, "DK")
    experts = {
        "mueller": make_expert(
            "Jürgen", "Müller", "j.mueller@koeln.example", cologne, function="Amtsleiter"
        ),
        "schmidt": make_expert(
            "Petra", "Schmidt", "p.schmidt@ulm.example", ulm, function="Digitallotsin"
        ),
        "weber": make_expert(
            "Anna", "Weber", "a.weber@bmwsb.example", ministry, function="Referatsleiterin"
        ),
        "berg": make_expert("Søren", "Berg", "s.berg@aarhus.example", aarhus, function="CDO"),
        "alt": make_expert("Karl", "Alt", "k.alt@koeln.example", cologne, function="100%_Rentner"),
    }
    data = working_groups.create_working_group(
        "Daten", members=[experts["mueller"], experts["berg"]]
    )
    people.deactivate_expert(experts["alt"])
    db.session.commit()
    return {"experts": experts, "cologne": cologne, "ministry": ministry, "data": data}


def found(criteria: ExpertSearch) -> list[str]:
    return [expert.last_name for expert in search.search_experts(criteria, page=1).items]


def test_search_lists_active_experts_by_last_name(directory):
    assert found(ExpertSearch()) == ["Berg", "Müller", "Schmidt", "Weber"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weber", ["Weber"]),  # last name, any case
        ("PETRA", ["Schmidt"]),  # first name
        ("koeln.example", ["Müller"]),  # e-mail address
        ("Digitallotsin", ["Schmidt"]),  # function
        ("Stadt", ["Müller", "Schmidt"]),  # organisation
        ("stadt ulm", ["Schmidt"]),  # every word must match
        ("Petra Weber", []),
    ],
)
def test_free_text_search(directory, text, expected):
    assert found(ExpertSearch(text=text)) == expected


@pytest.mark.parametrize("text", ["%", "_", "0%_R"])
def test_percent_and_underscore_are_searched_for_literally(directory, text):
    # Only Karl Alt's function ("100%_Rentner") contains them; as wildcards they would match all.
    assert found(ExpertSearch(text=text, status=ExpertStatus.ALL)) == ["Alt"]


def test_filters(directory):
    assert found(ExpertSearch(stakeholder_group=StakeholderGroup.FEDERAL_MINISTRIES)) == ["Weber"]
    assert found(ExpertSearch(organisation_id=directory["cologne"].id)) == ["Müller"]
    assert found(ExpertSearch(working_group_id=directory["data"].id)) == ["Berg", "Müller"]
    assert found(ExpertSearch(status=ExpertStatus.INACTIVE)) == ["Alt"]
    assert found(ExpertSearch(status=ExpertStatus.ALL)) == [
        "Alt",
        "Berg",
        "Müller",
        "Schmidt",
        "Weber",
    ]
    assert found(
        ExpertSearch(organisation_id=directory["cologne"].id, status=ExpertStatus.ALL, text="100%")
    ) == ["Alt"]


def test_search_is_paginated(directory):
    first = search.search_experts(ExpertSearch(status=ExpertStatus.ALL), page=1, per_page=2)
    third = search.search_experts(ExpertSearch(status=ExpertStatus.ALL), page=3, per_page=2)
    assert first.total == 5
    assert [expert.last_name for expert in first.items] == ["Alt", "Berg"]
    assert [expert.last_name for expert in third.items] == ["Weber"]


def test_count_experts_by_status(directory):
    assert search.count_experts_by_status() == {
        ExpertStatus.ACTIVE: 4,
        ExpertStatus.INACTIVE: 1,
        ExpertStatus.ALL: 5,
    }
