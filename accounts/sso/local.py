"""Local passwords while single sign-on is on: who may still use one (DJANGO_LOCAL_LOGIN).

The default, "all", changes nothing. A list of roles (and "superuser") keeps local passwords for those
accounts only, so that the administrators still have a way in when the directory or the identity
platform is down; everybody else signs in through single sign-on. Without single sign-on the setting has
no effect (the system check says so). This is the only place the rule is written.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from accounts.sso import sso_enabled
from accounts.sso.problems import SignInProblem, sign_in_problem_note

ALL = "all"
NOBODY = "none"
SUPERUSER = "superuser"


def local_login_allowed(user) -> bool:
    """Whether `user` may sign in with the password kept in this system."""
    policy = settings.SSO_LOCAL_LOGIN
    if ALL in policy or not sso_enabled():
        return True
    if SUPERUSER in policy and user.is_superuser:
        return True
    roles = [name for name in policy if name not in (NOBODY, SUPERUSER)]
    return bool(roles) and user.groups.filter(name__in=roles).exists()


class LocalPasswordBackend(ModelBackend):
    """Django's password backend, refusing the accounts the local-login policy keeps to single sign-on.

    It replaces ModelBackend while single sign-on is on (config/sso.py), so every sign-in that checks a
    password (the login page, the administration site) obeys the policy. Permissions work as ModelBackend's.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or local_login_allowed(user):
            return user
        # The password was right, so telling why is safe; the directory may still accept its own password.
        sign_in_problem_note(request, SignInProblem.LOCAL_PASSWORD_NOT_ALLOWED)
        return None
