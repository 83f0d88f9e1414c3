"""民主测评 in a real (headless) Chromium: a rater, on a 390 px phone, finds their ballot on the to-do page,
sends it with an item left unrated (refused, nothing counted), then rates every item and casts it.

It takes a few seconds: a real Chromium logs in and loads the pages more than once.
"""

import pytest
from django.urls import reverse

from responsibility.cadres.models import RatingBallot, RatingResult
from tests.browser.conftest import log_in
from tests.browser.test_sign_and_countersign import assert_fits_the_screen
from tests.responsibility.cadres import conftest as cadre_setup
from tests.responsibility.cadres.conftest import rating_opened

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

clock = cadre_setup.clock
duties = cadre_setup.duties
cadres = cadre_setup.cadres


def test_a_rater_casts_a_ballot_on_a_phone(phone_page, cadres):
    report = rating_opened(cadres)
    rater = cadres.raters[-1]
    page = phone_page

    # given the rater on a phone, following the ballot's link on their to-do page
    log_in(page, rater)
    page.goto(reverse("responsibility:todo"))
    with page.expect_navigation():
        page.locator("#todo-ballot a").first.click()
    assert page.url.endswith(reverse("responsibility:rating-ballot", args=[report.pk]))
    assert_fits_the_screen(page)

    # when they rate three items of four and cast the ballot
    items = page.locator("fieldset.ballot-item")
    assert items.count() == 4
    for index in range(3):
        items.nth(index).get_by_label("好", exact=True).check()
    with page.expect_navigation():
        page.locator("[data-submit-once]").click()

    # then the page says which item is missing, and nothing was counted
    assert "请对本项作出评价。" in page.locator("[data-errors-focus]").inner_text()
    assert RatingResult.objects.get(report=report).ballots == 0
    assert_fits_the_screen(page)

    # when they rate the fourth too, with a comment, and cast it
    items = page.locator("fieldset.ballot-item")
    for index in range(3):
        assert items.nth(index).get_by_label("好", exact=True).is_checked()
    items.nth(3).get_by_label("较好", exact=True).check()
    page.locator("textarea[name=comment]").fill("希望多深入基层。")
    with page.expect_navigation():
        page.locator("[data-submit-once]").click()

    # then the ballot is counted and spent, and the to-do page says it cannot be told
    assert "投票成功" in page.locator(".messages").inner_text()
    result = RatingResult.objects.get(report=report)
    assert (result.ballots, result.comments) == (1, ["希望多深入基层。"])
    assert RatingBallot.objects.get(report=report, rater=rater).spent
    assert page.locator("#todo-ballot").count() == 0
