"""The supervision benchmark's problem lists of other sources (民主生活会, 巡视巡察, 审计, 上级督办, 自查):
lists of 50 problems, each with four measures (问题清单 → 任务清单), their rectifications in every state, the
hash-chained events `problem_record` writes (the problem, then each measure) and the last step of each,
and a 5,000-row spreadsheet of a new list for the import's measurement."""

import datetime
import io

from bench.supervision_findings import _rectification
from bench.supervision_organisation import World, spread

PROBLEMS_A_LIST = 50
MEASURES_A_PROBLEM = 4
LIST_PROBLEMS_SMALL, LIST_PROBLEMS_BIG = 10_000, 100_000  # with the plans' findings: 20,000 and 200,000
IMPORT_ROWS = 5_000  # the import's largest file (problem_import.MAX_IMPORT_ROWS)

SOURCES = ("democratic_life", "inspection_tour", "audit", "assigned", "self_check")
LIST_TITLES = {
    "democratic_life": "{year}年度党组民主生活会查摆问题（第{n}批）",
    "inspection_tour": "市委第{n}巡察组反馈意见（{year}年）",
    "audit": "{year}年度经济责任审计发现问题（第{n}批）",
    "assigned": "{year}年上级督办事项（第{n}批）",
    "self_check": "{year}年度自查自纠问题（第{n}批）",
}
PROBLEMS = [
    ("调查研究不够深入，解决实际问题不多", "work_style"),
    ("落实“第一议题”制度不够经常", "political"),
    ("预算联网监督系统运用不充分", "rules"),
    ("廉政风险点排查不够全面", "supervision"),
    ("批评和自我批评辣味不足", "principal"),
]
MEASURES = [
    "制定整改方案，明确责任人和完成时限。",
    "召开专题会议研究部署，形成会议纪要。",
    "修订完善相关制度，建立长效机制。",
    "开展“回头看”，报送整改佐证材料。",
]


def add_lists(world: World, total: int) -> None:
    """Problem lists of the five sources until they hold `total` problems, spread over every unit."""
    from responsibility.supervision.models import Finding

    while Finding.objects.filter(plan__isnull=True).count() < total:
        add_list(world, Finding.objects.filter(plan__isnull=True).count() // PROBLEMS_A_LIST)


def add_list(world: World, k: int) -> None:
    """The k-th list: 50 problems in 50 units (the k-th stretch of the organisation), four measures each."""
    from django.db import transaction

    from responsibility.supervision.audit import inspection_events_append
    from responsibility.supervision.models import (
        Finding,
        InspectionEvent,
        InspectionEventKind,
        Measure,
        MeasureStatus,
        ProblemBatch,
        ProblemSource,
        Rectification,
        RectificationStatus,
        Severity,
    )

    source_code = SOURCES[k % len(SOURCES)]
    year = world.today.year - (k // 400)  # 400 lists a year: this year's and earlier years'
    raised_on = world.today - datetime.timedelta(days=100 + k % 200)
    created = world.at(raised_on + datetime.timedelta(days=1), 9)
    office = world.office_admin
    with transaction.atomic():
        batch = ProblemBatch.objects.create(
            source=ProblemSource.objects.get(code=source_code),
            title=LIST_TITLES[source_code].format(year=year, n=k + 1),
            year=year,
            raised_on=raised_on,
            raised_by="市委第三巡察组" if source_code == "inspection_tour" else "",
            created_by=office,
            created_at=created,
        )
        findings, rectifications = [], []
        for number in range(1, PROBLEMS_A_LIST + 1):
            n = 10_000_000 + k * PROBLEMS_A_LIST + number  # unique over lists, apart from the plans'
            i = (k * PROBLEMS_A_LIST + number) % len(world.units)
            head = world.heads[i]
            title, category = PROBLEMS[spread(n, len(PROBLEMS))]
            at = created + datetime.timedelta(minutes=number)
            findings.append(
                Finding(
                    batch=batch,
                    number=number,
                    unit_id=world.units[i].pk,
                    responsible=head,
                    category=category,
                    severity=(Severity.MINOR, Severity.MINOR, Severity.MODERATE)[spread(n, 3)],
                    title=f"{title}（第{number}项）",
                    description="经查摆，" + title + "，需逐项对账销号。",
                    created_by=office,
                    created_at=at,
                )
            )
            rectifications.append(
                _rectification(world, n=n, created=at, head=head, staff=world.staff_ids.get(i) or [head.pk])
            )
        Finding.objects.bulk_create(findings, batch_size=2000)
        measures = []
        for finding, rect in zip(findings, rectifications, strict=True):
            rect.finding = finding
            # the rectification is due on its latest measure's deadline; its measures on it or before
            for number in range(1, MEASURES_A_PROBLEM + 1):
                reported = rect.status != RectificationStatus.OPEN or number <= spread(finding.number, 3)
                measures.append(
                    Measure(
                        finding=finding,
                        number=number,
                        action=MEASURES[number - 1],
                        owner_id=rect.owner_id,
                        deadline=rect.deadline - datetime.timedelta(days=(MEASURES_A_PROBLEM - number) * 7),
                        status=MeasureStatus.REPORTED if reported else MeasureStatus.OPEN,
                        report="已完成，佐证材料已上传。" if reported else "",
                        reported_at=(rect.submitted_at or finding.created_at) if reported else None,
                        reported_by_id=rect.owner_id if reported else None,
                        created_by=office,
                        created_at=finding.created_at,
                    )
                )
        Rectification.objects.bulk_create(rectifications, batch_size=2000)
        Measure.objects.bulk_create(measures, batch_size=5000)
        events = []
        last_step = {
            RectificationStatus.SUBMITTED: InspectionEventKind.SUBMITTED,
            RectificationStatus.VERIFIED: InspectionEventKind.VERIFIED,
            RectificationStatus.CLOSED: InspectionEventKind.CLOSED,
        }
        for finding, rect in zip(findings, rectifications, strict=True):
            facts = {"batch": batch, "subject": f"finding:{finding.pk}", "actor": office}
            events.append(
                InspectionEvent(
                    **facts,
                    kind=InspectionEventKind.FINDING_RECORDED,
                    to_status=RectificationStatus.OPEN,
                    payload={"title": finding.title, "deadline": rect.deadline.isoformat()},
                    created_at=finding.created_at,
                )
            )
            events += [
                InspectionEvent(
                    **facts,
                    kind=InspectionEventKind.MEASURE_ADDED,
                    payload={"number": number, "action": MEASURES[number - 1]},
                    created_at=finding.created_at,
                )
                for number in range(1, MEASURES_A_PROBLEM + 1)
            ]
            if rect.status in last_step:
                events.append(
                    InspectionEvent(
                        **{
                            **facts,
                            "actor_id": rect.closed_by_id or rect.verified_by_id or rect.submitted_by_id,
                        },
                        kind=last_step[rect.status],
                        to_status=rect.status,
                        created_at=rect.closed_at or rect.verified_at or rect.submitted_at,
                    )
                )
        inspection_events_append(events=events)


def import_workbook(world: World, rows: int = IMPORT_ROWS) -> bytes:
    """A new list's spreadsheet as the office fills it in: problems of four measures, `rows` rows (5,000:
    1,250 problems), units by code and people by account name (the generated names are not unique)."""
    from openpyxl import Workbook

    from responsibility.supervision.problem_import import PROBLEMS_SHEET

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = PROBLEMS_SHEET.name
    sheet.append([column.header for column in PROBLEMS_SHEET.columns])
    for problem in range(1, rows // MEASURES_A_PROBLEM + 1):
        i = problem % len(world.units)
        unit, head = world.units[i], world.heads[i]
        title, _category = PROBLEMS[problem % len(PROBLEMS)]
        for number in range(1, MEASURES_A_PROBLEM + 1):
            deadline = world.today + datetime.timedelta(days=30 + 15 * number)
            own = [problem, unit.code, f"{title}（导入第{problem}项）", "巡察反馈指出的问题。", "作风建设",
                   "一般", head.username, head.username, "逐项整改，按期销号。"]  # fmt: skip
            sheet.append(
                [
                    *(own if number == 1 else [problem] + [None] * 8),
                    MEASURES[number - 1],
                    head.username,
                    deadline,
                ]
            )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
