from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.sso.problems import sign_in_problem_messages


class SignInForm(AuthenticationForm):
    """Django's login form; a refusal the backends explained (accounts.sso.problems) says why."""

    def get_invalid_login_error(self):
        explained = sign_in_problem_messages(self.request)
        if not explained:
            return super().get_invalid_login_error()
        return ValidationError([ValidationError(message, code="sign_in_refused") for message in explained])
