"""Single sign-on settings from the environment (accounts.sso; README "Single sign-on").

LDAP is on when DJANGO_LDAP_SERVER_URI is set, OpenID Connect when DJANGO_OIDC_CLIENT_ID or
DJANGO_OIDC_ISSUER is, CAS when DJANGO_CAS_SERVER_URL is; once one is on, its other required variables
must be set too (a missing one stops the start with its name). settings/base.py applies `sso_settings`;
the tests call it as well, with the servers they start.
"""

from typing import Any

from accounts.sso import CAS_BACKEND, LDAP_BACKEND, LOCAL_PASSWORD_BACKEND, OIDC_BACKEND, PASSWORD_BACKEND

# What a directory or the identity platform takes at most to answer one request, in seconds: a server
# that is down or silent fails the sign-in with a message instead of holding it.
DEFAULT_TIMEOUT_SECONDS = 5


def sso_settings(env, *, backends: list[str]) -> dict[str, Any]:
    """The settings single sign-on adds: AUTH_LDAP_* (django-auth-ldap), OIDC_* (mozilla-django-oidc),
    CAS_* (django-cas-ng), SSO_*, and AUTHENTICATION_BACKENDS with the configured ways in right after the
    local passwords."""
    ldap = ldap_settings(env)
    oidc = oidc_settings(env)
    cas = cas_settings(env)
    sso_backends = (
        ([LDAP_BACKEND] if ldap else []) + ([OIDC_BACKEND] if oidc else []) + ([CAS_BACKEND] if cas else [])
    )
    return {
        **ldap,
        **oidc,
        **cas,
        "SSO_LOCAL_LOGIN": local_login_setting(env),
        "AUTHENTICATION_BACKENDS": _backends(backends, sso_backends),
    }


def _backends(backends: list[str], sso_backends: list[str]) -> list[str]:
    """`backends` with the password backend enforcing the local-login policy while single sign-on is on,
    and the single sign-on backends after it (so a local password is tried first, then the directory)."""
    password = LOCAL_PASSWORD_BACKEND if sso_backends else PASSWORD_BACKEND
    result = [
        password if backend in (PASSWORD_BACKEND, LOCAL_PASSWORD_BACKEND) else backend
        for backend in backends
        if backend not in (LDAP_BACKEND, OIDC_BACKEND, CAS_BACKEND)
    ]
    after = result.index(password) + 1
    return result[:after] + sso_backends + result[after:]


def local_login_setting(env) -> tuple[str, ...]:
    """Who may sign in with a local password while single sign-on is on: ("all",), ("none",), or role
    names (accounts.roles) and "superuser"."""
    names = tuple(name.strip() for name in env.list("DJANGO_LOCAL_LOGIN", default=["all"]) if name.strip())
    return names or ("all",)  # set but empty: the default, never "nobody" by accident


def ldap_settings(env) -> dict[str, Any]:
    uri = env("DJANGO_LDAP_SERVER_URI", default="")
    if not uri:
        return {}
    import ldap
    from django_auth_ldap.config import LDAPSearch

    timeout = env.int("DJANGO_LDAP_TIMEOUT", default=DEFAULT_TIMEOUT_SECONDS)
    options = {
        ldap.OPT_NETWORK_TIMEOUT: timeout,  # connecting
        ldap.OPT_TIMEOUT: timeout,  # each bind and search
        ldap.OPT_REFERRALS: 0,
    }
    ca_file = env("DJANGO_LDAP_CA_FILE", default="")
    if ca_file:
        options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # last: makes the TLS options above apply to this connection
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": env("DJANGO_LDAP_BIND_DN", default=""),
        "AUTH_LDAP_BIND_PASSWORD": env("DJANGO_LDAP_BIND_PASSWORD", default=""),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            env("DJANGO_LDAP_USER_SEARCH_BASE"),
            ldap.SCOPE_SUBTREE,
            env("DJANGO_LDAP_USER_FILTER", default="(uid=%(user)s)"),
        ),
        "AUTH_LDAP_START_TLS": env.bool("DJANGO_LDAP_START_TLS", default=False),
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        # The directory attribute whose value is the account's username (accounts.sso.ldap).
        "SSO_LDAP_MATCH_ATTRIBUTE": env("DJANGO_LDAP_MATCH_ATTRIBUTE", default="uid"),
    }


def oidc_settings(env) -> dict[str, Any]:
    if not env("DJANGO_OIDC_CLIENT_ID", default="") and not env("DJANGO_OIDC_ISSUER", default=""):
        return {}
    return {
        "SSO_OIDC_ISSUER": env("DJANGO_OIDC_ISSUER"),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": env("DJANGO_OIDC_AUTHORIZATION_ENDPOINT"),
        "OIDC_OP_TOKEN_ENDPOINT": env("DJANGO_OIDC_TOKEN_ENDPOINT"),
        "OIDC_OP_USER_ENDPOINT": env("DJANGO_OIDC_USERINFO_ENDPOINT"),
        "OIDC_OP_JWKS_ENDPOINT": env("DJANGO_OIDC_JWKS_ENDPOINT"),
        "OIDC_RP_CLIENT_ID": env("DJANGO_OIDC_CLIENT_ID"),
        "OIDC_RP_CLIENT_SECRET": env("DJANGO_OIDC_CLIENT_SECRET"),
        "OIDC_RP_SCOPES": env("DJANGO_OIDC_SCOPES", default="openid profile"),
        # The claim whose value is the account's username (accounts.sso.oidc).
        "SSO_OIDC_USERNAME_CLAIM": env("DJANGO_OIDC_USERNAME_CLAIM", default="preferred_username"),
        "OIDC_TIMEOUT": env.int("DJANGO_OIDC_TIMEOUT", default=DEFAULT_TIMEOUT_SECONDS),
        # Not configurable: signed ID tokens checked against the provider's published keys, a nonce and
        # PKCE on every sign-in, no account ever created, no token kept in the session.
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_CREATE_USER": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:oidc-callback",
    }


def cas_settings(env) -> dict[str, Any]:
    url = env("DJANGO_CAS_SERVER_URL", default="")
    if not url:
        return {}
    return {
        "CAS_SERVER_URL": url,
        "CAS_VERSION": env("DJANGO_CAS_VERSION", default="3"),
        # The attribute whose value is the account's username (accounts.sso.cas); "cas:user" is the CAS
        # user id itself.
        "CAS_USERNAME_ATTRIBUTE": env("DJANGO_CAS_USERNAME_ATTRIBUTE", default="cas:user"),
        "SSO_CAS_TIMEOUT": env.int("DJANGO_CAS_TIMEOUT", default=DEFAULT_TIMEOUT_SECONDS),
        "CAS_SESSION_FACTORY": _cas_http_session,
        # Not configurable: no account ever created, nothing copied from the attributes, no group mapped, no
        # proxy tickets, certificates checked, only local `next` addresses, and the login page's messages.
        "CAS_CREATE_USER": False,
        "CAS_APPLY_ATTRIBUTES_TO_USER": False,
        "CAS_RENAME_ATTRIBUTES": {},
        "CAS_MAP_AFFILIATIONS": False,
        "CAS_PROXY_CALLBACK": None,
        "CAS_VERIFY_SSL_CERTIFICATE": True,
        "CAS_CHECK_NEXT": True,
        "CAS_IGNORE_REFERER": True,
        "CAS_STORE_NEXT": False,
        "CAS_RETRY_LOGIN": False,
        "CAS_REDIRECT_URL": "responsibility:todo",
        "CAS_LOGIN_MSG": None,
        "CAS_LOGGED_MSG": None,
    }


def _cas_http_session():
    """The HTTP session django-cas-ng validates tickets with: one that gives up after SSO_CAS_TIMEOUT."""
    from accounts.sso.cas import CasHttpSession  # imported late: settings load before the apps

    return CasHttpSession()
