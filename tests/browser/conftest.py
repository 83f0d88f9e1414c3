"""Headless Chromium against pytest-django's live server.

Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH); Playwright only drives it, so
`playwright install` is never needed. Without Chromium the browser tests are skipped, unless
CHROMIUM_REQUIRED=1 (CI), where a missing browser is an error. BROWSER_TESTS=0 skips them, saying so:
CI runs them once, in its PostgreSQL pass, and not again in its SQLite pass.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD

DEFAULT_CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Mobile Safari/537.36"
    ),
}
# The phone width of the signing and header checks (issue 14).
PHONE_390 = {**PHONE, "viewport": {"width": 390, "height": 844}}
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    """The Chromium binary to drive, or None when this machine has none."""
    candidate = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(candidate)


def pytest_collection_modifyitems(config, items) -> None:
    """BROWSER_TESTS=0: every test marked `browser` is skipped before any of its fixtures is made."""
    if os.environ.get("BROWSER_TESTS") != "0":
        return
    skip = pytest.mark.skip(reason="browser tests not run in this pass (BROWSER_TESTS=0)")
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)


def _unavailable(reason: str):
    if os.environ.get("CHROMIUM_REQUIRED") == "1":
        pytest.fail(f"CHROMIUM_REQUIRED=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set CHROMIUM_PATH, or CHROMIUM_REQUIRED=1 to fail)")


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        _unavailable(f"no Chromium at {os.environ.get('CHROMIUM_PATH') or DEFAULT_CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (requirements-dev.txt)")

    # Playwright's sync API runs an event loop in this thread; the test code still uses the ORM here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def browser_tab(browser, live_server, options: dict):
    """A new tab in its own context (`options`: DESKTOP, PHONE, PHONE_390 …), Chinese first; the caller closes
    the context. Its `js_errors` lists script errors and what the browser policy blocked."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    # Chromium asks for /favicon.ico on its own, in parallel with what the test does. With in-memory
    # SQLite the live server's threads share one connection, so keep that stray request off the server.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _record_policy_violation(message, errors))
    page.js_errors = errors  # checked by the tests: a script error, or what the browser policy blocked
    return context, page


def _record_policy_violation(message, errors: list[str]) -> None:
    """Chromium reports what the Content-Security-Policy blocked (console errors) and a Permissions-Policy
    it could not read (warnings): under the browser policy (README, "Browser policy") each is a failure."""
    blocked = message.type == "error" and "Content Security Policy" in message.text
    if blocked or "Permissions-Policy" in message.text:
        errors.append(message.text)


@pytest.fixture
def page(browser, live_server):
    """A desktop browser tab (1280 wide), Chinese first."""
    context, page = browser_tab(browser, live_server, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized tab (375×812) with a touch screen."""
    context, page = browser_tab(browser, live_server, PHONE)
    yield page
    context.close()


def open_user_menu(page) -> None:
    """Show the user's menu (signing out, account security, language): on a phone under the menu button,
    on a desktop under the user's name (templates/base.html)."""
    menu_button = page.locator("[data-menu-toggle]")
    if menu_button.is_visible():
        if menu_button.get_attribute("aria-expanded") != "true":
            menu_button.click()
    else:
        page.locator("[aria-controls=user-menu-items]").click()


def log_in(page, user) -> None:
    """Log in through the login form, as a person would."""
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(reverse("responsibility:todo")), f"login failed, still at {page.url}"
