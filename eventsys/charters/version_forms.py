"""Forms of the charter versions: freezing the working text, adopting a version, and choosing
two texts to compare."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from eventsys.charters.models import CharterVersion
from eventsys.charters.versions import MAX_NOTE_LENGTH, parse_label
from eventsys.i18n import current_language

MINOR = "minor"
RELEASE = "release"
# What the comparison calls the working text, in URLs and in its choices.
WORKING_TEXT = "draft"


class FreezeForm(FlaskForm):
    """Freeze the working text as the next minor version or as a release."""

    kind = RadioField(_l("Which version"), default=MINOR, validators=[InputRequired()])
    note = TextAreaField(
        _l("What changed (optional)"),
        validators=[Optional(), Length(max=MAX_NOTE_LENGTH)],
    )

    def __init__(self, *args: Any, minor_label: str, release_label: str, **kwargs: Any) -> None:
        # Field names "freeze-kind" and "freeze-note": the draft page has other forms too.
        kwargs.setdefault("prefix", "freeze")
        super().__init__(*args, **kwargs)
        self.kind.choices = [
            SelectChoice(MINOR, _("Version %(label)s", label=minor_label)),
            SelectChoice(RELEASE, _("Version %(label)s (release)", label=release_label)),
        ]

    @property
    def release(self) -> bool:
        return self.kind.data == RELEASE


class AdoptForm(FlaskForm):
    """Adopt a version: nothing to fill in but the CSRF token."""


class CompareForm(FlaskForm):
    """Two texts to compare, from the query string: versions by label ("0.2"), and as the
    newer text also the working draft."""

    class Meta:
        csrf = False

    # DataRequired, not InputRequired: without a query string the defaults below apply.
    old = SelectField(_l("Compare"), name="from", validators=[DataRequired()])
    new = SelectField(_l("with"), name="to", validators=[DataRequired()])
    language = SelectField(
        _l("Language of the text"),
        choices=[SelectChoice("de", "Deutsch"), SelectChoice("en", "English")],
    )

    def __init__(self, *args: Any, versions: list[CharterVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = [version.label for version in versions]
        choices = [SelectChoice(label, _("Version %(label)s", label=label)) for label in labels]
        self.old.choices = choices
        self.new.choices = [
            *choices,
            SelectChoice(WORKING_TEXT, _("current working text (not frozen)")),
        ]
        if self.old.data is None and labels:
            # Unless asked otherwise: the latest version against the working text.
            self.old.data = labels[-1]
        if self.new.data is None:
            self.new.data = WORKING_TEXT
        if self.language.data is None:
            self.language.data = current_language()

    def unknown_version_asked_for(self) -> bool:
        """Whether a refused choice is a well-formed label of a version that does not exist
        (a missing page), rather than a malformed request."""
        return any(
            field.errors and field.raw_data and parse_label(field.raw_data[0]) is not None
            for field in (self.old, self.new)
        )
