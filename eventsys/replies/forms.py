"""Forms for deciding about a message in the queue, marking a counter-proposal as dealt with,
and uploading .eml and .msg files."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileRequired, MultipleFileField
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from eventsys.invitations.models import Invitation
from eventsys.validation import optional_id

# One label for each of decisions.DECISIONS.
DECISION_LABELS = {
    "accepted": _l("Accepted"),
    "tentative": _l("Tentative"),
    "declined": _l("Declined"),
    "ignore": _l("Set aside"),
}


def invitation_choices(invitations: list[Invitation], grouped: bool) -> list[SelectChoice]:
    """The invitations as options, grouped by session when they belong to several."""
    choices = [SelectChoice("", str(_l("– choose –")))]
    for invitation in invitations:
        expert = invitation.expert
        label = f"{expert.sort_name} ({expert.email}) – {invitation.response.label}"
        group = None
        if grouped:
            group = f"{invitation.session.title} ({invitation.session.starts_at:%d.%m.%Y})"
        choices.append(SelectChoice(str(invitation.id), label, optgroup=group))
    return choices


class DecisionForm(FlaskForm):
    invitation = SelectField(_l("The message answers the invitation of"), coerce=optional_id)
    # Sent by the button pressed: accepted, tentative, declined or ignore.
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice(value, label) for value, label in DECISION_LABELS.items()],
        validators=[DataRequired()],
    )

    def validate_invitation(self, field: SelectField) -> None:
        if self.decision.data != "ignore" and field.data is None:
            raise ValidationError(_l("Please choose the invitation this message answers."))


class DealtWithForm(FlaskForm):
    """No fields: it carries the CSRF token of the "dealt with" button."""


class UploadForm(FlaskForm):
    files = MultipleFileField(
        _l("Messages (.eml or .msg files)"),
        validators=[
            FileRequired(_l("Please choose at least one file.")),
            FileAllowed(
                ["eml", "msg"],
                _l(
                    "Only saved mails can be taken in: .eml files, or .msg files as Outlook "
                    "saves them. Please choose mails only."
                ),
            ),
        ],
    )
