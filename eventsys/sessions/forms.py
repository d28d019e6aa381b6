"""Forms for sessions, their agenda items and the session list's filters.

Times are entered as a date and a wall-clock time in Berlin and converted to UTC here, so that
the services only ever see exact instants.
"""

from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields import SelectChoice, enum_coerce
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from eventsys.experts.models import Expert
from eventsys.i18n import format_local_date
from eventsys.localtime import (
    AmbiguousLocalTime,
    NonexistentLocalTime,
    from_utc,
    platform_zone_name,
    to_utc,
)
from eventsys.sessions import queries
from eventsys.sessions.agenda import AgendaItemDetails
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.services import SessionDetails
from eventsys.sessions.states import SessionKind, SessionStatus
from eventsys.validation import SingleLine, WithinYears, blank_or, strip_whitespace

MAX_CAPACITY = 100_000
MAX_MINUTES = 24 * 60
MAX_TEXT_LENGTH = 20_000


class HttpUrl:
    """Accept only absolute http(s) links, which are safe to show as a link and to open."""

    message = _l("Enter a web address starting with https:// (or http://).")

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data:
            return
        parts = urlsplit(field.data)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in field.data:
            raise ValidationError(self.message)


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, kind.label) for kind in SessionKind]


def _status_choices() -> list[SelectChoice]:
    return [SelectChoice(status.value, status.label) for status in SessionStatus]


def _berlin_instant(day: date | None, clock: time | None, clock_field: Field) -> datetime | None:
    """The UTC instant of `clock` on `day` in Berlin, or None with an error on `clock_field`
    when that wall-clock time is skipped or repeated by a daylight-saving change."""
    if day is None or clock is None:
        return None
    shown = {"time": clock.strftime("%H:%M"), "date": format_local_date(day)}
    try:
        return to_utc(day, clock, platform_zone_name())
    except NonexistentLocalTime:
        clock_field.errors.append(
            _(
                "%(time)s on %(date)s does not exist in Berlin because the clocks go forward "
                "at that hour. Please choose another time.",
                **shown,
            )
        )
    except AmbiguousLocalTime:
        clock_field.errors.append(
            _(
                "%(time)s on %(date)s happens twice in Berlin because the clocks go back at "
                "that hour. Please choose another time.",
                **shown,
            )
        )
    return None


class SessionForm(FlaskForm):
    """A session's details; dates and times are Berlin wall-clock time."""

    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=200), SingleLine()],
        filters=[strip_whitespace],
    )
    title_en = StringField(
        _l("English title"),
        validators=[Length(max=200), SingleLine()],
        filters=[strip_whitespace],
    )
    kind = SelectField(_l("Kind of session"), choices=kind_choices, coerce=enum_coerce(SessionKind))
    status = SelectField(
        _l("Status"),
        choices=_status_choices,
        coerce=enum_coerce(SessionStatus),
        default=SessionStatus.PLANNED,
    )
    description = TextAreaField(
        _l("Description"), validators=[Length(max=MAX_TEXT_LENGTH)], filters=[strip_whitespace]
    )
    description_en = TextAreaField(
        _l("English description"),
        validators=[Length(max=MAX_TEXT_LENGTH)],
        filters=[strip_whitespace],
    )
    start_date = DateField(_l("Start date"), validators=[InputRequired(), WithinYears()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[Optional(), WithinYears()])
    end_time = TimeField(_l("End time"), validators=[InputRequired()])
    venue_address = StringField(
        _l("Venue address"),
        validators=[Length(max=300), SingleLine()],
        filters=[strip_whitespace],
    )
    venue_room = StringField(
        _l("Room"), validators=[Length(max=200), SingleLine()], filters=[strip_whitespace]
    )
    online_url = URLField(
        _l("Online link"),
        validators=[Length(max=500), SingleLine(), HttpUrl()],
        filters=[strip_whitespace],
    )
    capacity = IntegerField(
        _l("Capacity (places)"), validators=[Optional(), NumberRange(min=1, max=MAX_CAPACITY)]
    )
    online_capacity = IntegerField(
        _l("Limit for online participants"),
        validators=[Optional(), NumberRange(min=1, max=MAX_CAPACITY)],
    )
    rsvp_date = DateField(_l("Reply deadline: date"), validators=[Optional(), WithinYears()])
    rsvp_time = TimeField(_l("Reply deadline: time"), validators=[Optional()])
    organisers = SelectMultipleField(
        _l("Organisers responsible"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one organiser."))],
    )
    counter_proposals_blocked = BooleanField(_l("Do not let Outlook offer “Propose new time”"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._eligible_organisers = {user.id: user for user in queries.eligible_organisers()}
        self.organisers.choices = [
            SelectChoice(str(user.id), user.name) for user in self._eligible_organisers.values()
        ]
        self.starts_at: datetime | None = None
        self.ends_at: datetime | None = None
        self.rsvp_deadline: datetime | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        """Check every field, then turn the Berlin dates and times into UTC instants."""
        fields_valid = super().validate(extra_validators)
        self.starts_at = _berlin_instant(
            self.start_date.data, self.start_time.data, self.start_time
        )
        if not self.end_date.errors:
            end_day = self.end_date.data or self.start_date.data
            self.ends_at = _berlin_instant(end_day, self.end_time.data, self.end_time)
        self.rsvp_deadline = self._read_rsvp_deadline()
        clock_fields = (self.start_time, self.end_time, self.rsvp_date, self.rsvp_time)
        return fields_valid and not any(field.errors for field in clock_fields)

    def _read_rsvp_deadline(self) -> datetime | None:
        day, clock = self.rsvp_date.data, self.rsvp_time.data
        if self.rsvp_date.errors or self.rsvp_time.errors or (day is None and clock is None):
            return None
        if day is None or clock is None:
            missing = self.rsvp_date if day is None else self.rsvp_time
            missing.errors.append(
                _("Enter both a date and a time for the reply deadline, or neither.")
            )
            return None
        return _berlin_instant(day, clock, self.rsvp_time)

    def chosen_status(self) -> SessionStatus:
        return self.status.data

    def details(self) -> SessionDetails:
        """The validated input as the services take it (call after `validate`)."""
        return SessionDetails(
            title=self.title.data,
            kind=self.kind.data,
            description=self.description.data or "",
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            venue_address=self.venue_address.data or "",
            venue_room=self.venue_room.data or "",
            online_url=self.online_url.data or "",
            status=self.chosen_status(),
            capacity=self.capacity.data,
            online_capacity=self.online_capacity.data,
            rsvp_deadline=self.rsvp_deadline,
            organisers=[self._eligible_organisers[user_id] for user_id in self.organisers.data],
            title_en=self.title_en.data or "",
            description_en=self.description_en.data or "",
            counter_proposals_blocked=self.counter_proposals_blocked.data,
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put the services' objections next to the fields they are about."""
        fields_by_detail = {
            "ends_at": self.end_time,
            "rsvp_deadline": self.rsvp_time,
            "capacity": self.capacity,
            "online_capacity": self.online_capacity,
            "venue_address": self.venue_address,
            "organisers": self.organisers,
        }
        for detail, message in problems.items():
            fields_by_detail.get(detail, self.title).errors.append(message)


class EditSessionForm(SessionForm):
    """A change to an existing session. A change that mails invitees is shown first (see
    `outbox.preview_mail`); the organiser then sends it, or saves it without updating the
    calendars (a typo fixed), and gives a reason when cancelling."""

    cancellation_reason = TextAreaField(
        _l("Reason for the cancellation (goes into the mail)"),
        validators=[Length(max=1000)],
        filters=[strip_whitespace],
    )
    save_and_send = SubmitField(_l("Save and send"))
    save_quietly = SubmitField(_l("Save without mail"))

    @property
    def decided(self) -> bool:
        """True once the organiser has seen what would be mailed and chosen."""
        return bool(self.save_and_send.data or self.save_quietly.data)


class CopySessionForm(SessionForm):
    """The details of a copy; a copy always starts as planned, so its status is not asked."""

    status = None

    def chosen_status(self) -> SessionStatus:
        return SessionStatus.PLANNED


def session_form_data(session: Session, with_schedule: bool = True) -> dict[str, Any]:
    """A session's details as the form shows them; without dates and times for a copy."""
    data: dict[str, Any] = {
        "title": session.title,
        "title_en": session.title_en,
        "kind": session.kind,
        "status": session.status,
        "description": session.description,
        "description_en": session.description_en,
        "venue_address": session.venue_address,
        "venue_room": session.venue_room,
        "online_url": session.online_url,
        "capacity": session.capacity,
        "online_capacity": session.online_capacity,
        "organisers": [user.id for user in session.organisers],
        "counter_proposals_blocked": session.counter_proposals_blocked,
    }
    if with_schedule:
        starts_at = from_utc(session.starts_at, platform_zone_name())
        ends_at = from_utc(session.ends_at, platform_zone_name())
        data |= {
            "start_date": starts_at.date(),
            "start_time": starts_at.time(),
            "end_date": ends_at.date(),
            "end_time": ends_at.time(),
        }
        if session.rsvp_deadline is not None:
            deadline = from_utc(session.rsvp_deadline, platform_zone_name())
            data |= {"rsvp_date": deadline.date(), "rsvp_time": deadline.time()}
    return data


def _expert_label(expert: Expert) -> str:
    return f"{expert.sort_name} ({expert.organisation.name})"


class AgendaItemForm(FlaskForm):
    """One agenda item; the presenter is an expert from the directory or a typed name."""

    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=200), SingleLine()],
        filters=[strip_whitespace],
    )
    title_en = StringField(
        _l("English title"),
        validators=[Length(max=200), SingleLine()],
        filters=[strip_whitespace],
    )
    description = TextAreaField(
        _l("Description"), validators=[Length(max=MAX_TEXT_LENGTH)], filters=[strip_whitespace]
    )
    presenter_expert_id = SelectField(
        _l("Presenter from the expert directory"), coerce=blank_or(int)
    )
    presenter_text = StringField(
        _l("Other presenter"),
        validators=[Length(max=200), SingleLine()],
        filters=[strip_whitespace],
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_MINUTES)],
        default=30,
    )

    def __init__(self, *args: Any, item: AgendaItem | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=item, **kwargs)
        candidates = queries.presenter_candidates()
        # An expert who has left the directory stays selectable for the item that names them.
        former = item.presenter_expert if item is not None else None
        if former is not None and former not in candidates:
            candidates.append(former)
        self._experts = {expert.id: expert for expert in candidates}
        self.presenter_expert_id.choices = [SelectChoice("", _("– nobody from the directory –"))]
        self.presenter_expert_id.choices += [
            SelectChoice(str(expert.id), _expert_label(expert)) for expert in candidates
        ]

    def details(self) -> AgendaItemDetails:
        """The validated input as the services take it (call after `validate`)."""
        return AgendaItemDetails(
            title=self.title.data,
            title_en=self.title_en.data or "",
            description=self.description.data or "",
            presenter_expert=self._experts.get(self.presenter_expert_id.data),
            presenter_text=self.presenter_text.data or "",
            duration_minutes=self.duration_minutes.data,
        )


class RemoveAgendaItemForm(FlaskForm):
    """No fields: it carries the CSRF token of the remove button."""


class MoveAgendaItemForm(FlaskForm):
    direction = SelectField(
        _l("Direction"),
        choices=[SelectChoice("up", _l("up")), SelectChoice("down", _l("down"))],
    )


class SessionFilterForm(FlaskForm):
    """The session list's filters, read from the query string."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind of session"), coerce=blank_or(enum_coerce(SessionKind)))
    status = SelectField(_l("Status"), coerce=blank_or(enum_coerce(SessionStatus)))
    year = SelectField(_l("Year"), coerce=blank_or(int))

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = SelectChoice("", _("all"))
        self.kind.choices = [everything, *kind_choices()]
        self.status.choices = [everything, *_status_choices()]
        self.year.choices = [everything, *(SelectChoice(str(year)) for year in years)]

    def criteria(self) -> queries.SessionFilter:
        """The filters that were chosen and are valid; an unknown value filters nothing."""
        self.validate()
        return queries.SessionFilter(
            **{
                name: None if getattr(self, name).errors else getattr(self, name).data
                for name in ("kind", "status", "year")
            }
        )
