"""Every change to a spot check before its findings: check results and signing off the inspection."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import StaleEdit, stale_check
from responsibility.evidence.rules import evidence_check_all
from responsibility.evidence.services import evidence_store
from responsibility.supervision.audit import evidence_added_events, inspection_event, inspection_events_append
from responsibility.supervision.models import (
    CheckOutcome,
    Checkpoint,
    CheckResult,
    Inspection,
    InspectionEventKind,
    InspectionStatus,
)
from responsibility.supervision.permissions import (
    InspectionAction,
    inspection_check_permission,
)
from responsibility.supervision.services.plans import plan_ensure_open

# --- Check results ---------------------------------------------------------------------------------


@dataclass
class ResultInput:
    outcome: str
    notes: str
    files: list = field(default_factory=list)  # uploaded files, checked here


def _inspection_ensure_recordable(inspection: Inspection) -> None:
    plan_ensure_open(inspection.plan)
    if inspection.status == InspectionStatus.CANCELLED:
        raise ApplicationError(
            _("This inspection was cancelled when the plan was drawn again."), code="cancelled"
        )
    if inspection.status == InspectionStatus.COMPLETED:
        raise ApplicationError(
            _("This inspection is completed; its results can no longer change."), code="completed"
        )


@transaction.atomic
def check_result_record(
    *,
    inspection: Inspection,
    checkpoint: Checkpoint,
    data: ResultInput,
    recorded_by,
    expected_version: int | None = None,
) -> CheckResult:
    """An assigned inspector records (or corrects) the result of one checkpoint, with evidence."""
    inspection_check_permission(user=recorded_by, action=InspectionAction.RECORD, inspection=inspection)
    locked = row_lock(Inspection.objects.select_related("plan"), pk=inspection.pk)
    _inspection_ensure_recordable(locked)
    if checkpoint.plan_id != locked.plan_id:
        raise ApplicationError(_("This checkpoint is not part of the inspection's plan."), code="checkpoint")
    if data.outcome not in CheckOutcome.values:
        raise ApplicationError(_("Choose a result."), code="outcome")
    files = evidence_check_all(data.files)
    result = CheckResult.objects.select_for_update().filter(inspection=locked, checkpoint=checkpoint).first()
    if result is None and expected_version:
        raise StaleEdit(
            _("This result was removed after you opened the page. Nothing was saved: reload the page."),
            code="stale",
        )
    if result is not None:
        stale_check(record=result, expected_version=expected_version, what=_("result"))
    has_evidence = bool(files) or (result is not None and result.evidence.exists())
    if checkpoint.evidence_required and data.outcome != CheckOutcome.NOT_APPLICABLE and not has_evidence:
        raise ApplicationError(
            _("Checkpoint %(number)d needs evidence: attach at least one file.")
            % {"number": checkpoint.number},
            code="evidence_required",
        )
    now = clock.now()
    if result is None:
        result = CheckResult.objects.create(
            inspection=locked,
            checkpoint=checkpoint,
            outcome=data.outcome,
            notes=data.notes,
            recorded_by=recorded_by,
            recorded_at=now,
        )
    else:
        result.outcome, result.notes = data.outcome, data.notes
        result.recorded_by, result.recorded_at = recorded_by, now
        result.version += 1
        result.save(update_fields=["outcome", "notes", "recorded_by", "recorded_at", "version"])
    stored = evidence_store(files=files, uploaded_by=recorded_by, check_result=result)
    if locked.status == InspectionStatus.PENDING:
        locked.status = InspectionStatus.IN_PROGRESS
        locked.save(update_fields=["status"])
    inspection_events_append(
        events=[
            inspection_event(
                plan=locked.plan,
                subject=f"inspection:{locked.pk}",
                kind=InspectionEventKind.RESULT_RECORDED,
                actor=recorded_by,
                payload={"checkpoint": checkpoint.number, "outcome": data.outcome, "version": result.version},
            ),
            *evidence_added_events(
                plan=locked.plan, subject=f"inspection:{locked.pk}", files=stored, actor=recorded_by
            ),
        ]
    )
    return result


def inspection_complete_refusal(*, inspection: Inspection) -> str:
    """Why the check cannot be signed off yet, or "" once it can: every checkpoint needs a result. The
    checklist page shows this instead of the form."""
    missing = inspection.plan.checkpoints.exclude(results__inspection=inspection).order_by("number")
    numbers = list(missing.values_list("number", flat=True))
    if numbers:
        return _("Record a result for every checkpoint first; missing: %(numbers)s.") % {
            "numbers": "、".join(str(number) for number in numbers)
        }
    return ""


@transaction.atomic
def inspection_complete(*, inspection: Inspection, completed_by, summary: str) -> Inspection:
    """The inspectors sign the check off once every checkpoint has a result."""
    inspection_check_permission(user=completed_by, action=InspectionAction.RECORD, inspection=inspection)
    locked = row_lock(Inspection.objects.select_related("plan"), pk=inspection.pk)
    _inspection_ensure_recordable(locked)
    refusal = inspection_complete_refusal(inspection=locked)
    if refusal:
        raise ApplicationError(refusal, code="incomplete")
    previous = locked.status
    locked.status = InspectionStatus.COMPLETED
    locked.summary = summary
    locked.completed_at = clock.now()
    locked.save(update_fields=["status", "summary", "completed_at"])
    inspection_events_append(
        events=[
            inspection_event(
                plan=locked.plan,
                subject=f"inspection:{locked.pk}",
                kind=InspectionEventKind.INSPECTION_COMPLETED,
                actor=completed_by,
                from_status=previous,
                to_status=locked.status,
                note=summary[:500],
            )
        ]
    )
    return locked
