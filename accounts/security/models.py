"""The security log (安全日志): every sign-in, lockout, reset, role change, second-factor change and
administrator action, append-only and hash-chained like the other audit chains; and the one-time codes a
security administrator hands over in person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from core.appendonly import AppendOnlyModel
from core.audit import CHAIN_FORMAT_CURRENT


class SecurityEventKind(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGGED_OUT = "logged_out", _("Signed out")
    SESSION_EXPIRED = "session_expired", _("Session ended after inactivity")
    LOCKED_OUT = "locked_out", _("Locked out")
    LOCK_LIFTED = "lock_lifted", _("Lock lifted")
    PASSWORD_CONFIRM_FAILED = "password_confirm_failed", _("Wrong password when confirming identity")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    RESET_REQUESTED = "reset_requested", _("Password reset requested")
    RESET_STARTED = "reset_started", _("Password reset started by the security administrator")
    RESET_CODE_USED = "reset_code_used", _("One-time code used")
    RESET_COMPLETED = "reset_completed", _("Password reset completed")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REMOVED = "role_removed", _("Role removed")
    ACCOUNT_ACTIVATED = "account_activated", _("Account enabled")
    ACCOUNT_DEACTIVATED = "account_deactivated", _("Account disabled")
    EMAIL_CHANGED = "email_changed", _("Email address changed")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor set up")
    SECOND_FACTOR_REMOVED = "second_factor_removed", _("Second factor removed")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset by the security administrator")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
    RECOVERY_CODES_GENERATED = "recovery_codes_generated", _("Recovery codes generated")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    API_CLIENT_CREATED = "api_client_created", _("API client created")
    API_TOKEN_RENEWED = "api_token_renewed", _("API client token renewed")
    API_CLIENT_REVOKED = "api_client_revoked", _("API client revoked")
    API_CLIENT_SCOPES_CHANGED = "api_client_scopes_changed", _("API client scopes changed")
    ADMIN_ACTION = "admin_action", _("Administration page change")
    REFUSED = "refused", _("Refused administrator action")


class SecurityEvent(AppendOnlyModel):
    """One entry of the security log. Names and addresses are kept as they were at the time."""

    sequence = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(_("event"), max_length=32, choices=SecurityEventKind.choices)
    # Who did it (None: nobody signed in, such as a failed sign-in) and whom it concerns.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The account name as typed or as it was (a failed sign-in may name no account at all).
    username = models.CharField(_("account name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=512, blank=True)
    # The event's facts by kind (accounts.security.log says which).
    payload = models.JSONField(_("details"), default=dict, editable=False)
    chain_format = models.PositiveSmallIntegerField(
        _("chain format"), default=CHAIN_FORMAT_CURRENT, editable=False
    )
    created_at = models.DateTimeField(_("time"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["kind", "-sequence"], name="securityevent_kind_idx"),
            models.Index(fields=["subject", "-sequence"], name="securityevent_subject_idx"),
            models.Index(fields=["created_at"], name="securityevent_time_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind}"


class SecurityAuditHead(models.Model):
    """The end of the security log's chain, locked while an event is appended."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("security log chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"


class ResetCode(models.Model):
    """A one-time code a security administrator hands over in person to a user who has no email.

    Only its hash is kept. It signs the user in once, straight to setting their own password; it dies
    when used, when it expires, or when another reset is started.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    code_hash = models.CharField(max_length=128)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
