"""Changing one's own password (Django's page, with three additions): a wrong old password counts towards
lockout, the change is written to the security log, and the person is told.

Service, form and view together: each is a few lines around Django's own, and nothing else uses them.
"""

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from accounts.security.lockout import LockedOut, password_confirm
from accounts.security.log import security_event_record
from accounts.security.models import SecurityEventKind
from accounts.security.notify import notice_time, security_notice_send


def password_change(*, user, new_password: str, request=None) -> None:
    """The person sets a new password of their choice; the log records it and they are told."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        security_event_record(SecurityEventKind.PASSWORD_CHANGED, request=request, actor=user, subject=user)
        security_notice_send(
            recipient=user,
            title=_("Your password was changed"),
            body=_("The password of your account was changed at %(time)s.") % {"time": notice_time()},
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        try:
            confirmed = password_confirm(request=self.request, user=self.user, password=old_password)
        except LockedOut as locked:
            raise ValidationError(str(locked), code="locked_out") from None
        if not confirmed:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password

    def save(self, commit: bool = True):
        password_change(user=self.user, new_password=self.cleaned_data["new_password1"], request=self.request)
        return self.user


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if not self.request.user.is_authenticated:  # the last wrong password locked the account
            return redirect("accounts:locked-out")
        return super().form_invalid(form)
