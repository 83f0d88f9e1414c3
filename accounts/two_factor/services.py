"""Two-step sign-in: setting up an authenticator app, checking a code, recovery codes, turning it off, and
the security administrator's reset. Every change is written to the security log and told to the person.

A code is a 6-digit TOTP from the app (each accepted once, within one 30-second step either side: django-otp
keeps the last step used and the phone's drift) or a recovery code (single use: django-otp deletes it).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.security.lockout import (
    PURPOSE_SECOND_FACTOR,
    credential_check_allowed,
    credential_failure_record,
)
from accounts.security.log import security_event_record
from accounts.security.models import SecurityEventKind
from accounts.security.notify import notice_time, security_notice_send
from accounts.security.services import four_eyes_check, security_admin_check
from accounts.two_factor.selectors import (
    recovery_codes_remaining,
    second_factor_enrolled,
    second_factor_required,
    totp_device_pending,
)
from core.errors import ApplicationError

RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6


def code_normalise(code: str) -> str:
    """A code as typed, without spaces or hyphens, lower case (recovery codes are shown as abcd-efgh)."""
    return "".join((code or "").split()).replace("-", "").lower()


def recovery_code_display(token: str) -> str:
    return f"{token[:4]}-{token[4:]}"


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]  # as the person is shown them, once


def totp_enrolment_start(*, user) -> TOTPDevice:
    """A new secret for an authenticator app; it counts only once a first code from the app confirms it."""
    pending = totp_device_pending(user=user)
    if pending is not None:  # the same QR code again after a reload
        return pending
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False, digits=TOTP_DIGITS)


def totp_enrolment_confirm(*, user, device: TOTPDevice, code: str, request=None) -> Enrolment:
    """The app's first code confirms it. It replaces any earlier app, and new recovery codes are issued
    (returned to be shown once)."""
    with transaction.atomic():
        locked = (
            TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        )
        if locked is None:
            raise ApplicationError(
                _("This set-up is no longer valid. Please start again."), code="enrolment_gone"
            )
        if not locked.verify_token(code_normalise(code)):
            raise ApplicationError(
                _(
                    "The code is not correct. Check that the time on your phone is right, then enter the "
                    "code the app shows now."
                ),
                code="code_wrong",
            )
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()  # the old phone, if any
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user=user)
        security_event_record(
            SecurityEventKind.SECOND_FACTOR_ENROLLED, request=request, actor=user, subject=user, device="totp"
        )
        security_event_record(
            SecurityEventKind.RECOVERY_CODES_GENERATED,
            request=request,
            actor=user,
            subject=user,
            device="recovery",
        )
        security_notice_send(
            recipient=user,
            title=_("Two-step verification was set up"),
            body=_(
                "An authenticator app was set up for two-step verification of your account at %(time)s, "
                "and new recovery codes were issued."
            )
            % {"time": notice_time()},
        )
    return Enrolment(device=locked, recovery_codes=codes)


def second_factor_verify(*, user, code: str, request) -> Device | None:
    """The person proves the second factor with a code from their app or an unused recovery code.

    A wrong code counts towards lockout: LockedOut while locked, and when this failure reaches the limit
    (which also ends the session). Returns the device that accepted the code, or None.
    """
    credential_check_allowed(request=request, user=user)
    device = _device_matching(user=user, code=code_normalise(code))
    if device is None:
        credential_failure_record(request=request, user=user, purpose=PURPOSE_SECOND_FACTOR)
        return None
    if isinstance(device, StaticDevice):
        remaining = recovery_codes_remaining(user=user)
        with transaction.atomic():
            security_event_record(
                SecurityEventKind.RECOVERY_CODE_USED,
                request=request,
                actor=user,
                subject=user,
                device="recovery",
            )
            security_notice_send(
                recipient=user,
                title=_("A recovery code was used"),
                body=ngettext(
                    "A recovery code was used for your account at %(time)s. %(count)d unused code remains.",
                    "A recovery code was used for your account at %(time)s. %(count)d unused codes remain.",
                    remaining,
                )
                % {"time": notice_time(), "count": remaining},
            )
    return device


def recovery_codes_regenerate(*, user, request=None) -> list[str]:
    """New recovery codes for someone with an authenticator app; the earlier ones stop working at once."""
    if not second_factor_enrolled(user=user):
        raise ApplicationError(
            _("Set up two-step verification first: recovery codes come with it."), code="not_enrolled"
        )
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        security_event_record(
            SecurityEventKind.RECOVERY_CODES_GENERATED,
            request=request,
            actor=user,
            subject=user,
            device="recovery",
        )
        security_notice_send(
            recipient=user,
            title=_("New recovery codes were issued"),
            body=_(
                "New recovery codes for two-step verification were issued for your account at %(time)s. "
                "The earlier codes no longer work."
            )
            % {"time": notice_time()},
        )
    return codes


def second_factor_remove(*, user, request=None) -> None:
    """Someone whose role does not require two-step verification may turn it off."""
    if second_factor_required(user=user):
        raise ApplicationError(
            _(
                "Your role requires two-step verification, so it cannot be turned off. To use another "
                "phone, set up the app again."
            ),
            code="required",
        )
    if not second_factor_enrolled(user=user):
        raise ApplicationError(_("Two-step verification is not set up."), code="not_enrolled")
    with transaction.atomic():
        _devices_delete(user=user)
        security_event_record(
            SecurityEventKind.SECOND_FACTOR_REMOVED, request=request, actor=user, subject=user, device="totp"
        )
        security_notice_send(
            recipient=user,
            title=_("Two-step verification was turned off"),
            body=_("Two-step verification was turned off for your account at %(time)s.")
            % {"time": notice_time()},
        )


def second_factor_reset(*, user, reset_by, request=None) -> None:
    """The security administrator removes someone's authenticator app and recovery codes (a lost phone).
    Only a security administrator, never for their own account, and not the one who made this person a
    one-time code in the last day (four eyes, ADR 0009); a refusal is itself logged."""
    security_admin_check(actor=reset_by, subject=user, action="second_factor_reset", request=request)
    four_eyes_check(actor=reset_by, subject=user, step="second_factor_reset", request=request)
    with transaction.atomic():
        _devices_delete(user=user)
        security_event_record(
            SecurityEventKind.SECOND_FACTOR_RESET,
            request=request,
            actor=reset_by,
            subject=user,
            device="totp",
        )
        security_notice_send(
            recipient=user,
            title=_("Your two-step verification was reset"),
            body=_(
                "The security administrator %(name)s removed the authenticator app and the recovery codes of "
                "your account at %(time)s. Set up the app again under Two-step verification; if your role "
                "requires it, you will be asked to at your next sign-in."
            )
            % {"name": str(reset_by), "time": notice_time()},
        )


def _device_matching(*, user, code: str) -> Device | None:
    """The confirmed device that accepts `code` (rows locked: two tabs cannot spend one code twice)."""
    if not code:
        return None
    model = TOTPDevice if code.isdigit() and len(code) == TOTP_DIGITS else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


def _recovery_codes_replace(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    tokens: set[str] = set()
    while len(tokens) < RECOVERY_CODE_COUNT:
        tokens.add(StaticToken.random_token())
    ordered = sorted(tokens)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in ordered)
    return [recovery_code_display(token) for token in ordered]


def _devices_delete(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
