"""一岗双责 service tests: refusal messages in English, evidence in a folder of its own, and a snapshot
of everything the services write, for "nothing changed" checks."""

from responsibility.duties.models import (
    DutyAssignment,
    DutyEvent,
    DutyTask,
    PerformanceRecord,
    PostHandover,
    TaskOccurrence,
)
from responsibility.evidence.models import EvidenceFile
from responsibility.letters.models.letters import Letter

# The supervision service tests' setup serves here too: English messages, a fresh MEDIA_ROOT per test.
from tests.responsibility.inspections.services.conftest import (  # noqa: F401 (fixtures)
    _english_messages,
    evidence_stored,
    fresh,
    media_root,
)


def duty_state() -> dict:
    """Everything the 一岗双责 services write, row by row: equal before and after means nothing changed."""
    return {
        "assignments": list(
            DutyAssignment.objects.order_by("pk").values(
                "pk",
                "leader_id",
                "business_areas",
                "integrity_duties",
                "status",
                "confirmed_at",
                "version",
            )
        ),
        "oversees": sorted(
            DutyAssignment.oversees.through.objects.values_list("dutyassignment_id", "orgunit_id")
        ),
        "clauses": sorted(
            DutyAssignment.clauses.through.objects.values_list("dutyassignment_id", "letterclause_id")
        ),
        "tasks": list(DutyTask.objects.order_by("pk").values()),
        "occurrences": list(TaskOccurrence.objects.order_by("pk").values()),
        "records": list(PerformanceRecord.objects.order_by("pk").values()),
        "evidence": list(EvidenceFile.objects.order_by("pk").values_list("pk", "sha256")),
        "handovers": PostHandover.objects.count(),
        "letters": list(Letter.objects.order_by("pk").values_list("pk", "status", "signer_id")),
        "events": list(DutyEvent.objects.order_by("sequence").values_list("sequence", "hash")),
    }
