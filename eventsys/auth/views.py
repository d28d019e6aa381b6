"""Sign-in (with the second step of two-factor sign-in), password reset, one's own account
with two-factor set-up, the admins' account list and sign-in policy."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from eventsys.access import ALL_STAFF, public, roles_required
from eventsys.auth import pending_sign_in, policy, services, throttling, two_factor
from eventsys.auth.forms import (
    ChangePasswordForm,
    ConfirmEnrolmentForm,
    DisableTwoFactorForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    NewUserForm,
    RecoveryCodesForm,
    ResetTwoFactorForm,
    SecondStepForm,
    SignInPolicyForm,
    UserForm,
)
from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.i18n import LANGUAGE_SESSION_KEY
from eventsys.roles import Role
from eventsys.validation import local_path

blueprint = Blueprint("auth", __name__)

# Open to a signed-in user who must still set up two-factor sign-in (besides public pages).
OPEN_BEFORE_ENROLMENT = frozenset({"static", "auth.two_factor_setup", "auth.logout"})


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site; anything else leads to the dashboard."""
    return local_path(target) or url_for("dashboard.index")


@blueprint.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        if throttling.sign_in_blocked(form.email.data):
            minutes = throttling.minutes_until_retry(form.email.data)
            flash(_too_many_failures(minutes), "error")
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.two_factor_enabled:
            # Not signed in yet: the "stay signed in" choice waits with the sign-in, so that no
            # cookie is set before the second step.
            pending_sign_in.hold(user, form.remember.data, request.args.get("next"))
            session[LANGUAGE_SESSION_KEY] = user.language
            return redirect(url_for("auth.second_step"))
        if user is not None:
            return _complete_sign_in(user, form.remember.data, request.args.get("next"))
        throttling.record_failed_sign_in(form.email.data)
        flash(_("E-mail address or password is wrong."), "error")
    return render_template("auth/login.html", form=form)


def _too_many_failures(minutes: int) -> str:
    return _(
        "Too many failed sign-ins. For your protection, signing in is paused; "
        "please try again in %(minutes)d minutes.",
        minutes=minutes,
    )


def _complete_sign_in(user: User, remember: bool, next_target: str | None):
    services.record_sign_in(user)
    db.session.commit()
    login_user(user, remember=remember)
    session[LANGUAGE_SESSION_KEY] = user.language
    return redirect(_safe_next(next_target))


@blueprint.route("/login/code", methods=["GET", "POST"])
@public
def second_step():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    lookup = pending_sign_in.look_up()
    if lookup.pending is None:
        if lookup.expired:
            flash(_("Your sign-in has expired. Please sign in again."), "error")
        return redirect(url_for("auth.login"))
    pending = lookup.pending
    form = SecondStepForm()
    if form.validate_on_submit():
        if throttling.code_check_blocked(pending.user.id):
            minutes = throttling.minutes_until_code_retry(pending.user.id)
            flash(_too_many_failures(minutes), "error")
            return render_template("auth/second_step.html", form=form), 429
        typed_field = form.code if form.code.data else form.recovery_code
        if not form.typed_code():
            form.code.errors.append(_("Please enter the code from your app."))
            return render_template("auth/second_step.html", form=form)
        factor = two_factor.verify_second_factor(pending.user, form.typed_code())
        if factor is None:
            db.session.rollback()
            throttling.record_failed_code(pending.user.id)
            typed_field.errors.append(two_factor.wrong_code_message())
            return render_template("auth/second_step.html", form=form)
        pending_sign_in.discard()
        if factor is two_factor.SecondFactor.RECOVERY_CODE:
            _flash_remaining_recovery_codes(pending.user)
        return _complete_sign_in(pending.user, pending.remember, pending.next_target)
    return render_template("auth/second_step.html", form=form)


def _flash_remaining_recovery_codes(user: User) -> None:
    remaining = two_factor.remaining_recovery_codes(user)
    flash(
        _(
            "You have signed in with a recovery code, which is now used up. %(count)d recovery "
            "codes are left; you can make new ones on your account page.",
            count=remaining,
        ),
        "info" if remaining > 2 else "error",
    )


@blueprint.before_app_request
def require_two_factor_enrolment():
    """Where admins require two-factor sign-in, send staff without it to the set-up page: until
    they have set it up, only the set-up, signing out and the public pages (the legal pages,
    the language switch) are open to them."""
    if request.endpoint is None or request.endpoint in OPEN_BEFORE_ENROLMENT:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, "allowed_roles", False) is None:  # a public page
        return None
    if not current_user.is_authenticated or current_user.two_factor_enabled:
        return None
    if not policy.two_factor_required():
        return None
    return redirect(url_for("auth.two_factor_setup"))


@blueprint.route("/logout", methods=["POST"])
@roles_required(*ALL_STAFF)
def logout():
    # Signing out here signs out everywhere: a copied session or remember cookie dies too.
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have been signed out."), "success")
    return redirect(url_for("auth.login"))


@blueprint.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if not throttling.reset_request_allowed():
            flash(
                _(
                    "You have asked for a new password too often. Please wait an hour and try "
                    "again."
                ),
                "error",
            )
            return render_template("auth/forgot_password.html", form=form), 429
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account exists for this address, we have sent it a link to set a new "
                "password. Please check your inbox."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@blueprint.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    result = services.read_reset_token(token)
    if result.user is None:
        return render_template("auth/reset_invalid.html", expired=result.expired), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(result.user, form.password.data)
        except services.AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your new password is set. Please sign in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@blueprint.route("/language", methods=["POST"])
@public
def choose_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session[LANGUAGE_SESSION_KEY] = form.language.data
        if current_user.is_authenticated:
            services.set_language(current_user, form.language.data)
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@blueprint.route("/account", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            try:
                services.change_password(current_user, form.password.data)
            except services.AccountError as error:
                form.password.errors.append(str(error))
            else:
                db.session.commit()
                _stay_signed_in_here()
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("auth.account"))
    return _account_page(password_form=form)


def _account_page(
    password_form: ChangePasswordForm | None = None,
    recovery_form: RecoveryCodesForm | None = None,
    disable_form: DisableTwoFactorForm | None = None,
    status: int = 200,
):
    user = current_user._get_current_object()
    return (
        render_template(
            "auth/account.html",
            form=password_form or ChangePasswordForm(formdata=None),
            recovery_form=recovery_form or RecoveryCodesForm(formdata=None),
            disable_form=disable_form or DisableTwoFactorForm(formdata=None),
            remaining_codes=two_factor.remaining_recovery_codes(user)
            if user.two_factor_enabled
            else 0,
            two_factor_required=policy.two_factor_required(),
        ),
        status,
    )


def _stay_signed_in_here() -> None:
    """After a change that ended every session of the account, go on in this one with the new
    session token."""
    login_user(current_user._get_current_object(), remember=_remembered())


def _recovery_codes_page(codes: list[str]):
    response = make_response(render_template("auth/recovery_codes.html", codes=codes))
    # Shown once: neither the browser nor a proxy may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/account/two-factor", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def two_factor_setup():
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        flash(_("Two-factor sign-in is already set up for your account."), "info")
        return redirect(url_for("auth.account"))
    if two_factor.enrolment_secret(user) is None:
        two_factor.start_enrolment(user)
        db.session.commit()
    secret = two_factor.enrolment_secret(user)
    form = ConfirmEnrolmentForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(user, form.code.data)
        except two_factor.TwoFactorError as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            _stay_signed_in_here()
            flash(_("Two-factor sign-in is now set up for your account."), "success")
            return _recovery_codes_page(codes)
    uri = two_factor.provisioning_uri(user, secret)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr_code=two_factor.qr_code_data_uri(uri),
        key=two_factor.grouped_key(secret),
        required=policy.two_factor_required(),
    )


@blueprint.route("/account/two-factor/recovery-codes", methods=["POST"])
@roles_required(*ALL_STAFF)
def replace_recovery_codes():
    user = current_user._get_current_object()
    form = RecoveryCodesForm()
    if form.validate_on_submit():
        if two_factor.verify_second_factor(user, form.code.data) is None:
            db.session.rollback()
            form.code.errors.append(two_factor.wrong_code_message())
        else:
            try:
                codes = two_factor.regenerate_recovery_codes(user)
            except two_factor.TwoFactorError as error:
                form.code.errors.append(str(error))
            else:
                db.session.commit()
                flash(
                    _("New recovery codes have been made; the old ones no longer work."), "success"
                )
                return _recovery_codes_page(codes)
    return _account_page(recovery_form=form, status=400)


@blueprint.route("/account/two-factor/disable", methods=["POST"])
@roles_required(*ALL_STAFF)
def disable_two_factor():
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        try:
            two_factor.disable(
                current_user._get_current_object(),
                form.password.data,
                form.code.data,
                required=policy.two_factor_required(),
            )
        except two_factor.TwoFactorError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Two-factor sign-in has been turned off for your account."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(disable_form=form, status=400)


def _remembered() -> bool:
    """Whether this browser holds a "stay signed in" cookie, to renew it on a new password."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@blueprint.route("/users")
@roles_required(Role.ADMIN)
def list_users():
    users = db.session.scalars(sa.select(User).order_by(User.name)).all()
    return render_template("auth/users.html", users=users)


@blueprint.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            services.create_user(
                form.email.data, form.name.data, Role(form.role.data), form.password.data
            )
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The account has been created."), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/user_form.html", form=form, user=None)


@blueprint.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        if user.id == current_user.id and (
            Role(form.role.data) != Role.ADMIN or not form.active.data
        ):
            flash(_("You cannot remove your own administrator rights."), "error")
        else:
            services.update_user(user, form.name.data, Role(form.role.data), form.active.data)
            db.session.commit()
            flash(_("The account has been saved."), "success")
            return redirect(url_for("auth.list_users"))
    return render_template(
        "auth/user_form.html", form=form, user=user, reset_form=ResetTwoFactorForm(formdata=None)
    )


@blueprint.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_two_factor(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ResetTwoFactorForm()
    if form.validate_on_submit():
        if user.id == current_user.id:
            # One's own second factor goes off only with the password and a code.
            flash(_("Turn off your own two-factor sign-in on your account page."), "error")
        else:
            two_factor.reset_by_admin(user)
            db.session.commit()
            flash(
                _(
                    "Two-factor sign-in of %(name)s has been reset; their sessions have ended. "
                    "They can sign in with their password and set it up again.",
                    name=user.name,
                ),
                "success",
            )
    return redirect(url_for("auth.edit_user", user_id=user.id))


@blueprint.route("/admin/sign-in", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def sign_in_policy():
    form = SignInPolicyForm(data={"two_factor_required": policy.two_factor_required()})
    if form.validate_on_submit():
        if policy.required_by_configuration() and not form.two_factor_required.data:
            form.two_factor_required.errors.append(
                _("This installation's configuration requires it; it cannot be turned off here.")
            )
        else:
            policy.set_two_factor_required(form.two_factor_required.data, current_user)
            db.session.commit()
            flash(_("The sign-in settings have been saved."), "success")
            return redirect(url_for("auth.sign_in_policy"))
    enabled, total = policy.staff_with_two_factor()
    return render_template(
        "auth/sign_in_policy.html",
        form=form,
        enabled=enabled,
        total=total,
        fixed_by_configuration=policy.required_by_configuration(),
    )
