"""Signing on a 390 px touch screen as a new user does it (issue 14): the pad survives a tab switch and a
resize (a phone keyboard opening does this), a mistake costs nothing, and the completion page follows.

Each test takes several seconds: a real Chromium logs in and draws with touch input through the DevTools
protocol, and the pages are loaded more than once.
"""

import pytest
from django.urls import reverse

from responsibility.letters.models.letters import LetterStatus, Signature, SignatureMethod
from responsibility.letters.signing import CONSENT_TEXT
from tests.browser.conftest import PHONE_390, browser_tab, log_in
from tests.browser.test_sign_and_countersign import (
    assert_fits_the_screen,
    assert_png_has_ink,
    draw_with_finger,
    sign_form,
)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A high-density phone screen: the pad's canvas has three pixels per CSS pixel.
PHONE_390_DENSE = {**PHONE_390, "device_scale_factor": 3}

# Every pixel of the pad's canvas that is not transparent: the ink on the pad.
INK_ON_PAD = """pad => {
  const data = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
  let ink = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
  return ink;
}"""


@pytest.fixture
def phone(browser, live_server):
    context, page = browser_tab(browser, live_server, PHONE_390_DENSE)
    yield page
    context.close()


def assert_completed(page) -> None:
    """On the completion page; otherwise the refusal the page shows says why."""
    refusal = page.locator("[data-errors-focus]")
    assert refusal.count() == 0, refusal.inner_text()
    assert page.locator("main h1").first.inner_text() == "您已签署责任书"


def open_letter(page, letter) -> None:
    log_in(page, letter.signer)
    page.goto(reverse("responsibility:letter-detail", args=[letter.pk]))


def test_the_pad_still_draws_after_typing_was_chosen_and_the_screen_resized(phone, issued_letter):
    # given the signer on the letter, who first taps 输入姓名 (the pad is hidden)
    page = phone
    open_letter(page, issued_letter)
    form = sign_form(page, issued_letter)
    form.locator("input[name=method][value=typed]").tap()
    assert form.locator("[data-signature-pad]").is_hidden()

    # when the keyboard opens and closes (the window resizes), then they go back to 手写签名 and draw
    page.set_viewport_size({"width": 390, "height": 500})
    page.set_viewport_size({"width": 390, "height": 844})
    form.locator("input[name=method][value=drawn]").tap()
    pad = form.locator("[data-signature-pad]")
    draw_with_finger(page, pad)

    # then ink appears, the drawing is in the form, and signing works
    assert pad.evaluate(INK_ON_PAD) > 100
    assert form.locator("input[name=drawing]").input_value().startswith("data:image/png;base64,")
    form.locator("#id_password").fill(TEST_PASSWORD)
    form.get_by_label(CONSENT_TEXT).check()
    assert form.locator("input[name=drawing]").input_value().startswith("data:image/png;base64,")
    with page.expect_navigation():
        form.locator("[data-submit-once]").tap()
    assert_completed(page)
    signature = Signature.objects.get(letter=issued_letter)
    assert signature.method == SignatureMethod.DRAWN
    assert_png_has_ink(bytes(signature.image_png))
    assert page.js_errors == []


def test_a_drawing_survives_a_rotation_and_a_tab_switch(phone, issued_letter):
    page = phone
    open_letter(page, issued_letter)
    form = sign_form(page, issued_letter)
    pad = form.locator("[data-signature-pad]")
    draw_with_finger(page, pad)
    drawn = pad.evaluate(INK_ON_PAD)

    # when the phone turns to landscape and back, and the signer switches tabs and returns
    page.set_viewport_size({"width": 844, "height": 390})
    page.set_viewport_size({"width": 390, "height": 844})
    other = page.context.new_page()
    other.goto(reverse("accounts:login"))
    other.close()
    page.bring_to_front()

    # then the drawing is still on the pad and in the form
    assert pad.evaluate(INK_ON_PAD) == drawn
    assert form.locator("input[name=drawing]").input_value().startswith("data:image/png;base64,")
    assert page.js_errors == []


def test_one_mistake_keeps_the_drawing_and_lands_on_the_error(phone, issued_letter):
    # given a drawn signature, the consent ticked and a mistyped password
    page = phone
    open_letter(page, issued_letter)
    form = sign_form(page, issued_letter)
    draw_with_finger(page, form.locator("[data-signature-pad]"))
    form.locator("#id_password").fill("Sign-2026-tset")
    form.get_by_label(CONSENT_TEXT).check()
    # the pad has handed its drawing to the form (as the other tests check before they tap): once, under
    # CI's load, the tap below brought no page within 15 s, with nothing on record to say why
    page.wait_for_function(
        "input => input.value.startsWith('data:image/png;base64,')",
        arg=form.locator("input[name=drawing]").element_handle(),
    )

    # when they sign
    with page.expect_navigation():
        form.locator("[data-submit-once]").tap()

    # then the page opens at the error, which has the focus (a screen reader reads it), and fits
    form = sign_form(page, issued_letter)
    summary = form.locator("[data-errors-focus]")
    assert "密码不正确" in summary.inner_text()
    assert summary.evaluate("element => element === document.activeElement")
    top = summary.evaluate("element => element.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"]
    assert_fits_the_screen(page)
    # and the drawing is on the pad again, the tick kept, the password field empty
    pad = form.locator("[data-signature-pad]")
    page.wait_for_function("pad => pad.width > 0", arg=pad.element_handle())
    page.wait_for_function(f"pad => ({INK_ON_PAD})(pad) > 100", arg=pad.element_handle())
    assert form.get_by_label(CONSENT_TEXT).is_checked()
    assert form.locator("#id_password").input_value() == ""

    # when they type the right password and sign, without drawing again
    form.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        form.locator("[data-submit-once]").tap()

    # then it is signed, with the drawing they made before the mistake
    assert_completed(page)
    issued_letter.refresh_from_db()
    assert issued_letter.status == LetterStatus.SIGNED
    assert_png_has_ink(bytes(Signature.objects.get(letter=issued_letter).image_png))
    assert page.js_errors == []


def test_the_phone_shows_the_steps_and_a_bar_that_leads_to_the_form(phone, issued_letter):
    page = phone
    open_letter(page, issued_letter)

    # the steps, with 阅读 current, and the bar at the bottom of the screen while the letter is read
    steps = page.locator("[data-sign-steps]")
    assert steps.locator("[aria-current=step]").inner_text().endswith("阅读")
    bar = page.locator(".sign-bar a")
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"] + 1
    assert box["y"] > page.viewport_size["height"] / 2

    # when they follow it
    bar.tap()
    page.wait_for_function("() => location.hash === '#sign'")

    # then the form is on screen and the steps say 签名
    form = sign_form(page, issued_letter)
    page.wait_for_function(
        "() => document.querySelector('[data-sign-steps] [aria-current=step]').textContent.includes('签名')"
    )
    assert form.locator("[data-signature-pad]").is_visible()
    assert_fits_the_screen(page)
    assert page.js_errors == []
