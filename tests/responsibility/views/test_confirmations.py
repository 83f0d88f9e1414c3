"""A confirmation before every deletion: on every page the demo's roles reach, each form that removes,
withdraws, resets, disables or closes something carries data-confirm (confirm.js asks, and Cancel sends
nothing), and a form that deletes ticked rows asks when a row is ticked (data-confirm-when). The script is
on every page, once.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.two_factor.services import totp_enrolment_confirm, totp_enrolment_start
from tests.accounts.two_factor.conftest import code_now
from tests.crawling import crawl, url_pattern
from tests.responsibility.demo_helpers import user

pytestmark = pytest.mark.django_db

# The actions that take something away, and what each one removes.
ASKS_FIRST = {
    "responsibility:duty-task-withdraw": "a 一岗双责 task (删除任务)",
    "accounts:security-role-remove": "a person's role",
    "accounts:security-second-factor-reset": "a person's authenticator app and recovery codes",
    "accounts:security-active": "a person's sign-in (when disabling)",
    "accounts:two-factor-remove": "one's own two-step verification",
    "accounts:two-factor-recovery-codes-regenerate": "one's earlier recovery codes",
    "responsibility:plan-close": "further draws and results of a plan",
    "responsibility:campaign-close": "further letters of a campaign",
    "responsibility:template-publish": "the chance to change a template",
    "responsibility:letter-void": "a letter's force (voiding; the record stays)",
    "responsibility:api-token-renew": "an API client's current token",
    "responsibility:api-client-revoke": "an API client's token, for good",
}
# Who reaches those forms in the demo: the office, the inspection team (one of them with two-step
# verification set up) and the security administrator.
ROLES = ("bangongshi_admin", "jijian1", "jijian2", "anquan_admin")
ENROLLED = "jijian2"
# The API's documentation page is Swagger UI's, not one of the app's pages (no form of ours, no confirm.js).
NOT_FOLLOWED = {"accounts:logout", "accounts:session-status", "accounts:session-keepalive", "api:docs"}
CONFIRM_SCRIPT = "responsibility/confirm.js"


class _Forms(HTMLParser):
    """A page's links, its forms (action, attributes, the inputs inside) and its scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self.scripts: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "script" and attributes.get("src"):
            self.scripts.append(attributes["src"])
        elif tag == "form":
            self._form = {"attrs": attributes, "inputs": []}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            self._form["inputs"].append(attributes)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _pages(client: Client, *, start: list[str]) -> dict[str, _Forms]:
    """Every page one signed-in role reaches by following links from `start`, one address per URL
    pattern (the first one met)."""
    pages = {}

    def read(address: str, pattern: str, response) -> list[str]:
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            return []
        page = _Forms()
        page.feed(response.content.decode())
        pages[address] = page
        return page.links

    crawl(
        client,
        start=start,
        follow=lambda address, pattern: (
            pattern is not None and pattern not in NOT_FOLLOWED and not pattern.startswith("admin:")
        ),
        read=read,
    )
    return pages


def _asks_first(form: dict) -> bool:
    """Whether the form asks before it is sent. Enabling an account again takes nothing away."""
    pattern = url_pattern(urlsplit(form["attrs"].get("action") or "").path)
    if pattern == "accounts:security-active":
        enabling = any(i.get("name") == "active" and i.get("value") == "1" for i in form["inputs"])
        return enabling or bool(form["attrs"].get("data-confirm"))
    return bool(form["attrs"].get("data-confirm"))


# The forms come from templates: the PostgreSQL pass's permission matrices serve the pages.
@pytest.mark.engine_independent
def test_every_form_that_takes_something_away_asks_first(seeded):
    """Loads the demo and crawls every page four roles reach (several seconds): a removing form added to
    any page must be found wherever it is."""
    # given the demo, where an inspector also set up two-step verification (a form to turn it off, and a
    # role and a second factor for the security administrator to remove and reset)
    enrolled = user(ENROLLED)
    device = totp_enrolment_start(user=enrolled)
    totp_enrolment_confirm(user=enrolled, device=device, code=code_now(device))
    enrolled_account = reverse("accounts:security-account", args=[enrolled.pk])
    unconfirmed, ticked_rows_unasked, script_counts, reached, row_forms = [], [], {}, set(), 0

    # when each role follows every link it is shown
    for username in ROLES:
        client = Client()
        client.force_login(user(username))
        if username == ENROLLED:  # signed in with the code of the app, as the login would have asked
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        start = [enrolled_account, "/"] if username == "anquan_admin" else ["/"]
        for address, page in _pages(client, start=start).items():
            script_counts[address] = sum(src.endswith(CONFIRM_SCRIPT) for src in page.scripts)
            for form in page.forms:
                pattern = url_pattern(urlsplit(form["attrs"].get("action") or address).path)
                if pattern in ASKS_FIRST:
                    reached.add(pattern)
                    if not _asks_first(form):
                        unconfirmed.append(f"{username} at {address}: {pattern}")
                deletes_rows = any((i.get("name") or "").endswith("-DELETE") for i in form["inputs"])
                row_forms += deletes_rows
                if deletes_rows and not (
                    form["attrs"].get("data-confirm") and form["attrs"].get("data-confirm-when")
                ):
                    ticked_rows_unasked.append(f"{username} at {address}")

    # then every such form asks, each was seen at least once, and every page loads the script once
    assert unconfirmed == []
    assert ticked_rows_unasked == [] and row_forms  # a template's clauses, at least
    assert reached == set(ASKS_FIRST), f"never reached: {set(ASKS_FIRST) - reached}"
    assert {address for address, count in script_counts.items() if count != 1} == set()
