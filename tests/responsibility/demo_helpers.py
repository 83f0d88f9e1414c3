"""What the seed_demo tests share: loading the demo, reading its users, counting what it made."""

import io

from django.core.management import call_command

from accounts.models import OrgUnit, Post, User
from responsibility.duties.models import (
    DutyAssignment,
    DutyTask,
    DutyTaskTemplate,
    PerformanceRecord,
    Recurrence,
    TaskOccurrence,
)
from responsibility.evidence.models import EvidenceFile
from responsibility.letters.models.letters import (
    Campaign,
    Letter,
    LetterEvent,
    LetterTemplate,
    Signature,
)
from responsibility.supervision.models import (
    Checkpoint,
    CheckResult,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    Rectification,
    SpotCheckDraw,
)


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def user(username: str) -> User:
    return User.objects.get(username=username)  # a fresh instance: permissions are cached per instance


def record_counts() -> dict[str, int]:
    models = (User, OrgUnit, Post, LetterTemplate, Campaign, Letter, LetterEvent, Signature)
    return {model.__name__: model.objects.count() for model in models}


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# --- Supervision: plan, draw, inspections, findings and rectifications ---------------------------


def supervision_counts() -> dict[str, int]:
    models = (
        InspectionPlan,
        Checkpoint,
        SpotCheckDraw,
        Inspection,
        CheckResult,
        Finding,
        Rectification,
        EvidenceFile,
        InspectionEvent,
    )
    return {model.__name__: model.objects.count() for model in models}


# --- 一岗双责: assignments, tasks and performance records ------------------------------------------

# The common tasks the demo ships (the same as tests/responsibility/duties/conftest.py).
COMMON_TASKS = {
    ("听取分管单位党风廉政建设工作汇报", Recurrence.QUARTERLY, None, None, None),
    ("与分管单位负责人开展廉政谈话", Recurrence.HALF_YEARLY, None, None, None),
    ("开展廉政风险点排查", Recurrence.YEARLY, None, None, None),
    ("专题研究党风廉政建设工作", Recurrence.TIMES_A_YEAR, 2, None, None),
    ("报送年度履责情况报告", Recurrence.ONCE, None, 12, 20),
}


def duty_counts() -> dict:
    models = (DutyTaskTemplate, DutyAssignment, DutyTask, TaskOccurrence, PerformanceRecord, EvidenceFile)
    return {
        **{model.__name__: model.objects.count() for model in models},
        "assignments": sorted(DutyAssignment.objects.values_list("pk", "status", "version")),
        "done": sorted(TaskOccurrence.objects.filter(done_at__isnull=False).values_list("pk", flat=True)),
        "reviews": sorted(PerformanceRecord.objects.values_list("pk", "review_status", "version")),
    }
