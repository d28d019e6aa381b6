"""Forms for inviting experts, answering an invitation, and the organisers' changes to one."""

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice, enum_coerce
from wtforms.validators import Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventsys.experts.models import Expert, WorkingGroup
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.invitations.deputies import NewDeputy
from eventsys.invitations.overview import (
    ANSWER_KEYS,
    ANSWER_LABELS,
    MODE_NOT_STATED,
    WITHDRAWN,
    InvitationFilter,
)
from eventsys.invitations.rsvp import LINK_RESPONSES, LinkAnswer
from eventsys.invitations.selection import SINGLE_EXPERTS_LIMIT, ExpertChoice
from eventsys.invitations.states import AttendanceMode, Response
from eventsys.query_arguments import MAX_DATABASE_ID, MAX_PAGE, id_from_text
from eventsys.sessions.models import Session
from eventsys.validation import SingleLine, lower_email, strip_whitespace

COMMENT_MAX_LENGTH = 2000
SEARCH_MAX_LENGTH = 200
# The value of the answer page's fourth choice: send a deputy instead.
DEPUTY = "deputy"
CONFIGURED_DEPUTY = "configured"
OTHER_DEPUTY = "other"


def _blank_or(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A choice field's coerce function that reads an empty value as None."""

    def coerce_or_none(value: Any) -> Any:
        return None if value in ("", None) else coerce(value)

    return coerce_or_none


def _checkboxes(label, coerce: Callable[[Any], Any]) -> SelectMultipleField:
    return SelectMultipleField(
        label,
        coerce=coerce,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


def expert_label(expert: Expert) -> str:
    return f"{expert.sort_name} ({expert.organisation.name})"


class InviteForm(FlaskForm):
    """The experts to invite, the preview of their mail, and the confirmation.

    Single experts are found with the search (`q`, a page of results at a time) and ticked;
    groups are ticked as a whole. The first POST (`preview`) shows who would be invited; the
    preview sends back the choice with the number and fingerprint of the experts it showed
    (`selection_count`, `selection_digest`), and the confirmation (`send`) resolves the choice
    again and invites only if it still names exactly those.
    """

    expert_ids = _checkboxes(_l("Experts chosen one by one"), int)
    working_group_ids = _checkboxes(_l("Working groups"), int)
    stakeholder_groups = _checkboxes(_l("Stakeholder groups"), enum_coerce(StakeholderGroup))
    last_time = BooleanField(_l("Everyone invited last time"))
    everyone = BooleanField(_l("All active experts"))
    q = SearchField(
        _l("Find experts by name, e-mail address or organisation"),
        validators=[Length(max=SEARCH_MAX_LENGTH)],
        filters=[strip_whitespace],
    )
    results_page = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)])
    search = SubmitField(_l("Search"))
    selection_count = IntegerField(validators=[Optional(), NumberRange(min=0)])
    selection_digest = HiddenField(validators=[Length(max=64)])
    preview = SubmitField(_l("Preview the invitation"))
    send = SubmitField(_l("Send the invitations"))
    change = SubmitField(_l("Change the selection"))

    def ticked_expert_ids(self) -> list[int]:
        """The experts ticked one by one that can be database ids, each once, at most
        SINGLE_EXPERTS_LIMIT (more cannot come from the page)."""
        ids = []
        for value in self.expert_ids.raw_data or ():
            number = id_from_text(value)
            if number is not None and number not in ids:
                ids.append(number)
        return ids[:SINGLE_EXPERTS_LIMIT]

    @property
    def is_search(self) -> bool:
        """True when the organiser searched or turned a page of results (nothing to check)."""
        return bool(self.search.data or self.results_page.raw_data) and not (
            self.preview.data or self.send.data or self.change.data
        )

    def offer(
        self,
        chosen: list[Expert],
        results: list[Expert],
        working_groups: list[tuple[WorkingGroup, int]],
        previous: Session | None,
        previous_invitees: int,
        invited_ids: set[int],
    ) -> None:
        """Fill the choices: the experts ticked so far, then the search results; those
        already invited are marked as such."""
        already_invited = _("already invited")
        ticked = {expert.id for expert in chosen}
        self.chosen = chosen
        self.results = [expert for expert in results if expert.id not in ticked]
        self.expert_ids.choices = [
            SelectChoice(
                str(expert.id),
                expert_label(expert)
                + (f" – {already_invited}" if expert.id in invited_ids else ""),
            )
            for expert in (*chosen, *self.results)
        ]
        self.expert_ids.data = sorted(ticked)
        self.working_group_ids.choices = [
            SelectChoice(
                str(group.id),
                ngettext(
                    "%(name)s (%(num)d active member)",
                    "%(name)s (%(num)d active members)",
                    count,
                    name=group.name,
                ),
            )
            for group, count in working_groups
        ]
        self.stakeholder_groups.choices = [
            SelectChoice(group.value, group.label) for group in StakeholderGroup
        ]
        self.previous = previous
        if previous is not None:
            self.last_time.label.text = ngettext(
                "Everyone invited to “%(title)s” (%(num)d expert)",
                "Everyone invited to “%(title)s” (%(num)d experts)",
                previous_invitees,
                title=previous.title,
            )

    def choice(self) -> ExpertChoice:
        """The selection as the services take it (call after `validate`)."""
        return ExpertChoice(
            expert_ids=tuple(self.ticked_expert_ids()),
            working_group_ids=tuple(
                number
                for number in self.working_group_ids.data or ()
                if 1 <= number <= MAX_DATABASE_ID
            ),
            stakeholder_groups=tuple(self.stakeholder_groups.data or ()),
            last_time=bool(self.last_time.data and self.previous is not None),
            everyone=bool(self.everyone.data),
        )

    def validate(self, extra_validators: Any = None) -> bool:
        # The ids were read by `ticked_expert_ids`; a choice list would refuse one not on it.
        self.expert_ids.data = self.ticked_expert_ids()
        if not super().validate(extra_validators):
            return False
        if self.send.data:
            if not self.selection_digest.data:
                self.form_errors.append(_("Nobody is left to invite."))
                return False
        elif not self.change.data and self.choice().is_empty:
            self.form_errors.append(_("Please choose at least one expert or group."))
            return False
        return True


def _response_choices() -> list[SelectChoice]:
    return [SelectChoice(response.value, response.label) for response in LINK_RESPONSES]


def _mode_choices() -> list[SelectChoice]:
    return [SelectChoice(mode.value, mode.label) for mode in AttendanceMode]


class RsvpForm(FlaskForm):
    """The expert's answer: accept, accept with reservation, decline, or send a deputy."""

    response = RadioField(
        _l("Your answer"),
        coerce=_blank_or(str),
        validate_choice=False,
    )
    attendance_mode = RadioField(
        _l("How will you take part?"),
        coerce=_blank_or(enum_coerce(AttendanceMode)),
        validate_choice=False,
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Length(max=COMMENT_MAX_LENGTH)],
        filters=[strip_whitespace],
    )
    deputy = RadioField(
        _l("Your deputy"),
        coerce=_blank_or(str),
        validate_choice=False,
    )
    deputy_first_name = StringField(
        _l("First name"),
        validators=[Length(max=100), SingleLine()],
        filters=[strip_whitespace],
    )
    deputy_last_name = StringField(
        _l("Last name"),
        validators=[Length(max=100), SingleLine()],
        filters=[strip_whitespace],
    )
    deputy_email = EmailField(
        _l("E-mail address"),
        validators=[Optional(), Email(), Length(max=254), SingleLine()],
        filters=[lower_email],
    )
    submit = SubmitField(_l("Send my answer"))

    def offer(self, configured_deputy: Expert | None) -> None:
        """Fill the choices; the deputy on record, if any, is offered first."""
        self.response.choices = [
            SelectChoice(Response.ACCEPTED.value, _l("I accept")),
            SelectChoice(Response.TENTATIVE.value, _l("I accept with reservation")),
            SelectChoice(Response.DECLINED.value, _l("I decline")),
            SelectChoice(DEPUTY, _l("I send a deputy instead")),
        ]
        self.attendance_mode.choices = [
            SelectChoice(AttendanceMode.IN_PERSON.value, _l("In person, at the venue")),
            SelectChoice(AttendanceMode.ONLINE.value, _l("Online")),
        ]
        self.configured_deputy = configured_deputy
        self.deputy.choices = []
        if configured_deputy is not None:
            self.deputy.choices.append(
                SelectChoice(
                    CONFIGURED_DEPUTY,
                    _(
                        "%(name)s, my deputy on record (%(email)s)",
                        name=configured_deputy.full_name,
                        email=configured_deputy.email,
                    ),
                )
            )
        self.deputy.choices.append(SelectChoice(OTHER_DEPUTY, _l("Someone else:")))
        if configured_deputy is not None and not self.deputy.data:
            # Unless someone else is named, "send a deputy" means the one on record.
            self.deputy.data = CONFIGURED_DEPUTY

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        offered = {choice.value for choice in self.response.choices}
        if self.response.data not in offered:
            self.response.errors.append(_("Please choose an answer."))
            return False
        if self.response.data != DEPUTY:
            return valid
        if self._names_someone_else():
            for name in ("deputy_first_name", "deputy_last_name", "deputy_email"):
                field = self[name]
                if not field.data and not field.errors:
                    field.errors.append(_("Please fill in this field to name your deputy."))
                    valid = False
        return valid

    def _names_someone_else(self) -> bool:
        if self.configured_deputy is None or self.deputy.data == OTHER_DEPUTY:
            return True
        # Typing an address names that person, even with the deputy on record still ticked.
        return bool(self.deputy_email.data)

    def answer(self) -> LinkAnswer:
        """The validated input as the services take it (call after `validate`)."""
        comment = self.comment.data or ""
        if self.response.data == DEPUTY:
            new_deputy = None
            if self._names_someone_else():
                new_deputy = NewDeputy(
                    first_name=self.deputy_first_name.data,
                    last_name=self.deputy_last_name.data,
                    email=self.deputy_email.data,
                )
            return LinkAnswer(Response.DELEGATED, comment=comment, new_deputy=new_deputy)
        return LinkAnswer(
            Response(self.response.data),
            comment=comment,
            attendance_mode=self.attendance_mode.data,
        )


class SetAnswerForm(FlaskForm):
    """An answer that reached the organisers another way (telephone, letter, conversation)."""

    response = SelectField(_l("Answer"), choices=_response_choices, coerce=_blank_or(Response))
    comment = StringField(
        _l("Note"),
        validators=[Length(max=COMMENT_MAX_LENGTH), SingleLine()],
        filters=[strip_whitespace],
    )
    attendance_mode = SelectField(
        _l("Taking part"),
        coerce=_blank_or(enum_coerce(AttendanceMode)),
        choices=lambda: [SelectChoice("", _l("not stated")), *_mode_choices()],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.response.data is None:
            self.response.errors.append(_("Please choose an answer."))
            return False
        return valid


class AgendaUpdateForm(FlaskForm):
    """No fields: it carries the CSRF token of the "send the new agenda" button."""


class WithdrawForm(FlaskForm):
    """No fields: it carries the CSRF token of the withdraw button."""


class DeputyDecisionForm(FlaskForm):
    """Staff confirm or decline a deputy named through an answer link or a calendar reply; when
    confirming someone new to the directory, with the name as it should be (a name typed in a
    hurry or read from a calendar may be missing or wrong). Empty names keep the proposal's."""

    first_name = StringField(
        _l("First name"), validators=[Length(max=100), SingleLine()], filters=[strip_whitespace]
    )
    last_name = StringField(
        _l("Last name"), validators=[Length(max=100), SingleLine()], filters=[strip_whitespace]
    )
    confirm = SubmitField(_l("Confirm and invite"))
    decline = SubmitField(_l("Do not invite"))

    def validate(self, extra_validators: Any = None) -> bool:
        return super().validate(extra_validators) and bool(self.confirm.data or self.decline.data)


def invitation_filter(values: Mapping[str, str]) -> InvitationFilter:
    """The filter of the answers page from query arguments or form fields; an unknown or
    unreadable value filters nothing (a link edited by hand still shows a page)."""
    answer = values.get("answer", "")
    group = values.get("group", "")
    mode = values.get("mode", "")
    text = " ".join(str(values.get("q", "")).split())[:SEARCH_MAX_LENGTH]
    return InvitationFilter(
        answer=answer if answer in (*ANSWER_KEYS, WITHDRAWN) else "",
        group=StakeholderGroup(group) if group in StakeholderGroup._value2member_map_ else None,
        mode=mode if mode in {*(m.value for m in AttendanceMode), MODE_NOT_STATED} else "",
        text=text,
    )


class InvitationFilterForm(FlaskForm):
    """The filters of the answers page, sent by GET (see `invitation_filter`)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name, e-mail address or organisation"))
    answer = SelectField(_l("Answer"), validate_choice=False)
    group = SelectField(_l("Stakeholder group"), validate_choice=False)
    mode = SelectField(_l("In person / online"), validate_choice=False)

    def offer(self, filters: InvitationFilter) -> None:
        """Fill the choices and show `filters` as chosen."""
        everything = SelectChoice("", _l("All"))
        self.answer.choices = [
            SelectChoice("", _l("All not withdrawn")),
            *(SelectChoice(key, ANSWER_LABELS[key]) for key in ANSWER_KEYS),
            SelectChoice(WITHDRAWN, _l("Withdrawn")),
        ]
        self.group.choices = [
            everything,
            *(SelectChoice(group.value, group.label) for group in StakeholderGroup),
        ]
        self.mode.choices = [
            everything,
            *_mode_choices(),
            SelectChoice(MODE_NOT_STATED, _l("not stated")),
        ]
        self.q.data = filters.text
        self.answer.data = filters.answer
        self.group.data = filters.group.value if filters.group else ""
        self.mode.data = filters.mode


# At most one page of rows can be ticked; more ids than that are not from the page.
TICKED_LIMIT = 200


class RemindChosenForm(FlaskForm):
    """Reminders from the answers page: to the rows ticked, or to everyone the filter shows
    (its fields come along as hidden fields, read by `invitation_filter`)."""

    invitation_ids = SelectMultipleField(coerce=int, validate_choice=False)
    remind_ticked = SubmitField(_l("Remind the ticked"))
    remind_filtered = SubmitField(_l("Remind everyone shown by the filter"))

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.remind_ticked.data or self.remind_filtered.data):
            return False
        if self.remind_ticked.data and not self.invitation_ids.data:
            self.form_errors.append(_("Please tick at least one invitee."))
            return False
        if len(self.invitation_ids.data or ()) > TICKED_LIMIT:
            self.form_errors.append(_("Please tick at most one page of invitees."))
            return False
        return True
