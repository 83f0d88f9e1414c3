"""After a reset by one-time code, the person chooses their own password before anything else."""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

# Pages open to someone who must still choose a password: that form, signing out, the language switch,
# the lockout page, the idle-session endpoints, and the second-factor step that comes first
# (accounts.two_factor.middleware sends an unverified session there before this middleware runs).
_OPEN_URL_NAMES = (
    "accounts:password-set",
    "accounts:logout",
    "accounts:locked-out",
    "accounts:session-status",
    "accounts:session-keepalive",
    "accounts:two-factor-verify",
    "accounts:two-factor-enrol",
    "set_language",
)


class PasswordMustChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.password_must_change:
            if self._open_paths is None:
                self._open_paths = {reverse(name) for name in _OPEN_URL_NAMES}
            path = request.path_info
            if path not in self._open_paths and not path.startswith("/" + settings.STATIC_URL.lstrip("/")):
                return redirect("accounts:password-set")
        return self.get_response(request)


class MachineAccountSessionMiddleware:
    """An API client's account never holds a page session: should one appear (a single sign-on server
    that knows the name, say), it is ended at once and the request goes on signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_machine:
            logout(request)
        return self.get_response(request)
