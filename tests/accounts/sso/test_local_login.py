"""Who may still sign in with a local password while single sign-on is on (DJANGO_LOCAL_LOGIN).

No server is needed: single sign-on is configured (OpenID Connect at addresses nobody asks), and only
local passwords are typed.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from accounts.roles import Role
from accounts.security.models import SecurityEvent, SecurityEventKind
from tests.accounts.sso.conftest import UNUSED_PROVIDER
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NOT_HERE = "This account signs in through unified identity authentication"
WRONG = "Please enter a correct username and password"


def sign_in(client, user, password=TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password})


@pytest.fixture
def administrators_only(sso_configure):
    sso_configure(**UNUSED_PROVIDER, DJANGO_LOCAL_LOGIN="security_admin,office_admin")


def test_by_default_every_account_keeps_its_local_password(client, sso_configure):
    sso_configure(**UNUSED_PROVIDER)
    cadre = UserFactory()

    assert sign_in(client, cadre).status_code == 302
    assert client.session[SESSION_KEY] == str(cadre.pk)


def test_an_account_of_a_listed_role_signs_in_with_its_local_password(client, administrators_only):
    administrator = UserFactory(roles=[Role.SECURITY_ADMIN])

    response = sign_in(client, administrator)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(administrator.pk)
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED).first()
    assert (event.subject, event.payload["backend"]) == (administrator, "password")


def test_an_account_of_no_listed_role_is_refused_with_the_right_password_and_told_why(
    client, administrators_only
):
    cadre = UserFactory(roles=[Role.PARTY_GROUP])

    response = sign_in(client, cadre)

    assert response.status_code == 200
    assert NOT_HERE in response.content.decode()
    assert SESSION_KEY not in client.session
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, subject=cadre).exists()


def test_a_wrong_password_is_not_told_whether_the_account_may_use_one(client, administrators_only):
    cadre = UserFactory()

    content = sign_in(client, cadre, "not-my-password").content.decode()

    assert WRONG in content
    assert NOT_HERE not in content


def test_the_administration_sign_in_obeys_the_policy_too(client, administrators_only):
    staff_cadre = UserFactory(is_staff=True)

    response = client.post(
        reverse("admin:login"), {"username": staff_cadre.username, "password": TEST_PASSWORD}
    )

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_superuser_in_the_policy_keeps_superusers_their_local_password(client, sso_configure):
    sso_configure(**UNUSED_PROVIDER, DJANGO_LOCAL_LOGIN="superuser")
    superuser, cadre = UserFactory(is_superuser=True), UserFactory()

    assert sign_in(client, cadre).status_code == 200
    assert sign_in(client, superuser).status_code == 302


def test_the_policy_has_no_effect_without_single_sign_on_and_the_check_says_so(client, sso_configure):
    sso_configure(DJANGO_LOCAL_LOGIN="office_admin")
    cadre = UserFactory()

    assert sign_in(client, cadre).status_code == 302
    with pytest.raises(SystemCheckError, match="accounts.sso.W001"):
        call_command("check", "--fail-level", "WARNING", "--tag", "security")


def test_an_unknown_role_in_the_policy_fails_the_system_check(sso_configure):
    sso_configure(**UNUSED_PROVIDER, DJANGO_LOCAL_LOGIN="office_admin,security_admn")

    with pytest.raises(SystemCheckError, match="security_admn"):
        call_command("check", "--tag", "security")
