"""Password resets that never pass through another person.

A user resets their own password by a one-time link to their email (Django's token: it dies when the
password changes, when they sign in, and after PASSWORD_RESET_TIMEOUT). A security administrator can
only *start* a reset: the link goes to the user, or, for someone without email, a one-time code is made
for handing over in person; it signs them in once, straight to setting their own password.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.security.models import ResetCode
from core import clock

# Handed over on paper or read out: no 0/O, 1/I/L; 12 characters in three groups.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 12


def reset_code_normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def reset_code_new(*, user, started_by) -> str:
    """A new one-time code for `user` (earlier unused codes die). Only its hash is kept."""
    ResetCode.objects.filter(user=user, used_at__isnull=True).delete()
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    ResetCode.objects.create(
        user=user,
        code_hash=make_password(code),
        started_by=started_by,
        expires_at=clock.now() + timedelta(hours=settings.RESET_CODE_HOURS),
    )
    return "-".join(code[i : i + 4] for i in range(0, _CODE_LENGTH, 4))


def reset_link(user) -> str:
    """The absolute one-time link that lets `user` choose a new password."""
    path = reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def reset_link_send(user) -> None:
    """Email `user` their one-time link, once the transaction that asked for it is committed."""
    body = render_to_string(
        "accounts/emails/password_reset.txt",
        {"user": user, "link": reset_link(user), "minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
    )
    address = user.email
    transaction.on_commit(
        lambda: send_mail(_("Set a new password"), body, settings.DEFAULT_FROM_EMAIL, [address])
    )


class ResetCodeBackend(BaseBackend):
    """Signs a user in once with a live one-time code (and marks them to choose their own password).

    Being an authentication backend, wrong codes are counted by the lockout like wrong passwords.
    """

    def authenticate(self, request, username=None, reset_code=None, **kwargs):
        if not username or not reset_code:
            return None
        from accounts.models import User

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            return None
        code = reset_code_normalise(reset_code)
        for candidate in ResetCode.objects.filter(
            user=user, used_at__isnull=True, expires_at__gt=clock.now()
        ):
            if check_password(code, candidate.code_hash):
                updated = ResetCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(
                    used_at=clock.now()
                )
                if updated != 1:  # used by a concurrent request a moment ago
                    return None
                User.objects.filter(pk=user.pk).update(password_must_change=True)
                user.password_must_change = True
                return user
        return None

    def get_user(self, user_id):
        from accounts.models import User

        return User.objects.filter(pk=user_id, is_active=True).first()
