"""The login page, and the two addresses of an OpenID Connect sign-in: its start and the provider's return."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.security.log import security_event_record
from accounts.security.models import SecurityEventKind
from accounts.sso import oidc_enabled
from accounts.sso.forms import SignInForm
from accounts.sso.oidc_reauth import (
    oidc_reauthentication_finish,
    oidc_reauthentication_offered,
    oidc_reauthentication_pending,
    oidc_reauthentication_refusal_message,
    oidc_reauthentication_start,
)
from accounts.sso.problems import OidcRefusalReason, OidcSignInRefused, SignInRefused


class SignInView(auth_views.LoginView):
    """Django's login page, saying why single sign-on or the local-login policy refused a password, and
    offering the identity platform's sign-in when it is configured."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc_enabled()
        return context


_oidc_start = OIDCAuthenticationRequestView.as_view()


@login_not_required
def oidc_start_view(request):
    """Off to the provider, with a new state, nonce and PKCE verifier kept in the session."""
    if not oidc_enabled():
        raise Http404
    return _oidc_start(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """The provider's return. Whatever is wrong ends on the login page with a message, recorded in the
    security log with its reason; nobody is signed in and nothing else changes."""

    refusal: OidcSignInRefused | None = None

    def get(self, request):
        started_here = request.session.get("oidc_states", {})
        if request.GET.get("error"):
            # mozilla-django-oidc forgets the state (no replay) and calls login_failure below.
            self.refusal = OidcSignInRefused(
                OidcRefusalReason.PROVIDER_ERROR, detail=request.GET["error"][:64]
            )
        elif not request.GET.get("code") or request.GET.get("state") not in started_here:
            self.refusal = OidcSignInRefused(OidcRefusalReason.STATE)
            return self.login_failure()
        try:
            return super().get(request)
        except OidcSignInRefused as refusal:
            self.refusal = refusal
            return self.login_failure()

    def login_failure(self):
        return sign_in_refused_response(self.request, self.refusal)


def sign_in_refused_response(request, refusal: SignInRefused | None):
    """Back to the login page with what the person may know; the reason goes to the security log.
    No refusal: authenticate() itself refused (a lockout), and its user_login_failed signal recorded it."""
    if refusal is None:
        messages.error(request, _("The sign-in through unified identity authentication was refused."))
    else:
        security_event_record(
            SecurityEventKind.LOGIN_FAILED,
            request=request,
            username=refusal.username,
            reason=str(refusal.reason),
        )
        messages.error(request, refusal.message)
    return redirect(settings.LOGIN_URL)


_oidc_callback = OidcCallbackView.as_view()


@login_not_required
def oidc_callback_view(request):
    if not oidc_enabled():
        raise Http404
    if oidc_reauthentication_pending(request) is not None:
        return _oidc_reauthentication_callback(request)
    return _oidc_callback(request)


@login_required
def oidc_reauthenticate_view(request):
    """Off to the provider for a fresh sign-in that confirms the signed-in person's identity before signing
    (accounts.sso.oidc_reauth); only for people with no password to confirm it with."""
    if not oidc_reauthentication_offered(request.user):
        raise Http404
    return oidc_reauthentication_start(request)


def _oidc_reauthentication_callback(request):
    """The provider's return from a re-authentication: back to the letter, with the identity confirmed or
    a message. Nobody is signed in or out here, whatever the answer."""
    # This site's own address, checked when the re-authentication started.
    return_to = oidc_reauthentication_pending(request)["next"]
    try:
        oidc_reauthentication_finish(request)
    except OidcSignInRefused as refusal:
        security_event_record(
            SecurityEventKind.LOGIN_FAILED,
            request=request,
            subject=request.user if request.user.is_authenticated else None,
            username=refusal.username,
            reason=str(refusal.reason),
            purpose="reauthentication",
        )
        messages.error(request, oidc_reauthentication_refusal_message(refusal))
        return redirect(return_to)
    messages.success(
        request, _("Your identity was confirmed at unified identity authentication. You may sign now.")
    )
    return redirect(return_to)
