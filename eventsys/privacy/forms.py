"""The confirmation an erasure asks for."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ErasureForm(FlaskForm):
    confirm = BooleanField(
        _l("I confirm that this person's data is to be erased. This cannot be undone."),
        validators=[DataRequired(_l("Please confirm the erasure."))],
    )
