"""Single sign-on (统一身份认证): directory passwords (LDAP) and the identity platform (OpenID Connect, CAS).

Each only proves who a person is. They sign in accounts that already exist (from the organisation
import), matched by username; they never create an account, never grant a role and never change what
the account says. Each is on only when configured (config/sso.py, README "Single sign-on"); while any
is on, DJANGO_LOCAL_LOGIN may keep local passwords for some roles only (accounts.sso.local).
"""

from django.conf import settings

# The backends' dotted paths: the settings list them, and the security log names them by them.
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
LOCAL_PASSWORD_BACKEND = "accounts.sso.local.LocalPasswordBackend"
LDAP_BACKEND = "accounts.sso.ldap.LdapBackend"
OIDC_BACKEND = "accounts.sso.oidc.OidcBackend"
CAS_BACKEND = "accounts.sso.cas.CasBackend"


def ldap_enabled() -> bool:
    return LDAP_BACKEND in settings.AUTHENTICATION_BACKENDS


def oidc_enabled() -> bool:
    return OIDC_BACKEND in settings.AUTHENTICATION_BACKENDS


def cas_enabled() -> bool:
    return CAS_BACKEND in settings.AUTHENTICATION_BACKENDS


def sso_enabled() -> bool:
    return ldap_enabled() or oidc_enabled() or cas_enabled()
