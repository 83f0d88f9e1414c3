"""The browser policy (README, "Security" › "Browser policy") on every page the demo's roles can reach.

- Content-Security-Policy (django-csp): scripts only from our own static files, every <script> of our
  templates carrying the response's nonce; no inline script without it, no event-handler attribute,
  no style attribute and no <style> element in a page; nothing loaded from another site.
- Permissions-Policy on every response.
- Cache-Control no-store (and Vary: Cookie) on every response to a signed-in user, downloads included;
  for anonymous visitors on the verification pages; never on static files.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.views.defaults import server_error

from tests.crawling import crawl
from tests.factories import UserFactory
from tests.responsibility.demo_helpers import user

pytestmark = pytest.mark.django_db

# One demo account of each role (docs/demo-accounts.md); None is an anonymous visitor.
ROLES = {
    "anonymous": None,
    "party group secretary": "shuji",
    "office administrator": "bangongshi_admin",
    "inspection team": "jijian1",
    "superuser": "admin",
    "unit head": "jgdw_shuji",  # answers a finding; countersigned letter; duty records
    "deputy head": "fzw_fuzhuren",
    "section chief": "fagui_chuzhang",
    "staff": "mishu_ganbu",
}
# Each role fetches one address of a URL pattern (one letter, one page of a list: the same template),
# a few of a letter's page, whose blocks differ with the letter's state; the crawl stays a second or
# two per role.
PER_PATTERN = {"responsibility:letter-detail": 4}
# The administration is Django's own pages; the superuser walks it, one address per pattern.
ADMIN_ROLES = {"superuser"}

# Pages of the permission matrices that answer GET with a page for somebody, but that no link of the
# demo leads to, and why. A page missing from the crawl and from here fails the coverage test.
NOT_LINKED_IN_THE_DEMO = {
    "responsibility:verify-code": "reached from the QR code printed on a letter's PDF",
    "responsibility:export-detail": "the demo requests no batch print",
    "responsibility:export-status": "polled by the batch print's page",
    "responsibility:export-download": "the demo requests no batch print",
    "responsibility:letter-pdf": "the demo's PDFs wait for the Celery worker: no download link yet",
    "responsibility:letter-revise": "the demo's returned letter was revised already",
    "responsibility:draw-create": "the demo's draw has results: drawing again is not offered (the plan's "
    "page says why), and its plan was drawn already",
    "accounts:password-change-done": "shown after a password change (a POST)",
    "responsibility:letter-signed": "shown after signing or countersigning (a POST), to who signed",
    "responsibility:duty-report-document": "the demo issues no year-end report; its sealed versions are "
    "listed once someone issues one",
}

SCRIPTS = Path(__file__).resolve().parent.parent / "responsibility" / "static" / "responsibility"
CSP = "Content-Security-Policy"
NONCE = re.compile(r"'nonce-([^']+)'")


def csp_directives(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


class _Page(HTMLParser):
    """What a page holds that the policy is about, and the links to follow."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.styles: list[dict[str, str | None]] = []
        self.loads: list[tuple[str, str]] = []  # (tag, address) of scripts, stylesheets, images
        self.inline: list[str] = []  # style attributes, event handlers, javascript: addresses

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "style":
            self.styles.append(attributes)
        for name, value in attrs:
            if name == "style":
                self.inline.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.inline.append(f"<{tag} {name}>")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}={value}>")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if attributes.get("data-poll-url"):
            self.links.append(attributes["data-poll-url"])
        if tag in ("script", "img") and attributes.get("src"):
            self.loads.append((tag, attributes["src"]))
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.loads.append((tag, attributes.get("href") or ""))


def policy_problems(response, *, signed_in: bool, ours: bool) -> list[str]:
    """Everything in this response the browser policy forbids, as sentences; [] when it complies.

    `ours`: a page of our templates, where every <script> carries the nonce. Django's admin templates
    load their scripts from its static files without one, which script-src 'self' allows.
    """
    problems = []
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append("no Permissions-Policy refusing the camera")
    if signed_in:
        if "no-store" not in response.get("Cache-Control", ""):
            problems.append(f"Cache-Control is {response.get('Cache-Control')!r}, not no-store")
        if "cookie" not in response.get("Vary", "").lower():
            problems.append(f"Vary is {response.get('Vary')!r}, without Cookie")
    if not response.get("Content-Type", "").startswith("text/html"):
        return problems

    if CSP not in response:
        return [*problems, "no Content-Security-Policy header"]
    directives = csp_directives(response[CSP])
    script_src, style_src = directives.get("script-src", []), directives.get("style-src", [])
    for directive, sources in (("script-src", script_src), ("style-src", style_src)):
        if not sources:
            problems.append(f"no {directive}")
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"):
            if unsafe in sources:
                problems.append(f"{directive} allows {unsafe}")
    # django-csp names the nonce only when the page used it: a page that runs no script (the ledger's
    # dashboard) and the admin (its scripts are all files) get script-src 'self' alone, stricter still.
    nonces = NONCE.findall(" ".join(script_src))
    if len(nonces) > 1:
        problems.append(f"script-src has {len(nonces)} nonces")
    nonce = nonces[0] if len(nonces) == 1 else None

    page = _Page()
    page.feed(response.content.decode())
    for script in page.scripts:
        if "nonce" in script or ours:
            if script.get("nonce") != nonce or nonce is None:
                problems.append(f"<script src={script.get('src')}> has nonce {script.get('nonce')!r}")
        elif not script.get("src"):
            problems.append("an inline <script> without the nonce")
    problems += [
        f"<style> without the nonce: {style}" for style in page.styles if style.get("nonce") != nonce
    ]
    problems += [f"inline: {attribute}" for attribute in page.inline]
    for tag, address in page.loads:
        parts = urlsplit(address)
        if parts.netloc or (parts.scheme and not (tag == "img" and parts.scheme == "data")):
            problems.append(f"<{tag}> loads {address[:80]} from elsewhere")
    return problems


@dataclass
class CrawlResult:
    reached: dict[str, set[str]] = field(default_factory=dict)  # URL pattern -> roles that reached it
    scripts: set[str] = field(default_factory=set)  # the script files the pages load
    problems: list[str] = field(default_factory=list)


def crawl_for_the_policy(client: Client, *, role: str, start: list[str], result: CrawlResult) -> None:
    """Follow every link (and status poll) the role is shown, GET only, from `start`."""
    signed_in = ROLES[role] is not None

    def follow(address: str, pattern: str | None) -> bool:
        if pattern is None:
            result.problems.append(f"{role}: a link to {address}, which is no page")
            return False
        return not pattern.startswith("admin:") or role in ADMIN_ROLES

    def read(address: str, pattern: str, response) -> list[str]:
        result.reached.setdefault(pattern, set()).add(role)
        problems = policy_problems(response, signed_in=signed_in, ours=not pattern.startswith("admin:"))
        result.problems += [f"{role} {address} ({response.status_code}): {problem}" for problem in problems]
        if not response.get("Content-Type", "").startswith("text/html"):
            return []
        page = _Page()
        page.feed(response.content.decode())
        result.scripts |= {urlsplit(script["src"]).path for script in page.scripts if script.get("src")}
        return page.links

    crawl(
        client, start=start, follow=follow, read=read, per_pattern=lambda pattern: PER_PATTERN.get(pattern, 1)
    )


# Headers and markup come from middleware and templates; the PostgreSQL pass's permission matrices serve
# every page.
@pytest.mark.engine_independent
def test_every_page_the_demo_roles_reach_follows_the_browser_policy(seeded):
    """Loads the demo (seconds) and makes about 250 requests: the one test that sees every page
    with real data. Every problem of every page is listed at once."""
    # given one account of each role, and every URL pattern the permission matrices say answers GET
    # with a page for somebody
    from tests.responsibility.duties.test_permission_matrix_duties import TABLE as DUTIES
    from tests.responsibility.inspections.test_permission_matrix_supervision import TABLE as SUPERVISION
    from tests.responsibility.test_permission_matrix import TABLE as LETTERS

    pages = {
        page.split("?")[0] if ":" in page else f"responsibility:{page.split('?')[0]}"
        for table in (LETTERS, SUPERVISION, DUTIES)
        for (page, method), answers in table.items()
        if method == "GET" and 200 in answers
    }

    # when each role follows every link it is shown (drawing PDFs is WeasyPrint's work, not the
    # policy's: the downloads answer with placeholder bytes)
    crawled = CrawlResult()
    with mock.patch("core.pdf.engine.HTML.write_pdf", return_value=b"%PDF-1.7\n% crawl\n%%EOF\n"):
        for role, username in ROLES.items():
            client = Client()
            if username is None:
                start = [reverse("responsibility:verify"), reverse("accounts:login")]
            else:
                client.force_login(user(username))
                start = [reverse("responsibility:todo")]
            crawl_for_the_policy(client, role=role, start=start, result=crawled)

    # then no page breaks the policy
    assert not crawled.problems, "\n".join(crawled.problems)
    # and the crawl fetched every page of the matrices, unless no link of the demo leads there (and
    # NOT_LINKED_IN_THE_DEMO says why); every role got past its front page, the superuser into the admin
    assert pages - set(crawled.reached) == set(NOT_LINKED_IN_THE_DEMO)
    for role in ROLES:
        assert sum(role in roles for roles in crawled.reached.values()) > 3, role
    assert "superuser" in crawled.reached["admin:accounts_user_changelist"]
    # and every script of ours ran through the checks on some page (the signature pad, the polls, …)
    ours = {f"{settings.STATIC_URL}responsibility/{path.name}" for path in SCRIPTS.glob("*.js")}
    assert ours - crawled.scripts == set()


def test_the_policy_check_finds_what_the_policy_forbids(client):
    # given a page with an inline script, a script with another nonce, a style attribute, a <style>
    # element, an event handler and a script from another site, to a signed-in user without no-store
    response = client.get(reverse("accounts:login"))
    nonce = NONCE.findall(response[CSP])[0]
    response.content = (
        f'<script nonce="{nonce}" src="/static/a.js"></script><script>alert(1)</script>'
        '<script nonce="other" src="/static/b.js"></script><p style="color:red" onclick="x()">'
        f'<style>p{{}}</style><script nonce="{nonce}" src="https://cdn.example.com/c.js"></script>'
    ).encode()
    response.headers["Cache-Control"] = "max-age=600"

    # when
    problems = policy_problems(response, signed_in=True, ours=True)

    # then each one is found
    assert problems == [
        "Cache-Control is 'max-age=600', not no-store",
        "<script src=None> has nonce None",
        "<script src=/static/b.js> has nonce 'other'",
        "<style> without the nonce: {}",
        'inline: <p style="color:red">',
        "inline: <p onclick>",
        "<script> loads https://cdn.example.com/c.js from elsewhere",
    ]


def test_the_policy_names_its_directives_and_the_nonce_of_the_page(client):
    # when
    response = client.get(reverse("accounts:login"))

    # then
    directives = csp_directives(response[CSP])
    nonce = NONCE.findall(" ".join(directives["script-src"]))[0]
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == directives["base-uri"] == directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert f'nonce="{nonce}"' in response.content.decode()
    # a new nonce for every response
    assert nonce not in client.get(reverse("accounts:login"))[CSP]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in response["Permissions-Policy"]


def test_anonymous_verification_pages_are_never_stored(client):
    # given a visitor with no account, checking a letter's code or about to upload a copy
    code = "ABCD-EFGH-JKLM-NPQR"

    # when
    pages = [
        client.get(reverse("responsibility:verify")),
        client.get(reverse("responsibility:verify-code", args=[code])),
        client.get(reverse("accounts:login")),
    ]

    # then: never stored (the login page by Django itself), yet each follows the policy like any other
    for response in pages:
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]
        assert policy_problems(response, signed_in=False, ours=True) == []


def test_anonymous_redirects_are_not_marked_private(client):
    # given a visitor with no account opening a page that needs one
    response = client.get(reverse("responsibility:letter-list"))

    # then the redirect to the login page carries the policy, but none of a signed-in user's headers
    assert response.status_code == 302
    assert "camera=()" in response["Permissions-Policy"]
    assert "Cache-Control" not in response


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_keep_their_caching_and_carry_no_page_policy(client):
    # given a signed-in user, and WhiteNoise reading the static files from the apps (as with DEBUG)
    client.force_login(UserFactory())

    # when
    response = client.get("/static/responsibility/app.css")

    # then: WhiteNoise answered, before the session, the CSP and our headers
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]
    assert CSP not in response and "Permissions-Policy" not in response


def test_the_server_error_page_needs_no_inline_style(rf):
    # when: the page Django shows for a 500, rendered without the request's context
    response = server_error(rf.get("/"))

    # then
    page = _Page()
    page.feed(response.content.decode())
    assert page.inline == [] and page.styles == [] and page.scripts == []
    assert page.loads == [("link", "/static/responsibility/error.css")]


def test_a_signed_in_users_download_is_never_stored(client):
    # given a signed-in user who may export the rectification ledger (every account may)
    client.force_login(UserFactory())

    # when
    response = client.get(reverse("responsibility:ledger-export-xlsx"))

    # then
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "Cookie" in response["Vary"]
