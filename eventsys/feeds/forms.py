"""Forms that give out, replace and take back feed addresses (one button each)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class FeedForm(FlaskForm):
    create = SubmitField(_l("Create subscription address"))
    regenerate = SubmitField(_l("Replace with a new address"))
    revoke = SubmitField(_l("Revoke address"))


class RevokeOwnFeedForm(FlaskForm):
    revoke = SubmitField(_l("Yes, revoke my subscription address"))
