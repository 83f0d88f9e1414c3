"""The sealed PDF of a letter, and the office's batch exports of the archive."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.verification import verification_code_new
from responsibility.letters.models.letters import Campaign, Letter

# The code generator lives in core.verification (every kind of sealed document shares it). Its name stays
# importable from this module: migration 0003 refers to documents.verification_code_new by path.


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")  # waiting for (or in) the render task
    READY = "ready", _("Ready")  # rendered, sealed and stored; served as stored
    FAILED = "failed", _("Failed")  # the last attempt failed; shown to the office, retried on request


class LetterDocument(models.Model):
    """The sealed PDF of a countersigned letter: rendered once, stored with its SHA-256, never re-rendered."""

    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, related_name="document")
    verification_code = models.CharField(
        _("verification code"), max_length=19, unique=True, default=verification_code_new, editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=DocumentStatus.choices,
        default=DocumentStatus.PENDING,
        editable=False,
    )
    file = models.FileField(_("PDF file"), upload_to="letters/%Y/", blank=True, editable=False)
    sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True, db_index=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    requested_at = models.DateTimeField(_("requested at"), default=clock.now, editable=False)
    # When its render task was last queued: a pending PDF whose task has not run for a while is queued
    # again (core.requeue, letters.requeue).
    queued_at = models.DateTimeField(_("queued at"), default=clock.now, editable=False)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("letter PDF")
        verbose_name_plural = _("letter PDFs")
        constraints = [
            models.CheckConstraint(
                name="letterdocument_status_valid", condition=Q(status__in=DocumentStatus.values)
            ),
            models.CheckConstraint(
                name="letterdocument_ready_has_file",
                condition=~Q(status=DocumentStatus.READY) | (~Q(file="") & ~Q(sha256="")),
            ),
        ]
        indexes = [
            # The archive's "PDFs not ready": a few rows among every letter in force's.
            models.Index(
                fields=["status", "requested_at"],
                name="letterdocument_unfinished_idx",
                condition=~Q(status=DocumentStatus.READY),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter} · {self.verification_code}"

    @property
    def has_failed(self) -> bool:
        return self.status == DocumentStatus.FAILED


class ExportFormat(models.TextChoices):
    MERGED_PDF = "pdf", _("One PDF with cover and contents")
    ZIP = "zip", _("ZIP of the sealed PDFs")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")  # queued for the export task
    RUNNING = "running", _("Running")  # the task is assembling the file; see progress
    READY = "ready", _("Ready")  # the file can be downloaded
    FAILED = "failed", _("Failed")  # see error


class ArchiveExport(models.Model):
    """A batch print the office asked for: a campaign's sealed PDFs in one file."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="exports")
    unit_ids = models.JSONField(_("units"), default=list, blank=True)  # empty: every unit
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    # Merged PDF only: every letter starts on an odd page (blank pages put in), for double-sided printing.
    duplex = models.BooleanField(_("double-sided printing"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING, editable=False
    )
    progress_done = models.PositiveIntegerField(default=0, editable=False)
    progress_total = models.PositiveIntegerField(default=0, editable=False)
    file = models.FileField(upload_to="exports/%Y/", blank=True, editable=False)
    error = models.TextField(blank=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now, editable=False)
    # When its build task was last queued, and when the build last reported progress: a batch print
    # waiting, or running but silent, for a while is queued again (core.requeue, letters.requeue).
    queued_at = models.DateTimeField(default=clock.now, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("archive export")
        verbose_name_plural = _("archive exports")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                name="archiveexport_status_valid", condition=Q(status__in=ExportStatus.values)
            ),
            models.CheckConstraint(
                name="archiveexport_format_valid", condition=Q(format__in=ExportFormat.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_format_display()} · {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0
