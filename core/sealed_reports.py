"""Sealed reports issued one version after another (the year-end duty report, a problem list's 整改情况报告).

A report is rendered from the records as they stand, sealed and stored with its SHA-256, the SHA-256 of
what it says (its fingerprint) and the verification code printed on it; it is never changed or deleted.
Issuing it again adds the next version, which supersedes the earlier ones, unless it says exactly what
the latest version says.

The protocol (`report_version_issue`), so that rendering and sealing (about a second) hold no row lock
and no transaction:

1. read: the fingerprint of what the report says today, and the latest version. If that version says
   the same, it is the answer: nothing is issued (a second click after the first finished, or nothing
   changed since).
2. make, outside any transaction: the caller anchors the audit chains, renders the next version with a
   new verification code and seals it.
3. store, in one short transaction: lock the report's owner (versions are numbered under that lock),
   and store the file, the row and the caller's chained event, unless a version was stored since step 1.
   That one (a double click's twin) is the answer when it says the same, and our PDF is dropped; when it
   says something else, our PDF carries a version number that is taken, and the issue is refused with
   nothing stored.

The one window: two issues that overlap both render and seal; one PDF is stored, the other dropped
before anything is written.
"""

import datetime
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.appendonly import AppendOnlyModel
from core.errors import ApplicationError
from core.http import as_attachment
from core.verification import ChainPlace, SealedRecord, Standing, verification_code_new

logger = logging.getLogger(__name__)


class SealedReportDocument(AppendOnlyModel):
    """One sealed version of a report. Subclasses add the owner (a foreign key), `file` with its folder,
    and the constraints that number versions per owner."""

    version = models.PositiveIntegerField(gettext_lazy("version"))
    verification_code = models.CharField(
        gettext_lazy("verification code"),
        max_length=19,
        unique=True,
        default=verification_code_new,
        editable=False,
    )
    sha256 = models.CharField(gettext_lazy("PDF SHA-256"), max_length=64, unique=True, editable=False)
    size = models.PositiveIntegerField(gettext_lazy("size in bytes"), editable=False)
    # What the report says (its fingerprint): a version is issued only when it changed.
    content_sha256 = models.CharField(gettext_lazy("content SHA-256"), max_length=64, editable=False)
    # Where every audit chain stood when it was sealed (printed in the report, shown on verification).
    anchor = models.ForeignKey(
        "accounts.ChainAnchor",
        verbose_name=gettext_lazy("chain anchor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    issued_at = models.DateTimeField(gettext_lazy("report issued at"), default=clock.now, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("report issued by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


def sealed_report_constraints(prefix: str, owner: str) -> list:
    """One row per owner and version, numbered from 1, never without its file."""
    return [
        models.UniqueConstraint(fields=[owner, "version"], name=f"{prefix}_one_per_version"),
        models.CheckConstraint(name=f"{prefix}_version_positive", condition=Q(version__gte=1)),
        models.CheckConstraint(name=f"{prefix}_has_file", condition=~Q(file="") & ~Q(sha256="")),
    ]


@dataclass(frozen=True)
class MadeReport:
    """Step 2's product: the sealed PDF, the chain anchor printed in it and the issue time."""

    pdf: bytes
    anchor: Any  # accounts' ChainAnchor, or None
    issued_at: datetime.datetime


@dataclass(frozen=True)
class ReportIssueResult:
    document: SealedReportDocument  # the version in force after the call
    issued: bool  # False: the report read as that version already, so no new version was issued


def report_issue_facts(document: SealedReportDocument, superseded: SealedReportDocument | None) -> dict:
    """What every issue event records of the version it issued (its `record_event` payload): the version,
    the verification code printed on it, the version it supersedes (or None) and the number of the chain
    anchor printed in it (or None)."""
    return {
        "version": document.version,
        "code": document.verification_code,
        "supersedes": superseded.version if superseded is not None else None,
        "anchor": document.anchor.number if document.anchor is not None else None,
    }


def report_version_issue(
    *,
    versions: models.QuerySet,
    owner: dict,
    lock_owner: Callable[[], object],
    fingerprint: str,
    issued_by,
    make: Callable[..., MadeReport],
    file_name: Callable[[int, str], str],
    record_event: Callable[[SealedReportDocument, SealedReportDocument | None], object],
) -> ReportIssueResult:
    """Issue the next version of a report (the protocol above). `versions`: the owner's documents;
    `owner`: the owner's field of a new row ({"batch_id": 5}); `make(version=, code=)`: anchor, render
    and seal; `record_event(document, superseded)`: the chained event of the issue, in the same
    transaction."""
    latest = _latest(versions)
    if latest is not None and latest.content_sha256 == fingerprint:
        return ReportIssueResult(document=latest, issued=False)
    version = latest.version + 1 if latest is not None else 1
    code = verification_code_new()
    made = make(version=version, code=code)
    with transaction.atomic():
        lock_owner()
        stored = _latest(versions)
        if (stored.pk if stored else None) != (latest.pk if latest else None):
            if stored.content_sha256 == fingerprint:  # a double click's twin stored it first
                return ReportIssueResult(document=stored, issued=False)
            raise ApplicationError(
                _(
                    "Version %(version)d of this report was issued by someone else a moment ago. Nothing "
                    "was stored: look at it, and issue the report again if it is still needed."
                )
                % {"version": stored.version},
                code="report_version_taken",
            )
        document = versions.model(
            **owner,
            version=version,
            verification_code=code,
            sha256=hashlib.sha256(made.pdf).hexdigest(),
            size=len(made.pdf),
            content_sha256=fingerprint,
            anchor=made.anchor,
            issued_at=made.issued_at,
            issued_by=issued_by,
        )
        document.file.save(file_name(version, code), ContentFile(made.pdf), save=False)
        document.save()
        record_event(document, latest)
    return ReportIssueResult(document=document, issued=True)


def _latest(versions: models.QuerySet):
    return versions.order_by("-version").first()


class SealedReportKind:
    """A report's documents as a kind of sealed document the public verification knows
    (core.verification): found by SHA-256 or code, its stored file handed over, and where each version
    stands: the latest of an owner's versions is in force, every earlier one superseded by it (named by
    its code and 「第N版」, dated by the issue of the version after it). A row is never deleted, so a kind
    never answers "record missing".

    A subclass names `name`, `kind_label`, `model`, `owner_field` ("assignment"), `related` (what a
    record reads), and says the report's title, the rows about its owner and its issuing event."""

    name: str
    kind_label: object  # a lazy translation: 「年度履职报告」
    model: type[SealedReportDocument]
    owner_field: str
    related: tuple[str, ...] = ()

    def title(self, document) -> str:
        raise NotImplementedError

    def owner_rows(self, document) -> tuple[tuple[str, str], ...]:
        """(label, value) lines about what the report is of, in the user's language."""
        raise NotImplementedError

    def issue_event(self, document):
        """The audit event that recorded the issue (`sequence`, `hash`), or None; `event_label` reads it."""
        raise NotImplementedError

    def event_label(self, event) -> str:
        raise NotImplementedError

    chain_label: object  # a lazy translation: the chain `issue_event` is in

    def record_by_sha256(self, sha256: str):
        document = self._documents().filter(sha256=sha256).first()
        return self.sealed_record(document) if document is not None else None

    def record_by_code(self, code: str):
        document = self._documents().filter(verification_code=code).first()
        return self.sealed_record(document) if document is not None else None

    def archived_pdf(self, sha256: str) -> bytes | None:
        """The stored sealed file with this SHA-256 (to recognise a copy saved again by another program)."""
        document = self.model.objects.filter(sha256=sha256).first()
        if document is None:
            return None
        try:
            with document.file.open("rb") as stored:
                return stored.read()
        except OSError:
            return None

    def sealed_record(self, document) -> SealedRecord:
        """The issued report as the verification page shows it, in the user's language."""
        rows = (
            *self.owner_rows(document),
            (_("Version"), version_label(document.version)),
            (_("Report issued by"), document.issued_by.get_full_name()),
            (_("Report issued at"), timezone.localtime(document.issued_at).strftime("%Y-%m-%d %H:%M")),
            (_("Content SHA-256"), document.content_sha256),  # printed in the report's verification block
        )
        return SealedRecord(
            kind_label=str(self.kind_label),
            title=self.title(document),
            reference=document.reference,
            verification_code=document.verification_code,
            sha256=document.sha256,
            sealed_at=document.issued_at,
            rows=rows,
            chain=self._chain_place(document),
            **self._standing(document),
        )

    def _standing(self, document) -> dict:
        """SealedRecord's standing fields of `document`: in force, or superseded by the later versions."""
        later = list(
            self.model.objects.filter(
                **{f"{self.owner_field}_id": getattr(document, f"{self.owner_field}_id")},
                version__gt=document.version,
            )
            .select_related("issued_by")
            .order_by("version")
        )
        if not later:
            return {"standing": Standing.IN_FORCE}
        next_version, in_force = later[0], later[-1]
        return {
            "standing": Standing.SUPERSEDED,
            "standing_at": next_version.issued_at,
            "standing_by": next_version.issued_by.get_full_name(),
            "successor_code": in_force.verification_code,
            "successor_label": version_label(in_force.version),
        }

    def _chain_place(self, document) -> ChainPlace | None:
        event = self.issue_event(document)
        if event is None:
            return None
        anchor = document.anchor
        return ChainPlace(
            chain_label=str(self.chain_label),
            sequence=event.sequence,
            event_hash=event.hash,
            event_label=self.event_label(event),
            anchor_number=anchor.number if anchor is not None else None,
            anchor_digest=anchor.digest if anchor is not None else "",
        )

    def _documents(self):
        return self.model.objects.select_related(*self.related, "issued_by", "anchor")


def version_label(version: int) -> str:
    """第2版, in the user's language."""
    return _("Version %(version)d") % {"version": version}


def report_issue_tell(request, result: ReportIssueResult, *, issued: str) -> None:
    """The message of an issue on the page: `issued` (with %(version)d and %(code)s) for a new version,
    else which version the report reads as."""
    document = result.document
    if result.issued:
        messages.success(request, issued % {"version": document.version, "code": document.verification_code})
        return
    messages.info(
        request,
        _(
            "The report reads as version %(version)d, issued at %(time)s: no new version was issued. "
            "Download that one."
        )
        % {
            "version": document.version,
            "time": timezone.localtime(document.issued_at).strftime("%Y-%m-%d %H:%M"),
        },
    )


def report_file_response(request, document, *, download_name: str, fallback_name: str):
    """A sealed version's stored bytes as a download, as sealed (never rendered again); None when storage
    cannot give them back (logged, and said on the page the caller returns to)."""
    try:
        stored = document.file.open("rb")
    except OSError:
        logger.exception("The sealed report %s (version %d) is missing", document.reference, document.version)
        messages.error(
            request, _("The sealed file of this report cannot be read from storage. Please tell the office.")
        )
        return None
    response = FileResponse(stored, content_type="application/pdf")
    return as_attachment(response, download_name=download_name, fallback_name=fallback_name)
