"""The Simplified Chinese catalog: complete, compiled, and what a user sees by default."""

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
# The same exclusions the translators use when they run makemessages.
MAKEMESSAGES_IGNORE = [".venv/*", "var/*", "tests/*", "bench/*", "scripts/*"]


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def parse_po(path: Path) -> list[PoEntry]:
    """A small .po reader: enough for the files makemessages writes (no external dependency)."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    current: tuple[str, int] | None = None  # which string the continuation lines extend

    def finish() -> None:
        nonlocal entry, current
        if entry.msgstr or entry.msgid or entry.msgid_plural:
            entries.append(entry)
        entry, current = PoEntry(), None

    def put(key: str, index: int, text: str, *, append: bool) -> None:
        if key == "msgstr":
            entry.msgstr[index] = (entry.msgstr.get(index, "") if append else "") + text
        else:
            setattr(entry, key, ((getattr(entry, key) or "") if append else "") + text)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if current is not None and current[0] == "msgstr":
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            if current is not None and current[0] == "msgstr":
                finish()
            continue
        if line.startswith('"'):
            assert current is not None, f"continuation line without a keyword in {path}: {raw!r}"
            put(*current, ast.literal_eval(line), append=True)
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current is not None and current[0] == "msgstr":
            finish()
        entry.obsolete = entry.obsolete or obsolete
        if keyword.startswith("msgstr["):
            current = ("msgstr", int(keyword[len("msgstr[") : -1]))
        elif keyword in ("msgstr", "msgid", "msgid_plural", "msgctxt"):
            current = (keyword, 0)
        else:
            raise AssertionError(f"unexpected line in {path}: {raw!r}")
        put(*current, ast.literal_eval(value), append=False)
    finish()
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[PoEntry]:
    """The translatable entries of the committed catalog (without the header)."""
    return [entry for entry in parse_po(PO_FILE) if entry.msgid and not entry.obsolete]


def label(entry: PoEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def test_zh_hans_catalog_has_no_untranslated_entries(catalog):
    # given the committed catalog; when every entry is checked
    untranslated = [label(e) for e in catalog if not all(t.strip() for t in e.msgstr.values() or [""])]

    # then each has a translation (one form in Chinese, even for plurals)
    assert len(catalog) > 400
    assert untranslated == []
    assert all(set(e.msgstr) == {0} for e in catalog if e.msgid_plural)


def test_zh_hans_catalog_has_no_fuzzy_or_obsolete_entries():
    # given every entry of the committed catalog, header included
    entries = parse_po(PO_FILE)

    # then none is fuzzy (msgfmt would leave it out) and none is a stale leftover
    assert [label(e) for e in entries if "fuzzy" in e.flags] == []
    assert [label(e) for e in entries if e.obsolete] == []
    header = next(e for e in entries if e.msgid == "")
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]


def test_zh_hans_catalog_keeps_every_placeholder(catalog):
    # given the python-format entries; when their placeholders are compared
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    broken = [
        label(e)
        for e in catalog
        for text in e.msgstr.values()
        if set(placeholder.findall(text)) != set(placeholder.findall(e.msgid))
    ]

    # then no translation lost or invented one
    assert broken == []


def test_zh_hans_compiled_catalog_matches_the_po_file(catalog):
    # given the committed .mo, loaded the way gettext loads it
    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    # when every entry of the .po is looked up
    stale = []
    for entry in catalog:
        context = f"{entry.msgctxt}\x04" if entry.msgctxt else ""
        if entry.msgid_plural:
            found = [compiled.ngettext(context + entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            expected = [entry.msgstr[0], entry.msgstr[0]]
        else:
            found, expected = compiled.gettext(context + entry.msgid), entry.msgstr[0]
        if found != expected:
            stale.append(label(entry))

    # then each maps to its current translation: run compilemessages after editing the .po
    assert stale == []
    assert compiled.plural(5) == 0


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_zh_hans_catalog_covers_every_string_in_the_code(catalog, tmp_path, monkeypatch, settings):
    # given a fresh extraction from a copy of the source (makemessages writes next to the code it reads,
    # so it must not run in the working tree)
    root = Path(settings.BASE_DIR)
    source = tmp_path / "src"

    def skipped(directory: str, names: list[str]) -> set[str]:
        top_level = {"var", "tests", "bench", "scripts", "locale"} if Path(directory) == root else set()
        return {name for name in names if name.startswith(".") or name == "__pycache__" or name in top_level}

    shutil.copytree(root, source, ignore=skipped)
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        ignore_patterns=MAKEMESSAGES_IGNORE,
        add_location="file",
        verbosity=0,
    )

    # when its msgids are compared with the committed catalog's
    fresh_po = source / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    fresh = {label(e) for e in parse_po(fresh_po) if e.msgid}
    committed = {label(e) for e in catalog}

    # then nothing new is missing and nothing removed lingers: run makemessages, translate, compile
    assert sorted(fresh - committed) == []
    assert sorted(committed - fresh) == []


@pytest.mark.django_db
def test_login_page_speaks_chinese_by_default(client):
    # when a browser that states no language preference opens the login page
    response = client.get(reverse("accounts:login"))

    # then it is in Simplified Chinese
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert "<h1>登录</h1>" in html
    assert "党风廉政建设责任书" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_a_browser_set_to_english_still_gets_chinese_until_the_user_switches(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert "<h1>登录</h1>" in response.content.decode()


@pytest.mark.django_db
def test_login_page_speaks_english_when_asked(client, settings):
    # when the user chose English, the second UI language, with the language switch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))

    # then the page is in English
    html = response.content.decode()
    assert "<h1>Log in</h1>" in html
    assert "登录" not in html


@pytest.mark.django_db
def test_letter_page_speaks_chinese_by_default(client, issued_letter):
    # given the signer of an issued letter, logged in
    client.force_login(issued_letter.signer)

    # when they open their letter without stating a language
    response = client.get(reverse("responsibility:letter-detail", args=[issued_letter.pk]))

    # then its status, sign form and record read in Chinese
    html = response.content.decode()
    assert response.status_code == 200
    assert "待签署" in html
    assert "签署本责任书" in html
    assert "签署记录" in html
    assert "内容摘要（SHA-256）：" in html
    assert "Sign this letter" not in html
    assert "Awaiting signature" not in html
