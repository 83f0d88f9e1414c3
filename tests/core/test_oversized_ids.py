"""An id no integer column can hold (40 digits) is "no such record" on every database: a form error, a 400
or a 404, never the 500 SQLite's OverflowError would give (core.lookups)."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import OrgUnit, Post
from responsibility.letters.models.letters import Letter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HUGE = "1" + "0" * 39  # 40 digits: beyond 64 bits
HUGE_INT = int(HUGE)


# --- The lookups, on the test database (SQLite unless DATABASE_URL says otherwise) -----------------


def test_in_and_foreign_key_lookups_with_an_id_no_column_holds_match_nothing(org):
    unit = org.head_posts[0].unit

    assert list(OrgUnit.objects.filter(pk__in=[HUGE_INT])) == []
    assert list(OrgUnit.objects.filter(pk__in=[HUGE_INT, unit.pk])) == [unit]
    assert list(OrgUnit.objects.filter(pk__in=[HUGE])) == []  # as a form gives it: text
    assert list(Post.objects.filter(unit=HUGE_INT)) == []
    assert list(Post.objects.filter(unit_id=HUGE)) == []
    assert list(Post.objects.filter(unit__in=[HUGE_INT, unit.pk])) == list(Post.objects.filter(unit=unit))
    assert list(Post.objects.filter(unit__in=[-HUGE_INT])) == []
    assert Post.objects.exclude(unit=HUGE_INT).count() == Post.objects.count()
    assert Post.objects.exclude(unit__in=[HUGE_INT]).count() == Post.objects.count()
    assert Letter.objects.filter(campaign_id=HUGE).count() == 0


# --- Form fields and query-string filters ---------------------------------------------------------


def _form_errors(response) -> dict:
    context = response.context or {}
    form = context.get("form") or context.get("filter_form")
    return dict(form.errors) if form is not None else {}


@pytest.mark.parametrize(
    ("name", "args", "method", "data", "who"),
    [
        ("campaign-issue", "campaign", "post", {"units": [HUGE]}, "office_admin"),
        (
            "export-create",
            None,
            "post",
            {"campaign": "campaign", "units": [HUGE], "export_format": "zip"},
            "office_admin",
        ),
        ("archive", None, "get", {"campaign": HUGE, "unit": HUGE}, "office_admin"),
        ("ledger", None, "get", {"plan": HUGE, "unit": HUGE}, "inspector"),
        ("ledger-export-xlsx", None, "get", {"plan": HUGE, "unit": HUGE}, "inspector"),
        ("ledger-dashboard", None, "get", {"plan": HUGE, "unit": HUGE}, "inspector"),
        (
            "plan-create",
            None,
            "post",
            {"title": "2027年巡查", "year": "2027", "units": [HUGE], "team": [HUGE]},
            "inspector",
        ),
        ("duty-generate", None, "post", {"year": "2027", "units": [HUGE]}, "office_admin"),
        ("duty-list", None, "get", {"unit": HUGE, "year": HUGE}, "office_admin"),
        ("letter-countersign-batch", None, "post", {"letters": [HUGE]}, "secretary"),
        ("reminder-list", None, "get", {"campaign": HUGE}, "office_admin"),
        ("campaign-tree", "campaign", "get", {"root": HUGE}, "office_admin"),
    ],
)
def test_a_40_digit_id_in_a_select_or_a_filter_is_refused_not_a_crash(
    client, org, name, args, method, data, who
):
    client.force_login(getattr(org, who))
    data = {key: str(org.campaign.pk) if value == "campaign" else value for key, value in data.items()}
    path = reverse(f"responsibility:{name}", args=[org.campaign.pk] if args == "campaign" else None)

    response = getattr(client, method)(path, data)

    assert response.status_code in (200, 302, 400, 403, 404), response.status_code
    if response.status_code in (200, 400) and method == "post":
        assert _form_errors(response), "the id should be refused next to its field"


def test_a_40_digit_post_or_template_in_issuing_to_staff_is_a_form_error(client, countersigned_letter):
    # given the unit head whose letter is countersigned, issuing letters to their staff
    client.force_login(countersigned_letter.signer)
    before = Letter.objects.count()

    response = client.post(
        reverse("responsibility:letter-issue-to-staff", args=[countersigned_letter.pk]),
        {"template": HUGE, "posts": [HUGE]},
    )

    assert response.status_code in (200, 400)
    assert _form_errors(response)
    assert Letter.objects.count() == before


# --- Path converters --------------------------------------------------------------------------------


def _int_patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else entry.namespace or namespace
            )
            yield from _int_patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and "<int:" in prefix + str(entry.pattern):
            yield prefix + str(entry.pattern)


INT_PATHS = sorted(set(_int_patterns(get_resolver())))


def test_there_are_int_paths_to_try():
    assert len(INT_PATHS) > 20


def test_every_int_path_with_a_40_digit_id_is_a_404_never_a_500(org):
    """Every URL with an <int:…> part, for one user with every role: GET and POST (a few seconds)."""
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    crashed = []
    for pattern in INT_PATHS:
        path = "/" + re.sub(r"<int:\w+>", HUGE, pattern).lstrip("^").rstrip("$")
        if "<" in path:  # another converter too: not ours to guess
            continue
        for method in ("get", "post"):
            status = getattr(client, method)(path).status_code
            if status >= 500:
                crashed.append((method, path, status))
    assert crashed == []
