"""Every API client page × every role: the answer each one gets, as a table asserted cell by cell.

The rules the table encodes:
- anonymous visitors are sent to the login page from every page, and so is a client's own account
  (it never holds a page session);
- the office (系统管理员) reads, creates, renews and revokes clients; the audit administrator reads the
  clients and the calls and changes nothing (403); for everyone else the lists are a 403 and a client a
  404, as any object they may not see;
- a token page (a new client, a new token) answers 200/201 and shows the token once; nothing else
  changes anything.
"""

import datetime

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.security.models import SecurityEvent
from core import clock
from responsibility.api.models import ApiCall, ApiClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "inspector", "party_group", "office", "security", "audit", "machine")
LOGIN = "302 login"
DONE = "302 done"

# fmt: off
TABLE = {
    # page, method                  anon   outs  insp  pg    office sec   audit machine
    ("api-client-list", "GET"):     (LOGIN, 403,  403,  403,  200,  403,  200,  LOGIN),
    ("api-client-create", "GET"):   (LOGIN, 403,  403,  403,  200,  403,  403,  LOGIN),
    ("api-client-create", "POST"):  (LOGIN, 403,  403,  403,  201,  403,  403,  LOGIN),
    ("api-client-detail", "GET"):   (LOGIN, 404,  404,  404,  200,  404,  200,  LOGIN),
    ("api-token-renew", "GET"):     (LOGIN, 405,  405,  405,  405,  405,  405,  LOGIN),
    ("api-token-renew", "POST"):    (LOGIN, 404,  404,  404,  200,  404,  403,  LOGIN),
    ("api-client-scopes", "GET"):   (LOGIN, 405,  405,  405,  405,  405,  405,  LOGIN),
    ("api-client-scopes", "POST"):  (LOGIN, 404,  404,  404,  DONE, 404,  403,  LOGIN),
    ("api-client-revoke", "GET"):   (LOGIN, 405,  405,  405,  405,  405,  405,  LOGIN),
    ("api-client-revoke", "POST"):  (LOGIN, 404,  404,  404,  DONE, 404,  403,  LOGIN),
    ("api-call-list", "GET"):       (LOGIN, 403,  403,  403,  200,  403,  200,  LOGIN),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}
CHANGING = {
    ("api-client-create", "POST"),
    ("api-token-renew", "POST"),
    ("api-client-scopes", "POST"),
    ("api-client-revoke", "POST"),
}


@pytest.fixture
def users(org, make_caller) -> dict:
    caller = make_caller(roles=[Role.INSPECTION_TEAM])
    caller.get("/api/v1/letters/")  # one call in the log
    return {
        "anonymous": None,
        "outsider": org.outsider,
        "inspector": org.inspector,
        "party_group": org.secretary,
        "office": org.office_admin,
        "security": UserFactory(roles=[Role.SECURITY_ADMIN]),
        "audit": UserFactory(roles=[Role.AUDIT_ADMIN]),
        "machine": caller.client.account,
        "client": caller.client,
    }


def _post_data(page: str, client: ApiClient) -> dict:
    return {
        "api-client-create": {
            "name": "人事系统",
            "code": "hr",
            "scopes": ["read:duties"],
            "expires_on": (clock.today() + datetime.timedelta(days=90)).isoformat(),
            "allowed_networks": "10.0.0.0/8",
        },
        "api-token-renew": {
            "expires_on": (clock.today() + datetime.timedelta(days=90)).isoformat(),
            "version": str(client.version),
        },
        "api-client-revoke": {"reason": "系统下线", "version": str(client.version)},
        "api-client-scopes": {"scopes": ["read:letters"], "version": str(client.version)},
    }.get(page, {})


def _snapshot() -> tuple:
    return (
        sorted(ApiClient.objects.values_list("pk", "version", "token_prefix")),
        SecurityEvent.objects.filter(kind__startswith="api_").count(),
    )


@pytest.mark.parametrize(
    ("page", "method", "role", "expected"),
    [pytest.param(*cell, outcome, id=" ".join(cell)) for cell, outcome in EXPECTED.items()],
)
def test_page_answers_each_role_as_the_table_says(client, users, page, method, role, expected):
    api_client = users["client"]
    if users[role] is not None:
        client.force_login(users[role])
    before = _snapshot()
    url = reverse(
        f"responsibility:{page}",
        args=[api_client.pk]
        if "client-list" not in page
        and page
        not in (
            "api-client-create",
            "api-call-list",
        )
        else [],
    )

    response = client.get(url) if method == "GET" else client.post(url, _post_data(page, api_client))

    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    elif expected == DONE:
        assert response.status_code == 302 and not response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected, response.content.decode()[:500]
    changed = (method, expected) in {("POST", 200), ("POST", 201), ("POST", DONE)}
    assert (_snapshot() != before) == changed
    if changed and page not in ("api-client-revoke", "api-client-scopes"):  # a token page: once, never cached
        assert "no-store" in response["Cache-Control"]
        token = response.context["token"]
        assert (
            token in response.content.decode() and ApiClient.objects.filter(token_prefix=token[:12]).exists()
        )


def test_the_pages_show_the_client_its_roles_and_its_calls(client, users):
    client.force_login(users["audit"])
    api_client = users["client"]

    page = client.get(reverse("responsibility:api-client-detail", args=[api_client.pk])).content.decode()

    assert api_client.name in page and "纪检监察组" in page and "/api/v1/letters/" in page
    assert api_client.token_prefix in page
    assert "吊销客户端" not in page  # the audit administrator reads, and is offered nothing to change
    calls = client.get(reverse("responsibility:api-call-list")).content.decode()
    assert ApiCall.objects.count() == 1 and "/api/v1/letters/" in calls and "200" in calls


def test_a_bad_client_form_is_sent_back_with_each_problem_and_nothing_made(client, users):
    client.force_login(users["office"])
    before = _snapshot()

    response = client.post(
        reverse("responsibility:api-client-create"),
        {"name": "", "code": "Bad Code", "expires_on": "2020-01-01", "allowed_networks": "10.0.0.300"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "“10.0.0.300”不是地址或网段" in page and "这个字段是必填项。" in page
    assert _snapshot() == before
    response = client.post(
        reverse("responsibility:api-client-create"),
        {"name": "人事", "code": "Bad Code", "scopes": ["read:duties"], "expires_on": "2020-01-01"},
    )
    assert response.status_code == 400 and "小写字母" in response.content.decode() and _snapshot() == before
