"""Experts in the directory: their details, adding and changing them, marking them active or
inactive, and their deputies. The functions change state, flush and write the audit trail;
the caller commits."""

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from eventsys.audit import services as audit
from eventsys.experts.checks import DirectoryError, checked_line, max_length, saved_unless_taken
from eventsys.experts.models import Expert, Organisation
from eventsys.experts.salutations import Salutation
from eventsys.extensions import db
from eventsys.localtime import known_time_zones, platform_zone_name

LANGUAGES = ("de", "en")

EXPERT_AUDIT_FIELDS = (
    "salutation",
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


@dataclass(frozen=True)
class ExpertDetails:
    """What a person enters about an expert (everything but the active flag)."""

    first_name: str
    last_name: str
    email: str
    organisation: Organisation | None
    salutation: Salutation = Salutation.NONE
    title: str = ""
    function: str = ""
    language: str = "de"
    timezone: str = field(default_factory=platform_zone_name)
    deputy: Expert | None = None

    @classmethod
    def of(cls, expert: Expert) -> "ExpertDetails":
        """The details `expert` has now, to change some of them."""
        return cls(
            first_name=expert.first_name,
            last_name=expert.last_name,
            email=expert.email,
            organisation=expert.organisation,
            salutation=expert.salutation,
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
    email = checked_line(
        email, _l("E-mail address"), "email", max_length(Expert.email), required=True
    ).lower()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise DirectoryError(
            _("%(email)s is not a valid e-mail address.", email=email), "email"
        ) from error
    return email


def checked_details(
    details: ExpertDetails,
    current: Expert | None,
    namesake_of: Callable[[str], Expert | None] = find_expert_by_email,
) -> ExpertDetails:
    """`details` trimmed and lower-cased where needed; raises DirectoryError if unacceptable.
    `namesake_of` finds the expert who has an e-mail address already (the CSV import looks it
    up in what it loaded once instead of asking the database for every row)."""
    try:
        salutation = Salutation(details.salutation)
    except ValueError as error:
        raise DirectoryError(_("Please choose Ms, Mr or no salutation."), "salutation") from error
    cleaned = ExpertDetails(
        salutation=salutation,
        title=checked_line(details.title, _l("Title"), "title", max_length(Expert.title)),
        first_name=checked_line(
            details.first_name,
            _l("First name"),
            "first_name",
            max_length(Expert.first_name),
            required=True,
        ),
        last_name=checked_line(
            details.last_name,
            _l("Last name"),
            "last_name",
            max_length(Expert.last_name),
            required=True,
        ),
        email=_checked_email(details.email),
        organisation=details.organisation,
        function=checked_line(
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
                "Unknown time zone %(zone)s. Please choose one from the list.",
                zone=cleaned.timezone,
            ),
            "timezone",
        )
    if cleaned.deputy is not None and current is not None and cleaned.deputy.id == current.id:
        raise DirectoryError(_("An expert cannot be their own deputy."), "deputy_id")
    namesake = namesake_of(cleaned.email)
    if namesake is not None and namesake is not current:
        raise _duplicate_email_error()
    return cleaned


def apply_details(expert: Expert, details: ExpertDetails) -> None:
    expert.salutation = details.salutation
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
    details = checked_details(details, current=None)
    with saved_unless_taken("experts", "email", _duplicate_email_error):
        expert = Expert(active=True)
        apply_details(expert, details)
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
    details = checked_details(details, current=expert)
    before = audit.snapshot(expert, EXPERT_AUDIT_FIELDS)
    with saved_unless_taken("experts", "email", _duplicate_email_error):
        apply_details(expert, details)
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
    query = sa.select(Expert).order_by(Expert.sort_key, Expert.id)
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
            .order_by(Expert.sort_key, Expert.id)
        )
    )
