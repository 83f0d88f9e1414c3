"""Confirming one's identity again at the identity platform (OpenID Connect), for those with no password here.

Someone who signs in only through the identity platform has no password this system or a directory could
check before they sign a letter. Instead the signing form sends them back to the platform with
`prompt=login` and `max_age=0` (a fresh sign-in there, not the platform's remembered session), with a new
state, nonce and PKCE verifier as for a sign-in. The state's entry in the session is marked as a
re-authentication of the person signed in here, so the shared callback address (one redirect URI
registered at the platform) hands it to `oidc_reauthentication_finish` rather than to the sign-in.

The ID token is checked exactly as for a sign-in (accounts.sso.oidc.OidcBackend), and besides: it must
name the person already signed in here, and its `auth_time` must be within the last
PROVIDER_AUTHENTICATION_MAX_AGE. Then the re-authentication is recorded in the session
(accounts.reauth), as a re-entered password would be. The session's user never changes here: nobody is
signed in or out by this flow, whatever goes wrong.
"""

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from accounts.reauth import reauthentication_record
from accounts.sso import ldap_enabled, oidc_enabled
from accounts.sso.local import local_login_allowed
from accounts.sso.oidc import LEEWAY_SECONDS, OidcBackend
from accounts.sso.problems import OidcRefusalReason, OidcSignInRefused
from core import clock

logger = logging.getLogger(__name__)

# How long ago the person may have signed in at the platform for it to count as confirming it is them
# now. The same five minutes as the signing window (responsibility.letters.signing), which then starts.
PROVIDER_AUTHENTICATION_MAX_AGE = timedelta(minutes=5)
# Marks a state in mozilla-django-oidc's session "oidc_states" as a re-authentication, not a sign-in.
_MARK = "reauthenticate"


def oidc_reauthentication_offered(user) -> bool:
    """Whether `user` confirms their identity at the identity platform instead of with a password: the
    platform is configured, no directory could check a password, and there is no password here they may
    use (accounts.security.lockout.password_confirm would refuse every password)."""
    if not oidc_enabled() or ldap_enabled():
        return False
    return not (user.has_usable_password() and local_login_allowed(user))


class _ReauthenticationRequestView(OIDCAuthenticationRequestView):
    def get_extra_params(self, request):
        # A fresh authentication at the platform, whatever session the person has there.
        return {**super().get_extra_params(request), "prompt": "login", "max_age": "0"}


_request_view = _ReauthenticationRequestView.as_view()


def oidc_reauthentication_start(request):
    """The redirect to the platform, with the state marked for the signed-in user and where to return."""
    sign_in_next = request.session.get("oidc_login_next")
    response = _request_view(request)
    # mozilla-django-oidc has just checked `next` (only this site) and kept it for a sign-in; it is ours.
    return_to = request.session.get("oidc_login_next") or resolve_url(settings.LOGIN_REDIRECT_URL)
    request.session["oidc_login_next"] = sign_in_next
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    request.session["oidc_states"][state][_MARK] = {"user": request.user.pk, "next": return_to}
    request.session.modified = True
    return response


def oidc_reauthentication_pending(request) -> dict | None:
    """The mark of the re-authentication this callback's state belongs to, or None (a sign-in, or no
    state this browser started)."""
    started = request.session.get("oidc_states")
    entry = started.get(request.GET.get("state")) if isinstance(started, dict) else None
    return entry.get(_MARK) if isinstance(entry, dict) else None


class _ReauthenticationBackend(OidcBackend):
    """The sign-in's checks, keeping the verified ID token's claims for the checks after them."""

    payload: dict | None = None

    def verify_token(self, token, **kwargs):
        self.payload = super().verify_token(token, **kwargs)
        return self.payload


def oidc_reauthentication_finish(request) -> None:
    """Check the platform's answer to a re-authentication and record it in the session.

    Raises OidcSignInRefused (nothing recorded, nobody signed in or out). The state is used up either way.
    """
    mark = oidc_reauthentication_pending(request)
    entry = request.session["oidc_states"].pop(request.GET["state"])
    request.session.modified = True
    if request.GET.get("error"):
        raise OidcSignInRefused(OidcRefusalReason.PROVIDER_ERROR, detail=request.GET["error"][:64])
    if not request.GET.get("code") or mark.get("user") != request.user.pk:
        raise OidcSignInRefused(OidcRefusalReason.STATE)
    backend = _ReauthenticationBackend()
    person = backend.authenticate(request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier"))
    if person is None or backend.payload is None:
        raise OidcSignInRefused(OidcRefusalReason.SIGNATURE)
    if person.pk != request.user.pk:
        # Someone else's sign-in at the platform, in this browser: refused, and this session stays as it is.
        logger.warning("OpenID Connect re-authentication by someone else (%s) refused", person.get_username())
        raise OidcSignInRefused(OidcRefusalReason.REAUTH_OTHER_PERSON, username=person.get_username())
    age = _authentication_age(backend.payload.get("auth_time"))
    if age is None:
        raise OidcSignInRefused(OidcRefusalReason.REAUTH_STALE, detail="no usable auth_time")
    if age > PROVIDER_AUTHENTICATION_MAX_AGE or age < -timedelta(seconds=LEEWAY_SECONDS):
        detail = f"auth_time {int(age.total_seconds())} s ago"
        raise OidcSignInRefused(OidcRefusalReason.REAUTH_STALE, detail=detail)
    # The window counts from the sign-in at the platform, not from this answer; the second factor, where
    # the person has one, is still asked on the signing form.
    reauthentication_record(request, second_factor=False, at=clock.now() - max(age, timedelta(0)))


def _authentication_age(auth_time) -> timedelta | None:
    """How long ago the person signed in at the platform, by the ID token's `auth_time`; None if unusable."""
    if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
        return None
    try:
        return clock.now() - datetime.fromtimestamp(auth_time, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def oidc_reauthentication_refusal_message(refusal: OidcSignInRefused) -> str:
    """What the person is told on the signing page when the platform's confirmation was refused."""
    if refusal.reason == OidcRefusalReason.REAUTH_OTHER_PERSON:
        return _(
            "You signed in at unified identity authentication as another person (%(name)s), not as the "
            "account signed in here. Your identity was not confirmed; nothing was changed."
        ) % {"name": refusal.username}
    if refusal.reason == OidcRefusalReason.REAUTH_STALE:
        return _(
            "Unified identity authentication did not confirm a fresh sign-in just now, so your identity was "
            "not confirmed. Please try again."
        )
    if refusal.reason == OidcRefusalReason.UNAVAILABLE:
        return refusal.message
    return _(
        "The confirmation at unified identity authentication could not be verified, so your identity was "
        "not confirmed. Please try again."
    )
