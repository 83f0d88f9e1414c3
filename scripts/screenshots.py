#!/usr/bin/env python
"""Take the documentation's screenshots from a running server that holds the demo data.

    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8000 --noreload &
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [--out docs/screenshots]

It logs in as the demo accounts of docs/demo-accounts.md (one password for all; --password or
DEMO_PASSWORD to override) in headless Chromium (/usr/bin/chromium, or CHROMIUM_PATH; Playwright
only drives it) and writes PNGs. It changes nothing on the server: a signature is drawn on the pad
for the picture, but never submitted.
"""

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import Page, sync_playwright

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PASSWORD = "Demo-2026!"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--font-render-hinting=none",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}
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
# Demo accounts (docs/demo-accounts.md) and what each one shows.
SECRETARY = "shuji"  # signed letters wait for their countersignature
UNIT_HEAD_TO_SIGN = "yjs_zhuren"  # a letter waits for their signature
UNIT_HEAD_BUSY = "fzw_zhuren"  # a countersignature to give and letters to issue to staff
OFFICE_ADMIN = "bangongshi_admin"  # campaigns and templates
MEASURE_OWNER = "fagui_chuzhang"  # owns measure 2 of a finding carried out as three measures
INSPECTOR = "jijian1"  # the discipline inspection team
STROKES = [
    [(0.10, 0.70), (0.16, 0.30), (0.22, 0.62), (0.28, 0.32), (0.33, 0.66)],
    [(0.40, 0.38), (0.50, 0.40), (0.45, 0.75), (0.56, 0.70)],
    [(0.62, 0.28), (0.66, 0.74), (0.76, 0.48), (0.88, 0.56)],
]


class Shooter:
    def __init__(self, browser, *, base_url: str, password: str, out: Path):
        self.browser = browser
        self.base_url = base_url.rstrip("/") + "/"
        self.password = password
        self.out = out
        self.saved: list[Path] = []
        self.problems: list[str] = []

    def session(self, username: str, device: dict) -> Page:
        context = self.browser.new_context(base_url=self.base_url, locale="zh-CN", **device)
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto("accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(self.password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        if "/accounts/login/" in page.url:
            raise SystemExit(f"could not log in as {username!r}: is seed_demo loaded, is the password right?")
        return page

    def shoot(self, page: Page, name: str, *, full_page: bool = True) -> None:
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            self.problems.append(f"{name}: the page is {overflow}px wider than the screen")
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.saved.append(path)
        print(f"  {path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path}")

    def go(self, page: Page, path: str) -> None:
        response = page.goto(urljoin(self.base_url, path.lstrip("/")))
        if response is None or not response.ok:
            raise SystemExit(f"{path}: HTTP {response.status if response else '?'}")

    def todo(self) -> None:
        page = self.session(UNIT_HEAD_BUSY, DESKTOP)
        self.shoot(page, "todo")
        page.context.close()

    def letter_to_sign(self) -> None:
        for device, name in ((DESKTOP, "letter-sign"), (PHONE, "letter-sign-phone")):
            page = self.session(UNIT_HEAD_TO_SIGN, device)
            link = page.locator('main a[href^="/letters/"]').first
            with page.expect_navigation():
                link.click()
            _draw(page, page.locator("form[data-signature-form] [data-signature-pad]").first)
            if device is PHONE:  # the whole letter is ten screens tall: show the signing form
                page.locator("#sign").evaluate("section => section.scrollIntoView()")
                self.shoot(page, name, full_page=False)
            else:
                page.evaluate("window.scrollTo(0, 0)")
                self.shoot(page, name)
            page.context.close()

    def countersign_batch(self) -> None:
        for device, name in ((DESKTOP, "countersign-batch"), (PHONE, "countersign-batch-phone")):
            page = self.session(SECRETARY, device)
            self.go(page, "countersign/")
            self.shoot(page, name)
            page.context.close()

    def campaign_pages(self) -> None:
        page = self.session(OFFICE_ADMIN, DESKTOP)
        self.go(page, "campaigns/")
        self.shoot(page, "campaign-list")
        open_row = page.locator("tbody tr").filter(has=page.locator(".badge.campaign-open"))
        link = (open_row if open_row.count() else page.locator("tbody tr")).first.locator("a").first
        with page.expect_navigation():
            link.click()
        campaign_path = page.url
        self.shoot(page, "campaign-progress")
        self.go(page, campaign_path.rstrip("/") + "/tree/")
        self.shoot(page, "campaign-tree")
        self.go(page, "templates/")
        self.shoot(page, "templates")
        page.context.close()

    def finding_measures(self) -> None:
        """The one finding the measure's owner may see (from their ledger), its report form open."""
        for device, name in ((DESKTOP, "finding-measures"), (PHONE, "finding-measures-phone")):
            page = self.session(MEASURE_OWNER, device)
            self.go(page, "ledger/")
            with page.expect_navigation():
                page.locator("main a[href*='/findings/']").first.click()
            page.locator("li.measure details").first.evaluate("details => { details.open = true; }")
            self.shoot(page, name)
            page.context.close()

    def recheck(self) -> None:
        """The latest 回头看, from the ledger's button and the list."""
        for device, name in ((DESKTOP, "recheck"), (PHONE, "recheck-phone")):
            page = self.session(INSPECTOR, device)
            self.go(page, "rechecks/")
            with page.expect_navigation():
                page.locator("main tbody a").first.click()
            self.shoot(page, name)
            page.context.close()

    def problem_lists(self) -> None:
        """The office's democratic life meeting list, recording a problem in it (its unit chosen), the
        reconciliation of the audit's list (one problem ticked off, one carried over), and that list's
        整改情况报告 section on a phone (its versions, when the office has issued it)."""
        for device, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
            page = self.session(OFFICE_ADMIN, device)
            self.go(page, "problems/")
            with page.expect_navigation():
                page.locator("main tbody a", has_text="民主生活会").first.click()
            self.shoot(page, f"problem-list{suffix}")
            with page.expect_navigation():
                page.locator("main a.button.primary").first.click()
            page.locator("select[name=unit]").select_option(label="法制工作委员会")
            with page.expect_navigation():
                page.locator("main form button[type=submit]").first.click()
            self.shoot(page, f"problem-record{suffix}")
            self.go(page, "problems/")
            with page.expect_navigation():
                page.locator("main tbody a", has_text="审计").first.click()
            with page.expect_navigation():
                page.locator("main a.button", has_text="对账销号").first.click()
            self.shoot(page, f"problem-reconciliation{suffix}")
            if device is PHONE:
                with page.expect_navigation():
                    page.locator("main p.muted a").first.click()  # back to the list
                page.locator("#reports").scroll_into_view_if_needed()
                self.shoot(page, "problem-report-phone", full_page=False)
            page.context.close()

    def assessment(self) -> None:
        """A committee head's score card in this year's round, and the round's page for the team."""
        page = self.session(UNIT_HEAD_BUSY, DESKTOP)
        self.go(page, "/assessment/")
        with page.expect_navigation():
            page.locator("main a", has_text="法制工作委员会").first.click()
        self.shoot(page, "assessment-card")
        page.context.close()
        page = self.session(INSPECTOR, DESKTOP)
        self.go(page, "/assessment/")
        with page.expect_navigation():
            page.locator("main h2 a").first.click()
        self.shoot(page, "assessment-round")
        page.context.close()


def _draw(page: Page, canvas) -> None:
    """A made-up signature on the pad, with the mouse (the page is not submitted)."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for stroke in STROKES:
        points = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            for step in range(1, 9):
                page.mouse.move(x0 + (x1 - x0) * step / 8, y0 + (y1 - y0) * step / 8)
        page.mouse.up()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--out", type=Path, default=BASE_DIR / "docs" / "screenshots")
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD))
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if not Path(args.chromium).is_file():
        parser.error(f"no Chromium at {args.chromium} (use --chromium or CHROMIUM_PATH)")
    args.out.mkdir(parents=True, exist_ok=True)

    print(f"Screenshots of {args.url} into {args.out}:")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, headless=True, args=LAUNCH_ARGS)
        shooter = Shooter(browser, base_url=args.url, password=args.password, out=args.out)
        try:
            shooter.todo()
            shooter.letter_to_sign()
            shooter.countersign_batch()
            shooter.campaign_pages()
            shooter.finding_measures()
            shooter.recheck()
            shooter.problem_lists()
            shooter.assessment()
        finally:
            browser.close()
    print(f"{len(shooter.saved)} screenshots saved.")
    for problem in shooter.problems:
        print(f"  layout problem: {problem}", file=sys.stderr)
    return 1 if shooter.problems else 0


if __name__ == "__main__":
    sys.exit(main())
