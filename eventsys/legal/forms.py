"""The admins' form for a legal page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from eventsys.markup import MAX_MARKDOWN_LENGTH


class LegalTextForm(FlaskForm):
    body_de = TextAreaField(_l("Text in German"), validators=[Length(max=MAX_MARKDOWN_LENGTH)])
    body_en = TextAreaField(_l("Text in English"), validators=[Length(max=MAX_MARKDOWN_LENGTH)])
