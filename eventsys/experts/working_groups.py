"""Working groups in the expert directory: adding, renaming and filling them, and the experts
that may be chosen as members. The functions change state, flush and write the audit trail;
the caller commits."""

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from eventsys.audit import services as audit
from eventsys.experts.checks import DirectoryError, checked_line, max_length, saved_unless_taken
from eventsys.experts.models import Expert, WorkingGroup, working_group_members
from eventsys.extensions import db

DESCRIPTION_MAX_LENGTH = 2000
WORKING_GROUP_AUDIT_FIELDS = ("name", "description", "members")


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
    name = checked_line(name, _l("Name"), "name", max_length(WorkingGroup.name), required=True)
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
    with saved_unless_taken("working_groups", "name", _working_group_name_taken):
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
    with saved_unless_taken("working_groups", "name", _working_group_name_taken):
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
            sa.select(Expert).where(Expert.id.in_(ids)).order_by(Expert.sort_key, Expert.id)
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
            .order_by(Expert.sort_key, Expert.id)
        )
    )
