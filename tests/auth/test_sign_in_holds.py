"""Sign-in that holds (issue 11, item 5): ended sessions stay ended, guessing is throttled,
the answers do not tell who has an account, and weak passwords are refused."""

import pytest
import sqlalchemy as sa
from flask import g

from eventsys.auth import models, services
from eventsys.extensions import db
from eventsys.outbox.models import OutboxMessage
from tests.conftest import TEST_PASSWORD, page_text

NEW_PASSWORD = "a fresh long secret"
WRONG_WORDS = "E-Mail-Adresse oder Passwort ist falsch."
THROTTLED_DE = "Zu viele fehlgeschlagene Anmeldungen"
THROTTLED_EN = "Too many failed sign-ins"


def copy_cookies(source, target, names=("session", "remember_token")) -> None:
    copied = 0
    for name in names:
        cookie = source.get_cookie(name, domain=source.application.config["SERVER_NAME"])
        if cookie is not None:
            target.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
            copied += 1
    assert copied == len(names), "a cookie to copy is missing"


def forget_last_user() -> None:
    """The test's app context, and so `g`, outlives each request here; Flask-Login keeps the
    last request's user in `g`, which must not answer for the next client."""
    g.pop("_login_user", None)


def signed_in(client) -> bool:
    """Whether `client`'s cookies sign it in."""
    forget_last_user()
    return client.get("/").status_code == 200


def sign_in_as(client, user, remember: bool = False):
    forget_last_user()
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    assert signed_in(client)
    return client


def test_a_copied_session_cookie_is_refused_after_signing_out(app, client, staff):
    sign_in_as(client, staff.organiser)
    thief = app.test_client()
    copy_cookies(client, thief, names=("session",))
    assert signed_in(thief)
    forget_last_user()
    client.post("/logout")
    assert not signed_in(client)
    assert not signed_in(thief)


def test_a_stay_signed_in_cookie_is_refused_after_signing_out(app, client, staff):
    sign_in_as(client, staff.organiser, remember=True)
    remember = app.test_client()
    copy_cookies(client, remember, names=("remember_token",))
    assert signed_in(remember)  # the cookie alone signs in while it is valid
    forget_last_user()
    client.post("/logout")
    later = app.test_client()
    copy_cookies(remember, later, names=("remember_token",))
    assert not signed_in(later)


def test_changing_the_password_signs_out_the_other_clients_only(app, client, staff):
    sign_in_as(client, staff.organiser)
    other = sign_in_as(app.test_client(), staff.organiser)
    remembered = sign_in_as(app.test_client(), staff.organiser, remember=True)
    only_cookie = app.test_client()
    copy_cookies(remembered, only_cookie, names=("remember_token",))

    forget_last_user()
    response = client.post(
        "/account",
        data={"current": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(other)
    assert not signed_in(only_cookie)


def test_resetting_the_password_ends_every_session(app, client, staff):
    sign_in_as(client, staff.admin)
    token = services.make_reset_token(staff.admin)
    reset = app.test_client().post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert reset.status_code == 302
    assert not signed_in(client)
    fresh = app.test_client()
    forget_last_user()
    assert (
        fresh.post(
            "/login", data={"email": staff.admin.email, "password": NEW_PASSWORD}
        ).status_code
        == 302
    )


def test_an_id_without_the_current_session_token_loads_no_one(app, staff):
    loader = app.login_manager._user_callback
    assert loader(staff.admin.get_id()) == staff.admin
    assert loader(str(staff.admin.id)) is None  # the id alone, as cookies before had it
    assert loader(f"{staff.admin.id}:{'0' * 32}") is None
    assert loader("99999999999999999999:x") is None


def fail(client, email: str, address: str = "127.0.0.1", password: str = "wrong guess"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_21st_wrong_password_for_an_account_is_throttled(client, staff):
    """LOGIN_FAILURES_PER_ACCOUNT is 20 per hour: the 21st attempt, from anywhere, is refused
    before the password is looked at, even the right one."""
    for attempt in range(20):
        response = fail(client, staff.admin.email, address=f"10.0.0.{attempt}")
        assert response.status_code == 200
        assert WRONG_WORDS in page_text(response)
    throttled = fail(client, staff.admin.email, address="10.0.1.1", password=TEST_PASSWORD)
    assert throttled.status_code == 429
    assert THROTTLED_DE in page_text(throttled)
    assert not signed_in(client)
    # Another account is not affected.
    assert fail(client, staff.organiser.email, address="10.0.1.1").status_code == 200


def test_the_61st_wrong_password_from_one_address_is_throttled(client, staff):
    """LOGIN_FAILURES_PER_ADDRESS is 60 per hour: an address trying many accounts is stopped."""
    for attempt in range(60):
        response = fail(client, f"guess{attempt}@example.org", address="192.0.2.7")
        assert response.status_code == 200
    throttled = fail(client, staff.admin.email, address="192.0.2.7", password=TEST_PASSWORD)
    assert throttled.status_code == 429
    assert not signed_in(client)
    # Another address signs in as usual.
    other = client.post(
        "/login",
        data={"email": staff.admin.email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.8"},
    )
    assert other.status_code == 302


def test_the_throttling_message_is_in_the_visitors_language(client, staff):
    client.post("/language", data={"language": "en"})
    for _attempt in range(20):
        fail(client, "nobody@example.org")
    throttled = fail(client, "nobody@example.org")
    assert throttled.status_code == 429
    assert THROTTLED_EN in page_text(throttled)


def test_known_and_unknown_accounts_get_the_same_words_and_the_same_work(
    client, staff, monkeypatch
):
    checked: list[str] = []
    real_check = models.check_password_hash

    def counting_check(password_hash, password):
        checked.append(password_hash.split("$")[0])
        return real_check(password_hash, password)

    monkeypatch.setattr(models, "check_password_hash", counting_check)
    monkeypatch.setattr(services, "check_password_hash", counting_check)

    known = fail(client, staff.admin.email)
    known_checks = list(checked)
    checked.clear()
    unknown = fail(client, "no.account@example.org")

    assert known.status_code == unknown.status_code == 200
    assert page_text(known).replace(staff.admin.email, "") == page_text(unknown).replace(
        "no.account@example.org", ""
    )
    # One hash check each, with the same method (and so the same cost).
    assert checked == known_checks
    assert len(checked) == 1


def test_reset_mail_is_limited_per_account_and_requests_per_address(client, staff):
    """PASSWORD_RESETS_PER_ACCOUNT is 3 per hour (then the same words, no mail);
    PASSWORD_RESETS_PER_ADDRESS 10 per hour (then a 429 that says to wait)."""
    for attempt in range(4):
        response = client.post(
            "/password/forgot",
            data={"email": staff.admin.email},
            environ_base={"REMOTE_ADDR": f"10.1.0.{attempt}"},
        )
        assert response.status_code == 302
    mails = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "password_reset")
    )
    assert mails == 3
    for attempt in range(10):
        response = client.post(
            "/password/forgot",
            data={"email": f"someone{attempt}@example.org"},
            environ_base={"REMOTE_ADDR": "10.2.0.1"},
        )
        assert response.status_code == 302
    refused = client.post(
        "/password/forgot",
        data={"email": staff.organiser.email},
        environ_base={"REMOTE_ADDR": "10.2.0.1"},
    )
    assert refused.status_code == 429
    assert "zu oft" in page_text(refused)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("elevenchars", "mindestens 12 Zeichen"),
        ("admin@eventsys.example.org", "nicht die E-Mail-Adresse"),
        ("ADMIN@eventsys.example.org", "nicht die E-Mail-Adresse"),
        ("123qweasdzxc", "häufigsten"),
        ("password1234", "häufigsten"),
        ("Passwort2024!", "häufigsten"),
        ("dragon!!2024", "häufigsten"),
    ],
)
def test_weak_passwords_are_refused(admin_client, staff, password, reason):
    response = admin_client.post(
        "/account", data={"current": TEST_PASSWORD, "password": password, "confirm": password}
    )
    assert response.status_code == 200
    assert reason in page_text(response)
    assert staff.admin.check_password(TEST_PASSWORD)


class TestCountersInRedis:
    """With a Redis broker the counters live there, shared by every process of the site."""

    @pytest.fixture
    def app_config(self, redis_url):
        return {"CELERY_BROKER_URL": redis_url}

    def test_failures_are_counted_in_redis(self, app, client, staff, redis_url):
        import redis

        assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
        for _attempt in range(20):
            fail(client, staff.secretariat.email, address="198.51.100.1")
        assert fail(client, staff.secretariat.email).status_code == 429
        keys = redis.Redis.from_url(redis_url).keys("eventsys*")
        assert keys, "no counter in Redis"
        # A second app on the same Redis (another worker process) sees the same counts.
        from eventsys import create_app

        other = create_app(dict(app.config), instance_path=app.instance_path)
        with other.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
            from eventsys.auth import throttling

            assert throttling.sign_in_blocked(staff.secretariat.email)
