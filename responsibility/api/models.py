"""API clients (接口客户端) and the log of their calls.

An OA system, a personnel database or a messaging platform calls the REST API as a client the office
creates. Each client has an account of its own (`User.is_machine`): the roles the security administrator
grants that account decide what it may read, exactly as for a person, and its scopes only narrow them.
The token is shown once; only its prefix and the SHA-256 of its secret are kept. Every call is logged,
append-only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.appendonly import AppendOnlyModel


class Scope(models.TextChoices):
    """What a client may ask for at all; its account's roles still decide which objects it reads."""

    READ_LETTERS = "read:letters", _("Read responsibility letters and campaigns")
    READ_SUPERVISION = "read:supervision", _("Read problems and their rectification")
    READ_DUTIES = "read:duties", _("Read duty assignments and their progress")
    READ_ASSESSMENT = "read:assessment", _("Read published assessment results")
    WRITE_SUPERVISION = "write:supervision", _("Open problem lists with their problems")
    WRITE_ORG = "write:org", _("Import the organisation (units, people, posts)")


class ApiClient(models.Model):
    """A system allowed to call the API, through its own account and one token."""

    code = models.SlugField(_("client code"), max_length=40, unique=True)
    name = models.CharField(_("client name"), max_length=64, unique=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client", editable=False
    )
    scopes = models.JSONField(_("scopes"), default=list)
    # Networks the client may call from (CIDR, one address is /32 or /128); empty: any address.
    allowed_networks = models.JSONField(_("allowed networks"), default=list, blank=True)
    expires_on = models.DateField(_("valid until"))
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_sha256 = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="apiclient_revoked_whole",
                condition=(
                    Q(revoked_at__isnull=True, revoked_by__isnull=True, revoke_reason="")
                    | (Q(revoked_at__isnull=False, revoked_by__isnull=False) & ~Q(revoke_reason=""))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        """Its token worked until the end of its last day (expires_on), in the site's time zone."""
        return self.expires_on < clock.today()


class ApiCall(AppendOnlyModel):
    """One request to the API: who (the client, or the token prefix offered when none matched), what,
    the answer's status and how long it took. Written after the answer; never changed."""

    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    token_prefix = models.CharField(_("token prefix offered"), max_length=16, blank=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["client", "-created_at"], name="apicall_client_time")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
