"""Letters and what they are made from: templates, campaigns, clauses, signatures and the audit chain."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core import clock
from core.appendonly import AppendOnlyModel
from core.audit import CHAIN_FORMAT_CURRENT
from core.errors import FrozenRecordError


class ClauseCategory(models.TextChoices):
    POLITICAL = "political", _("Political building")  # 政治建设
    PRINCIPAL = "principal", _("Principal responsibility")  # 主体责任
    SUPERVISION = "supervision", _("Supervisory responsibility")  # 监督责任
    DUAL_DUTY = "dual_duty", _("One post, two responsibilities")  # 一岗双责
    WORK_STYLE = "work_style", _("Work style")  # 作风建设
    RULES = "rules", _("Rules and systems")  # 制度建设
    SELF_DISCIPLINE = "self_discipline", _("Integrity and self-discipline")  # 廉洁自律


class TemplateLevel(models.TextChoices):
    ORGAN = "organ", _("Organ level (Party Group with unit heads)")  # 机关级
    UNIT = "unit", _("Unit level (unit head with staff)")  # 委办室级


class LetterTemplate(models.Model):
    """A versioned letter text (责任书范本): preamble, numbered clauses, closing, signature labels."""

    code = models.SlugField(_("code"), max_length=48)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=8, choices=TemplateLevel.choices)
    # A unit-level template may belong to one unit; without an owner every unit may use it.
    owner_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letter_templates",
    )
    title = models.CharField(_("letter title"), max_length=100)
    preamble = models.TextField(_("preamble"), max_length=4000)
    closing = models.TextField(_("closing"), max_length=2000, blank=True)
    issuer_label = models.CharField(_("issuer label"), max_length=40, default="甲方")
    signer_label = models.CharField(_("signer label"), max_length=40, default="乙方")
    # Published templates are frozen; a change is a new version.
    is_published = models.BooleanField(_("published"), default=False, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="lettertemplate_code_version_unique"),
            models.CheckConstraint(
                name="lettertemplate_level_valid", condition=Q(level__in=TemplateLevel.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version_label}）"

    @property
    def version_label(self) -> str:
        """第2版: how the template's version reads (its code, shared by the versions, is for the system)."""
        return _("Version %(version)d") % {"version": self.version}


class TemplateClause(models.Model):
    """One numbered duty in a template; copied into each letter when it is issued."""

    template = models.ForeignKey(LetterTemplate, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=16, choices=ClauseCategory.choices)
    text = models.TextField(_("text"), max_length=2000)

    class Meta:
        verbose_name = _("template clause")
        verbose_name_plural = _("template clauses")
        ordering = ["template", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="templateclause_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:20]}"


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open")  # letters are being issued and signed
    CLOSED = "closed", _("Closed")  # the round is over; nothing new is issued


class Campaign(models.Model):
    """One year's round of letters (年度责任书签订工作), with its organ-level template and deadline."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    template = models.ForeignKey(
        LetterTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="campaigns"
    )
    deadline = models.DateField(_("signing deadline"))
    # Letter numbers read 〈prefix〉〔2026〕12号, following GB/T 9704 document numbers.
    reference_prefix = models.CharField(_("letter number prefix"), max_length=16)
    status = models.CharField(
        _("status"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN, editable=False
    )
    # The last letter number handed out; incremented under a row lock.
    last_number = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["year", "title"], name="campaign_year_title_unique"),
            models.CheckConstraint(
                name="campaign_status_valid", condition=Q(status__in=CampaignStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being prepared; the only state in which its text may change
    ISSUED = "issued", _("Awaiting signature")  # sent to the signer (乙方); text frozen
    SIGNED = "signed", _("Signed")  # the signer signed; awaiting the issuer's countersignature
    COUNTERSIGNED = "countersigned", _("Countersigned")  # both parties signed: the letter is in force
    ARCHIVED = "archived", _("Archived")  # filed by the office; kept for the record
    RETURNED = "returned", _("Returned")  # sent back by the signer with a reason; a new version follows
    VOIDED = "voided", _("Voided")  # withdrawn by the issuer with a reason; never deleted


# States in which a letter still counts for its signer in the campaign.
LIVE_STATUSES = (
    LetterStatus.DRAFT,
    LetterStatus.ISSUED,
    LetterStatus.SIGNED,
    LetterStatus.COUNTERSIGNED,
    LetterStatus.ARCHIVED,
)


# States in which the signer has signed.
SIGNED_STATUSES = (LetterStatus.SIGNED, LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED)


class LetterQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def awaiting_signature(self):
        return self.filter(status=LetterStatus.ISSUED)

    def awaiting_countersignature(self):
        return self.filter(status=LetterStatus.SIGNED)

    def signed(self):
        return self.filter(status__in=SIGNED_STATUSES)

    def overdue(self, today):
        return self.filter(status=LetterStatus.ISSUED, campaign__deadline__lt=today)

    def update(self, **kwargs):
        # Back to draft would unfreeze the text, so it counts as a content change.
        unfreezes = kwargs.get("status") == LetterStatus.DRAFT
        if (set(kwargs) & set(Letter.CONTENT_FIELDS) or unfreezes) and self.exclude(
            status=LetterStatus.DRAFT
        ).exists():
            raise FrozenRecordError(
                _("An issued letter's text cannot be changed; revise it as a new version.")
            )
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=LetterStatus.DRAFT).exists():
            raise FrozenRecordError(_("An issued letter is never deleted; void it with a reason instead."))
        return super().delete()


class Letter(models.Model):
    """One responsibility letter (责任书) between an issuer (甲方) and a signer (乙方)."""

    # Fixed once the letter leaves draft; the database refuses changes to them (see ADR 0002).
    CONTENT_FIELDS = (
        "campaign",
        "number",
        "version",
        "reference",
        "parent",
        "root",
        "previous_version",
        "template",
        "title",
        "preamble",
        "closing",
        "issuer_label",
        "signer_label",
        "issuer",
        "issuer_post",
        "signer",
        "signer_post",
        "signer_unit",
        "content_hash",
    )

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="letters"
    )
    number = models.PositiveIntegerField(_("number"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    reference = models.CharField(_("letter number"), max_length=48, unique=True)
    # 层层签订: a letter a unit head issues to their staff hangs below the head's own letter.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent letter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    root = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="descendants", editable=False
    )
    previous_version = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
    )
    template = models.ForeignKey(
        LetterTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
    )
    title = models.CharField(_("title"), max_length=100)
    preamble = models.TextField(_("preamble"), max_length=4000)
    closing = models.TextField(_("closing"), max_length=2000, blank=True)
    issuer_label = models.CharField(_("issuer label"), max_length=40)
    signer_label = models.CharField(_("signer label"), max_length=40)
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="letters_issued",
    )
    issuer_post = models.ForeignKey(
        "accounts.Post",
        verbose_name=_("issuer post"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters_issued",
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        on_delete=models.PROTECT,
        related_name="letters_to_sign",
    )
    signer_post = models.ForeignKey(
        "accounts.Post",
        verbose_name=_("signer post"),
        on_delete=models.PROTECT,
        related_name="letters_signed",
    )
    signer_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("signer unit"), on_delete=models.PROTECT, related_name="letters"
    )
    # SHA-256 of the canonical content (services.letter_content), fixed at issue.
    content_hash = models.CharField(_("content SHA-256"), max_length=64, blank=True)

    # Changed only by responsibility.services (see workflow.TRANSITIONS).
    status = models.CharField(
        _("status"), max_length=16, choices=LetterStatus.choices, default=LetterStatus.DRAFT, editable=False
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True, editable=False)
    countersigned_at = models.DateTimeField(_("countersigned at"), null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True, editable=False)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    return_reason = models.TextField(_("reason for return"), max_length=500, blank=True, editable=False)
    void_reason = models.TextField(_("reason for voiding"), max_length=500, blank=True, editable=False)

    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now, editable=False)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["campaign", "number", "version"]
        default_permissions = ("add", "change", "view")
        permissions = [
            ("issue_letter", "Can issue letter"),
            ("sign_letter", "Can sign letter"),
            ("countersign_letter", "Can countersign letter"),
            ("void_letter", "Can void letter"),
            ("archive_letter", "Can archive letter"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number", "version"], name="letter_number_version_unique"
            ),
            # One letter in force per signer and post in a campaign; returned and voided ones are history.
            models.UniqueConstraint(
                fields=["campaign", "signer_post", "signer"],
                condition=Q(status__in=LIVE_STATUSES),
                name="letter_one_live_per_signer_post",
            ),
            models.CheckConstraint(name="letter_status_valid", condition=Q(status__in=LetterStatus.values)),
            models.CheckConstraint(
                name="letter_issued_has_issued_at_and_hash",
                condition=Q(status=LetterStatus.DRAFT) | (Q(issued_at__isnull=False) & ~Q(content_hash="")),
            ),
            models.CheckConstraint(
                name="letter_signed_has_signed_at",
                condition=~Q(status__in=SIGNED_STATUSES) | Q(signed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="letter_not_issued_to_issuer",
                condition=~Q(signer=models.F("issuer")),
            ),
        ]
        indexes = [
            models.Index(fields=["signer", "status"], name="letter_signer_status_idx"),
            models.Index(fields=["issuer", "status"], name="letter_issuer_status_idx"),
            models.Index(fields=["campaign", "status"], name="letter_campaign_status_idx"),
            models.Index(fields=["campaign", "signer_unit"], name="letter_campaign_unit_idx"),
            # The letter lists and the archive are read newest first (views.keyset), filtered or not by a
            # status or a campaign; the campaign tree's top level is the letters without a parent.
            models.Index(fields=["status", "id"], name="letter_status_id_idx"),
            models.Index(fields=["campaign", "id"], name="letter_campaign_id_idx"),
            models.Index(fields=["campaign", "parent"], name="letter_campaign_parent_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        frozen = set(self.CONTENT_FIELDS)
        if self.status == LetterStatus.DRAFT:
            frozen.add("status")  # back to draft would unfreeze the text
        touches_content = update_fields is None or bool(set(update_fields) & frozen)
        if not self._state.adding and touches_content:
            stored = Letter.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored not in (None, LetterStatus.DRAFT):
                raise FrozenRecordError(
                    _("An issued letter's text cannot be changed; revise it as a new version.")
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Letter.objects.filter(pk=self.pk).exclude(status=LetterStatus.DRAFT).exists():
            raise FrozenRecordError(_("An issued letter is never deleted; void it with a reason instead."))
        return super().delete(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status == LetterStatus.DRAFT

    @property
    def is_superseded(self) -> bool:
        """Whether a returned letter has already been revised (its next version exists)."""
        try:
            return self.next_version is not None
        except Letter.next_version.RelatedObjectDoesNotExist:
            return False

    @property
    def is_returned(self) -> bool:
        return self.status == LetterStatus.RETURNED

    @property
    def is_voided(self) -> bool:
        return self.status == LetterStatus.VOIDED

    def is_overdue(self, today=None) -> bool:
        today = today or clock.today()
        return self.status == LetterStatus.ISSUED and self.campaign.deadline < today


class LetterClauseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.exclude(letter__status=LetterStatus.DRAFT).exists():
            raise FrozenRecordError(_("The clauses of an issued letter cannot be changed."))
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(letter__status=LetterStatus.DRAFT).exists():
            raise FrozenRecordError(_("The clauses of an issued letter cannot be changed."))
        return super().delete()


class LetterClause(models.Model):
    """One numbered duty (责任条款) in a letter; the unit of follow-up in inspections and duties."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="clauses")
    number = models.PositiveSmallIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=16, choices=ClauseCategory.choices)
    text = models.TextField(_("text"), max_length=2000)

    objects = LetterClauseQuerySet.as_manager()

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["letter", "number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="letterclause_number_unique"),
            models.CheckConstraint(
                name="letterclause_category_valid", condition=Q(category__in=ClauseCategory.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:20]}"

    def save(self, *args, **kwargs):
        if Letter.objects.filter(pk=self.letter_id).exclude(status=LetterStatus.DRAFT).exists():
            raise FrozenRecordError(_("The clauses of an issued letter cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Letter.objects.filter(pk=self.letter_id).exclude(status=LetterStatus.DRAFT).exists():
            raise FrozenRecordError(_("The clauses of an issued letter cannot be changed."))
        return super().delete(*args, **kwargs)


class SignatureRole(models.TextChoices):
    SIGNER = "signer", _("Signer")  # 乙方
    ISSUER = "issuer", _("Issuer (countersignature)")  # 甲方


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", _("Drawn by hand")  # on a canvas, with mouse, pen or finger
    TYPED = "typed", _("Typed name")  # the signer typed their registered name


class Signature(AppendOnlyModel):
    """Who signed a letter, when, how they proved it was them, and the content hash they saw."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(_("role"), max_length=8, choices=SignatureRole.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures"
    )
    signed_at = models.DateTimeField(_("signed at"))
    method = models.CharField(_("method"), max_length=8, choices=SignatureMethod.choices)
    typed_name = models.CharField(_("typed name"), max_length=64, blank=True)
    image_png = models.BinaryField(_("drawn signature (PNG)"), null=True, blank=True)
    # When the signer last re-entered their password before signing.
    reauthenticated_at = models.DateTimeField(_("identity confirmed at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    consent_text = models.CharField(_("consent text"), max_length=200)
    content_hash = models.CharField(_("content SHA-256 shown"), max_length=64)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["letter", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "role"], name="signature_one_per_role"),
            models.CheckConstraint(
                name="signature_method_valid", condition=Q(method__in=SignatureMethod.values)
            ),
            models.CheckConstraint(
                name="signature_has_mark",
                condition=(Q(method=SignatureMethod.DRAWN) & Q(image_png__isnull=False))
                | (Q(method=SignatureMethod.TYPED) & ~Q(typed_name="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter} · {self.get_role_display()} · {self.signed_by}"


class LetterEventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    SIGNED = "signed", _("Signed")
    COUNTERSIGNED = "countersigned", _("Countersigned")
    RETURNED = "returned", _("Returned")
    REVISED = "revised", _("Revised and re-issued")
    VOIDED = "voided", _("Voided")
    ARCHIVED = "archived", _("Archived")


class LetterEvent(AppendOnlyModel):
    """Append-only, hash-chained audit event (签署记录): one row per change to a letter."""

    # Position in the one chain over all letters; 1, 2, 3 … without gaps.
    sequence = models.PositiveBigIntegerField(unique=True)
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("action"), max_length=16, choices=LetterEventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=LetterStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=LetterStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A person's own words (a reason); what the system knows about the event goes in the payload.
    note = models.TextField(_("note"), blank=True)
    # The event's facts, by kind (letters.audit says which and reads them out as a sentence).
    payload = models.JSONField(_("details"), default=dict, editable=False)
    # How the event hashes (core.audit): 1 for the events written before payloads, 2 since.
    chain_format = models.PositiveSmallIntegerField(
        _("chain format"), default=CHAIN_FORMAT_CURRENT, editable=False
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The letter's content hash when the event happened (what was issued, signed, countersigned).
    content_hash = models.CharField(_("content SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("letter event")
        verbose_name_plural = _("letter events")
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.letter_id} {self.kind}"


class LetterAuditHead(models.Model):
    """The end of the audit chain. Locked while an event is appended so the chain never forks."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"


# Direct-FK object permission tables (django-guardian's recommended setup for speed).
class LetterUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Letter, on_delete=models.CASCADE)


class LetterGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Letter, on_delete=models.CASCADE)
