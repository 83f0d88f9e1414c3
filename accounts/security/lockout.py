"""Lockout (django-axes): too many wrong passwords or codes lock the account, or the address, for a while.

Sign-in and the administration sign-in are counted by axes's authentication backend. The other places a
password or a second-factor code is typed by someone already signed in (confirming a signature, changing
the password, the second-factor step) count through `credential_check` / `credential_failure_record`.
Messages say how long to wait and never whether an account exists: a name that matches no account is
counted and locked like any other.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import ngettext

from core.errors import ApplicationError
from core.http import client_ip

# What was being typed when a credential failed: the security log names it.
PURPOSE_SIGN_IN = "sign_in"
PURPOSE_CONFIRM = "confirm"  # the password again before signing or changing it
PURPOSE_SECOND_FACTOR = "second_factor"


class LockedOut(ApplicationError):
    """Too many failures: nothing more is checked until the lock ends or is lifted."""

    def __init__(self):
        super().__init__(lockout_message(), code="locked_out")


def lockout_minutes() -> int:
    return max(1, math.ceil(get_cool_off().total_seconds() / 60))


def lockout_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed attempts. Sign-in is locked; please try again in %(minutes)d minute, or ask the "
        "security administrator to lift the lock.",
        "Too many failed attempts. Sign-in is locked; please try again in %(minutes)d minutes, or ask the "
        "security administrator to lift the lock.",
        minutes,
    ) % {"minutes": minutes}


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes's database handler with two limits: an account's failures from anywhere, and an address's
    failures on any accounts (LOCKOUT_ACCOUNT_FAILURES and LOCKOUT_ADDRESS_FAILURES).

    Axes compares one count against one limit, so the address's count is expressed in the account's
    units: locked exactly when either reaches its own limit.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        account_limit, address_limit = settings.LOCKOUT_ACCOUNT_FAILURES, settings.LOCKOUT_ADDRESS_FAILURES
        return max(by_account, by_address * account_limit // address_limit)


def lockout_account_limit(request, credentials) -> int:
    """Axes's limit, read when it is needed: LOCKOUT_ACCOUNT_FAILURES."""
    return settings.LOCKOUT_ACCOUNT_FAILURES


def lockout_client_ip(request) -> str:
    """The address axes counts: the one the rest of the system records (core.http.client_ip)."""
    return client_ip(request) or ""


def lockout_response(request, credentials, *args, **kwargs):
    """The page shown instead of signing in while locked: how long, and who can lift it."""
    return render(request, "accounts/locked_out.html", {"message": lockout_message()}, status=429)


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def credential_check_allowed(*, request, user) -> None:
    """Refuse (LockedOut) before checking anything typed while the account or the address is locked."""
    if not AxesProxyHandler.is_allowed(request, _credentials(user)):
        raise LockedOut


def credential_failure_record(*, request, user, purpose: str) -> None:
    """Count a wrong password or code typed by a signed-in user; at the limit, the session ends too."""
    user_login_failed.send(
        sender=__name__, credentials={**_credentials(user), "purpose": purpose}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        logout(request)
        raise LockedOut


def _password_matches(user, password: str) -> bool:
    """The password kept here (where the local-login policy lets this account use one), else the
    directory's (LDAP), so that people who sign in through the directory can confirm a signature too."""
    from accounts.sso import ldap_enabled
    from accounts.sso.local import local_login_allowed

    if local_login_allowed(user) and user.check_password(password):
        return True
    if ldap_enabled():
        from accounts.sso.ldap import ldap_password_confirm

        return ldap_password_confirm(user=user, password=password)
    return False


def password_confirm(*, request, user, password: str) -> bool:
    """Check a signed-in user's password again (before signing, before changing it), counted for lockout.

    Raises LockedOut while locked (and when this failure reaches the limit, ending the session).
    """
    credential_check_allowed(request=request, user=user)
    if _password_matches(user, password):
        return True
    credential_failure_record(request=request, user=user, purpose=PURPOSE_CONFIRM)
    return False
