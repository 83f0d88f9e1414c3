"""Idle sessions end: a signed-in session with no request for SESSION_IDLE_MINUTES is signed out.

The session keeps the time of its last request (to the minute). A request after the limit ends the
session (written to the security log as "session ended after inactivity") and leads to the login page
with a message. Two minutes before, the page (accounts/static/accounts/session-idle.js) shows a banner
with a button to stay signed in: the button POSTs to the keep-alive endpoint, which counts as activity
because the person chose it. The script's own question "how long is left?" (the status endpoint) does
not count, so an open tab alone never keeps a session alive.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.security.log import security_event_record
from accounts.security.models import SecurityEventKind
from core import clock

LAST_ACTIVITY_KEY = "last_activity"
WARNING_SECONDS = 120
# Activity is written at most this often: each write saves the whole session, and a page's own requests
# (status polls, another tab) saving an older copy could undo what a form just stored in it.
RECORD_EVERY_SECONDS = 60


def idle_limit_seconds() -> int:
    return settings.SESSION_IDLE_MINUTES * 60


def session_seconds_left(request) -> int:
    """Seconds until this session ends for inactivity (the full limit when nothing is recorded yet)."""
    last = request.session.get(LAST_ACTIVITY_KEY)
    if last is None:
        return idle_limit_seconds()
    return max(0, int(last + idle_limit_seconds() - clock.now().timestamp()))


def _activity_record(request, now: float | None = None) -> None:
    request.session[LAST_ACTIVITY_KEY] = clock.now().timestamp() if now is None else now


@receiver(user_logged_in, dispatch_uid="accounts.sessions.sign_in_starts_the_clock")
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        _activity_record(request)


class SessionIdleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._status_path = self._keepalive_path = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if self._status_path is None:
                self._status_path = reverse("accounts:session-status")
                self._keepalive_path = reverse("accounts:session-keepalive")
            path = request.path_info
            last = request.session.get(LAST_ACTIVITY_KEY)
            now = clock.now().timestamp()
            if last is not None and now - last > idle_limit_seconds():
                return self._session_end(
                    request, user, is_endpoint=path in (self._status_path, self._keepalive_path)
                )
            if last is None or path == self._keepalive_path:
                _activity_record(request, now)
            elif path != self._status_path and now - last >= RECORD_EVERY_SECONDS:
                _activity_record(request, now)  # not for the question "how long is left?"
        return self.get_response(request)

    def _session_end(self, request, user, *, is_endpoint: bool):
        security_event_record(
            SecurityEventKind.SESSION_EXPIRED,
            request=request,
            actor=user,
            subject=user,
            minutes=settings.SESSION_IDLE_MINUTES,
        )
        # Not auth.logout(): that would also log "signed out", which the person did not do.
        request.session.flush()
        request.user = AnonymousUser()
        messages.warning(
            request,
            _("You were signed out because you were inactive for %(minutes)d minutes. Please sign in again.")
            % {"minutes": settings.SESSION_IDLE_MINUTES},
        )
        if is_endpoint:
            return _expired_response()
        return redirect_to_login(_return_path(request), settings.LOGIN_URL, REDIRECT_FIELD_NAME)


def _status_response(request) -> JsonResponse:
    return JsonResponse({"seconds_left": session_seconds_left(request), "warning_seconds": WARNING_SECONDS})


def _expired_response() -> JsonResponse:
    """What the page's script is told once the session has ended: where to sign in again."""
    return JsonResponse({"expired": True, "login_url": reverse(settings.LOGIN_URL)}, status=401)


def _return_path(request) -> str:
    """Where to come back to after signing in again: this page, or for a form sent, the page it was on."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


@never_cache
@require_GET
def session_status_view(request):
    """How long this session has left; asking does not count as activity."""
    if not request.user.is_authenticated:
        return _expired_response()
    return _status_response(request)


@never_cache
@require_POST
def session_keepalive_view(request):
    """The person chose to stay signed in (the middleware has recorded it as activity)."""
    if not request.user.is_authenticated:
        return _expired_response()
    if request.headers.get("Accept", "").startswith("application/json"):
        return _status_response(request)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = settings.LOGIN_REDIRECT_URL
    return redirect(next_url)


def idle_session(request) -> dict:
    """Context for the warning before an idle session ends (templates/accounts/_idle_warning.html)."""
    return {"session_idle_seconds": idle_limit_seconds(), "session_idle_warning_seconds": WARNING_SECONDS}
