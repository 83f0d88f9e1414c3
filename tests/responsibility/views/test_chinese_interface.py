"""Nothing internal on a user's page: every page each demo role reaches by following links, in Chinese, shows
no Latin word outside a short allow-list (the demo's login names, codes and hashes, file names, addresses,
and the names of formats and products a user knows: PDF, Excel, SHA-256, QR …). No command, field name,
internal code or key=value text.

Visible text only: scripts, styles and attributes are stripped; the page's <title> is kept (the browser's
tab shows it). Text a template marks as another language (lang="en": the language switch's "English") or
as literal text to type or compare exactly (translate="no": a second-factor key, a draw's seed input) is
left out: the mark is the allow-list, visible where the text is written.
"""

import re
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from responsibility.demo.organisation import DEMO_ACCOUNTS
from tests.crawling import crawl
from tests.responsibility.demo_helpers import user

pytestmark = pytest.mark.django_db

# One demo account of each role and of each kind of post (docs/demo-accounts.md); None is a visitor who
# has not signed in (the sign-in and verification pages).
ROLES = {
    "visitor": None,
    "party group secretary": "shuji",
    "party group member": "dangzu1",
    "unit head": "fzw_zhuren",
    "unit head answering a finding": "jgdw_shuji",
    "deputy head": "fzw_fuzhuren",
    "section chief": "fagui_chuzhang",
    "staff": "mishu_ganbu",
    "office administrator": "bangongshi_admin",
    "security administrator": "anquan_admin",
    "audit administrator": "shenji_admin",
    "inspection team": "jijian1",
    "superuser": "admin",
}
# Pages of one URL pattern share their template: one address of each, a few of the pages whose blocks
# differ with the record's state (a letter issued, signed, returned, voided; a finding being rectified,
# submitted, verified, closed; an assignment and its records), so the crawl stays bounded.
PER_PATTERN = 1
PER_PATTERN_BY_STATE = {
    "responsibility:letter-detail": 5,
    "responsibility:finding-detail": 4,
    "responsibility:duty-detail": 2,
    "responsibility:inspection-detail": 2,
}
# Django's administration: the administrators see its index (its own pages are Django's translations).
ADMIN_INDEX = "admin:index"
# Never followed (besides tests.crawling's files and switch): downloads (no visible text), logging out,
# JSON polls.
SKIPPED_PATTERNS = {
    "accounts:logout",
    "accounts:cas-logout",
    "accounts:session-status",
    "accounts:session-keepalive",
    "accounts:security-log-export",
    "responsibility:evidence-download",
    "responsibility:letter-pdf",
    "responsibility:letter-pdf-status",
    "responsibility:export-status",
    "responsibility:export-download",
    "responsibility:duty-report",
    "responsibility:duty-report-document",
    "responsibility:ledger-export-xlsx",
    "responsibility:ledger-export-pdf",
}
SKIPPED_SUFFIXES = (".pdf", ".xlsx", ".csv", ".zip")

# --- What may be Latin on a Chinese page --------------------------------------------------------------

# Names of formats, standards and products a user knows by these letters.
ALLOWED_WORDS = {
    # File types, by the names their users know them.
    "PDF",
    "Word",
    "Excel",
    "CSV",
    "PNG",
    "JPEG",
    "JPG",
    "ZIP",
    "SHA-256",
    "QR",
    "IP",
    "KB",
    "MB",
    # The formats and protocols of the pages for other systems' integrators (webhooks), by their names.
    "JSON",
    "HTTPS",
    "HMAC-SHA256",
    # Authenticator apps, by the names their users know them.
    "Microsoft",
    "Google",
    "Authenticator",
    "FreeOTP",
}
# The demo's login names (a user reads their own and their colleagues' on the account pages).
# With the accounts of the demo's API clients (responsibility/demo/api_clients.py), listed with the others.
DEMO_LOGINS = {account.username for account in DEMO_ACCOUNTS} | {"api.oa-system", "api.hr-system"}
ALLOWED_PATTERNS = [
    re.compile(r"\S+@\S+"),  # an email address
    re.compile(r"(https?://|www\.|/)\S*"),  # an address
    re.compile(r"\S*\.(pdf|png|jpe?g|docx?|xlsx?|csv|txt|zip|p12|pem|ofd)", re.IGNORECASE),  # a file name
    re.compile(r"[0-9a-f]{6,}((…|\.\.\.)[0-9a-f]*)?"),  # a hash, or its beginning (and end)
    re.compile(r"[0-9A-Z]{4}(-[0-9A-Z]{4})+"),  # a verification or one-time code
]
LATIN_WORD = re.compile(r"[A-Za-z][\w.@/:\-]*[\w/]|[A-Za-z]")


class _Page(HTMLParser):
    """The visible text of a page, and its links. Left out: scripts and styles; text marked as in another
    language (`lang="en"`: the language switch's "English") or as literal text to type or compare exactly
    (`translate="no"`: a second-factor key, a draw's seed input)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._skipped: str | None = None  # the tag whose content is left out, while inside it
        self._depth = 0  # how many of that tag are open

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if self._skipped is not None:
            self._depth += tag == self._skipped
            return
        language = attributes.get("lang")
        if (
            tag in ("script", "style")
            or attributes.get("translate") == "no"
            or (language is not None and not language.lower().startswith("zh"))
        ):
            self._skipped, self._depth = tag, 1

    def handle_endtag(self, tag):
        if tag == self._skipped:
            self._depth -= 1
            if not self._depth:
                self._skipped = None

    def handle_data(self, data):
        if self._skipped is None:
            self.text.append(data)


def latin_words(text: str) -> list[str]:
    """The Latin words of a page's visible text that are not on the allow-list."""
    found = []
    for token in re.split(r"[\s，。；：、（）《》“”「」()\[\]<>|·›→,;!?]+", text):
        if not re.search("[A-Za-z]", token):
            continue
        if token in DEMO_LOGINS or any(pattern.fullmatch(token) for pattern in ALLOWED_PATTERNS):
            continue
        found += [word for word in LATIN_WORD.findall(token) if word not in ALLOWED_WORDS]
    return found


def crawl_in_chinese(
    client: Client, *, start: list[str], admin: bool
) -> tuple[dict[str, list[str]], set[str]]:
    """Follow every same-site GET link from `start`: each page's Latin words by its address, and the URL
    patterns reached."""
    found, reached = {}, set()

    def follow(address: str, pattern: str | None) -> bool:
        if (
            pattern is None
            or pattern in SKIPPED_PATTERNS
            or urlsplit(address).path.endswith(SKIPPED_SUFFIXES)
        ):
            return False
        return not pattern.startswith("admin:") or (admin and pattern == ADMIN_INDEX)

    def read(address: str, pattern: str, response) -> list[str]:
        reached.add(pattern)
        if not response.get("Content-Type", "").startswith("text/html"):
            return []
        page = _Page()
        page.feed(response.content.decode())
        words = latin_words(" ".join(page.text))
        if words:
            found[address] = sorted(set(words))
        return page.links

    crawl(
        client,
        start=start,
        follow=follow,
        read=read,
        per_pattern=lambda pattern: PER_PATTERN_BY_STATE.get(pattern, PER_PATTERN),
        headers={"Accept-Language": "zh-hans"},
    )
    return found, reached


# The words come from templates and catalogues: the PostgreSQL pass's permission matrices serve the pages.
@pytest.mark.engine_independent
def test_every_page_every_demo_role_reaches_is_in_chinese(seeded):
    """Slow on purpose: it loads the demo (about 10 s, the module's `seeded`) and makes a few hundred
    requests, thirteen roles following every link they are shown (about 10 s); it is the one test that
    reads every page with real data in every state, in Chinese. Every Latin word of every page is listed
    at once, as "role address: words"."""
    # given one account of each role and post, signed in
    problems, reached_by = [], {}
    with mock.patch("core.pdf.engine.HTML.write_pdf", return_value=b"%PDF-1.7\n% crawl\n%%EOF\n"):
        for role, username in ROLES.items():
            client, admin = Client(), False
            if username is None:
                start = [reverse("responsibility:verify"), reverse("accounts:login")]
            else:
                account = user(username)
                client.force_login(account)
                admin = account.is_staff
                start = [reverse("responsibility:todo"), *([reverse(ADMIN_INDEX)] if admin else [])]

            # when the role follows every link it is shown
            found, reached = crawl_in_chinese(client, start=start, admin=admin)
            reached_by[role] = reached
            problems += [f"{role} {address}: {', '.join(words)}" for address, words in found.items()]

    # then no page shows a Latin word outside the allow-list
    assert not problems, "\n".join(problems)
    # and every role got past its front page; the administrators into the admin's index
    for role, reached in reached_by.items():
        assert len(reached) > 1, role
    assert ADMIN_INDEX in reached_by["superuser"]
    assert ADMIN_INDEX in reached_by["office administrator"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("负责人 owner=24; 期限", ["owner"]),
        ("python manage.py verify_draw 1", ["python", "manage.py", "verify_draw"]),
        ("（working_body）", ["working_body"]),
        ("dflz-unit-2026 范本", ["dflz-unit-2026"]),
        ("Django 管理", ["Django"]),
        ("下载 PDF 或 Excel，SHA-256 a1b2c3d4e5f6…", []),
        ("shuji 陈永昇 · 人常廉责〔2026〕3号 · ABCD-EFGH-JKLM-NPQR · 会议记录（王喆）.pdf", []),
    ],
)
def test_the_check_finds_latin_words_outside_the_allow_list(text, words):
    assert latin_words(text) == words
