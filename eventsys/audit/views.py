"""The admins' view of the audit trail."""

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request

from eventsys.access import roles_required
from eventsys.audit.models import AuditEntry
from eventsys.audit.services import AuditFilter, find_entries, known_values
from eventsys.localtime import platform_zone_name, to_utc
from eventsys.query_arguments import database_id, page_number
from eventsys.roles import Role

blueprint = Blueprint("audit", __name__, url_prefix="/audit")


def _parse_day(value: str | None, *, days_later: int = 0) -> datetime | None:
    """The start in Berlin of a day typed into the filter (or of a day after it), or None."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    # Adding the day before converting keeps the end of a day right when the clocks change.
    return to_utc(day + timedelta(days=days_later), time(0, 0), platform_zone_name())


@blueprint.route("/")
@roles_required(Role.ADMIN)
def list_entries():
    args = request.args
    criteria = AuditFilter(
        entity_type=args.get("entity_type") or None,
        entity_id=database_id(args, "entity_id"),
        action=args.get("action") or None,
        actor=(args.get("actor") or "").strip()[:254] or None,
        since=_parse_day(args.get("since")),
        until=_parse_day(args.get("until"), days_later=1),
    )
    page = find_entries(criteria, page=page_number(args))
    return render_template(
        "audit/list.html",
        page=page,
        criteria=args,
        entity_types=known_values(AuditEntry.entity_type),
        actions=known_values(AuditEntry.action),
    )
