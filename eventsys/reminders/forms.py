"""Forms of the reminders page: the automatic reminders on or off, and reminders sent now."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired


class ReminderSettingsForm(FlaskForm):
    enabled = BooleanField(_l("Send reminders automatically for this session"))
    action_items = BooleanField(
        _l("Remind the owners of this session's action items before their due dates")
    )
    save = SubmitField(_l("Save setting"))


class SendRemindersForm(FlaskForm):
    """The invitees chosen by checkbox; the choices are those a reminder fits right now."""

    invitations = SelectMultipleField(
        _l("Invitees"),
        coerce=int,
        validators=[DataRequired(message=_l("Please choose at least one invitee."))],
    )
    send = SubmitField(_l("Send reminders now"))
