"""System checks of the single sign-on settings (manage.py check; check --deploy for the transport)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from accounts.roles import Role
from accounts.sso import cas_enabled, ldap_enabled, oidc_enabled, sso_enabled
from accounts.sso.local import ALL, NOBODY, SUPERUSER


@register(Tags.security)
def local_login_policy_check(app_configs, **kwargs):
    policy = settings.SSO_LOCAL_LOGIN
    known = {ALL, NOBODY, SUPERUSER, *(role.value for role in Role)}
    unknown = [name for name in policy if name not in known]
    problems = []
    if unknown:
        problems.append(
            Error(
                f"DJANGO_LOCAL_LOGIN names unknown roles: {', '.join(unknown)}.",
                hint=f"Use all, none, superuser or roles among: {', '.join(role.value for role in Role)}.",
                id="accounts.sso.E001",
            )
        )
    if ALL not in policy and not sso_enabled():
        problems.append(
            Warning(
                "DJANGO_LOCAL_LOGIN limits local passwords, but no single sign-on is configured: "
                "every account keeps its local password.",
                hint="Configure DJANGO_LDAP_SERVER_URI, DJANGO_OIDC_* or DJANGO_CAS_SERVER_URL, or leave "
                "DJANGO_LOCAL_LOGIN unset.",
                id="accounts.sso.W001",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def single_sign_on_transport_check(app_configs, **kwargs):
    """Passwords and tokens must not cross the network in clear."""
    problems = []
    if (
        ldap_enabled()
        and settings.AUTH_LDAP_SERVER_URI.lower().startswith("ldap://")
        and not settings.AUTH_LDAP_START_TLS
    ):
        problems.append(
            Warning(
                "LDAP sign-in sends directory passwords unencrypted.",
                hint="Use an ldaps:// DJANGO_LDAP_SERVER_URI or set DJANGO_LDAP_START_TLS=true.",
                id="accounts.sso.W002",
            )
        )
    if oidc_enabled():
        endpoints = [
            settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
            settings.OIDC_OP_TOKEN_ENDPOINT,
            settings.OIDC_OP_USER_ENDPOINT,
            settings.OIDC_OP_JWKS_ENDPOINT,
        ]
        if any(not endpoint.lower().startswith("https://") for endpoint in endpoints):
            problems.append(
                Warning(
                    "OpenID Connect endpoints are not all https://.",
                    hint="Use the provider's https:// addresses (DJANGO_OIDC_*_ENDPOINT).",
                    id="accounts.sso.W003",
                )
            )
    if cas_enabled() and not settings.CAS_SERVER_URL.lower().startswith("https://"):
        problems.append(
            Warning(
                "The CAS server is not https://: its tickets and answers can be read or changed in transit.",
                hint="Use the server's https:// address (DJANGO_CAS_SERVER_URL).",
                id="accounts.sso.W004",
            )
        )
    return problems
