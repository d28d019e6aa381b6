"""Forms for experts, organisations, working groups, the directory search and the CSV upload."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    EmailField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from eventsys.experts.checks import max_length
from eventsys.experts.countries import country_choices
from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.experts.salutations import Salutation
from eventsys.experts.search import ExpertSearch, ExpertStatus
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.experts.time_zones import time_zone_choices
from eventsys.experts.working_groups import DESCRIPTION_MAX_LENGTH
from eventsys.localtime import platform_zone_name
from eventsys.query_arguments import id_from_text
from eventsys.validation import (
    KnownTimeZone,
    SingleLine,
    lower_email,
    optional_id,
    strip_whitespace,
    text_or_empty,
)

# Each language named in itself, so that everyone finds their own.
LANGUAGE_CHOICES = [SelectChoice("de", "Deutsch"), SelectChoice("en", "English")]


def stakeholder_group_choices() -> list[SelectChoice]:
    return [SelectChoice(group.value, group.label) for group in StakeholderGroup]


def _record_choices(records, label=lambda record: record.name) -> list[SelectChoice]:
    return [SelectChoice(str(record.id), label(record)) for record in records]


def _expert_label(expert: Expert) -> str:
    return f"{expert.sort_name} ({expert.email})"


def salutation_choices() -> list[SelectChoice]:
    return [SelectChoice(salutation.value, salutation.label) for salutation in Salutation]


class ExpertForm(FlaskForm):
    salutation = SelectField(
        _l("Salutation"),
        choices=salutation_choices,
        default=Salutation.NONE.value,
        validators=[DataRequired()],
    )
    title = StringField(
        _l("Title"),
        validators=[Length(max=max_length(Expert.title)), SingleLine()],
        filters=[strip_whitespace],
        description=_l("For example Dr. or Prof. Dr."),
    )
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(), Length(max=max_length(Expert.first_name)), SingleLine()],
        filters=[strip_whitespace],
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(), Length(max=max_length(Expert.last_name)), SingleLine()],
        filters=[strip_whitespace],
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=max_length(Expert.email)), SingleLine()],
        filters=[lower_email],
    )
    organisation_id = SelectField(
        _l("Organisation"), coerce=optional_id, validators=[DataRequired()]
    )
    function = StringField(
        _l("Function"),
        validators=[Length(max=max_length(Expert.function)), SingleLine()],
        filters=[strip_whitespace],
    )
    language = SelectField(
        _l("Preferred language"), choices=LANGUAGE_CHOICES, validators=[DataRequired()]
    )
    # Any zone the time zone database knows is accepted (an imported alias stays valid), so
    # the choice is checked by KnownTimeZone, whose message says what to do, not by WTForms.
    timezone = SelectField(
        _l("Time zone"),
        default=platform_zone_name,
        validate_choice=False,
        validators=[
            DataRequired(message=_l("Please choose a time zone from the list.")),
            KnownTimeZone(message=_l("Please choose a time zone from the list.")),
        ],
    )
    deputy_id = SelectField(_l("Deputy"), coerce=optional_id)

    def offer(self, organisations: list[Organisation], deputies: list[Expert]) -> None:
        """Fill the organisation, deputy and time zone choices."""
        self.timezone.choices = time_zone_choices(current=self.timezone.data)
        self.organisation_id.choices = [
            SelectChoice("", _l("Please choose")),
            *_record_choices(organisations),
        ]
        self.deputy_id.choices = [
            SelectChoice("", _l("No deputy")),
            *_record_choices(deputies, _expert_label),
        ]


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=max_length(Organisation.name)), SingleLine()],
        filters=[strip_whitespace],
    )
    stakeholder_group = SelectField(
        _l("Stakeholder group"), choices=stakeholder_group_choices, validators=[DataRequired()]
    )
    # The service checks the code (and that partners have one), so that its message is shown.
    country = SelectField(_l("Country"), coerce=text_or_empty, validate_choice=False)

    def offer_countries(self) -> None:
        """Fill the country choices, named in the display language."""
        self.country.choices = [
            SelectChoice("", _l("No country")),
            *(SelectChoice(code, name) for code, name in country_choices()),
        ]


class WorkingGroupForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=max_length(WorkingGroup.name)), SingleLine()],
        filters=[strip_whitespace],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=DESCRIPTION_MAX_LENGTH)],
        filters=[strip_whitespace],
    )
    member_ids = SelectMultipleField(
        _l("Members"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def offer(self, candidates: list[Expert]) -> None:
        """Fill the member choices."""
        self.member_ids.choices = _record_choices(
            candidates, lambda expert: f"{_expert_label(expert)}, {expert.organisation.name}"
        )


STATUS_CHOICES = [
    SelectChoice(ExpertStatus.ACTIVE.value, _l("Active")),
    SelectChoice(ExpertStatus.INACTIVE.value, _l("Inactive")),
    SelectChoice(ExpertStatus.ALL.value, _l("All")),
]


class ExpertSearchForm(FlaskForm):
    """The directory's filters, sent by GET; a filter with an invalid value is left out."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Length(max=200)], filters=[strip_whitespace])
    stakeholder_group = SelectField(_l("Stakeholder group"), coerce=text_or_empty, default="")
    # Chosen by following an organisation's link, not from a list of every organisation (there
    # are thousands at national scale; the free text finds them by name).
    organisation = HiddenField(filters=[id_from_text])
    working_group = SelectField(_l("Working group"), coerce=optional_id)
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default=ExpertStatus.ACTIVE.value)

    def offer(self, working_groups: list[WorkingGroup]) -> None:
        """Fill the filter choices."""
        everything = SelectChoice("", _l("All"))
        self.stakeholder_group.choices = [everything, *stakeholder_group_choices()]
        self.working_group.choices = [everything, *_record_choices(working_groups)]

    def criteria(self) -> ExpertSearch:
        """The search the valid filters describe (call after `validate`)."""

        def valid(field):
            return None if field.errors else field.data

        text = valid(self.q) or ""
        group = valid(self.stakeholder_group)
        status = valid(self.status)
        return ExpertSearch(
            text=text,
            stakeholder_group=StakeholderGroup(group) if group else None,
            organisation_id=valid(self.organisation),
            working_group_id=valid(self.working_group),
            status=ExpertStatus(status) if status else ExpertStatus.ACTIVE,
        )


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(message=_l("Please choose a CSV file.")),
            FileAllowed(["csv", "txt"], message=_l("Please choose a CSV file (.csv or .txt).")),
        ],
    )
    check = SubmitField(_l("Check only"))
    save = SubmitField(_l("Import"))
