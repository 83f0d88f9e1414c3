"""LDAP sign-in through the login page, against a real slapd (tests/accounts/sso/conftest.py)."""

import socket
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.sso import LDAP_BACKEND
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("sso")]

DIRECTORY_PASSWORD = "Directory-Pass-1"  # uid=zhangsan, employeeNumber E1001 (people.ldif)
UNREACHABLE = "The unified identity directory (LDAP) cannot be reached just now"
WRONG = "Please enter a correct username and password"


def sign_in(client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.fixture
def zhangsan(db) -> User:
    """The account of uid=zhangsan (employeeNumber E1001), as the organisation import made it."""
    return UserFactory(username="E1001", full_name="张三", email="zhangsan@letters.example.org")


# --- with the directory --------------------------------------------------------------------------------


def test_ldap_sign_in_starts_a_session_for_the_account_matched_by_the_configured_attribute(
    client, ldap_configured, zhangsan
):
    # given another account named like the directory login, which must not be the one signed in
    namesake = UserFactory(username="zhangsan")

    # when
    response = sign_in(client, "zhangsan", DIRECTORY_PASSWORD)

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("responsibility:todo")
    assert client.session[SESSION_KEY] == str(zhangsan.pk) != str(namesake.pk)
    assert client.session[BACKEND_SESSION_KEY] == LDAP_BACKEND
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED).first()
    assert (event.subject, event.payload["backend"]) == (zhangsan, "ldap")


def test_ldap_sign_in_changes_nothing_the_account_says_and_grants_no_role(client, ldap_configured, zhangsan):
    # given the directory holds another name, another email, and a group named like a role
    before = User.objects.values().get(pk=zhangsan.pk)
    groups_before = set(Group.objects.values_list("name", flat=True))

    # when
    assert sign_in(client, "zhangsan", DIRECTORY_PASSWORD).status_code == 302

    # then only the sign-in time moved
    after = User.objects.values().get(pk=zhangsan.pk)
    assert after.pop("last_login") is not None
    before.pop("last_login")
    assert after == before
    assert not zhangsan.groups.exists()
    assert not User.objects.get(pk=zhangsan.pk).has_perm("responsibility.issue_letter")
    assert set(Group.objects.values_list("name", flat=True)) == groups_before


def test_ldap_sign_in_with_a_wrong_password_is_refused_and_counted_for_lockout(
    client, ldap_configured, zhangsan
):
    # when
    response = sign_in(client, "zhangsan", "not-the-directory-password")

    # then
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert SESSION_KEY not in client.session
    assert AccessAttempt.objects.get(username="zhangsan").failures_since_start == 1
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, username="zhangsan").exists()


def test_ldap_sign_in_of_a_person_with_no_account_is_refused_and_creates_nobody(
    client, ldap_configured, zhangsan
):
    # given uid=lisi (employeeNumber E2002) has no account here
    users, groups = User.objects.count(), Group.objects.count()

    # when the right directory password is typed
    response = sign_in(client, "lisi", "Directory-Pass-2")

    # then
    assert response.status_code == 200
    assert "Your directory account is not linked to any account in this system" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert (User.objects.count(), Group.objects.count()) == (users, groups)
    assert not User.objects.filter(username__in=["lisi", "E2002"]).exists()


def test_ldap_sign_in_of_a_person_whose_account_is_disabled_is_refused(client, ldap_configured, zhangsan):
    User.objects.filter(pk=zhangsan.pk).update(is_active=False)

    response = sign_in(client, "zhangsan", DIRECTORY_PASSWORD)

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert SESSION_KEY not in client.session


def test_ldap_sign_in_matches_by_uid_when_so_configured(client, ldap_server, sso_configure):
    sso_configure(**ldap_server, DJANGO_LDAP_MATCH_ATTRIBUTE="uid")
    account = UserFactory(username="zhangsan")

    assert sign_in(client, "zhangsan", DIRECTORY_PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(account.pk)


# --- without the directory (no slapd needed) -----------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def directory_down(sso_configure) -> None:
    """LDAP configured at an address where nothing listens; local passwords kept for system administrators."""
    sso_configure(
        DJANGO_LDAP_SERVER_URI=f"ldap://127.0.0.1:{closed_port()}",
        DJANGO_LDAP_USER_SEARCH_BASE="ou=people,dc=example,dc=gov,dc=cn",
        DJANGO_LOCAL_LOGIN=Role.OFFICE_ADMIN.value,
    )


def test_a_directory_that_is_down_fails_the_sign_in_with_a_clear_message(client, directory_down, zhangsan):
    response = sign_in(client, "zhangsan", DIRECTORY_PASSWORD)

    assert response.status_code == 200
    assert UNREACHABLE in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_directory_that_is_down_leaves_local_sign_in_to_the_accounts_allowed_it(client, directory_down):
    # given
    administrator = UserFactory(roles=[Role.OFFICE_ADMIN])
    cadre = UserFactory()

    # when / then: the administrator's local password still works
    response = sign_in(client, administrator.username, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(administrator.pk)
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED).first()
    assert (event.subject, event.payload["backend"]) == (administrator, "password")

    # and a cadre's does not, saying why
    client.logout()
    response = sign_in(client, cadre.username, TEST_PASSWORD)
    assert response.status_code == 200
    assert "This account signs in through unified identity authentication" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_directory_that_never_answers_fails_the_sign_in_within_its_timeout(client, sso_configure, zhangsan):
    """About 1 s: the timeout under test (DJANGO_LDAP_TIMEOUT=1) has to pass."""
    # given a server that accepts connections and then says nothing
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        sso_configure(
            DJANGO_LDAP_SERVER_URI=f"ldap://127.0.0.1:{silent.getsockname()[1]}",
            DJANGO_LDAP_USER_SEARCH_BASE="ou=people,dc=example,dc=gov,dc=cn",
            DJANGO_LDAP_BIND_DN="cn=reader,ou=services,dc=example,dc=gov,dc=cn",
            DJANGO_LDAP_BIND_PASSWORD="secret",
            DJANGO_LDAP_TIMEOUT="1",
        )

        # when
        started = time.monotonic()
        response = sign_in(client, "zhangsan", DIRECTORY_PASSWORD)
        elapsed = time.monotonic() - started

    # then
    assert elapsed < 4
    assert UNREACHABLE in response.content.decode()
    assert SESSION_KEY not in client.session
