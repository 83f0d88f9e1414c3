"""The two addresses of a CAS sign-in (django-cas-ng): the login (start and return) and the logout.

Both are 404 while CAS is not configured (DJANGO_CAS_SERVER_URL).
"""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_cas_ng import views as cas_ng_views

from accounts.sso import cas_enabled
from accounts.sso.problems import CasRefusalReason, CasSignInRefused
from accounts.sso.views import sign_in_refused_response


class CasLoginView(cas_ng_views.LoginView):
    """Without a ticket, off to the CAS server; with one, back from it. Whatever is wrong ends on the login
    page with a message, recorded in the security log with its reason; nobody is signed in and nothing else
    changes. Only GET: the CAS server's single-logout POSTs are not accepted (README, "Single sign-on")."""

    http_method_names = ["get"]

    def get(self, request):
        # django-cas-ng 5.1.1 checks `next` only when CAS_LOGIN_NEXT_PAGE is set, and then ignores `next`;
        # otherwise it would go on to any address after the sign-in. The check is ours, before anything.
        next_page = request.GET.get(REDIRECT_FIELD_NAME)
        if next_page and not url_has_allowed_host_and_scheme(
            next_page, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            refusal = CasSignInRefused(CasRefusalReason.NEXT, detail=next_page[:64])
            return sign_in_refused_response(request, refusal)
        try:
            return super().get(request)
        except CasSignInRefused as refusal:
            return sign_in_refused_response(request, refusal)
        except PermissionDenied:
            return sign_in_refused_response(request, None)


_cas_login = CasLoginView.as_view()
_cas_logout = cas_ng_views.LogoutView.as_view()


@login_not_required
def cas_login_view(request):
    if not cas_enabled():
        raise Http404
    return _cas_login(request)


@require_POST  # a link or an image elsewhere must not sign anyone out
def cas_logout_view(request):
    """Signs out here, then at the CAS server (which ends the person's single sign-on there too)."""
    if not cas_enabled():
        raise Http404
    return _cas_logout(request)
