"""Finding experts in the directory: the filters of the directory page and the counts by
status."""

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.database import contains_ignoring_case
from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db

DIRECTORY_PAGE_SIZE = 50


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


def matches_every_word(text: str, *columns: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """Every word of `text` occurs (ignoring case) in at least one of `columns`; true for an
    empty text. For the search boxes of long lists."""
    return sa.and_(
        sa.true(),
        *(
            sa.or_(*(contains_ignoring_case(column, word) for column in columns))
            for word in text.split()
        ),
    )


def search_experts(criteria: ExpertSearch, page: int, per_page: int = DIRECTORY_PAGE_SIZE):
    """A page of experts matching `criteria`, by last name, with organisation and working groups
    loaded in a fixed number of queries however many experts the page shows."""
    query = matching(
        sa.select(Expert)
        .join(Expert.organisation)
        .options(selectinload(Expert.organisation), selectinload(Expert.working_groups))
        .order_by(Expert.sort_key, Expert.id),
        criteria,
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def matching(query: sa.Select, criteria: ExpertSearch) -> sa.Select:
    """`query`, a query of experts joined with their organisations, narrowed to the experts
    matching `criteria`: every word of the free text occurs in the name, title, e-mail address,
    function or organisation name; the group, organisation, working group and status are
    theirs."""
    searched = (
        Expert.first_name,
        Expert.last_name,
        Expert.title,
        Expert.email,
        Expert.function,
        Organisation.name,
    )
    query = query.where(matches_every_word(criteria.text, *searched))
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
    return query


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
