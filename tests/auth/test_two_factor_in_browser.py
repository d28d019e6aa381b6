"""In real Chromium at phone size: setting up two-factor sign-in and the code page, each
checked by axe-core."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from eventsys.auth import two_factor
from eventsys.extensions import db
from tests.browser.test_sign_in_and_pages import sign_in_through_the_form
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_enrolment_and_the_code_page_on_a_phone(page, axe, staff):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_through_the_form(page, staff.organiser.email)
    page.goto("/account/two-factor")
    assert page.get_by_role("img", name="QR-Code für Ihre Authenticator-App").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe.check(page)
    db.session.expire_all()
    totp = pyotp.TOTP(two_factor.enrolment_secret(staff.organiser))
    page.get_by_label("Code aus Ihrer Authenticator-App").fill(totp.at(time.time() - 30))
    page.get_by_role("button", name="Anmeldung in zwei Schritten einschalten").click()
    expect(page.get_by_role("heading", name="Ihre Wiederherstellungscodes")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Abmelden").click()

    page.get_by_label("E-Mail-Adresse").fill(staff.organiser.email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/login/code")
    axe.check(page)
    page.get_by_label("Code aus Ihrer Authenticator-App").fill(totp.now())
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Übersicht").is_visible()
