"""API clients as the office makes them, and every way a call is refused: each with its code and a
Chinese message, nothing changed, and the call in the log."""

import datetime

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.test import Client, RequestFactory

from accounts.roles import Role
from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.security.services import password_reset_start
from core import clock
from core.errors import ApplicationError
from responsibility.api.models import ApiCall, ApiClient, Scope
from responsibility.api.services import (
    api_client_create,
    api_client_revoke,
    api_client_scopes_change,
    api_token_renew,
)

pytestmark = pytest.mark.django_db

LETTERS = "/api/v1/letters/"


def _call(path: str, authorization: str | None = None, **extra):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    return Client().get(path, **headers, **extra)


def test_a_client_gets_an_account_that_cannot_sign_in_and_a_token_stored_only_as_a_digest(make_caller):
    # When the office creates a client
    caller = make_caller()
    client = ApiClient.objects.get(pk=caller.client.pk)

    # Then its account is a machine account with no usable password and no role
    account = client.account
    assert account.is_machine and not account.has_usable_password()
    assert account.username == f"api.{client.code}" and not account.groups.exists()
    # And the token is 12 hex characters, a dot and 256 bits of secret, of which only a digest is kept
    prefix, secret = caller.token.split(".")
    assert prefix == client.token_prefix and len(secret) == 43
    stored = " ".join(str(value) for value in ApiClient.objects.filter(pk=client.pk).values().get().values())
    assert secret not in stored and client.token_sha256 not in secret
    # And the security log says who created it, with its scopes and expiry
    event = SecurityEvent.objects.get(kind=SecurityEventKind.API_CLIENT_CREATED)
    assert event.subject == account and event.payload["scopes"] == sorted(Scope.values)


def test_the_machine_account_signs_in_on_no_page_and_is_never_reset(make_caller, security_admin):
    caller = make_caller()
    account = caller.client.account

    # A password sign-in cannot succeed: the account has no password
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request=request, username=account.username, password="") is None
    # A session forced on it (as a single sign-on server knowing the name might) ends at once
    browser = Client()
    browser.force_login(account)
    response = browser.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in browser.session
    # And the security administrator cannot start a reset for it
    with pytest.raises(ApplicationError, match="令牌"):
        password_reset_start(user=account, started_by=security_admin)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "OA system"}, "小写字母"),
        ({"code": "-"}, "小写字母"),
        ({"name": "  "}, "名称"),
        ({"scopes": []}, "权限范围"),
        ({"scopes": ["write:everything"]}, "权限范围"),
        ({"expires_on": "today"}, "有效期"),
        ({"expires_on": "far"}, "有效期"),
    ],
)
def test_a_bad_client_is_refused_and_nothing_is_made(org, changes, message):
    today = clock.today()
    fields = {
        "code": "oa",
        "name": "办公系统",
        "scopes": [Scope.READ_LETTERS],
        "expires_on": today + datetime.timedelta(days=30),
        "allowed_networks": [],
    } | changes
    fields["expires_on"] = {"today": today, "far": today + datetime.timedelta(days=731)}.get(
        fields["expires_on"], fields["expires_on"]
    )
    users = get_user_model().objects.count()

    with pytest.raises(ApplicationError, match=message):
        api_client_create(created_by=org.office_admin, **fields)

    assert not ApiClient.objects.exists() and get_user_model().objects.count() == users


def test_a_second_client_with_the_same_code_is_refused(org):
    made = {"name": "办公系统", "scopes": [Scope.READ_LETTERS], "allowed_networks": []}
    expires_on = clock.today() + datetime.timedelta(days=30)
    api_client_create(code="oa", expires_on=expires_on, created_by=org.office_admin, **made)
    with pytest.raises(ApplicationError, match="已存在"):
        api_client_create(
            code="oa", expires_on=expires_on, created_by=org.office_admin, **made | {"name": "其他"}
        )
    assert ApiClient.objects.count() == 1


def test_only_the_office_creates_renews_and_revokes_clients(org, make_caller):
    caller = make_caller()
    expires_on = clock.today() + datetime.timedelta(days=30)
    for someone in (org.inspector, org.secretary, org.heads[0], caller.client.account):
        with pytest.raises(ApplicationError, match="系统管理员"):
            api_client_create(
                code="x1",
                name="x",
                scopes=[Scope.READ_LETTERS],
                expires_on=expires_on,
                allowed_networks=[],
                created_by=someone,
            )
        with pytest.raises(ApplicationError, match="系统管理员"):
            api_client_revoke(client=caller.client, revoked_by=someone, reason="r", expected_version=None)
    assert ApiClient.objects.count() == 1 and not ApiClient.objects.get().is_revoked


def test_a_call_without_a_token_is_a_401_that_says_how_to_give_one():
    response = _call(LETTERS)

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "请在请求头中提供客户端令牌：“Authorization: Bearer <令牌>”。",
        "fields": {},
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert ApiCall.objects.get().status == 401


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Bearer abc.def", "Basic dXNlcjpwYXNz"])
def test_a_malformed_authorization_header_is_refused(header):
    response = _call(LETTERS, header)
    assert response.status_code == 401 and response.json()["code"] == "token_malformed"


def test_a_wrong_secret_is_refused_and_logged_with_the_prefix_it_offered(make_caller):
    caller = make_caller(roles=[Role.INSPECTION_TEAM])
    prefix = caller.token.split(".")[0]

    response = _call(LETTERS, f"Bearer {prefix}.{'A' * 43}")

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid" and response.json()["detail"] == "令牌无效。"
    call = ApiCall.objects.get()
    assert (call.client, call.token_prefix, call.status, call.method) == (None, prefix, 401, "GET")


def test_a_revoked_client_is_refused_with_the_day_it_was_revoked(org, make_caller):
    caller = make_caller(roles=[Role.INSPECTION_TEAM])
    assert caller.get(LETTERS).status_code == 200
    api_client_revoke(
        client=caller.client, revoked_by=org.office_admin, reason="系统下线", expected_version=1
    )

    response = caller.get(LETTERS)

    assert response.status_code == 401 and response.json()["code"] == "token_revoked"
    assert clock.today().strftime("%Y年%-m月%-d日") in response.json()["detail"]
    assert [call.status for call in ApiCall.objects.filter(client=caller.client).order_by("pk")] == [200, 401]
    with pytest.raises(ApplicationError, match="已经吊销"):
        api_client_revoke(
            client=caller.client, revoked_by=org.office_admin, reason="再次", expected_version=None
        )
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.API_CLIENT_REVOKED).count() == 1


def test_an_expired_token_is_refused_from_the_day_after_its_last_day(make_caller):
    caller = make_caller(roles=[Role.INSPECTION_TEAM], days=3)
    last_day = caller.client.expires_on

    with time_machine.travel(
        datetime.datetime.combine(last_day, datetime.time(23, 0)).astimezone(), tick=False
    ):
        assert caller.get(LETTERS).status_code == 200
    with time_machine.travel(
        datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(9)).astimezone(),
        tick=False,
    ):
        response = caller.get(LETTERS)
    assert response.status_code == 401 and response.json()["code"] == "token_expired"


def test_a_new_token_replaces_the_old_one_at_once(org, make_caller):
    caller = make_caller(roles=[Role.INSPECTION_TEAM])
    expires_on = clock.today() + datetime.timedelta(days=90)

    token = api_token_renew(
        client=caller.client, renewed_by=org.office_admin, expires_on=expires_on, expected_version=1
    )

    assert caller.get(LETTERS).status_code == 401
    assert Client().get(LETTERS, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert ApiClient.objects.get().expires_on == expires_on
    with pytest.raises(ApplicationError, match="其他人"):  # a page older than the renewal
        api_token_renew(
            client=caller.client, renewed_by=org.office_admin, expires_on=expires_on, expected_version=1
        )


def test_calls_from_outside_the_allowed_networks_are_refused(make_caller):
    inside = make_caller(roles=[Role.INSPECTION_TEAM], networks=["127.0.0.0/8"])
    outside = make_caller(roles=[Role.INSPECTION_TEAM], networks=["10.1.2.0/24", "192.168.0.7/32"])

    assert inside.get(LETTERS).status_code == 200  # the test client calls from 127.0.0.1
    response = outside.get(LETTERS)
    assert response.status_code == 403
    assert response.json() == {
        "code": "address_not_allowed",
        "detail": "该客户端不能从地址 127.0.0.1 调用。",
        "fields": {},
    }


def test_a_scope_the_client_lacks_is_a_403_naming_it(make_caller):
    caller = make_caller(roles=[Role.INSPECTION_TEAM], scopes=[Scope.READ_SUPERVISION])

    response = caller.get(LETTERS)

    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing" and "read:letters" in response.json()["detail"]
    assert caller.get("/api/v1/problems/").status_code == 200


def test_a_disabled_account_is_refused(make_caller, security_admin):
    from accounts.security.services import account_active_set

    caller = make_caller(roles=[Role.INSPECTION_TEAM])
    account_active_set(user=caller.client.account, active=False, changed_by=security_admin)

    response = caller.get(LETTERS)

    assert response.status_code == 401 and response.json()["code"] == "account_disabled"


def test_each_client_has_its_own_rate_limit(make_caller, settings):
    settings.API_RATE_LIMIT = "3/min"
    busy, other = make_caller(roles=[Role.INSPECTION_TEAM]), make_caller(roles=[Role.INSPECTION_TEAM])
    assert [busy.get(LETTERS).status_code for _ in range(3)] == [200, 200, 200]

    response = busy.get(LETTERS)

    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert "秒后再试" in response.json()["detail"] and int(response["Retry-After"]) > 0
    assert other.get(LETTERS).status_code == 200  # another client is not held back


def test_every_call_is_logged_once_after_its_answer_and_the_log_never_changes(make_caller):
    from core.errors import FrozenRecordError

    caller = make_caller(roles=[Role.INSPECTION_TEAM])
    caller.get(LETTERS, status="signed")
    caller.get("/api/v1/letters/999999/")

    calls = list(ApiCall.objects.order_by("pk"))
    assert [(call.path, call.status) for call in calls] == [
        ("/api/v1/letters/?status=signed", 200),
        ("/api/v1/letters/999999/", 404),
    ]
    assert all(call.client == caller.client and call.ip_address == "127.0.0.1" for call in calls)
    with pytest.raises(FrozenRecordError):
        ApiCall.objects.filter(pk=calls[0].pk).update(status=200)
    # The schema and the documentation page are not calls of a client
    Client().get("/api/v1/schema/")
    assert ApiCall.objects.count() == 2


@pytest.mark.parametrize("duty", [Role.OFFICE_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_a_client_account_is_never_given_an_administrator_duty(make_caller, security_admin, duty):
    from accounts.roles import roles_held
    from accounts.security.services import role_grant

    caller = make_caller()
    with pytest.raises(ApplicationError, match="管理员职责只能由人员担任"):
        role_grant(user=caller.client.account, role=duty, granted_by=security_admin)
    assert roles_held(caller.client.account) == set()


def test_a_client_account_reading_as_the_team_is_never_a_person_of_the_team(org, make_caller):
    """It is drawn to no inspection, talked to by nobody, and takes over no post."""
    from responsibility.duties.selectors import talk_partner_list_for
    from responsibility.duties.services.assignments import post_handover
    from responsibility.supervision.selectors import inspection_team_candidates

    caller = make_caller(roles=[Role.INSPECTION_TEAM])
    account = caller.client.account

    assert org.inspector in inspection_team_candidates() and account not in inspection_team_candidates()
    assert account not in talk_partner_list_for(talker=org.heads[0])
    with pytest.raises(ApplicationError, match="接任该岗位"):
        post_handover(
            post=org.head_posts[0],
            new_holder=account,
            handed_over_on=clock.today(),
            handed_over_by=org.office_admin,
        )
    assert org.head_posts[0].holder_id == org.heads[0].pk


def test_the_office_changes_a_clients_scopes_from_its_next_call(org, make_caller):
    """A scope taken away refuses the next call; one given answers it; the security log says who did it."""
    caller = make_caller(roles=[Role.INSPECTION_TEAM], scopes=[Scope.READ_LETTERS])
    assert caller.get("/api/v1/problems/").status_code == 403

    changed = api_client_scopes_change(
        client=caller.client,
        changed_by=org.office_admin,
        scopes=[Scope.READ_SUPERVISION],
        expected_version=caller.client.version,
    )

    assert changed.scopes == ["read:supervision"] and changed.version == caller.client.version + 1
    assert caller.get("/api/v1/problems/").status_code == 200
    refused = caller.get("/api/v1/letters/")
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
    event = SecurityEvent.objects.get(kind=SecurityEventKind.API_CLIENT_SCOPES_CHANGED)
    assert event.actor == org.office_admin and event.payload["from"] == ["read:letters"]
    for scopes, version, message in [
        ([], changed.version, "至少选择一项"),
        (["write:everything"], changed.version, "至少选择一项"),
        (["read:supervision"], changed.version, "已是"),
        (["read:letters"], 1, "其他人修改"),
    ]:
        with pytest.raises(ApplicationError, match=message):
            api_client_scopes_change(
                client=caller.client, changed_by=org.office_admin, scopes=scopes, expected_version=version
            )
    with pytest.raises(ApplicationError):
        api_client_scopes_change(
            client=caller.client, changed_by=org.inspector, scopes=["read:letters"], expected_version=None
        )
    assert ApiClient.objects.get(pk=caller.client.pk).scopes == ["read:supervision"]
