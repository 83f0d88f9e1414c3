"""The header in a real (headless) Chromium, for one demo account of every role: one line at 1280 px; at
390 px (a phone) at most 64 px tall, with the user's name and every menu entry behind the menu button.
The desktop's grouped menu (「更多」 and the user's menu) opens and closes from the keyboard too.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from responsibility.demo.organisation import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, PHONE_390, browser_tab, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_HEADER_MAX_PX = 64


def _one_account_per_role() -> list[str]:
    """The first demo account of each kind of post and set of roles (docs/demo-accounts.md)."""
    seen, usernames = set(), []
    for account in DEMO_ACCOUNTS:
        role = (account.kind, tuple(account.roles), account.is_staff, account.is_superuser)
        if role not in seen:
            seen.add(role)
            usernames.append(account.username)
    return usernames


def _log_in(page, username: str) -> None:
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(reverse("responsibility:todo")), f"{username}: login failed, at {page.url}"


# The header's line boxes: every item of the bar, and how tall one line of the menu is.
_DESKTOP_LAYOUT = """() => {
  const bar = document.querySelector('.site-header .bar');
  const items = [...bar.querySelectorAll(':scope > .brand, .main-nav, :scope > .bell, .user-menu')];
  const link = document.querySelector('.main-nav a');
  return {
    navHeight: document.querySelector('.main-nav').getBoundingClientRect().height,
    lineHeight: link.getBoundingClientRect().height,
    tops: items.map(item => item.getBoundingClientRect()).map(box => Math.round(box.top + box.height / 2)),
    header: document.querySelector('.site-header').getBoundingClientRect().height,
    scrollWidth: document.documentElement.scrollWidth,
  };
}"""


def test_the_header_is_one_line_at_1280_px_and_compact_at_390_px_for_every_role(browser, live_server):
    """Seeds the demo and lays out a page for every role at two widths in a real Chromium (about 30 s):
    the header differs with each role's menu, so each one is measured."""
    # given the demo, and one account of each role
    call_command("seed_demo", stdout=io.StringIO())
    usernames = _one_account_per_role()
    assert (
        len(usernames) >= 8
    )  # the Party Group, heads, staff, the office, the team, the three administrators
    problems = []

    for username in usernames:
        # when they open their to-do page on a desktop
        context, page = browser_tab(browser, live_server, DESKTOP)
        _log_in(page, username)
        layout = page.evaluate(_DESKTOP_LAYOUT)

        # then the menu is one line, and every item of the bar sits on that line
        if layout["navHeight"] > layout["lineHeight"] * 1.5:
            problems.append(
                f"{username} @1280: the menu wraps ({layout['navHeight']} px for {layout['lineHeight']})"
            )
        if max(layout["tops"]) - min(layout["tops"]) > 4:
            problems.append(
                f"{username} @1280: the header's items are on more than one line {layout['tops']}"
            )
        if layout["scrollWidth"] > 1280:
            problems.append(f"{username} @1280: the page is {layout['scrollWidth']} px wide")
        assert page.js_errors == [], page.js_errors
        context.close()

        # when they open it on a phone
        context, page = browser_tab(browser, live_server, PHONE_390)
        _log_in(page, username)
        header = page.locator(".site-header").bounding_box()["height"]

        # then the header is compact, and the menu button shows their name and the whole menu
        if header > PHONE_HEADER_MAX_PX:
            problems.append(f"{username} @390: the header is {header} px tall")
        name = page.locator(".user-menu .nav-group-label")
        assert not name.is_visible()
        page.locator("[data-menu-toggle]").tap()
        assert page.locator("[data-menu-toggle]").get_attribute("aria-expanded") == "true"
        if not name.is_visible() or not name.inner_text().strip():
            problems.append(f"{username} @390: the user's name is not shown in the menu")
        for link in page.locator(".site-menu a").all():
            if not link.is_visible():
                problems.append(f"{username} @390: the menu entry {link.inner_text()!r} cannot be reached")
        if page.evaluate("document.documentElement.scrollWidth") > 390:
            problems.append(f"{username} @390: the page is wider than the phone")
        assert page.js_errors == [], page.js_errors
        context.close()

    assert problems == []


def test_the_more_menu_opens_and_closes_from_the_keyboard(page, org):
    # given the office administrator (more entries than the bar holds) on a desktop
    log_in(page, org.office_admin)
    more = page.locator("[aria-controls=nav-more]")
    items = page.locator("#nav-more")
    assert more.is_visible() and not items.is_visible()

    # when they tab to 「更多」 and press Enter
    more.focus()
    page.keyboard.press("Enter")

    # then its entries show, the button says so, and the first entry is a real link
    assert items.is_visible()
    assert more.get_attribute("aria-expanded") == "true"
    assert items.locator("a").first.get_attribute("href").startswith("/")

    # when they open the user's menu instead, only that one stays open
    page.locator("[aria-controls=user-menu-items]").click()
    assert not items.is_visible() and page.locator("#user-menu-items").is_visible()

    # when they press Escape, it closes and the focus is back on its button
    page.keyboard.press("Escape")
    assert not page.locator("#user-menu-items").is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "user-menu-items"
    assert page.js_errors == []
