"""Two-step sign-in and the idle-session warning in a real (headless) Chromium, as a person uses them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.accounts.two_factor.conftest import code_now, enrol
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_in_with_their_code_and_chooses_to_stay_signed_in(page, settings, time_machine):
    # given someone with an authenticator app, and sessions that end after 3 idle minutes
    settings.SESSION_IDLE_MINUTES = 3
    person = UserFactory(full_name="张三")
    device, _codes = enrol(person)
    time_machine.move_to(timezone.now() + timedelta(seconds=30), tick=True)  # the set-up code is spent
    page.clock.install()  # the page's timers move when the test says

    # when they sign in: the password, then the code from the app
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(person.username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert reverse("accounts:two-factor-verify") in page.url
    page.locator("#id_code").fill(code_now(device))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    # then they are in, with no warning yet
    assert page.url.endswith(reverse("responsibility:todo"))
    warning = page.locator("[data-idle-warning]")
    assert warning.is_hidden()

    # when they leave the page alone for a minute (server and page clocks alike)
    time_machine.shift(61)
    page.clock.fast_forward(61_000)

    # then the warning shows how long is left, and staying signed in hides it
    warning.wait_for(state="visible")
    assert "1:5" in warning.inner_text()
    warning.locator("button").click()
    warning.wait_for(state="hidden")
    assert page.js_errors == []
