"""The organiser's choice of how they hear about a session's answers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields import SelectChoice, enum_coerce
from wtforms.validators import InputRequired

from eventsys.notices.models import NoticeChoice


def _choices() -> list[SelectChoice]:
    return [SelectChoice(choice.value, choice.label) for choice in NoticeChoice]


class NoticeChoiceForm(FlaskForm):
    # Only the choice is sent: whose choice it is comes from the signed-in account, so that no
    # one can change another organiser's.
    choice = RadioField(
        _l("How do you want to hear about answers to this session?"),
        choices=_choices,
        coerce=enum_coerce(NoticeChoice),
        validators=[InputRequired(message=_l("Please choose how you want to hear about answers."))],
    )
    save = SubmitField(_l("Save choice"))
