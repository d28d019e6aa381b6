"""Forms for signing in, resetting passwords, two-factor sign-in and managing accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from eventsys.roles import Role
from eventsys.validation import SingleLine, lower_email, strip_whitespace


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Length(max=254)], filters=[lower_email]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Stay signed in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[lower_email],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class LanguageForm(FlaskForm):
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("de", "Deutsch"), SelectChoice("en", "English")],
        validators=[DataRequired()],
    )


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, role.label) for role in Role]


class UserForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=200), SingleLine()],
        filters=[strip_whitespace],
    )
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    active = BooleanField(_l("Account active"), default=True)


class NewUserForm(UserForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
        filters=[lower_email],
    )
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=200)])


# Phones then offer the code the app has just shown, and a number keypad.
APP_CODE_ATTRIBUTES = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "autocapitalize": "off",
    "spellcheck": "false",
}
RECOVERY_CODE_ATTRIBUTES = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}


def app_code_field(label=None, required: bool = True) -> StringField:
    return StringField(
        label or _l("Code from your authenticator app"),
        validators=[DataRequired() if required else Optional(), Length(max=64)],
        filters=[strip_whitespace],
        render_kw=APP_CODE_ATTRIBUTES,
    )


class SecondStepForm(FlaskForm):
    """The second step of signing in: a code from the app, or else a recovery code."""

    code = app_code_field(required=False)
    recovery_code = StringField(
        _l("Recovery code"),
        validators=[Optional(), Length(max=64)],
        filters=[strip_whitespace],
        render_kw=RECOVERY_CODE_ATTRIBUTES,
    )

    def typed_code(self) -> str:
        return self.code.data or self.recovery_code.data or ""


class ConfirmEnrolmentForm(FlaskForm):
    code = app_code_field()


class PrefixedForm(FlaskForm):
    """A form that shares its page with others: its field names (and so the ids the labels
    point to) carry a prefix of their own."""

    field_prefix = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", self.field_prefix)
        super().__init__(*args, **kwargs)


class RecoveryCodesForm(PrefixedForm):
    field_prefix = "recovery"
    code = app_code_field(_l("Current code from your authenticator app"))


class DisableTwoFactorForm(PrefixedForm):
    field_prefix = "disable"
    password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    code = app_code_field(_l("Current code from your authenticator app"))


class ResetTwoFactorForm(FlaskForm):
    """An admin's button: the form carries only the CSRF token."""


class SignInPolicyForm(FlaskForm):
    two_factor_required = BooleanField(_l("Require two-factor sign-in for all staff"))
