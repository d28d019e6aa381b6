"""Sign-in, password reset, one's own account, and the admins' account list."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from eventsys.access import ALL_STAFF, public, roles_required
from eventsys.auth import services, throttling
from eventsys.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    NewUserForm,
    UserForm,
)
from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.i18n import LANGUAGE_SESSION_KEY
from eventsys.roles import Role

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site, never to another host; a target with a
    control character (CR/LF would split the Location header) leads to the dashboard."""
    if target and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("dashboard.index")


@blueprint.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        if throttling.sign_in_blocked(form.email.data):
            minutes = throttling.minutes_until_retry(form.email.data)
            flash(
                _(
                    "Too many failed sign-ins. For your protection, signing in is paused; "
                    "please try again in %(minutes)d minutes.",
                    minutes=minutes,
                ),
                "error",
            )
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            session[LANGUAGE_SESSION_KEY] = user.language
            return redirect(_safe_next(request.args.get("next")))
        throttling.record_failed_sign_in(form.email.data)
        flash(_("E-mail address or password is wrong."), "error")
    return render_template("auth/login.html", form=form)


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
                # The other sessions have ended; this one goes on with the new session token.
                login_user(current_user._get_current_object(), remember=_remembered())
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


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
    return render_template("auth/user_form.html", form=form, user=user)
