"""The scripts that left the templates for static files still work under the Content-Security-Policy,
in a real (headless) Chromium; so does Django's admin.

Every browser test fails on what the policy blocks (tests/browser/conftest.py records Chromium's
reports into page.js_errors); these drive the pages whose inline script moved: adding a template's
clause rows (formset-rows.js) and a confirmation before closing a plan (confirm.js with submit-once.js).
"""

import pytest
from django.urls import reverse

from responsibility.letters.models.letters import LetterTemplate
from responsibility.supervision.models import InspectionPlan, PlanStatus
from tests.browser.conftest import log_in
from tests.factories import UserFactory
from tests.responsibility.inspections import conftest as supervision_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

supervision = supervision_setup.supervision


def test_the_office_adds_clause_rows_to_a_new_template(page, org):
    # given the office administrator on the new template page, with its two empty clause rows
    log_in(page, org.office_admin)
    page.goto(reverse("responsibility:template-create"))
    rows = page.locator("#clause-rows fieldset.clause-row")
    assert rows.count() == 2

    # when they add a third row and fill in all three
    page.locator("[data-formset-add]").click()
    assert rows.count() == 3
    assert page.locator("input[name=clauses-TOTAL_FORMS]").input_value() == "3"
    page.locator("input[name=code]").fill("lianzheng-2027")
    page.locator("input[name=name]").fill("2027年机关级范本")
    page.locator("select[name=level]").select_option(index=1)
    page.locator("input[name=title]").fill("2027年度党风廉政建设责任书")
    page.locator("textarea[name=preamble]").fill("为落实全面从严治党主体责任，签订本责任书。")
    page.locator("textarea[name=closing]").fill("本责任书一式两份。")
    page.locator("input[name=issuer_label]").fill("甲方（党组）")
    page.locator("input[name=signer_label]").fill("乙方")
    for number in range(3):
        page.locator(f"select[name=clauses-{number}-category]").select_option(index=1)
        page.locator(f"textarea[name=clauses-{number}-text]").fill(f"第{number + 1}条责任。")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()

    # then the template holds the three clauses, in order
    template = LetterTemplate.objects.get(code="lianzheng-2027")
    texts = list(template.clauses.values_list("text", flat=True))
    assert texts == ["第1条责任。", "第2条责任。", "第3条责任。"]
    assert page.js_errors == []


def test_closing_a_plan_asks_first_and_a_no_changes_nothing(page, supervision):
    # given an inspector of the plan's team on the plan's page
    log_in(page, supervision.inspectors[0])
    page.goto(reverse("responsibility:plan-detail", args=[supervision.plan.pk]))
    close = page.locator("form[data-confirm] button[type=submit]")
    questions: list[str] = []

    # when they press "close" and answer no
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    close.click()
    page.wait_for_timeout(200)  # the submit-once timer has run by now

    # then nothing was sent and the button still works
    assert questions and "结束该监督检查计划" in questions[0]
    assert InspectionPlan.objects.get(pk=supervision.plan.pk).status == PlanStatus.OPEN
    assert close.is_enabled()

    # when they press it again and answer yes
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        close.click()

    # then the plan is closed
    assert InspectionPlan.objects.get(pk=supervision.plan.pk).status == PlanStatus.CLOSED
    assert page.js_errors == []


def test_the_admin_works_under_the_policy(page, org):
    """Django's admin is its own templates and scripts: the policy must not need relaxing for it."""
    # given a superuser
    superuser = UserFactory(is_staff=True, is_superuser=True)
    log_in(page, superuser)

    # when they open the admin's pages with the most scripts: a post (a unit searched as one types,
    # a calendar, the picker of units overseen: all built by the admin's scripts), a list with its
    # filters, a user, and the organisation import
    page.goto(reverse("admin:index"))
    page.goto(reverse("admin:accounts_post_change", args=[org.head_posts[0].pk]))
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("委员会")
    page.locator(".select2-results__option").first.wait_for()
    page.keyboard.press("Escape")
    page.locator(".datetimeshortcuts a[id^=calendarlink]").first.click()
    assert page.locator(".calendarbox").first.is_visible()
    page.locator("#id_oversees_add_all").click()
    assert page.locator("#id_oversees_to option").count() > 0
    page.goto(reverse("admin:accounts_user_changelist") + "?is_staff__exact=0")
    page.goto(reverse("admin:accounts_user_change", args=[org.secretary.pk]))
    page.goto(reverse("admin:accounts_orgunit_import"))

    # then the browser blocked nothing and no script failed
    assert page.js_errors == []
