"""A unit head signs and the Party Group secretary countersigns, in a real (headless) Chromium.

Everything goes through the pages as a person would use them: the login form, the to-do list, a
signature drawn on the canvas with the mouse or a finger, the batch countersignature page. Each test
then checks what the browser shows and what the database holds.
"""

import io

import pytest
from django.urls import reverse
from PIL import Image

from responsibility.letters.models.letters import (
    Letter,
    LetterStatus,
    Signature,
    SignatureMethod,
    SignatureRole,
)
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import letter_sign
from responsibility.letters.signing import CONSENT_TEXT
from tests.browser.conftest import log_in
from tests.conftest import attestation_for
from tests.factories import TEST_PASSWORD, OrgUnitFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Strokes of a made-up signature, as fractions of the pad's width and height.
STROKES = [
    [(0.10, 0.70), (0.18, 0.30), (0.25, 0.65), (0.32, 0.35)],
    [(0.40, 0.40), (0.52, 0.42), (0.46, 0.75), (0.58, 0.70)],
    [(0.65, 0.30), (0.70, 0.72), (0.80, 0.50), (0.90, 0.55)],
]


def _stroke_points(box, stroke, steps: int = 6):
    """Points along one stroke, in page coordinates, with a few in-between points per segment."""
    points = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in stroke]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        for step in range(steps):
            yield x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps
    yield points[-1]


def draw_with_mouse(page, canvas) -> None:
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for stroke in STROKES:
        points = list(_stroke_points(box, stroke))
        page.mouse.move(*points[0])
        page.mouse.down()
        for x, y in points[1:]:
            page.mouse.move(x, y)
        page.mouse.up()


def draw_with_finger(page, canvas) -> None:
    """Real touch input through the DevTools protocol; Chromium turns it into touch pointer events."""
    canvas.scroll_into_view_if_needed()
    canvas.evaluate(
        "pad => { pad.dataset.pointerTypes = '';"
        " pad.addEventListener('pointerdown', e => { pad.dataset.pointerTypes += e.pointerType + ' '; }); }"
    )
    box = canvas.bounding_box()
    cdp = page.context.new_cdp_session(page)
    for stroke in STROKES:
        points = list(_stroke_points(box, stroke))
        first, *rest = points
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [_touch(first)]})
        for point in rest:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [_touch(point)]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    assert canvas.get_attribute("data-pointer-types").split() == ["touch"] * len(STROKES)


def _touch(point):
    return {"x": point[0], "y": point[1], "radiusX": 2, "radiusY": 2, "force": 1, "id": 1}


def assert_png_has_ink(png: bytes) -> None:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        alpha_box = image.convert("RGBA").getchannel("A").getbbox()
    assert alpha_box is not None, "the stored drawing is blank"
    left, top, right, bottom = alpha_box
    assert right - left > image.width // 2, "the stored drawing does not span the strokes drawn"


def open_letter_from_todo(page, letter: Letter) -> None:
    todo = page.locator("main")
    link = todo.locator(f'a[href="{reverse("responsibility:letter-detail", args=[letter.pk])}"]')
    assert link.inner_text() == letter.title
    with page.expect_navigation():
        link.click()


def sign_form(page, letter: Letter):
    return page.locator(f'form[action="{reverse("responsibility:letter-sign", args=[letter.pk])}"]')


def assert_fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


@pytest.fixture
def letter_to_sign(org, issued_letters) -> Letter:
    """The first committee head's letter, issued and waiting for their signature."""
    return issued_letters[0]


@pytest.fixture
def signed_letters(org) -> list[Letter]:
    """Three committee heads have signed; the letters wait for the secretary's countersignature."""
    third_head = PostFactory(unit=OrgUnitFactory(name="教育科学文化卫生工作委员会"), title="主任")
    letters = campaign_issue_letters(
        campaign=org.campaign,
        issuer_post=org.secretary_post,
        signer_posts=[*org.head_posts, third_head],
        issued_by=org.office_admin,
    ).issued
    return [
        letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
        for letter in letters
    ]


def test_unit_head_signs_their_letter_with_a_drawn_signature(page, letter_to_sign):
    # given: the head logs in and finds the letter in their to-do list
    head = letter_to_sign.signer
    log_in(page, head)
    open_letter_from_todo(page, letter_to_sign)
    form = sign_form(page, letter_to_sign)
    assert form.locator("[data-signature-pad]").is_visible()

    # when: they draw their signature, confirm their password, agree and sign
    draw_with_mouse(page, form.locator("[data-signature-pad]"))
    assert form.locator("input[name=drawing]").input_value().startswith("data:image/png;base64,")
    form.locator("#id_password").fill(TEST_PASSWORD)
    form.get_by_label(CONSENT_TEXT).check()
    with page.expect_navigation():
        form.locator("[data-submit-once]").click()

    # then: the completion page says what happens next; the letter shows the drawn signature
    assert page.locator("h1").inner_text() == "您已签署责任书"
    assert letter_to_sign.issuer.get_full_name() in page.locator(".completion").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="查看责任书").click()
    assert page.locator("h1 .badge").inner_text() == "已签署"
    assert page.locator("img.signature-image").count() == 1
    assert page.locator("img.signature-image").get_attribute("src").startswith("data:image/png;base64,")
    assert sign_form(page, letter_to_sign).count() == 0
    letter_to_sign.refresh_from_db()
    assert letter_to_sign.status == LetterStatus.SIGNED
    signature = Signature.objects.get(letter=letter_to_sign)
    assert (signature.role, signature.method, signature.signed_by) == (
        SignatureRole.SIGNER,
        SignatureMethod.DRAWN,
        head,
    )
    assert signature.consent_text == CONSENT_TEXT
    assert signature.content_hash == letter_to_sign.content_hash
    assert_png_has_ink(bytes(signature.image_png))
    assert page.js_errors == []


def test_signing_form_double_click_records_one_signature(page, letter_to_sign):
    # given: a filled-in signing form
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    log_in(page, letter_to_sign.signer)
    page.goto(reverse("responsibility:letter-detail", args=[letter_to_sign.pk]))
    form = sign_form(page, letter_to_sign)
    draw_with_mouse(page, form.locator("[data-signature-pad]"))
    form.locator("#id_password").fill(TEST_PASSWORD)
    form.get_by_label(CONSENT_TEXT).check()
    posts.clear()

    # when: the signer clicks the submit button twice in quick succession
    button = form.locator("[data-submit-once]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_navigation():
        page.mouse.click(x, y)
        page.mouse.click(x, y)  # the mouse, not the locator: Playwright would wait for it to be enabled
    page.locator(".completion").wait_for()

    # then: one request went out and one signature exists
    origin = page.evaluate("window.location.origin")
    assert posts == [origin + reverse("responsibility:letter-sign", args=[letter_to_sign.pk])]
    assert Signature.objects.filter(letter=letter_to_sign).count() == 1
    letter_to_sign.refresh_from_db()
    assert letter_to_sign.status == LetterStatus.SIGNED
    assert page.locator(".message.error").count() == 0


def test_secretary_countersigns_chosen_letters_in_one_batch_with_a_typed_name(page, org, signed_letters):
    # given: the secretary logs in; three signed letters wait for them
    chosen, left = signed_letters[:2], signed_letters[2]
    log_in(page, org.secretary)
    batch_url = reverse("responsibility:letter-countersign-batch")
    with page.expect_navigation():
        page.locator(f'main a[href="{batch_url}"]').click()
    assert page.locator("input[name=letters]").count() == 3

    # when: they choose two letters, type their name, confirm their password, agree and submit
    page.locator("[data-check-all]").uncheck()
    assert page.locator("input[name=letters]:checked").count() == 0
    for letter in chosen:
        page.get_by_label(letter.reference, exact=True).check()
    page.locator("input[name=method][value=typed]").check()
    assert page.locator("[data-signature-pad]").is_hidden()
    page.locator("#id_typed_name").fill(org.secretary.full_name)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.get_by_label(CONSENT_TEXT).check()
    with page.expect_navigation():
        page.locator("form[data-signature-form] [data-submit-once]").click()

    # then: the two chosen letters are countersigned with the typed name; the third still waits
    assert page.locator(".message.success").is_visible()
    assert page.locator(".message.error").count() == 0
    for letter in chosen:
        letter.refresh_from_db()
        assert letter.status == LetterStatus.COUNTERSIGNED
        signature = Signature.objects.get(letter=letter, role=SignatureRole.ISSUER)
        assert (signature.method, signature.typed_name, signature.signed_by) == (
            SignatureMethod.TYPED,
            org.secretary.full_name,
            org.secretary,
        )
        assert signature.content_hash == letter.content_hash
    left.refresh_from_db()
    assert left.status == LetterStatus.SIGNED
    assert page.locator("input[name=letters]").count() == 1
    assert page.get_by_label(left.reference, exact=True).is_visible()
    assert page.js_errors == []


def test_unit_head_signs_on_a_phone_with_a_finger(phone_page, letter_to_sign):
    # given: the head opens the letter on a phone-sized touch screen
    page = phone_page
    log_in(page, letter_to_sign.signer)
    open_letter_from_todo(page, letter_to_sign)
    assert_fits_the_screen(page)
    form = sign_form(page, letter_to_sign)

    # when: they sign with a finger on the pad
    draw_with_finger(page, form.locator("[data-signature-pad]"))
    assert form.locator("input[name=drawing]").input_value().startswith("data:image/png;base64,")
    form.locator("#id_password").fill(TEST_PASSWORD)
    form.get_by_label(CONSENT_TEXT).tap()
    assert form.get_by_label(CONSENT_TEXT).is_checked()
    with page.expect_navigation():
        form.locator("[data-submit-once]").tap()

    # then: the completion page fits the phone; the drawing is stored and shown on the letter
    assert letter_to_sign.reference in page.locator(".completion").inner_text()
    assert_fits_the_screen(page)
    with page.expect_navigation():
        page.get_by_role("link", name="查看责任书").tap()
    letter_to_sign.refresh_from_db()
    assert letter_to_sign.status == LetterStatus.SIGNED
    signature = Signature.objects.get(letter=letter_to_sign, role=SignatureRole.SIGNER)
    assert signature.method == SignatureMethod.DRAWN
    assert_png_has_ink(bytes(signature.image_png))
    assert "Mobile" in signature.user_agent
    assert page.locator("img.signature-image").is_visible()
    assert_fits_the_screen(page)
    assert page.js_errors == []
