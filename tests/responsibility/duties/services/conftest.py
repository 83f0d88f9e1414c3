"""一岗双责 service tests: refusal messages in English, evidence in a folder of its own, and a snapshot
of everything the services write, for "nothing changed" checks."""

import shutil
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from responsibility.models import (
    DutyAssignment,
    DutyTask,
    EvidenceFile,
    Letter,
    PerformanceRecord,
    PostHandover,
    TaskOccurrence,
)


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings) -> Path:
    """MEDIA_ROOT in a fresh folder under the test VAR_DIR, removed afterwards."""
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="media-", dir=settings.VAR_DIR))
    settings.MEDIA_ROOT = root
    yield root
    shutil.rmtree(root, ignore_errors=True)


def evidence_stored(root: Path) -> list[Path]:
    """Every file in the evidence folder of the storage."""
    folder = root / "evidence"
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def fresh(user):
    """The user as a new request would load them (Django caches permissions per user instance)."""
    return get_user_model().objects.get(pk=user.pk)


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
    }
