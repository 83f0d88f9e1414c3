"""The identity platform's sign-in through CAS against a real CAS server (tests/accounts/sso/conftest.py).

Our side runs in Django's test client; the server's side (its login form, its redirects) is followed with
`requests`, as the person's browser would.
"""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.sso import CAS_BACKEND, LOCAL_PASSWORD_BACKEND
from accounts.sso.cas import CasHttpSession
from accounts.sso.checks import single_sign_on_transport_check
from tests.accounts.sso.conftest import PROVIDER_PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("sso")]

BUTTON = "Sign in with unified identity authentication (CAS)"
NOT_VERIFIED = "The sign-in through unified identity authentication could not be verified and was refused"
TIMEOUT = 10


@pytest.fixture
def zhangsan(db) -> User:
    """The account of the CAS server's E1001, as the organisation import made it."""
    return UserFactory(username="E1001", full_name="张三")


def sign_in_start(client, **query) -> str:
    """Press the button: returns the CAS server's login address our site sent the browser to."""
    response = client.get(reverse("accounts:cas-login"), query)
    assert response.status_code == 302
    return response["Location"]


def cas_sign_in(login_url: str, *, username: str) -> str:
    """At the CAS server, sign in as `username` the way a person does; returns our address it sends the
    browser back to (with the service ticket), as the test client's path."""
    with requests.Session() as browser:
        page = browser.get(login_url, timeout=TIMEOUT)
        assert page.status_code == 200, page.text[:500]
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?', page.text))
        form |= {"username": username, "password": PROVIDER_PASSWORD}
        response = browser.post(page.url, data=form, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302, response.text[:500]
    returned = urlsplit(response.headers["Location"])
    assert returned.netloc == "testserver" and "ticket=ST-" in returned.query
    return urlunsplit(returned._replace(scheme="", netloc=""))


def assert_refused_on_the_login_page(client, response, message: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    page = client.get(response["Location"])
    assert message in page.content.decode()
    assert SESSION_KEY not in client.session


def refusals(reason: str) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, payload__reason=reason))


# --- the way in ------------------------------------------------------------------------------------------


def test_the_login_page_offers_cas_only_when_it_is_configured(client, sso_configure):
    sso_configure()
    assert BUTTON not in client.get(reverse("accounts:login")).content.decode()
    assert client.get(reverse("accounts:cas-login")).status_code == 404
    assert client.get(reverse("accounts:cas-login"), {"ticket": "ST-any"}).status_code == 404

    sso_configure(DJANGO_CAS_SERVER_URL="https://cas.example.invalid/cas/")
    page = client.get(reverse("accounts:login"), {"next": "/letters/"}).content.decode()
    assert BUTTON in page
    assert f'href="{reverse("accounts:cas-login")}?next=/letters/"' in page
    assert sign_in_start(client).startswith("https://cas.example.invalid/cas/login?service=")


def test_cas_sign_in_starts_a_session_for_the_account_named_by_the_cas_user(client, cas_configured, zhangsan):
    # when
    returned = cas_sign_in(sign_in_start(client, next="/letters/"), username="E1001")
    response = client.get(returned)

    # then
    assert response.status_code == 302
    assert response["Location"] == "/letters/"
    assert client.session[SESSION_KEY] == str(zhangsan.pk)
    assert client.session[BACKEND_SESSION_KEY] == CAS_BACKEND
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_SUCCEEDED).first()
    assert (event.subject, event.payload["backend"]) == (zhangsan, "cas")


def test_cas_sign_in_changes_nothing_the_account_says_and_grants_no_role(client, cas_configured, zhangsan):
    before = User.objects.exclude(pk=zhangsan.pk).count(), Group.objects.count()

    client.get(cas_sign_in(sign_in_start(client), username="E1001"))

    zhangsan.refresh_from_db()
    assert client.session[SESSION_KEY] == str(zhangsan.pk)
    assert (zhangsan.full_name, zhangsan.email) == ("张三", "E1001@example.org")
    assert not zhangsan.groups.exists()
    assert (User.objects.exclude(pk=zhangsan.pk).count(), Group.objects.count()) == before


def test_cas_sign_in_matches_the_configured_attribute(client, cas_server, sso_configure, zhangsan):
    # the CAS server releases the person's first_name; here it names no account, so the match must use it
    sso_configure(**cas_server, DJANGO_CAS_USERNAME_ATTRIBUTE="first_name")

    response = client.get(cas_sign_in(sign_in_start(client), username="E1001"))

    assert_refused_on_the_login_page(
        client, response, "The unified identity account “张三” is not linked to any account in this system"
    )
    assert [event.username for event in refusals("cas_unknown_person")] == ["张三"]


def test_cas_settings_sign_in_existing_accounts_only_and_copy_nothing(sso_configure, settings):
    sso_configure(DJANGO_CAS_SERVER_URL="https://cas.example.invalid/cas/")

    backends = settings.AUTHENTICATION_BACKENDS
    assert backends.index(CAS_BACKEND) == backends.index(LOCAL_PASSWORD_BACKEND) + 1
    assert (settings.CAS_VERSION, settings.CAS_USERNAME_ATTRIBUTE) == ("3", "cas:user")
    assert settings.CAS_CREATE_USER is False
    assert settings.CAS_APPLY_ATTRIBUTES_TO_USER is False
    assert settings.CAS_RENAME_ATTRIBUTES == {}
    assert isinstance(settings.CAS_SESSION_FACTORY(), CasHttpSession)  # one with SSO_CAS_TIMEOUT
    assert single_sign_on_transport_check(None) == []

    sso_configure(DJANGO_CAS_SERVER_URL="http://cas.example.invalid/cas/")
    assert [problem.id for problem in single_sign_on_transport_check(None)] == ["accounts.sso.W004"]


# --- refused -------------------------------------------------------------------------------------------


def test_cas_forged_ticket_is_refused(client, cas_configured, zhangsan):
    response = client.get(reverse("accounts:cas-login"), {"ticket": "ST-forged-by-someone"})

    assert_refused_on_the_login_page(client, response, NOT_VERIFIED)
    assert len(refusals("cas_ticket")) == 1


def test_cas_ticket_replayed_is_refused(client, cas_configured, zhangsan):
    # given a sign-in that went through
    returned = cas_sign_in(sign_in_start(client), username="E1001")
    assert client.get(returned)["Location"] == reverse("responsibility:todo")

    # when the same return address is opened in another browser
    elsewhere = Client()
    replayed = elsewhere.get(returned)

    # then the CAS server no longer confirms the ticket
    assert_refused_on_the_login_page(elsewhere, replayed, NOT_VERIFIED)
    assert len(refusals("cas_ticket")) == 1


def test_cas_sign_in_of_a_person_with_no_account_is_refused_and_creates_nobody(
    client, cas_configured, zhangsan
):
    users, groups = User.objects.count(), Group.objects.count()

    response = client.get(cas_sign_in(sign_in_start(client), username="X9999"))

    assert_refused_on_the_login_page(
        client, response, "The unified identity account “X9999” is not linked to any account in this system"
    )
    assert [event.username for event in refusals("cas_unknown_person")] == ["X9999"]
    assert (User.objects.count(), Group.objects.count()) == (users, groups)


def test_cas_sign_in_of_a_person_whose_account_is_disabled_is_refused(client, cas_configured, zhangsan):
    User.objects.filter(pk=zhangsan.pk).update(is_active=False)

    response = client.get(cas_sign_in(sign_in_start(client), username="E1001"))

    assert_refused_on_the_login_page(client, response, "This account is disabled")
    assert [event.username for event in refusals("cas_inactive")] == ["E1001"]


@pytest.mark.parametrize("ticket", [None, "from-the-server"])
def test_cas_sign_in_refuses_to_go_on_to_another_site(client, cas_configured, zhangsan, ticket):
    # given, for the return, a genuine ticket issued for a service address naming another site
    query = {"next": "https://evil.example/"}
    if ticket:
        service = f"http://testserver{reverse('accounts:cas-login')}?{urlencode(query)}"
        login_url = f"{cas_configured['DJANGO_CAS_SERVER_URL']}login?{urlencode({'service': service})}"
        query["ticket"] = dict(parse_qsl(urlsplit(cas_sign_in(login_url, username="E1001")).query))["ticket"]

    response = client.get(reverse("accounts:cas-login"), query)

    assert_refused_on_the_login_page(client, response, NOT_VERIFIED)
    assert len(refusals("cas_next")) == 1


def test_cas_server_that_cannot_be_reached_fails_the_sign_in_and_local_login_still_works(
    client, cas_configured, zhangsan, settings
):
    returned = cas_sign_in(sign_in_start(client), username="E1001")
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"  # the discard port: nothing listens

    response = client.get(returned)

    assert_refused_on_the_login_page(
        client, response, "The unified identity authentication service cannot be reached just now"
    )
    assert len(refusals("cas_unavailable")) == 1
    # and the password kept here still signs in
    zhangsan.set_password("Local-Pass-2026!")
    zhangsan.save(update_fields=["password"])
    signed_in = client.post(reverse("accounts:login"), {"username": "E1001", "password": "Local-Pass-2026!"})
    assert signed_in.status_code == 302
    assert client.session[SESSION_KEY] == str(zhangsan.pk)


def test_cas_logout_is_post_only_and_ends_the_session_here_and_at_the_server(
    client, cas_configured, zhangsan
):
    client.get(cas_sign_in(sign_in_start(client), username="E1001"))

    assert client.get(reverse("accounts:cas-logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("accounts:cas-logout"))

    assert response.status_code == 302
    assert response["Location"].startswith(cas_configured["DJANGO_CAS_SERVER_URL"] + "logout")
    assert SESSION_KEY not in client.session
