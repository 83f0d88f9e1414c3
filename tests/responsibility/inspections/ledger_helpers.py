"""A ledger with findings in every state, reached through the services (shared by the ledger tests)."""

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from responsibility.supervision.models import Finding, Inspection, Rectification, SpotCheckDraw
from responsibility.supervision.services.rectifications import (
    SubmissionInput,
    finding_record,
    rectification_close,
    rectification_send_back,
    rectification_submit,
    rectification_verify,
)
from tests.responsibility.inspections.conftest import Supervision, finding_input, inspector_of

# What each state needs after the finding is recorded.
STATES = ("open", "submitted", "verified", "closed", "sent_back")


@dataclass
class LedgerScenario:
    committee: Inspection  # 法制工作委员会: signed a letter
    other: Inspection  # 教育科学文化卫生委员会: no letter, so findings name a category only
    findings: dict[str, Finding]  # name → finding


def record(inspection: Inspection, *, title: str, days: int = 30, **overrides) -> Finding:
    """A finding in `inspection`, due in `days` days, with evidence not required (so it can be submitted)."""
    data = finding_input(
        inspection,
        title=title,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        evidence_required=False,
        **overrides,
    )
    return finding_record(inspection=inspection, data=data, recorded_by=inspector_of(inspection))


def move(finding: Finding, state: str, *, supervision: Supervision) -> Finding:
    """Take an open finding's rectification to `state` through the services, as its people would."""
    verifier = supervision.inspectors[0]
    rectification = Rectification.objects.get(finding=finding)
    if state == "open":
        return finding
    rectification = rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures="已召开专题会议。"),
        submitted_by=rectification.owner,
        expected_version=rectification.version,
    )
    if state == "sent_back":
        rectification_send_back(
            rectification=rectification, sent_back_by=verifier, reason="会议纪要缺失。", expected_version=None
        )
        return finding
    if state == "submitted":
        return finding
    rectification = rectification_verify(
        rectification=rectification, verified_by=verifier, expected_version=None
    )
    if state == "closed":
        rectification_close(rectification=rectification, closed_by=verifier, expected_version=None)
    return finding


def make_overdue(finding: Finding, *, days_late: int = 2) -> None:
    """Past its deadline: the deadline is moved back directly, with the version step every change of a
    rectification takes (on PostgreSQL the database refuses a change without it)."""
    Rectification.objects.filter(finding=finding).update(
        deadline=timezone.localdate() - datetime.timedelta(days=days_late), version=F("version") + 1
    )


def ledger_scenario(supervision: Supervision, drawn: SpotCheckDraw) -> LedgerScenario:
    """Seven findings in two units:

    法制工作委员会: green (open, due in 30 days), yellow (open, due in 3), red (open, 2 days late),
                    submitted, verified.
    教育科学文化卫生委员会: closed, and submitted but 5 days late (red).
    """
    committee = Inspection.objects.get(draw=drawn, unit=supervision.org.head_posts[0].unit)
    other = Inspection.objects.get(draw=drawn, unit__name="教育科学文化卫生委员会")
    findings = {
        "green": record(committee, title="党组会议未专题研究党风廉政建设"),
        "yellow": record(committee, title="谈心谈话记录不全", days=3),
        "red": record(committee, title="廉政风险点排查未更新"),
        "submitted": move(
            record(committee, title="公务接待超标准", severity="serious"),
            "submitted",
            supervision=supervision,
        ),
        "verified": move(
            record(committee, title="公车使用登记不全", severity="minor"), "verified", supervision=supervision
        ),
        "closed": move(
            record(other, title="制度汇编未更新", category="rules"), "closed", supervision=supervision
        ),
        "late_submitted": move(
            record(other, title="述责述廉报告未提交", category="rules"), "submitted", supervision=supervision
        ),
    }
    make_overdue(findings["red"])
    make_overdue(findings["late_submitted"], days_late=5)
    return LedgerScenario(committee=committee, other=other, findings=findings)
