"""Directory passwords (LDAP, django-auth-ldap) for the accounts that already exist here.

The person types their directory login name and password on the usual login page. The directory is
searched for that name (with the service account, DJANGO_LDAP_BIND_DN), the password is checked by
binding as the entry found, and the entry's DJANGO_LDAP_MATCH_ATTRIBUTE (uid, employeeNumber…) must
equal the username of an active account here: that account is signed in.

What the directory never does here, whatever the AUTH_LDAP_* settings say (fixed in `LdapBackend`):
create an account, copy its groups into roles or permissions, or overwrite an account's fields. The
organisation import is the one source of names, email addresses, posts and roles; a second writer would
make them flap between two versions, and an email address changed from outside would redirect the
security notices (accounts.security.notify). A directory that is down or silent fails the sign-in
within DJANGO_LDAP_TIMEOUT with a message (accounts.sso.problems); local passwords still work for the
accounts the local-login policy allows.
"""

import contextlib
import logging

from django.conf import settings
from django.dispatch import receiver
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import LDAPSettings

from accounts.sso.problems import SignInProblem, sign_in_problem_note

logger = logging.getLogger(__name__)

# django-auth-ldap settings this backend fixes: the directory proves who someone is, nothing more.
FIXED_SETTINGS = {
    "NO_NEW_USERS": True,
    "ALWAYS_UPDATE_USER": False,
    "USER_ATTR_MAP": {},
    "USER_FLAGS_BY_GROUP": {},
    "USER_QUERY_FIELD": None,
    "MIRROR_GROUPS": None,
    "MIRROR_GROUPS_EXCEPT": None,
    "FIND_GROUP_PERMS": False,
    "AUTHORIZE_ALL_USERS": False,
    "PERMIT_EMPTY_PASSWORD": False,
    "BIND_AS_AUTHENTICATING_USER": False,
    "USER_DN_TEMPLATE": None,  # always search, so that the entry's attributes are read
    "CACHE_TIMEOUT": 0,
}


class LdapBackend(LDAPBackend):
    """Signs in an existing, active account whose username is the directory entry's matching value."""

    @property
    def settings(self):
        if self._settings is None:
            configured = LDAPSettings(self.settings_prefix, self.default_settings)
            for name, value in FIXED_SETTINGS.items():
                setattr(configured, name, value)
            self._settings = configured
        return self._settings

    @settings.setter
    def settings(self, value):
        self._settings = value

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Django makes a backend for each authenticate(): the request belongs to this one sign-in.
        self.request = request
        if not username or not password:
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not user.is_active:
            return None  # as Django's password backend: a disabled account does not sign in
        return user

    def get_or_build_user(self, username, ldap_user):
        """The account whose username is the entry's matching attribute; an unsaved one when none is
        (django-auth-ldap then refuses, as NO_NEW_USERS says)."""
        model = self.get_user_model()
        attribute = settings.SSO_LDAP_MATCH_ATTRIBUTE.lower()
        attrs = {name.lower(): values for name, values in (ldap_user.attrs or {}).items()}
        values = attrs.get(attribute) or []
        user = model.objects.filter(username=values[0]).first() if len(values) == 1 else None
        if user is None:
            logger.info("Directory entry %s has no account here (%s=%s).", ldap_user.dn, attribute, values)
            sign_in_problem_note(getattr(self, "request", None), SignInProblem.DIRECTORY_ACCOUNT_UNLINKED)
            return model(username=values[0] if values else ""), True
        return user, False


@receiver(ldap_error, sender=LdapBackend, dispatch_uid="accounts.sso.ldap.error")
def _directory_unavailable(sender, context, user, request, exception, **kwargs) -> None:
    """django-auth-ldap logs the error and fails the sign-in; the person is told the directory is down."""
    sign_in_problem_note(request, SignInProblem.DIRECTORY_UNAVAILABLE)


def ldap_password_confirm(*, user, password: str) -> bool:
    """Whether `password` is the directory password of `user`, already signed in (confirming a signature).

    The entry is found by the matching attribute equal to the username (not by a typed login name), then
    bound as with the password. False when it does not match, when there is not exactly one entry, or
    when the directory cannot be reached within DJANGO_LDAP_TIMEOUT.
    """
    import ldap
    from ldap.filter import escape_filter_chars

    if not password:
        return False
    connection = ldap.initialize(settings.AUTH_LDAP_SERVER_URI)
    try:
        for option, value in settings.AUTH_LDAP_CONNECTION_OPTIONS.items():
            connection.set_option(option, value)
        if settings.AUTH_LDAP_START_TLS:
            connection.start_tls_s()
        connection.simple_bind_s(settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD)
        attribute = settings.SSO_LDAP_MATCH_ATTRIBUTE
        found = connection.search_s(
            settings.AUTH_LDAP_USER_SEARCH.base_dn,
            ldap.SCOPE_SUBTREE,
            f"({attribute}={escape_filter_chars(user.get_username())})",
            ["1.1"],
        )
        entries = [dn for dn, _attributes in found if dn]
        if len(entries) != 1:
            return False
        connection.simple_bind_s(entries[0], password)
        return True
    except ldap.LDAPError:
        return False
    finally:
        with contextlib.suppress(ldap.LDAPError):
            connection.unbind_s()
