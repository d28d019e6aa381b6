"""Two-factor sign-in: enrolment, the second step, replay and throttling, recovery codes, the
admins' reset and policy, and turning it off."""

import time

import pyotp
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.auth import policy, secret_box, two_factor
from eventsys.auth.models import RecoveryCode
from eventsys.extensions import db
from tests.auth.test_sign_in_holds import copy_cookies, forget_last_user, signed_in
from tests.conftest import TEST_PASSWORD, page_text, sign_in

WRONG_CODE_DE = "Der Code ist nicht gültig."


def enrol(user) -> tuple[pyotp.TOTP, list[str]]:
    """Turn two-factor sign-in on for `user`, confirmed with the previous step's code so that
    the current one is still unused."""
    two_factor.start_enrolment(user)
    totp = pyotp.TOTP(two_factor.enrolment_secret(user))
    codes = two_factor.confirm_enrolment(user, totp.at(time.time() - 30))
    db.session.commit()
    return totp, codes


def password_step(client, user, remember=False, next_path=None):
    forget_last_user()
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    return client.post("/login", query_string={"next": next_path} if next_path else {}, data=data)


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_enrolment_needs_a_valid_code_and_shows_recovery_codes_once(
    client, staff, organiser_client
):
    response = organiser_client.get("/account/two-factor")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'src="data:image/svg+xml' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    user = staff.organiser
    secret = two_factor.enrolment_secret(user)
    assert secret not in user.two_factor_secret  # encrypted at rest
    assert two_factor.grouped_key(secret) in html
    uri = two_factor.provisioning_uri(user, secret)
    assert uri.startswith("otpauth://totp/") and "issuer=Dialogplattform%20Smart%20Cities" in uri
    assert not user.two_factor_enabled

    for wrong in ("000000", "١٢٣٤٥٦", "12345x"):
        response = organiser_client.post("/account/two-factor", data={"code": wrong})
        assert WRONG_CODE_DE in page_text(response)
    assert not user.two_factor_enabled

    response = organiser_client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert user.two_factor_enabled
    shown = [code for code in page_text(response).split() if code.count("-") == 3]
    assert len(shown) == 10
    digests = set(db.session.scalars(sa.select(RecoveryCode.code_digest)))
    assert len(digests) == 10 and not digests & {code.replace("-", "") for code in shown}
    assert "user.two_factor_enabled" in audit_actions()
    forget_last_user()
    assert organiser_client.get("/account").status_code == 200  # this session goes on


def test_sign_in_needs_the_code_and_a_wrong_one_is_refused(client, staff):
    totp, _ = enrol(staff.secretariat)
    response = password_step(client, staff.secretariat, next_path="/experts/")
    assert response.headers["Location"] == "/login/code"
    assert not signed_in(client)
    response = client.post("/login/code", data={"code": "123456"})
    assert WRONG_CODE_DE in page_text(response)
    assert not signed_in(client)
    response = client.post("/login/code", data={"code": totp.now()})
    assert response.headers["Location"] == "/experts/"
    assert signed_in(client)
    assert staff.secretariat.last_login_at is not None


def test_the_wrong_code_message_is_in_english_for_english_users(client, staff):
    staff.organiser.language = "en"
    enrol(staff.organiser)
    password_step(client, staff.organiser)
    response = client.post("/login/code", data={"code": "123456"})
    assert "The code is not valid." in page_text(response)


def test_a_used_code_and_earlier_ones_are_refused(app, client, staff):
    totp, _ = enrol(staff.organiser)
    code = totp.now()
    password_step(client, staff.organiser)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    other = app.test_client()
    password_step(other, staff.organiser)
    for replayed in (code, totp.at(time.time() - 30)):
        response = other.post("/login/code", data={"code": replayed})
        assert WRONG_CODE_DE in page_text(response)
    assert not signed_in(other)


def test_a_recovery_code_works_once(app, client, staff):
    _, codes = enrol(staff.organiser)
    password_step(client, staff.organiser)
    typed = codes[0].upper().replace("-", " ")  # as read aloud from a printout
    response = client.post("/login/code", data={"recovery_code": typed}, follow_redirects=True)
    assert "Es bleiben 9 Wiederherstellungscodes" in page_text(response)
    assert "user.recovery_code_used" in audit_actions()
    other = app.test_client()
    password_step(other, staff.organiser)
    response = other.post("/login/code", data={"recovery_code": codes[0]})
    assert WRONG_CODE_DE in page_text(response)
    assert not signed_in(other)


def test_new_recovery_codes_replace_the_old_ones(client, staff):
    totp, old_codes = enrol(staff.admin)
    sign_in_client = client
    password_step(sign_in_client, staff.admin)
    sign_in_client.post("/login/code", data={"code": totp.now()})
    response = client.post("/account/two-factor/recovery-codes", data={"recovery-code": "1"})
    assert response.status_code == 400
    response = client.post(
        "/account/two-factor/recovery-codes", data={"recovery-code": old_codes[1]}
    )
    assert response.status_code == 200
    assert two_factor.verify_second_factor(staff.admin, old_codes[2]) is None
    assert two_factor.remaining_recovery_codes(staff.admin) == 10


def test_the_second_step_is_throttled(client, staff):
    totp, _ = enrol(staff.organiser)
    password_step(client, staff.organiser)
    for _ in range(10):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 200
    response = client.post("/login/code", data={"code": totp.now()})
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in page_text(response)
    assert not signed_in(client)


def test_a_pending_sign_in_expires(client, staff):
    totp, _ = enrol(staff.organiser)
    password_step(client, staff.organiser)
    with client.session_transaction() as session:
        pending = session["pending_sign_in"]
        pending["until"] = int(time.time()) - 1
        session["pending_sign_in"] = pending
    response = client.post("/login/code", data={"code": totp.now()}, follow_redirects=True)
    assert "Ihre Anmeldung ist abgelaufen" in page_text(response)
    assert not signed_in(client)


def test_a_pending_sign_in_dies_with_a_new_password(client, staff):
    totp, _ = enrol(staff.organiser)
    password_step(client, staff.organiser)
    staff.organiser.end_sessions()
    db.session.commit()
    response = client.post("/login/code", data={"code": totp.now()})
    assert response.headers["Location"] == "/login"
    assert not signed_in(client)


def test_stay_signed_in_waits_for_the_second_step(app, client, staff):
    remembered = sign_in(app.test_client(), staff.organiser)  # before 2FA, with a cookie
    forget_last_user()
    remembered.post(
        "/login", data={"email": staff.organiser.email, "password": TEST_PASSWORD, "remember": "y"}
    )
    totp, _ = enrol(staff.organiser)
    assert not signed_in(remembered)  # turning it on ended the password-only sessions

    password_step(client, staff.organiser, remember=True)
    assert client.get_cookie("remember_token", domain="eventsys.test") is None
    assert not signed_in(client)
    client.post("/login/code", data={"code": totp.now()})
    assert client.get_cookie("remember_token", domain="eventsys.test") is not None
    cookie_only = app.test_client()
    copy_cookies(client, cookie_only, names=("remember_token",))
    assert signed_in(cookie_only)


def test_admins_can_require_it_and_staff_are_sent_to_enrolment(app, client, staff, admin_client):
    response = admin_client.post("/admin/sign-in", data={"two_factor_required": "y"})
    assert response.status_code == 302
    assert policy.two_factor_required()
    assert "sign_in_policy.changed" in audit_actions()

    organiser = app.test_client()
    forget_last_user()
    sign_in(organiser, staff.organiser)
    for path in ("/", "/sessions/", "/users", "/account"):
        forget_last_user()
        response = organiser.get(path)
        assert response.headers.get("Location") == "/account/two-factor", path
    forget_last_user()
    assert organiser.get("/privacy").status_code == 200
    forget_last_user()
    response = organiser.get("/account/two-factor")
    assert "vorgeschrieben" in page_text(response)
    secret = two_factor.enrolment_secret(staff.organiser)
    organiser.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    forget_last_user()
    assert organiser.get("/sessions/").status_code == 200
    forget_last_user()
    assert organiser.post("/logout").headers["Location"] == "/login"


def test_the_configuration_can_require_it(app, client, staff):
    app.config["TWO_FACTOR_REQUIRED"] = True
    sign_in(client, staff.secretariat)
    assert client.get("/").headers["Location"] == "/account/two-factor"


def test_an_admin_resets_another_persons_two_factor_sign_in(app, client, staff, admin_client):
    totp, _ = enrol(staff.organiser)
    organiser = app.test_client()
    password_step(organiser, staff.organiser)
    organiser.post("/login/code", data={"code": totp.now()})
    assert signed_in(organiser)
    forget_last_user()
    response = admin_client.post(f"/users/{staff.organiser.id}/two-factor/reset")
    assert response.status_code == 302
    db.session.expire_all()
    assert not staff.organiser.two_factor_enabled
    assert two_factor.remaining_recovery_codes(staff.organiser) == 0
    assert "user.two_factor_reset" in audit_actions()
    assert not signed_in(organiser)
    assert password_step(app.test_client(), staff.organiser).headers["Location"] == "/"

    forget_last_user()
    enrol(staff.admin)
    admin_client.post(f"/users/{staff.admin.id}/two-factor/reset")
    db.session.expire_all()
    assert staff.admin.two_factor_enabled  # one's own only with password and code


def test_the_only_admin_who_lost_the_phone_is_reset_from_the_shell(app, runner, staff):
    totp, _ = enrol(staff.admin)
    admin = app.test_client()
    password_step(admin, staff.admin)
    admin.post("/login/code", data={"code": totp.now()})
    assert signed_in(admin)

    result = runner.invoke(args=["users", "reset-two-factor", staff.admin.email.upper()])
    assert result.exit_code == 0, result.output
    assert "is reset" in result.output
    db.session.expire_all()
    assert not staff.admin.two_factor_enabled
    assert not signed_in(admin)  # its sessions ended
    assert "user.two_factor_reset" in audit_actions()
    forget_last_user()
    assert password_step(app.test_client(), staff.admin).headers["Location"] == "/"

    again = runner.invoke(args=["users", "reset-two-factor", staff.admin.email])
    assert again.exit_code != 0 and "not set up" in again.output
    unknown = runner.invoke(args=["users", "reset-two-factor", "nobody@example.org"])
    assert unknown.exit_code != 0 and "no account" in unknown.output


def test_turning_it_off_needs_the_password_and_a_code(client, staff):
    totp, _ = enrol(staff.organiser)
    password_step(client, staff.organiser)
    client.post("/login/code", data={"code": totp.now()})
    later_code = totp.at(time.time() + 30)
    for data in (
        {"disable-password": "wrong", "disable-code": later_code},
        {"disable-password": TEST_PASSWORD, "disable-code": "000000"},
    ):
        forget_last_user()
        assert client.post("/account/two-factor/disable", data=data).status_code == 400
    db.session.expire_all()
    assert staff.organiser.two_factor_enabled
    forget_last_user()
    response = client.post(
        "/account/two-factor/disable",
        data={"disable-password": TEST_PASSWORD, "disable-code": later_code},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert not staff.organiser.two_factor_enabled
    assert "user.two_factor_disabled" in audit_actions()


def test_the_secret_survives_a_rotated_secret_key(app):
    sealed = secret_box.seal("JBSWY3DPEHPK3PXP")
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a new key"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert secret_box.open_sealed(sealed) == "JBSWY3DPEHPK3PXP"
    app.config["SECRET_KEY_FALLBACKS"] = []
    try:
        secret_box.open_sealed(sealed)
    except secret_box.SecretUnreadable:
        pass
    else:
        raise AssertionError("a token sealed with another key was opened")
