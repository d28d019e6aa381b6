"""Organisations in the expert directory: finding, adding and changing them, and listing
them with their numbers of experts. The functions change state, flush and write the audit
trail; the caller commits."""

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.audit import services as audit
from eventsys.experts.checks import DirectoryError, checked_line, max_length, saved_unless_taken
from eventsys.experts.countries import is_country_code
from eventsys.experts.models import Expert, Organisation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db

ORGANISATION_AUDIT_FIELDS = ("name", "stakeholder_group", "country")


def find_organisation_by_name(name: str) -> Organisation | None:
    """The organisation called `name`, ignoring letter case and surrounding spaces."""
    wanted = name.strip().casefold()
    if not wanted:
        return None
    # Compared in Python: SQLite's lower() only folds ASCII, and "Stadt Köln" must match
    # "STADT KÖLN" on both databases. The list of organisations is short.
    rows = db.session.execute(sa.select(Organisation.id, Organisation.name))
    for organisation_id, organisation_name in rows:
        if organisation_name.casefold() == wanted:
            return db.session.get(Organisation, organisation_id)
    return None


def check_organisation(
    name: str,
    stakeholder_group: StakeholderGroup,
    country: str | None,
    current: Organisation | None,
    namesake_of: Callable[[str], Organisation | None] = find_organisation_by_name,
) -> tuple[str, StakeholderGroup, str | None]:
    name = checked_line(name, _l("Name"), "name", max_length(Organisation.name), required=True)
    if not isinstance(stakeholder_group, StakeholderGroup):
        raise DirectoryError(_("Please choose a stakeholder group."), "stakeholder_group")
    country = (country or "").strip().upper() or None
    if country is not None and not is_country_code(country):
        raise DirectoryError(
            _("%(code)s is not a known country code (ISO 3166, e.g. AT or FR).", code=country),
            "country",
        )
    if stakeholder_group is StakeholderGroup.INTERNATIONAL_PARTNERS and country is None:
        raise DirectoryError(
            _("An international partner represents a country: please choose one."), "country"
        )
    namesake = namesake_of(name)
    if namesake is not None and namesake is not current:
        raise _organisation_name_taken()
    return name, stakeholder_group, country


def _organisation_name_taken() -> DirectoryError:
    return DirectoryError(_("An organisation with this name already exists."), "name")


def create_organisation(
    name: str,
    stakeholder_group: StakeholderGroup,
    country: str | None = None,
    namesake_of: Callable[[str], Organisation | None] = find_organisation_by_name,
) -> Organisation:
    """Add an organisation. `namesake_of` finds an organisation of the same name (the CSV
    import looks in what it loaded once).

    Raises DirectoryError for a missing, over-long or taken name, or an international partner
    without a country.
    """
    name, stakeholder_group, country = check_organisation(
        name, stakeholder_group, country, current=None, namesake_of=namesake_of
    )
    with saved_unless_taken("organisations", "name", _organisation_name_taken):
        organisation = Organisation(name=name, stakeholder_group=stakeholder_group, country=country)
        db.session.add(organisation)
    audit.record(
        "organisation.created",
        organisation,
        f"Organisation {name} created",
        audit.diff({}, audit.snapshot(organisation, ORGANISATION_AUDIT_FIELDS)),
    )
    return organisation


def add_unflushed_organisation(
    name: str,
    stakeholder_group: StakeholderGroup,
    country: str | None,
    namesake_of: Callable[[str], Organisation | None],
) -> Organisation:
    """`create_organisation` for a bulk change that flushes many rows at once (the CSV import):
    checked the same, added without a flush of its own and without its audit entry, which the
    caller records (`creation_audit`) after its flush. A name taken by someone else at the
    same moment then fails the caller's flush as a whole."""
    name, stakeholder_group, country = check_organisation(
        name, stakeholder_group, country, current=None, namesake_of=namesake_of
    )
    organisation = Organisation(name=name, stakeholder_group=stakeholder_group, country=country)
    db.session.add(organisation)
    return organisation


def creation_audit(organisation: Organisation) -> tuple[str, str, int, str, dict]:
    """The audit entry of a new organisation, flushed, as `audit.record_many` takes it."""
    return (
        "organisation.created",
        Organisation.__tablename__,
        organisation.id,
        f"Organisation {organisation.name} created",
        audit.diff({}, audit.snapshot(organisation, ORGANISATION_AUDIT_FIELDS)),
    )


def update_organisation(
    organisation: Organisation,
    name: str,
    stakeholder_group: StakeholderGroup,
    country: str | None,
) -> dict:
    """Change an organisation and return the changes as {field: [old, new]}.

    Raises DirectoryError like `create_organisation`.
    """
    name, stakeholder_group, country = check_organisation(
        name, stakeholder_group, country, current=organisation
    )
    before = audit.snapshot(organisation, ORGANISATION_AUDIT_FIELDS)
    with saved_unless_taken("organisations", "name", _organisation_name_taken):
        organisation.name = name
        organisation.stakeholder_group = stakeholder_group
        organisation.country = country
    changes = audit.diff(before, audit.snapshot(organisation, ORGANISATION_AUDIT_FIELDS))
    if changes:
        audit.record("organisation.updated", organisation, f"Organisation {name} changed", changes)
    return changes


def organisations_with_counts() -> list[tuple[Organisation, int, int]]:
    """Every organisation by name, with its numbers of active and inactive experts."""
    active = sa.func.count(Expert.id).filter(Expert.active.is_(True))
    inactive = sa.func.count(Expert.id).filter(Expert.active.is_(False))
    query = (
        sa.select(Organisation, active, inactive)
        .outerjoin(Expert, Expert.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    )
    return [(organisation, int(a), int(i)) for organisation, a, i in db.session.execute(query)]


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))
