"""The directory's pages: forms, refusals, filters, access and query counts."""

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.experts import people, working_groups
from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from tests.conftest import page_text


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def expert_form(organisation: Organisation, **changes) -> dict:
    values = {
        "title": "Dr.",
        "first_name": "Jürgen",
        "last_name": "Müller",
        "email": "juergen.mueller@stadt-koeln.example",
        "organisation_id": str(organisation.id),
        "function": "Leiter des Amts für Straßen und Verkehr",
        "language": "de",
        "timezone": "Europe/Berlin",
        "deputy_id": "",
    }
    return values | changes


@pytest.fixture
def city(make_organisation) -> Organisation:
    return make_organisation("Stadt Köln")


# --- creating and editing experts ---------------------------------------------------------------


def test_organiser_adds_an_expert(organiser_client, city, staff):
    form_page = organiser_client.get("/experts/new")
    assert form_page.status_code == 200
    assert "Stadt Köln" in page_text(form_page)

    response = organiser_client.post("/experts/new", data=expert_form(city))

    expert = db.session.scalar(sa.select(Expert))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/experts/{expert.id}")
    assert (expert.title, expert.first_name, expert.last_name) == ("Dr.", "Jürgen", "Müller")
    assert expert.organisation_id == city.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "expert.created"))
    assert entry.actor_label == staff.organiser.email
    detail = organiser_client.get(f"/experts/{expert.id}")
    assert "Dr. Jürgen Müller" in page_text(detail)
    assert "Leiter des Amts für Straßen und Verkehr" in page_text(detail)


@pytest.mark.parametrize(
    "email",
    ["juergen.mueller@stadt-koeln.example", "Juergen.Mueller@Stadt-Koeln.EXAMPLE"],
)
def test_a_taken_email_address_is_refused_on_the_form(organiser_client, city, make_expert, email):
    make_expert(email="juergen.mueller@stadt-koeln.example", organisation=city)

    response = organiser_client.post("/experts/new", data=expert_form(city, email=email))

    assert response.status_code == 200
    assert "An expert with this e-mail address already exists" in page_text(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count(Expert) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "J" * 101, "longer than 100 characters"),
        ("last_name", "M" * 101, "longer than 100 characters"),
        ("title", "D" * 51, "longer than 50 characters"),
        ("function", "F" * 201, "longer than 200 characters"),
        ("first_name", "Jürgen\r\nBcc: everyone@example.org", "fit on one line"),
        ("last_name", "Müller\nX-Header: injected", "fit on one line"),
        ("function", "Leiter\rAmt", "fit on one line"),
        ("title", "Dr.\nmed.", "fit on one line"),
        ("timezone", "Europe/Bonn", "Please choose a time zone from the list."),
        ("email", "not an address", "Invalid email address"),
        ("language", "fr", "Not a valid choice"),
        ("organisation_id", "", "This field is required"),
        ("organisation_id", "9999", "Not a valid choice"),
    ],
)
def test_unacceptable_input_is_refused_and_nothing_saved(
    organiser_client, city, field, value, message
):
    response = organiser_client.post("/experts/new", data=expert_form(city, **{field: value}))

    assert response.status_code == 200
    assert message in page_text(response)
    assert count(Expert) == 0


def test_organiser_edits_an_expert_and_the_audit_trail_has_old_and_new(
    organiser_client, city, make_expert
):
    expert = make_expert(organisation=city, function="Referentin")
    deputy = make_expert(first_name="Bernd", last_name="Brandt", organisation=city)

    response = organiser_client.post(
        f"/experts/{expert.id}/edit",
        data=expert_form(
            city,
            first_name=expert.first_name,
            last_name=expert.last_name,
            email=expert.email.upper(),
            function="Leiterin",
            deputy_id=str(deputy.id),
            timezone="America/Toronto",
            language="en",
            title="",
        ),
    )

    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Expert, expert.id)
    assert (stored.function, stored.deputy_id, stored.timezone, stored.language) == (
        "Leiterin",
        deputy.id,
        "America/Toronto",
        "en",
    )
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "expert.updated"))
    assert entry.changes["function"] == ["Referentin", "Leiterin"]
    assert entry.changes["deputy_id"] == [None, deputy.id]
    assert "email" not in entry.changes  # only the letter case differed

    detail = page_text(organiser_client.get(f"/experts/{expert.id}"))
    assert "Bernd Brandt" in detail
    represented = page_text(organiser_client.get(f"/experts/{deputy.id}"))
    assert f"Deputy for {expert.full_name}" in represented


def test_the_edit_form_does_not_offer_the_expert_as_their_own_deputy(
    organiser_client, city, make_expert
):
    expert = make_expert(organisation=city)
    form_page = organiser_client.get(f"/experts/{expert.id}/edit")
    assert f'value="{expert.id}"' not in form_page.get_data(as_text=True).split('id="deputy_id"')[1]

    response = organiser_client.post(
        f"/experts/{expert.id}/edit",
        data=expert_form(
            city,
            first_name=expert.first_name,
            last_name=expert.last_name,
            email=expert.email,
            deputy_id=str(expert.id),
        ),
    )

    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Expert, expert.id).deputy_id is None


def test_deactivate_and_reactivate_via_the_detail_page(organiser_client, make_expert):
    expert = make_expert()

    response = organiser_client.post(f"/experts/{expert.id}/deactivate", follow_redirects=True)
    assert response.status_code == 200
    text = page_text(response)
    assert "has been deactivated" in text
    assert "This expert is inactive" in text
    assert "Reactivate" in text
    db.session.expire_all()
    assert db.session.get(Expert, expert.id).active is False
    assert expert.last_name not in page_text(organiser_client.get("/experts/"))

    response = organiser_client.post(f"/experts/{expert.id}/reactivate", follow_redirects=True)
    assert "is active again" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Expert, expert.id).active is True


@pytest.mark.parametrize(
    "path",
    [
        "/experts/999/deactivate",
        "/experts/999/reactivate",
        "/experts/999/edit",
        "/experts/organisations/999/edit",
        "/experts/groups/999/edit",
    ],
)
def test_changing_a_missing_record_gives_404(organiser_client, path):
    assert organiser_client.post(path).status_code == 404


@pytest.mark.parametrize("path", ["/experts/999", "/experts/groups/999"])
def test_reading_a_missing_record_gives_404(secretariat_client, path):
    assert secretariat_client.get(path).status_code == 404


# --- the directory ------------------------------------------------------------------------------


@pytest.fixture
def directory(make_organisation, make_expert):
    cologne = make_organisation("Stadt Köln")
    ministry = make_organisation("Bundesministerium", StakeholderGroup.FEDERAL_MINISTRIES)
    make_expert("Jürgen", "Müller", "j.mueller@koeln.example", cologne)
    weber = make_expert("Anna", "Weber", "a.weber@bund.example", ministry, function="Referentin")
    alt = make_expert("Karl", "Alt", "k.alt@koeln.example", cologne)
    group = working_groups.create_working_group("Daten und Plattformen", members=[weber])
    people.deactivate_expert(alt)
    db.session.commit()
    return {"cologne": cologne, "ministry": ministry, "group": group}


def listed(client, query: str = "") -> str:
    response = client.get(f"/experts/{query}")
    assert response.status_code == 200
    return page_text(response)


def test_the_directory_lists_active_experts_with_counts(secretariat_client, directory):
    text = listed(secretariat_client)
    assert "Müller, Jürgen" in text
    assert "Weber, Anna" in text
    assert "Alt, Karl" not in text
    assert "2 experts found" in text
    assert "In the directory: 2 active, 1 inactive." in text
    assert text.index("Müller, Jürgen") < text.index("Weber, Anna")


def test_the_directory_filters(secretariat_client, directory):
    assert "Weber, Anna" not in listed(secretariat_client, "?q=koeln")
    assert "Müller, Jürgen" in listed(secretariat_client, "?q=koeln")
    assert "Müller, Jürgen" not in listed(secretariat_client, "?q=Referentin")
    assert "Müller, Jürgen" not in listed(
        secretariat_client, "?stakeholder_group=federal_ministries"
    )
    assert "Weber, Anna" in listed(secretariat_client, "?stakeholder_group=federal_ministries")
    cologne = listed(secretariat_client, f"?organisation={directory['cologne'].id}&status=all")
    assert "Müller, Jürgen" in cologne
    assert "Alt, Karl" in cologne
    assert "Weber, Anna" not in cologne
    in_group = listed(secretariat_client, f"?working_group={directory['group'].id}")
    assert "Weber, Anna" in in_group
    assert "Müller, Jürgen" not in in_group
    inactive = listed(secretariat_client, "?status=inactive")
    assert "Alt, Karl" in inactive
    assert "Weber, Anna" not in inactive


@pytest.mark.parametrize(
    "query",
    ["?status=bogus", "?organisation=abc", "?working_group=-1", "?stakeholder_group=x", "?page=x"],
)
def test_nonsense_filters_are_ignored(secretariat_client, directory, query):
    text = listed(secretariat_client, query)
    assert "Müller, Jürgen" in text
    assert "Weber, Anna" in text


def test_the_directory_pages(admin_client, make_organisation, make_expert):
    organisation = make_organisation()
    for number in range(55):
        make_expert(last_name=f"Name{number:02d}", organisation=organisation)

    first = listed(admin_client)
    second = listed(admin_client, "?page=2")

    assert "Name49" in first
    assert "Name50" not in first
    assert "Name50" in second
    assert "Name54" in second
    assert "Page 2 of 2" in second
    assert "55 experts found" in second


def add_experts(make_expert, organisations, groups, how_many: int) -> None:
    for number in range(how_many):
        expert = make_expert(organisation=organisations[number % len(organisations)])
        working_groups.set_working_group_members(
            groups[number % len(groups)], [*groups[number % len(groups)].members, expert]
        )
    db.session.commit()


def test_the_directory_needs_as_many_queries_for_50_experts_as_for_5(
    admin_client, make_organisation, make_expert, count_queries
):
    organisations = [make_organisation() for _ in range(5)]
    groups = [working_groups.create_working_group(f"Gruppe {number}") for number in range(3)]
    db.session.commit()

    add_experts(make_expert, organisations, groups, 5)
    with count_queries() as few:
        response = admin_client.get("/experts/")
    assert "5 experts found" in page_text(response)

    add_experts(make_expert, organisations, groups, 45)
    with count_queries() as many:
        response = admin_client.get("/experts/")
    assert "50 experts found" in page_text(response)
    assert "Gruppe 2" in page_text(response)

    assert many.count == few.count, many.statements


# --- organisations ------------------------------------------------------------------------------


def test_organiser_adds_and_edits_an_organisation(organiser_client):
    response = organiser_client.post(
        "/experts/organisations/new",
        data={
            "name": "Aarhus Kommune",
            "stakeholder_group": "international_partners",
            "country": "DK",
        },
    )
    assert response.status_code == 302
    organisation = db.session.scalar(sa.select(Organisation))
    assert (organisation.name, organisation.country) == ("Aarhus Kommune", "DK")

    listing = page_text(organiser_client.get("/experts/organisations"))
    assert "Aarhus Kommune" in listing
    assert "International partners" in listing

    response = organiser_client.post(
        f"/experts/organisations/{organisation.id}/edit",
        data={"name": "Aarhus", "stakeholder_group": "international_partners", "country": "DK"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).name == "Aarhus"


def test_a_partner_without_country_is_refused_on_the_form(organiser_client):
    response = organiser_client.post(
        "/experts/organisations/new",
        data={
            "name": "Aarhus Kommune",
            "stakeholder_group": "international_partners",
            "country": "",
        },
    )
    assert response.status_code == 200
    assert "An international partner represents a country" in page_text(response)
    assert count(Organisation) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [("O" * 201, "longer than 200 characters"), ("Stadt\r\nKöln", "fit on one line")],
)
def test_unacceptable_organisation_names_are_refused(organiser_client, name, message):
    response = organiser_client.post(
        "/experts/organisations/new", data={"name": name, "stakeholder_group": "municipalities"}
    )
    assert response.status_code == 200
    assert message in page_text(response)
    assert count(Organisation) == 0


def test_a_taken_organisation_name_is_refused_on_the_form(organiser_client, make_organisation):
    make_organisation("Stadt Köln")
    response = organiser_client.post(
        "/experts/organisations/new",
        data={"name": "stadt köln", "stakeholder_group": "municipalities"},
    )
    assert "An organisation with this name already exists" in page_text(response)
    assert count(Organisation) == 1


# --- working groups -----------------------------------------------------------------------------


def test_organiser_creates_a_working_group_with_members_and_edits_it(
    organiser_client, city, make_expert
):
    albers = make_expert(last_name="Albers", organisation=city)
    brandt = make_expert(last_name="Brandt", organisation=city)
    form_page = page_text(organiser_client.get("/experts/groups/new"))
    assert "Albers, Anna" in form_page

    response = organiser_client.post(
        "/experts/groups/new",
        data={
            "name": "Daten und Plattformen",
            "description": "Datenstrategien",
            "member_ids": [str(albers.id), str(brandt.id)],
        },
    )
    group = db.session.scalar(sa.select(WorkingGroup))
    assert response.status_code == 302
    assert [member.last_name for member in group.members] == ["Albers", "Brandt"]
    shown = page_text(organiser_client.get(f"/experts/groups/{group.id}"))
    assert "Albers, Anna" in shown
    assert "2 members" in shown
    assert "Daten und Plattformen" in page_text(organiser_client.get(f"/experts/{albers.id}"))

    response = organiser_client.post(
        f"/experts/groups/{group.id}/edit",
        data={"name": "Daten", "description": "", "member_ids": [str(brandt.id)]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    group = db.session.get(WorkingGroup, group.id)
    assert group.name == "Daten"
    assert [member.last_name for member in group.members] == ["Brandt"]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "working_group.updated")
    )
    assert entry.changes["members"] == [[albers.id, brandt.id], [brandt.id]]
    listing = page_text(organiser_client.get("/experts/groups"))
    assert "Daten" in listing


def test_unknown_members_are_refused(organiser_client):
    response = organiser_client.post(
        "/experts/groups/new", data={"name": "Daten", "member_ids": ["4711"]}
    )
    assert response.status_code == 200
    assert count(WorkingGroup) == 0


# --- who may do what ----------------------------------------------------------------------------


READ_PAGES = ["/experts/", "/experts/organisations", "/experts/groups"]


@pytest.fixture
def records(city, make_expert):
    expert = make_expert(organisation=city)
    group = working_groups.create_working_group("Daten", members=[expert])
    db.session.commit()
    return {"expert": expert.id, "organisation": city.id, "group": group.id}


def change_pages(records) -> list[str]:
    return [
        "/experts/new",
        f"/experts/{records['expert']}/edit",
        "/experts/organisations/new",
        f"/experts/organisations/{records['organisation']}/edit",
        "/experts/groups/new",
        f"/experts/groups/{records['group']}/edit",
        "/experts/import",
    ]


def test_secretariat_reads_everything(secretariat_client, records):
    for path in [
        *READ_PAGES,
        f"/experts/{records['expert']}",
        f"/experts/groups/{records['group']}",
    ]:
        response = secretariat_client.get(path)
        assert response.status_code == 200, path
        assert "New expert" not in page_text(response)


def test_secretariat_may_not_change_anything(secretariat_client, records):
    for path in change_pages(records):
        assert secretariat_client.get(path).status_code == 403, path
        assert secretariat_client.post(path, data={"name": "X"}).status_code == 403, path
    for action in ("deactivate", "reactivate"):
        path = f"/experts/{records['expert']}/{action}"
        assert secretariat_client.post(path).status_code == 403, path
    db.session.expire_all()
    assert db.session.get(Expert, records["expert"]).active is True


@pytest.mark.parametrize("role_client", ["admin_client", "organiser_client"])
def test_planners_open_every_change_page(request, role_client, records):
    client = request.getfixturevalue(role_client)
    for path in change_pages(records):
        assert client.get(path).status_code == 200, path


def test_anonymous_visitors_are_sent_to_sign_in(client, records):
    for path in [*READ_PAGES, *change_pages(records)]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]
