"""The action items of all sessions in one list, for following them up: which are open, overdue
or due soon, by owner or by due date, found by the owner's name or the session; closing one on
the list (`action_items.close` without minutes) records who closed it."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, contains_eager, joinedload
from werkzeug.datastructures import MultiDict

from eventsys.auth.models import User
from eventsys.database import contains_ignoring_case, utcnow
from eventsys.experts.models import Expert, Organisation
from eventsys.i18n import in_language_of
from eventsys.labels import LabelledEnum
from eventsys.localtime import platform_zone
from eventsys.minutes.action_items import reopen
from eventsys.minutes.errors import MinutesError
from eventsys.minutes.models import ActionItem, Minutes, MinutesTopic
from eventsys.query_arguments import id_from_text
from eventsys.sessions.models import Session

# "Due soon" on the list and on the overview: within the next two weeks.
DUE_SOON_DAYS = 14
MAX_OWNER_QUERY_LENGTH = 100


class ActionItemState(LabelledEnum):
    """What the list shows, as chosen in its filter."""

    OPEN = "open", _l("open")
    OVERDUE = "overdue", _l("overdue")
    DUE_SOON = "due_soon", _l("due within two weeks")
    CLOSED = "closed", _l("closed")
    ALL = "all", _l("all")


class ActionItemOrder(LabelledEnum):
    DUE_DATE = "due", _l("by due date")
    OWNER = "owner", _l("by owner")


@dataclass(frozen=True)
class ActionItemFilter:
    state: ActionItemState = ActionItemState.OPEN
    owner: str = ""
    session_id: int | None = None
    order: ActionItemOrder = ActionItemOrder.DUE_DATE

    def query(self) -> dict[str, str]:
        """The filter as query arguments, for links that keep it (downloads, pages)."""
        arguments = {"state": self.state.value, "order": self.order.value}
        if self.owner:
            arguments["owner"] = self.owner
        if self.session_id is not None:
            arguments["session"] = str(self.session_id)
        return arguments


def action_item_filter(args: MultiDict) -> ActionItemFilter:
    """The filter as given in the query string; anything unknown means its default."""
    state = args.get("state", "")
    order = args.get("order", "")
    states = {member.value for member in ActionItemState}
    orders = {member.value for member in ActionItemOrder}
    return ActionItemFilter(
        state=ActionItemState(state) if state in states else ActionItemState.OPEN,
        owner=(args.get("owner") or "").strip()[:MAX_OWNER_QUERY_LENGTH],
        session_id=id_from_text(args.get("session")),
        order=ActionItemOrder(order) if order in orders else ActionItemOrder.DUE_DATE,
    )


def platform_today(now: datetime | None = None) -> date:
    """Today in Berlin, where due dates are meant."""
    return (now or utcnow()).astimezone(platform_zone()).date()


def state_condition(state: ActionItemState, today: date) -> sa.ColumnElement[bool]:
    is_open = ActionItem.closed_at.is_(None)
    if state == ActionItemState.OPEN:
        return is_open
    if state == ActionItemState.OVERDUE:
        return sa.and_(is_open, ActionItem.due_date < today)
    if state == ActionItemState.DUE_SOON:
        return sa.and_(
            is_open,
            ActionItem.due_date >= today,
            ActionItem.due_date <= today + timedelta(days=DUE_SOON_DAYS),
        )
    if state == ActionItemState.CLOSED:
        return ActionItem.closed_at.is_not(None)
    return sa.true()


def listed(filters: ActionItemFilter, today: date) -> sa.Select:
    """The action items the filter finds, in its order, with what each row shows loaded in a
    fixed number of queries."""
    owner_organisation = aliased(Organisation)
    query = (
        sa.select(ActionItem)
        .join(ActionItem.topic)
        .join(MinutesTopic.minutes)
        .join(Minutes.session)
        .outerjoin(ActionItem.owner_expert)
        .outerjoin(owner_organisation, ActionItem.owner_organisation)
        .where(state_condition(filters.state, today))
        .options(
            contains_eager(ActionItem.topic)
            .contains_eager(MinutesTopic.minutes)
            .contains_eager(Minutes.session),
            contains_eager(ActionItem.owner_expert),
            contains_eager(ActionItem.owner_organisation.of_type(owner_organisation)),
            # Many-to-one, joined: the page's query count does not depend on what it shows.
            joinedload(ActionItem.closed_in).joinedload(Minutes.session),
            joinedload(ActionItem.closed_by),
        )
    )
    if filters.owner:
        query = query.where(
            sa.or_(
                contains_ignoring_case(Expert.first_name + " " + Expert.last_name, filters.owner),
                contains_ignoring_case(owner_organisation.name, filters.owner),
            )
        )
    if filters.session_id is not None:
        query = query.where(Session.id == filters.session_id)
    no_due_date_last = ActionItem.due_date.is_(None)
    by_due_date = (no_due_date_last, ActionItem.due_date)
    by_owner = (
        sa.func.coalesce(Expert.sort_key, sa.func.lower(owner_organisation.name), "\uffff"),
    )
    order = (
        by_owner + by_due_date if filters.order == ActionItemOrder.OWNER else by_due_date + by_owner
    )
    return query.order_by(*order, Session.starts_at, MinutesTopic.position, ActionItem.position)


def item_state(item: ActionItem, today: date) -> ActionItemState:
    """The item's state as the list names it (open items due later than two weeks: open)."""
    if not item.is_open:
        return ActionItemState.CLOSED
    if item.due_date is not None and item.due_date < today:
        return ActionItemState.OVERDUE
    if item.due_date is not None and item.due_date <= today + timedelta(days=DUE_SOON_DAYS):
        return ActionItemState.DUE_SOON
    return ActionItemState.OPEN


def where_closed(item: ActionItem) -> str:
    """Where and by whom an item was closed, in the reader's language."""
    by = item.closed_by.name if item.closed_by is not None else ""
    if item.closed_in is not None:
        session = item.closed_in.session
        if by:
            return _("in the minutes of %(session)s, by %(name)s", session=session.title, name=by)
        return _("in the minutes of %(session)s", session=session.title)
    if by:
        return _("on the list of action items, by %(name)s", name=by)
    return _("on the list of action items")


def reopen_on_list(item: ActionItem, user: User) -> None:
    """Open again an item closed on the list (one closed in minutes is reopened there).

    Raises MinutesError if it is open, or was closed in the minutes of a session."""
    with in_language_of(user):
        if item.is_open:
            raise MinutesError(_("This action item is open."))
        if item.closed_in is not None:
            raise MinutesError(
                _(
                    "This action item was closed in the minutes of a session; "
                    "reopen it there while those minutes are not approved."
                )
            )
    reopen(item)
