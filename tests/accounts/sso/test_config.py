"""Single sign-on settings from the environment (config/sso.py), as a deployment sets them."""

import os

import environ
import ldap
import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.sso import LDAP_BACKEND, LOCAL_PASSWORD_BACKEND, OIDC_BACKEND, PASSWORD_BACKEND
from config.sso import sso_settings

STOCK_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    PASSWORD_BACKEND,
    "accounts.security.resets.ResetCodeBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LDAP = {
    "DJANGO_LDAP_SERVER_URI": "ldaps://ldap.example.gov.cn",
    "DJANGO_LDAP_USER_SEARCH_BASE": "ou=people,dc=example,dc=gov,dc=cn",
}
OIDC = {
    "DJANGO_OIDC_ISSUER": "https://idp.example.gov.cn",
    "DJANGO_OIDC_AUTHORIZATION_ENDPOINT": "https://idp.example.gov.cn/authorize",
    "DJANGO_OIDC_TOKEN_ENDPOINT": "https://idp.example.gov.cn/token",
    "DJANGO_OIDC_USERINFO_ENDPOINT": "https://idp.example.gov.cn/userinfo",
    "DJANGO_OIDC_JWKS_ENDPOINT": "https://idp.example.gov.cn/jwks",
    "DJANGO_OIDC_CLIENT_ID": "letters",
    "DJANGO_OIDC_CLIENT_SECRET": "secret",
}


def settings_from(monkeypatch, **variables):
    for name in list(os.environ):
        if name.startswith(("DJANGO_LDAP_", "DJANGO_OIDC_", "DJANGO_LOCAL_LOGIN")):
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return sso_settings(environ.Env(), backends=STOCK_BACKENDS)


def test_without_variables_nothing_changes(monkeypatch):
    configured = settings_from(monkeypatch)

    assert configured == {"SSO_LOCAL_LOGIN": ("all",), "AUTHENTICATION_BACKENDS": STOCK_BACKENDS}


def test_both_ways_in_come_right_after_the_local_passwords_which_then_obey_the_policy(monkeypatch):
    configured = settings_from(monkeypatch, **LDAP, **OIDC, DJANGO_LOCAL_LOGIN="security_admin, office_admin")

    assert configured["AUTHENTICATION_BACKENDS"] == [
        "axes.backends.AxesStandaloneBackend",
        LOCAL_PASSWORD_BACKEND,
        LDAP_BACKEND,
        OIDC_BACKEND,
        "accounts.security.resets.ResetCodeBackend",
        "guardian.backends.ObjectPermissionBackend",
    ]
    assert configured["SSO_LOCAL_LOGIN"] == ("security_admin", "office_admin")
    # applying the settings again (a .env read twice) gives the same list
    again = sso_settings(environ.Env(), backends=configured["AUTHENTICATION_BACKENDS"])
    assert again["AUTHENTICATION_BACKENDS"] == configured["AUTHENTICATION_BACKENDS"]


def test_ldap_never_waits_longer_than_its_timeout(monkeypatch):
    configured = settings_from(monkeypatch, **LDAP, DJANGO_LDAP_TIMEOUT="3")

    options = configured["AUTH_LDAP_CONNECTION_OPTIONS"]
    assert options[ldap.OPT_NETWORK_TIMEOUT] == options[ldap.OPT_TIMEOUT] == 3
    assert configured["SSO_LDAP_MATCH_ATTRIBUTE"] == "uid"
    assert configured["AUTH_LDAP_USER_SEARCH"].filterstr == "(uid=%(user)s)"


def test_oidc_checks_are_not_configurable(monkeypatch):
    configured = settings_from(monkeypatch, **OIDC)

    assert configured["OIDC_CREATE_USER"] is False
    assert configured["OIDC_USE_NONCE"] is True
    assert configured["OIDC_USE_PKCE"] is True
    assert configured["OIDC_RP_SIGN_ALGO"] == "RS256"
    assert configured["SSO_OIDC_USERNAME_CLAIM"] == "preferred_username"


@pytest.mark.parametrize("missing", ["DJANGO_OIDC_CLIENT_SECRET", "DJANGO_OIDC_JWKS_ENDPOINT"])
def test_oidc_half_configured_stops_the_start_naming_what_is_missing(monkeypatch, missing):
    variables = {name: value for name, value in OIDC.items() if name != missing}

    with pytest.raises(ImproperlyConfigured, match=missing):
        settings_from(monkeypatch, **variables)


def test_ldap_without_a_search_base_stops_the_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_LDAP_USER_SEARCH_BASE"):
        settings_from(monkeypatch, DJANGO_LDAP_SERVER_URI="ldaps://ldap.example.gov.cn")
