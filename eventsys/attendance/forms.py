"""Forms of the attendance list: marking on the day, adding experts and guests."""

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length

from eventsys.attendance.services import GUEST_NAME_LIMIT, AddableExperts, AttendeeFilter
from eventsys.attendance.states import AttendanceStatus
from eventsys.experts.forms import stakeholder_group_choices
from eventsys.experts.models import Expert
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.validation import SingleLine, optional_id, strip_whitespace, text_or_empty

# What can be recorded on the day; "expected" is only where everyone starts.
DAY_MARKS = (AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)


class MarkForm(FlaskForm):
    """One tap on the check-in page: the state of one attendee."""

    # Plain text, checked in `validate`, so that an unknown value gets our message rather than
    # WTForms' "Not a valid choice".
    status = StringField(_l("Attendance"), filters=[strip_whitespace])

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.status.data not in {mark.value for mark in DAY_MARKS}:
            self.status.errors.append(_("Please choose present, excused or absent."))
            return False
        return valid

    def mark(self) -> AttendanceStatus:
        """The chosen state (call after `validate`)."""
        return AttendanceStatus(self.status.data)


def _expert_label(expert: Expert) -> str:
    organisation = expert.organisation.name if expert.organisation else ""
    return f"{expert.sort_name} ({organisation})" if organisation else expert.sort_name


class AddExpertForm(FlaskForm):
    """Someone from the directory who came but is not on the list, chosen from a search."""

    expert_id = SelectField(_l("Expert"), coerce=optional_id, validate_choice=False)

    def offer(self, addable: AddableExperts, lookup: Callable[[int | None], Expert | None]):
        """Fill the choice with the experts found: invited but not listed first, then the
        rest; `lookup` finds the one chosen (who may have come from an earlier search)."""
        invited, others = _("Invited, not on the list"), _("Other experts in the directory")
        self.expert_id.choices = [
            SelectChoice("", _("Please choose")),
            *(
                SelectChoice(str(expert.id), _expert_label(expert), optgroup=invited)
                for expert in addable.invited
            ),
            *(
                SelectChoice(str(expert.id), _expert_label(expert), optgroup=others)
                for expert in addable.others
            ),
        ]
        self.lookup = lookup

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        self.chosen = self.lookup(self.expert_id.data) if not self.expert_id.errors else None
        if self.chosen is None:
            # One message for every way of missing: nothing chosen, a number that is not an
            # expert, someone listed meanwhile.
            self.expert_id.errors = [
                _("Please choose an expert from the list who is not listed yet.")
            ]
            return False
        return valid

    def expert(self) -> Expert:
        """The chosen expert (call after `validate`)."""
        return self.chosen


class AddGuestForm(FlaskForm):
    """A guest who was not invited and is not in the directory."""

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Please enter the guest's name.")),
            Length(max=GUEST_NAME_LIMIT),
            SingleLine(),
        ],
        filters=[strip_whitespace],
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[Length(max=GUEST_NAME_LIMIT), SingleLine()],
        filters=[strip_whitespace],
    )
    stakeholder_group = SelectField(
        _l("Stakeholder group"),
        coerce=text_or_empty,
        choices=lambda: [SelectChoice("", _l("not stated")), *stakeholder_group_choices()],
    )

    def group(self) -> StakeholderGroup | None:
        chosen = self.stakeholder_group.data
        return StakeholderGroup(chosen) if chosen else None


class ConfirmForm(FlaskForm):
    """No fields: it carries the CSRF token of a button (take over, remove, close the list)."""


SEARCH_MAX_LENGTH = 200


def attendee_filter(values: Mapping[str, str]) -> AttendeeFilter:
    """The filter of the list pages from query arguments; an unknown value filters nothing."""
    status = values.get("status", "")
    group = values.get("group", "")
    return AttendeeFilter(
        text=" ".join(str(values.get("q", "")).split())[:SEARCH_MAX_LENGTH],
        status=AttendanceStatus(status) if status in AttendanceStatus._value2member_map_ else None,
        group=StakeholderGroup(group) if group in StakeholderGroup._value2member_map_ else None,
    )


class AttendeeFilterForm(FlaskForm):
    """The search and filters of the attendance list, sent by GET."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or organisation"))
    status = SelectField(_l("Status"), validate_choice=False)
    group = SelectField(_l("Stakeholder group"), validate_choice=False)

    def offer(self, filters: AttendeeFilter) -> None:
        everything = SelectChoice("", _l("All"))
        self.status.choices = [
            everything,
            *(SelectChoice(status.value, status.label) for status in AttendanceStatus),
        ]
        self.group.choices = [everything, *stakeholder_group_choices()]
        self.q.data = filters.text
        self.status.data = filters.status.value if filters.status else ""
        self.group.data = filters.group.value if filters.group else ""
