"""What a person's second factor is: whether they have one, whether their role requires one."""

from django.conf import settings
from django.db.models import prefetch_related_objects
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import user_has_role


def second_factor_enrolled(*, user) -> bool:
    """Whether the person has a confirmed authenticator app. A device still being set up never counts."""
    if not user.is_authenticated:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(*, user) -> bool:
    """Whether one of the person's roles is in TWO_FACTOR_REQUIRED_ROLES. A superuser (installation only)
    can do more than any role, so it must use one wherever any role must."""
    required = settings.TWO_FACTOR_REQUIRED_ROLES
    if not required or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    prefetch_related_objects([user], "groups")  # one query for all the roles asked about
    return any(user_has_role(user, role) for role in required)


def totp_device_pending(*, user) -> TOTPDevice | None:
    """The authenticator app being set up (shown as a QR code until its first code confirms it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_remaining(*, user) -> int:
    """How many unused recovery codes the person has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
