"""The login page, and the two addresses of an OpenID Connect sign-in: its start and the provider's return."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.security.log import security_event_record
from accounts.security.models import SecurityEventKind
from accounts.sso import oidc_enabled
from accounts.sso.forms import SignInForm
from accounts.sso.problems import OidcRefusalReason, OidcSignInRefused


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
        if self.refusal is None:
            # authenticate() itself refused (a lockout): its user_login_failed signal recorded it.
            messages.error(
                self.request, _("The sign-in through unified identity authentication was refused.")
            )
        else:
            security_event_record(
                SecurityEventKind.LOGIN_FAILED,
                request=self.request,
                username=self.refusal.username,
                reason=str(self.refusal.reason),
            )
            messages.error(self.request, self.refusal.message)
        return redirect(settings.LOGIN_URL)


_oidc_callback = OidcCallbackView.as_view()


@login_not_required
def oidc_callback_view(request):
    if not oidc_enabled():
        raise Http404
    return _oidc_callback(request)
