"""The sign-in step after the password: a session is verified with the second factor before anything else.

A signed-in session that is not verified (django-otp's `user.is_verified()`) and whose person has an
authenticator app goes to the code page; a person whose role requires one and who has none goes to set
one up. It applies to every way of signing in (password, single sign-on, a one-time code) and to the
administration site. It runs in `__call__`, before any view and before the forced password change below it.

Open without the second factor: pages that need no sign-in at all (views marked `login_not_required`,
such as the login page and the public verification pages), signing out, the language switch, the lockout
page and the idle-session endpoints; and, in each state, the two-factor pages that state needs.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from accounts.two_factor.selectors import second_factor_enrolled, second_factor_required

VERIFY_URL_NAME = "accounts:two-factor-verify"
ENROL_URL_NAME = "accounts:two-factor-enrol"
OPEN_URL_NAMES = frozenset(
    {
        "accounts:logout",
        "accounts:locked-out",
        "accounts:session-status",
        "accounts:session-keepalive",
        "admin:logout",
        "set_language",
    }
)
# With an app but not yet verified: only the code page. Nothing that changes the second factor.
OPEN_TO_UNVERIFIED = frozenset({VERIFY_URL_NAME})
# Required but not set up: the set-up page (confirming it verifies the session).
OPEN_TO_UNENROLLED = frozenset({ENROL_URL_NAME})


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            response = self._second_factor_step(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _second_factor_step(self, request, user):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None  # the page-not-found answer reveals nothing
        if second_factor_enrolled(user=user):
            open_now, step = OPEN_TO_UNVERIFIED, VERIFY_URL_NAME
        elif second_factor_required(user=user):
            open_now, step = OPEN_TO_UNENROLLED, ENROL_URL_NAME
        else:
            return None  # nothing to ask of this person
        # Pages shown meanwhile offer nothing but signing out (templates/base.html reads this).
        request.second_factor_pending = True
        if match.view_name in open_now or match.view_name in OPEN_URL_NAMES:
            return None
        if getattr(match.func, "login_required", True) is False:
            return None
        return _redirect_keeping_place(request, step)


def _redirect_keeping_place(request, url_name: str):
    """To the two-factor page, with ?next= the page asked for (GET only: a POST cannot be replayed)."""
    url = reverse(url_name)
    if request.method in ("GET", "HEAD"):
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)
