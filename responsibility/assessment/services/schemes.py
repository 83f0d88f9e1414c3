"""Every change to an assessment scheme: importing it (a draft, or a new version), publishing, discarding.

A published scheme is frozen: nothing here changes it, and on PostgreSQL the database refuses any change
to it, its areas or its items (migration 0031). A change to a published scheme is a new version,
imported from its spreadsheet as a draft and published in turn; rounds keep the version they used.
"""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
from responsibility.assessment.models import AssessmentScheme, SchemeArea, SchemeItem, SchemeStatus
from responsibility.assessment.permissions import scheme_check_manage_permission
from responsibility.assessment.scheme_workbook import SchemeRead, scheme_read


class SchemeRefused(ApplicationError):
    """A change to a scheme that its state does not allow; nothing was changed."""


def _new_code() -> str:
    """What the versions of a new scheme share: never shown, only compared."""
    return f"scheme-{secrets.token_hex(8)}"


def scheme_import(
    *, workbook_file, imported_by, version_of: AssessmentScheme | None = None
) -> AssessmentScheme:
    """A scheme from the office's spreadsheet, as a draft: a new scheme; the next version of a published
    one (`version_of`); or, when `version_of` is a draft, that draft replaced. All or nothing."""
    scheme_check_manage_permission(user=imported_by)
    read = scheme_read(workbook_file)
    try:
        with transaction.atomic():
            if version_of is None:
                scheme = AssessmentScheme(code=_new_code(), version=1)
            else:
                scheme = _draft_for(version_of)
            scheme.name, scheme.total_points, scheme.description = (
                read.name,
                read.total_points,
                read.description,
            )
            scheme.source_sha256, scheme.created_by, scheme.created_at = read.sha256, imported_by, clock.now()
            scheme.save()
            _contents_write(scheme, read)
    except IntegrityError:
        # Two imports of a new version at the same moment: the other made it first.
        raise SchemeRefused(
            _("Someone else imported a new version of this scheme at the same moment; reload the page."),
            code="version_taken",
        ) from None
    return scheme


def _locked(scheme: AssessmentScheme) -> AssessmentScheme:
    """The stored scheme, locked until the transaction ends."""
    try:
        return row_lock(AssessmentScheme, pk=scheme.pk)
    except AssessmentScheme.DoesNotExist:
        raise SchemeRefused(_("This draft was discarded in the meantime."), code="gone") from None


def _draft_for(version_of: AssessmentScheme) -> AssessmentScheme:
    """The draft to write: `version_of` itself when it is a draft (its contents removed), else a new
    version after the latest."""
    locked = _locked(version_of)
    if locked.status == SchemeStatus.DRAFT:
        SchemeItem.objects.filter(scheme=locked).delete()
        SchemeArea.objects.filter(scheme=locked).delete()
        return locked
    versions = AssessmentScheme.objects.filter(code=locked.code)
    draft = versions.filter(status=SchemeStatus.DRAFT).first()
    if draft is not None:
        raise SchemeRefused(
            _("Version %(version)d of this scheme is a draft already: replace or discard that draft.")
            % {"version": draft.version},
            code="draft_exists",
        )
    latest = versions.aggregate(latest=Max("version"))["latest"]
    return AssessmentScheme(code=locked.code, version=latest + 1)


def _contents_write(scheme: AssessmentScheme, read: SchemeRead) -> None:
    for area_read in read.areas:
        area = SchemeArea.objects.create(
            scheme=scheme,
            number=area_read.number,
            title=area_read.title,
            kind=area_read.kind,
            points=area_read.points,
        )
        SchemeItem.objects.bulk_create(
            SchemeItem(
                scheme=scheme,
                area=area,
                number=item.number,
                order=order,
                content=item.content,
                standard=item.standard,
                rule=item.rule,
                points=item.points,
                per_occurrence=item.per_occurrence,
                floor=item.floor,
                evidence_required=item.evidence_required,
                answered_by=item.answered_by,
                indicator=item.indicator,
            )
            for order, item in enumerate(area_read.items, start=1)
        )


def scheme_publish(*, scheme: AssessmentScheme, published_by) -> AssessmentScheme:
    """Publish a draft: from now on it is frozen, and rounds may be scored with it."""
    scheme_check_manage_permission(user=published_by)
    with transaction.atomic():
        locked = _locked(scheme)
        if locked.status != SchemeStatus.DRAFT:
            raise SchemeRefused(_("This version is published already."), code="published")
        locked.status, locked.published_by, locked.published_at = (
            SchemeStatus.PUBLISHED,
            published_by,
            clock.now(),
        )
        locked.save(update_fields=["status", "published_by", "published_at"])
    return locked


def scheme_draft_discard(*, scheme: AssessmentScheme, discarded_by) -> None:
    """Discard a draft with its areas and items; a published version is never removed."""
    scheme_check_manage_permission(user=discarded_by)
    with transaction.atomic():
        locked = _locked(scheme)
        if locked.status != SchemeStatus.DRAFT:
            raise SchemeRefused(_("A published scheme is never removed."), code="published")
        SchemeItem.objects.filter(scheme=locked).delete()
        SchemeArea.objects.filter(scheme=locked).delete()
        locked.delete()
