"""Keeping the expert directory: organisations, experts, working groups, and finding experts.

The functions change state, flush and write the audit trail; the caller commits. A refusal the
user should read raises DirectoryError with a translated message.
"""

import enum
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from eventsys.audit import services as audit
from eventsys.experts.countries import is_country_code
from eventsys.experts.models import Expert, Organisation, WorkingGroup, working_group_members
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.localtime import known_time_zones

DEFAULT_TIME_ZONE = "Europe/Berlin"
LANGUAGES = ("de", "en")
DIRECTORY_PAGE_SIZE = 50
DESCRIPTION_MAX_LENGTH = 2000

EXPERT_AUDIT_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "email",
    "organisation_id",
    "function",
    "language",
    "timezone",
    "deputy_id",
    "active",
)
ORGANISATION_AUDIT_FIELDS = ("name", "stakeholder_group", "country")
WORKING_GROUP_AUDIT_FIELDS = ("name", "description", "members")


class DirectoryError(ValueError):
    """A user-facing reason why an expert, organisation or working group could not be saved.

    `field` names the form field the reason belongs to, or is None for the record as a whole.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def max_length(attribute: InstrumentedAttribute) -> int:
    """The length limit of a string column, so that forms and checks cannot drift from it."""
    return attribute.property.columns[0].type.length


# --- checks shared by every record --------------------------------------------------------------


def _has_control_characters(value: str) -> bool:
    return any(ord(char) < 32 or ord(char) == 127 for char in value)


def _checked_line(
    value: str | None, label: str, field: str, limit: int, required: bool = False
) -> str:
    """`value` trimmed; raises DirectoryError if it is missing, too long or spans lines.

    Single lines end up in mail headers and calendar properties, where a line break would
    start a new header or property.
    """
    value = (value or "").strip()
    if required and not value:
        raise DirectoryError(_("%(field)s: please fill in this field.", field=label), field)
    if _has_control_characters(value):
        raise DirectoryError(
            _(
                "%(field)s: this field must fit on one line (no line breaks or control "
                "characters).",
                field=label,
            ),
            field,
        )
    if len(value) > limit:
        raise DirectoryError(
            _("%(field)s: at most %(max)d characters are allowed.", field=label, max=limit),
            field,
        )
    return value


@contextmanager
def _saved_unless_taken(table: str, column: str, refusal: Callable[[], DirectoryError]):
    """Apply the block's changes in a savepoint and flush them; if the unique constraint on
    `table.column` refuses them, raise `refusal()` instead.

    The checks before the block cannot see another request saving the same value at the same
    moment; the constraint can. The savepoint must begin before the changes are made (it flushes
    what is pending), and rolling it back keeps the session usable and the record unchanged.
    """
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except sa.exc.IntegrityError as error:
        # PostgreSQL names the constraint, SQLite the column as "table.column".
        message = str(error.orig)
        if f"uq_{table}_{column}" in message or f"{table}.{column}" in message:
            raise refusal() from error
        raise


# --- organisations ------------------------------------------------------------------------------


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


def _checked_organisation(
    name: str,
    stakeholder_group: StakeholderGroup,
    country: str | None,
    current: Organisation | None,
) -> tuple[str, StakeholderGroup, str | None]:
    name = _checked_line(name, _l("Name"), "name", max_length(Organisation.name), required=True)
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
    namesake = find_organisation_by_name(name)
    if namesake is not None and namesake is not current:
        raise _organisation_name_taken()
    return name, stakeholder_group, country


def _organisation_name_taken() -> DirectoryError:
    return DirectoryError(_("An organisation with this name already exists."), "name")


def create_organisation(
    name: str, stakeholder_group: StakeholderGroup, country: str | None = None
) -> Organisation:
    """Add an organisation.

    Raises DirectoryError for a missing, over-long or taken name, or an international partner
    without a country.
    """
    name, stakeholder_group, country = _checked_organisation(
        name, stakeholder_group, country, current=None
    )
    with _saved_unless_taken("organisations", "name", _organisation_name_taken):
        organisation = Organisation(name=name, stakeholder_group=stakeholder_group, country=country)
        db.session.add(organisation)
    audit.record(
        "organisation.created",
        organisation,
        f"Organisation {name} created",
        audit.diff({}, audit.snapshot(organisation, ORGANISATION_AUDIT_FIELDS)),
    )
    return organisation


def update_organisation(
    organisation: Organisation,
    name: str,
    stakeholder_group: StakeholderGroup,
    country: str | None,
) -> dict:
    """Change an organisation and return the changes as {field: [old, new]}.

    Raises DirectoryError like `create_organisation`.
    """
    name, stakeholder_group, country = _checked_organisation(
        name, stakeholder_group, country, current=organisation
    )
    before = audit.snapshot(organisation, ORGANISATION_AUDIT_FIELDS)
    with _saved_unless_taken("organisations", "name", _organisation_name_taken):
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


# --- experts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertDetails:
    """What a person enters about an expert (everything but the active flag)."""

    first_name: str
    last_name: str
    email: str
    organisation: Organisation | None
    title: str = ""
    function: str = ""
    language: str = "de"
    timezone: str = DEFAULT_TIME_ZONE
    deputy: Expert | None = None

    @classmethod
    def of(cls, expert: Expert) -> "ExpertDetails":
        """The details `expert` has now, to change some of them."""
        return cls(
            first_name=expert.first_name,
            last_name=expert.last_name,
            email=expert.email,
            organisation=expert.organisation,
            title=expert.title,
            function=expert.function,
            language=expert.language,
            timezone=expert.timezone,
            deputy=expert.deputy,
        )


def find_expert_by_email(email: str) -> Expert | None:
    """The expert with this e-mail address, in any letter case."""
    return db.session.scalar(sa.select(Expert).where(Expert.email == email.strip().lower()))


def _duplicate_email_error() -> DirectoryError:
    return DirectoryError(
        _("An expert with this e-mail address already exists (letter case does not matter)."),
        "email",
    )


def _checked_email(email: str) -> str:
    email = _checked_line(
        email, _l("E-mail address"), "email", max_length(Expert.email), required=True
    ).lower()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise DirectoryError(
            _("%(email)s is not a valid e-mail address.", email=email), "email"
        ) from error
    return email


def _checked_expert(details: ExpertDetails, current: Expert | None) -> ExpertDetails:
    """`details` trimmed and lower-cased where needed; raises DirectoryError if unacceptable."""
    cleaned = ExpertDetails(
        title=_checked_line(details.title, _l("Title"), "title", max_length(Expert.title)),
        first_name=_checked_line(
            details.first_name,
            _l("First name"),
            "first_name",
            max_length(Expert.first_name),
            required=True,
        ),
        last_name=_checked_line(
            details.last_name,
            _l("Last name"),
            "last_name",
            max_length(Expert.last_name),
            required=True,
        ),
        email=_checked_email(details.email),
        organisation=details.organisation,
        function=_checked_line(
            details.function, _l("Function"), "function", max_length(Expert.function)
        ),
        language=details.language,
        timezone=(details.timezone or "").strip(),
        deputy=details.deputy,
    )
    if cleaned.organisation is None:
        raise DirectoryError(_("Please choose an organisation."), "organisation_id")
    if cleaned.language not in LANGUAGES:
        raise DirectoryError(_("Please choose German or English."), "language")
    if cleaned.timezone not in known_time_zones():
        raise DirectoryError(
            _(
                "Unknown time zone %(zone)s. Use a name such as Europe/Berlin or America/Toronto.",
                zone=cleaned.timezone,
            ),
            "timezone",
        )
    if cleaned.deputy is not None and current is not None and cleaned.deputy.id == current.id:
        raise DirectoryError(_("An expert cannot be their own deputy."), "deputy_id")
    namesake = find_expert_by_email(cleaned.email)
    if namesake is not None and namesake is not current:
        raise _duplicate_email_error()
    return cleaned


def _apply_expert_details(expert: Expert, details: ExpertDetails) -> None:
    expert.title = details.title
    expert.first_name = details.first_name
    expert.last_name = details.last_name
    expert.email = details.email
    expert.organisation = details.organisation
    expert.function = details.function
    expert.language = details.language
    expert.timezone = details.timezone
    expert.deputy = details.deputy


def create_expert(details: ExpertDetails) -> Expert:
    """Add an active expert.

    Raises DirectoryError for a taken e-mail address (in any letter case), an invalid, missing or
    over-long value, an unknown time zone or language, or a missing organisation.
    """
    details = _checked_expert(details, current=None)
    with _saved_unless_taken("experts", "email", _duplicate_email_error):
        expert = Expert(active=True)
        _apply_expert_details(expert, details)
        db.session.add(expert)
    audit.record(
        "expert.created",
        expert,
        f"Expert {expert.email} created",
        audit.diff({}, audit.snapshot(expert, EXPERT_AUDIT_FIELDS)),
    )
    return expert


def update_expert(expert: Expert, details: ExpertDetails) -> dict:
    """Change an expert's details and return the changes as {field: [old, new]}.

    Raises DirectoryError like `create_expert`, and if the expert would be their own deputy.
    """
    details = _checked_expert(details, current=expert)
    before = audit.snapshot(expert, EXPERT_AUDIT_FIELDS)
    with _saved_unless_taken("experts", "email", _duplicate_email_error):
        _apply_expert_details(expert, details)
    changes = audit.diff(before, audit.snapshot(expert, EXPERT_AUDIT_FIELDS))
    if changes:
        audit.record("expert.updated", expert, f"Expert {expert.email} changed", changes)
    return changes


def _set_active(expert: Expert, active: bool, action: str, summary: str) -> bool:
    if expert.active == active:
        return False
    expert.active = active
    db.session.flush()
    audit.record(action, expert, summary, {"active": [not active, active]})
    return True


def deactivate_expert(expert: Expert) -> bool:
    """Mark an expert inactive (no longer invited); False if they already were."""
    return _set_active(expert, False, "expert.deactivated", f"Expert {expert.email} deactivated")


def reactivate_expert(expert: Expert) -> bool:
    """Mark an inactive expert active again; False if they already were active."""
    return _set_active(expert, True, "expert.reactivated", f"Expert {expert.email} reactivated")


def deputy_candidates(expert: Expert | None) -> list[Expert]:
    """The experts who may be named as deputy: the active ones, the current deputy, never self."""
    query = sa.select(Expert).order_by(Expert.last_name, Expert.first_name, Expert.id)
    condition = Expert.active.is_(True)
    if expert is not None and expert.deputy_id is not None:
        condition = condition | (Expert.id == expert.deputy_id)
    query = query.where(condition)
    if expert is not None:
        query = query.where(Expert.id != expert.id)
    return list(db.session.scalars(query))


def experts_represented_by(expert: Expert) -> list[Expert]:
    """The experts who have named `expert` as their deputy."""
    return list(
        db.session.scalars(
            sa.select(Expert)
            .where(Expert.deputy_id == expert.id)
            .options(selectinload(Expert.organisation))
            .order_by(Expert.last_name, Expert.first_name)
        )
    )


# --- the directory search -----------------------------------------------------------------------


class ExpertStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ALL = "all"


@dataclass(frozen=True)
class ExpertSearch:
    """What the directory is filtered by; empty values do not filter."""

    text: str = ""
    stakeholder_group: StakeholderGroup | None = None
    organisation_id: int | None = None
    working_group_id: int | None = None
    status: ExpertStatus = ExpertStatus.ACTIVE


def _contains(column: sa.ColumnElement, word: str) -> sa.ColumnElement[bool]:
    # A typed % or _ means itself, not a wildcard.
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def search_experts(criteria: ExpertSearch, page: int, per_page: int = DIRECTORY_PAGE_SIZE):
    """A page of experts matching `criteria`, by last name, with organisation and working groups
    loaded in a fixed number of queries however many experts the page shows.

    Every word of the free text must occur in the name, title, e-mail address, function or
    organisation name.
    """
    query = (
        sa.select(Expert)
        .join(Expert.organisation)
        .options(selectinload(Expert.organisation), selectinload(Expert.working_groups))
        .order_by(Expert.last_name, Expert.first_name, Expert.id)
    )
    for word in criteria.text.split():
        query = query.where(
            sa.or_(
                *(
                    _contains(column, word)
                    for column in (
                        Expert.first_name,
                        Expert.last_name,
                        Expert.title,
                        Expert.email,
                        Expert.function,
                        Organisation.name,
                    )
                )
            )
        )
    if criteria.stakeholder_group is not None:
        query = query.where(Organisation.stakeholder_group == criteria.stakeholder_group)
    if criteria.organisation_id is not None:
        query = query.where(Expert.organisation_id == criteria.organisation_id)
    if criteria.working_group_id is not None:
        query = query.where(Expert.working_groups.any(WorkingGroup.id == criteria.working_group_id))
    if criteria.status is ExpertStatus.ACTIVE:
        query = query.where(Expert.active.is_(True))
    elif criteria.status is ExpertStatus.INACTIVE:
        query = query.where(Expert.active.is_(False))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def count_experts_by_status() -> dict[ExpertStatus, int]:
    """How many experts are active, inactive, and in all."""
    counts = dict(
        db.session.execute(sa.select(Expert.active, sa.func.count()).group_by(Expert.active)).all()
    )
    active, inactive = counts.get(True, 0), counts.get(False, 0)
    return {
        ExpertStatus.ACTIVE: active,
        ExpertStatus.INACTIVE: inactive,
        ExpertStatus.ALL: active + inactive,
    }


# --- working groups -----------------------------------------------------------------------------


def find_working_group_by_name(name: str) -> WorkingGroup | None:
    """The working group called `name`, ignoring letter case and surrounding spaces."""
    wanted = name.strip().casefold()
    if not wanted:
        return None
    rows = db.session.execute(sa.select(WorkingGroup.id, WorkingGroup.name))
    for group_id, group_name in rows:
        if group_name.casefold() == wanted:
            return db.session.get(WorkingGroup, group_id)
    return None


def _checked_working_group(
    name: str, description: str, current: WorkingGroup | None
) -> tuple[str, str]:
    name = _checked_line(name, _l("Name"), "name", max_length(WorkingGroup.name), required=True)
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise DirectoryError(
            _(
                "%(field)s: at most %(max)d characters are allowed.",
                field=_l("Description"),
                max=DESCRIPTION_MAX_LENGTH,
            ),
            "description",
        )
    namesake = find_working_group_by_name(name)
    if namesake is not None and namesake is not current:
        raise _working_group_name_taken()
    return name, description


def _working_group_name_taken() -> DirectoryError:
    return DirectoryError(_("A working group with this name already exists."), "name")


def _distinct(experts: Iterable[Expert]) -> list[Expert]:
    return list({expert.id: expert for expert in experts}.values())


def create_working_group(
    name: str, description: str = "", members: Iterable[Expert] = ()
) -> WorkingGroup:
    """Add a working group with `members`; raises DirectoryError for a missing or taken name."""
    name, description = _checked_working_group(name, description, current=None)
    members = _distinct(members)
    with _saved_unless_taken("working_groups", "name", _working_group_name_taken):
        group = WorkingGroup(name=name, description=description, members=members)
        db.session.add(group)
    audit.record(
        "working_group.created",
        group,
        f"Working group {name} created",
        audit.diff({}, audit.snapshot(group, WORKING_GROUP_AUDIT_FIELDS)),
    )
    return group


def update_working_group(
    group: WorkingGroup, name: str, description: str, members: Iterable[Expert]
) -> dict:
    """Rename a working group, change its description and members; returns the changes.

    Raises DirectoryError for a missing, over-long or taken name.
    """
    name, description = _checked_working_group(name, description, current=group)
    before = audit.snapshot(group, WORKING_GROUP_AUDIT_FIELDS)
    members = _distinct(members)
    with _saved_unless_taken("working_groups", "name", _working_group_name_taken):
        group.name = name
        group.description = description
        group.members = members
    changes = audit.diff(before, audit.snapshot(group, WORKING_GROUP_AUDIT_FIELDS))
    if changes:
        audit.record("working_group.updated", group, f"Working group {name} changed", changes)
    return changes


def set_working_group_members(group: WorkingGroup, members: Iterable[Expert]) -> dict:
    """Make `members` the working group's members; returns {"members": [old ids, new ids]}."""
    before = audit.snapshot(group, ("members",))
    group.members = _distinct(members)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(group, ("members",)))
    if changes:
        audit.record(
            "working_group.members_changed",
            group,
            f"Members of working group {group.name} changed",
            changes,
        )
    return changes


def add_to_working_groups(expert: Expert, groups: Iterable[WorkingGroup]) -> list[WorkingGroup]:
    """Make `expert` a member of `groups` (keeping other memberships); returns the groups joined."""
    joined = [group for group in _distinct_groups(groups) if expert not in group.members]
    if not joined:
        return []
    before = audit.snapshot(expert, ("working_groups",))
    for group in joined:
        group.members.append(expert)
    db.session.flush()
    audit.record(
        "expert.working_groups_joined",
        expert,
        f"Expert {expert.email} joined {', '.join(group.name for group in joined)}",
        audit.diff(before, audit.snapshot(expert, ("working_groups",))),
    )
    return joined


def _distinct_groups(groups: Iterable[WorkingGroup]) -> list[WorkingGroup]:
    return list({group.id: group for group in groups}.values())


def working_groups_with_counts() -> list[tuple[WorkingGroup, int]]:
    """Every working group by name, with its number of members."""
    members = sa.func.count(working_group_members.c.expert_id)
    query = (
        sa.select(WorkingGroup, members)
        .outerjoin(
            working_group_members, working_group_members.c.working_group_id == WorkingGroup.id
        )
        .group_by(WorkingGroup.id)
        .order_by(WorkingGroup.name)
    )
    return [(group, int(count)) for group, count in db.session.execute(query)]


def all_working_groups() -> list[WorkingGroup]:
    return list(db.session.scalars(sa.select(WorkingGroup).order_by(WorkingGroup.name)))


def experts_by_ids(ids: Iterable[int]) -> list[Expert]:
    """The experts with these ids (unknown ids are left out), by last name."""
    ids = list(ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Expert)
            .where(Expert.id.in_(ids))
            .order_by(Expert.last_name, Expert.first_name, Expert.id)
        )
    )


def member_candidates(group: WorkingGroup | None) -> list[Expert]:
    """The experts who may be chosen as members: the active ones and the current members."""
    condition = Expert.active.is_(True)
    if group is not None and group.id is not None:
        condition = condition | Expert.working_groups.any(WorkingGroup.id == group.id)
    return list(
        db.session.scalars(
            sa.select(Expert)
            .where(condition)
            .options(selectinload(Expert.organisation))
            .order_by(Expert.last_name, Expert.first_name, Expert.id)
        )
    )
