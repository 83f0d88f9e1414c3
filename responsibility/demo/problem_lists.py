"""The demo's problem lists of other sources than inspections: the Party Group's democratic life meeting
(民主生活会), the feedback of a municipal inspection tour (巡察, imported from the office's filled-in
spreadsheet template) and an audit's, opened by the office and worked on through their measures.

Each step runs at its moment in the past (`clock.at`), in time order among the supervision demo's own
steps, through the services, as the people named would have done it on the pages: so each list and
problem has its real history, and the inspection chain stays in time order.
"""

import datetime
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import OrgUnit, User
from core import clock
from core.workbooks import SPREADSHEET_LANGUAGE
from responsibility.demo.evidence import chinese_date, demo_evidence_pdf
from responsibility.demo.moments import demo_moment
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.models import (
    Finding,
    Measure,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
    Rectification,
)
from responsibility.supervision.problem_import import (
    PROBLEMS_SHEET,
    problem_list_import,
    problem_list_template_workbook,
)
from responsibility.supervision.services.measures import MeasureInput, MeasureReport, measure_report
from responsibility.supervision.services.problems import (
    BatchInput,
    ProblemInput,
    problem_batch_open,
    problem_batch_reconcile,
    problem_carry_over,
    problem_record,
)
from responsibility.supervision.services.rectifications import (
    rectification_close,
    rectification_send_back,
    rectification_verify,
)

OFFICE = "bangongshi_admin"
TEAM_LEADER = "jijian1"  # verifies and ticks off the problems of every list


@dataclass(frozen=True)
class DemoMeasure:
    action: str
    owner: str  # username
    deadline_in_days: int  # from the day the problem was recorded


@dataclass(frozen=True)
class DemoProblem:
    unit: str  # unit code
    title: str
    description: str
    category: str
    responsible: str  # username
    owner: str  # username
    requirement: str
    measures: tuple[DemoMeasure, ...]
    # Measures reported done: (number, days ago, what was done).
    reported: tuple[tuple[int, int, str], ...] = ()
    # Verified by the team leader, and ticked off: (days ago verified, days ago ticked off, or None: verified
    # and waiting to be ticked off).
    ticked_off: tuple[int, int | None] | None = None
    # Its reported fix sent back by the team leader: (days ago, reason); open again, the reason shown.
    sent_back: tuple[int, str] | None = None
    # 结转 by the office at reconciliation: (days ago, reason, new deadline in days from today).
    carried_over: tuple[int, str, int] | None = None


@dataclass(frozen=True)
class DemoList:
    source: str  # ProblemSourceCode
    title: str  # {year}
    raised_by: str
    days_ago: int  # raised, and opened by the office the next day
    document: str  # the file's name, {year}
    problems: tuple[DemoProblem, ...]
    reconciled_days_ago: int | None = None  # 对账销号 by the office
    # Its problems arrived in the office's spreadsheet and were imported from it (the template, filled in).
    imported: bool = False


DEMO_LISTS = (
    DemoList(
        source=ProblemSourceCode.AUDIT,
        title="{year}年度机关财务收支审计发现问题",
        raised_by="市审计局",
        days_ago=150,
        document="市审计局关于{year}年度机关财务收支情况的审计报告.pdf",
        problems=(
            DemoProblem(
                unit="RD-YJS",
                title="差旅费报销审核不严",
                description="抽查发现3笔差旅费报销未附审批单，住宿费超标准未说明原因。",
                category=ClauseCategory.SELF_DISCIPLINE,
                responsible="yjs_zhuren",
                owner="yjs_zhuren",
                requirement="严格执行差旅费管理办法，超标准部分予以退回。",
                measures=(DemoMeasure("逐笔核查差旅费报销单据，超标准部分个人退回。", "yjs_zhuren", 40),),
                reported=((1, 125, "已逐笔核查，超标准住宿费1260元已由个人退回财务。"),),
                ticked_off=(118, 112),
            ),
            DemoProblem(
                unit="RD-BGS",
                title="固定资产账实不符",
                description="部分办公设备已报废但未及时核销，账面数与实有数不一致。",
                category=ClauseCategory.RULES,
                responsible="bgs_zhuren",
                owner="bgs_zhuren",
                requirement="全面清查固定资产，做到账实相符。",
                measures=(DemoMeasure("开展固定资产全面清查并办理报废核销。", "bgs_zhuren", 60),),
                carried_over=(100, "涉及历年资产清查和报废审批，需与年度资产盘点一并完成。", 45),
            ),
        ),
        reconciled_days_ago=99,
    ),
    DemoList(
        source=ProblemSourceCode.DEMOCRATIC_LIFE,
        title="{year}年度党组民主生活会查摆问题",
        raised_by="",
        days_ago=16,
        document="{year}年度党组民主生活会查摆问题清单.pdf",
        problems=(
            DemoProblem(
                unit="RD-FGW",
                title="调查研究不够深入，解决实际问题不多",
                description="班子成员到基层调研次数偏少，调研报告转化为立法建议的不多。",
                category=ClauseCategory.WORK_STYLE,
                responsible="fzw_zhuren",
                owner="fzw_zhuren",
                requirement="建立班子成员基层联系点制度，调研成果及时转化为立法建议。",
                measures=(
                    DemoMeasure("制定年度调研计划，明确每位班子成员的基层联系点。", "fzw_zhuren", 20),
                    DemoMeasure("围绕地方性法规实施情况形成专题调研报告。", "fagui_chuzhang", 60),
                ),
                reported=((1, 4, "年度调研计划已印发，联系点已落实到人。"),),
            ),
            DemoProblem(
                unit="RD-JGDW",
                title="落实“第一议题”制度不够经常",
                description="部分支部学习习近平总书记重要讲话精神存在以集中学习代替专题研讨的情况。",
                category=ClauseCategory.POLITICAL,
                responsible="jgdw_shuji",
                owner="jgdw_shuji",
                requirement="严格落实“第一议题”制度，做到及时学、跟进学、联系实际学。",
                measures=(DemoMeasure("修订“第一议题”学习制度并建立学习台账。", "jgdw_shuji", 25),),
                reported=((1, 3, "已修订学习制度，建立各支部“第一议题”学习台账。"),),
            ),
            DemoProblem(
                unit="RD-YJS",
                title="理论学习与业务工作结合不够紧密",
                description="中心组学习重理论阐释，结合人大调研、立法工作研讨不够。",
                category=ClauseCategory.POLITICAL,
                responsible="yjs_zhuren",
                owner="yjs_zhuren",
                requirement="每季度至少一次结合业务工作的专题研讨。",
                measures=(DemoMeasure("制定结合业务工作的专题研讨计划并组织第一次研讨。", "yjs_zhuren", 30),),
                reported=((1, 12, "已制定研讨计划，首次专题研讨已结合立法调研开展。"),),
                ticked_off=(10, 9),
            ),
            DemoProblem(
                unit="RD-BGS",
                title="公务用车使用登记不够规范",
                description="部分公务用车出车登记事由填写笼统，里程记录不完整。",
                category=ClauseCategory.SELF_DISCIPLINE,
                responsible="bgs_zhuren",
                owner="bgs_zhuren",
                requirement="规范出车审批和登记，做到一车一档、一事一登记。",
                measures=(DemoMeasure("修订公务用车管理办法，统一出车登记表。", "bgs_zhuren", 25),),
                reported=((1, 11, "已修订管理办法，启用新的出车登记表。"),),
                ticked_off=(7, None),
            ),
            DemoProblem(
                unit="RD-CJW",
                title="预算执行监督跟踪问效不够",
                description="对审议意见研究处理情况的跟踪问效不够，部分问题未见下文。",
                category=ClauseCategory.SUPERVISION,
                responsible="cjw_zhuren",
                owner="cjw_zhuren",
                requirement="建立审议意见落实情况跟踪问效台账。",
                measures=(DemoMeasure("建立审议意见落实情况跟踪台账并逐项销号。", "cjw_zhuren", 40),),
                reported=((1, 9, "已建立跟踪台账。"),),
                sent_back=(6, "佐证材料只有台账样表，缺少逐项落实情况，请补充。"),
            ),
        ),
    ),
    DemoList(
        source=ProblemSourceCode.INSPECTION_TOUR,
        title="市委第三巡察组反馈意见",
        raised_by="市委第三巡察组",
        days_ago=45,
        document="市委第三巡察组关于巡察{year}年度情况的反馈意见.pdf",
        imported=True,
        problems=(
            DemoProblem(
                unit="RD-CJW",
                title="预算联网监督系统运用不充分",
                description="对部门预算执行情况的跟踪监督主要依靠书面报告，联网监督系统预警信息未及时处理。",
                category=ClauseCategory.RULES,
                responsible="cjw_zhuren",
                owner="cjw_zhuren",
                requirement="建立预警信息处理机制，做到预警必核、核必有果。",
                measures=(
                    DemoMeasure("制定预算联网监督预警信息处理办法。", "cjw_zhuren", 30),
                    DemoMeasure("对上半年未处理的预警信息逐条核实销号。", "cjw_fuzhuren", 35),
                ),
            ),
        ),
    ),
)


def demo_problem_list_steps(
    *, today: datetime.date, users: dict[str, User], units: dict[str, OrgUnit]
) -> list[tuple[datetime.datetime, Callable[[], None]]]:
    """Each step of the demo's lists at its moment: opened with its problems, then measures reported. The
    supervision demo runs them in time order among its own steps, so the chain stays in time order."""
    office = users[OFFICE]
    steps = []
    for spec in DEMO_LISTS:
        raised = today - datetime.timedelta(days=spec.days_ago)
        steps.append(
            (
                demo_moment(raised + datetime.timedelta(days=1), 9),
                functools.partial(_list_open, spec, raised=raised, users=users, units=units, office=office),
            )
        )
        for problem in spec.problems:
            for number, days_ago, text in problem.reported:
                steps.append(
                    (
                        demo_moment(today - datetime.timedelta(days=days_ago), 15),
                        functools.partial(_measure_report, problem.title, number=number, text=text),
                    )
                )
            steps += _problem_later_steps(problem, today=today, users=users, office=office)
        if spec.reconciled_days_ago is not None:
            moment = demo_moment(today - datetime.timedelta(days=spec.reconciled_days_ago), 16)
            steps.append((moment, functools.partial(_reconcile, spec.source, office=office)))
    return steps


def _problem_later_steps(problem: "DemoProblem", *, today, users, office) -> list:
    """The team's verifying and ticking off, or the office's carrying over, of one problem."""
    steps = []
    leader = users[TEAM_LEADER]
    if problem.ticked_off:
        verified, closed = problem.ticked_off
        steps.append(
            (
                demo_moment(today - datetime.timedelta(days=verified), 10),
                functools.partial(_verify, problem.title, leader),
            )
        )
        if closed is not None:
            steps.append(
                (
                    demo_moment(today - datetime.timedelta(days=closed), 10),
                    functools.partial(_close, problem.title, leader),
                )
            )
    if problem.sent_back:
        days_ago, reason = problem.sent_back
        steps.append(
            (
                demo_moment(today - datetime.timedelta(days=days_ago), 10),
                functools.partial(_send_back, problem.title, leader, reason=reason),
            )
        )
    if problem.carried_over:
        days_ago, reason, deadline_in_days = problem.carried_over
        step = functools.partial(
            _carry_over,
            problem.title,
            reason=reason,
            deadline=today + datetime.timedelta(days=deadline_in_days),
            office=office,
        )
        steps.append((demo_moment(today - datetime.timedelta(days=days_ago), 11), step))
    return steps


def demo_problem_lists() -> list[ProblemBatch]:
    """The lists the demo opened, newest first."""
    return list(
        ProblemBatch.objects.filter(plan__isnull=True).select_related("source").order_by("-raised_on")
    )


def _list_open(spec: DemoList, *, raised: datetime.date, users, units, office) -> None:
    year = raised.year
    batch = problem_batch_open(
        data=BatchInput(
            source=ProblemSource.objects.get(code=spec.source),
            title=spec.title.format(year=year),
            year=year,
            raised_on=raised,
            raised_by=spec.raised_by,
            files=[_document(spec.document.format(year=year), spec)],
        ),
        opened_by=office,
    )
    if spec.imported:
        problem_list_import(
            batch=batch, workbook_file=_filled_template(spec, users=users, units=units), imported_by=office
        )
        return
    for problem in spec.problems:
        _problem_record(batch, problem, users=users, units=units, office=office)


def _in_spreadsheet_words(label) -> str:
    with translation.override(SPREADSHEET_LANGUAGE):
        return str(label)


def _filled_template(spec: DemoList, *, users, units) -> bytes:
    """The office's spreadsheet: the downloaded template, its example rows replaced by the list's problems,
    one row per measure, each problem's own columns on its first row."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(problem_list_template_workbook()))
    sheet = workbook[PROBLEMS_SHEET.name]
    sheet.delete_rows(2, sheet.max_row)
    today = clock.today()
    for number, problem in enumerate(spec.problems, start=1):
        own = [
            number,
            units[problem.unit].name,
            problem.title,
            problem.description,
            _in_spreadsheet_words(ClauseCategory(problem.category).label),
            "一般",
            users[problem.responsible].full_name,
            users[problem.owner].full_name,
            problem.requirement,
        ]
        for index, measure in enumerate(problem.measures):
            sheet.append(
                [
                    *(own if index == 0 else [number] + [None] * (len(own) - 1)),
                    measure.action,
                    users[measure.owner].full_name,
                    today + datetime.timedelta(days=measure.deadline_in_days),
                ]
            )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _measure_report(title: str, *, number: int, text: str) -> None:
    finding = Finding.objects.select_related("unit").get(plan__isnull=True, title=title)
    measure = Measure.objects.select_related("owner").get(finding=finding, number=number)
    measure_report(
        measure=measure,
        data=MeasureReport(report=text, files=[_evidence(text, finding=finding)]),
        reported_by=measure.owner,
        expected_version=measure.version,
    )


def _rectification(title: str) -> Rectification:
    return Rectification.objects.select_related("finding").get(
        finding__plan__isnull=True, finding__title=title
    )


def _verify(title: str, leader: User) -> None:
    rectification = _rectification(title)
    rectification_verify(
        rectification=rectification,
        verified_by=leader,
        note="经核查，问题已整改到位。",
        expected_version=rectification.version,
    )


def _send_back(title: str, leader: User, *, reason: str) -> None:
    rectification = _rectification(title)
    rectification_send_back(
        rectification=rectification,
        sent_back_by=leader,
        reason=reason,
        expected_version=rectification.version,
    )


def _close(title: str, leader: User) -> None:
    rectification = _rectification(title)
    rectification_close(rectification=rectification, closed_by=leader, expected_version=rectification.version)


def _carry_over(title: str, *, reason: str, deadline: datetime.date, office: User) -> None:
    rectification = _rectification(title)
    problem_carry_over(
        finding=rectification.finding,
        reason=reason,
        deadline=deadline,
        carried_by=office,
        expected_version=rectification.version,
    )


def _reconcile(source: str, *, office: User) -> None:
    batch = ProblemBatch.objects.get(plan__isnull=True, source__code=source)
    problem_batch_reconcile(batch=batch, reconciled_by=office, expected_version=batch.version)


def _problem_record(batch, spec: DemoProblem, *, users, units, office) -> Finding:
    today = clock.today()
    return problem_record(
        batch=batch,
        data=ProblemInput(
            unit=units[spec.unit],
            title=spec.title,
            description=spec.description,
            category=spec.category,
            severity="minor",
            responsible=users[spec.responsible],
            owner=users[spec.owner],
            requirement=spec.requirement,
            measures=[
                MeasureInput(
                    action=measure.action,
                    owner=users[measure.owner],
                    deadline=today + datetime.timedelta(days=measure.deadline_in_days),
                )
                for measure in spec.measures
            ],
        ),
        recorded_by=office,
    )


def _document(name: str, spec: DemoList) -> SimpleUploadedFile:
    """The list as it was handed over: its problems, one paragraph each."""
    paragraphs = [
        f"{number}. {problem.title}。{problem.description}" for number, problem in enumerate(spec.problems, 1)
    ]
    content = demo_evidence_pdf(title=name.removesuffix(".pdf"), paragraphs=paragraphs)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _evidence(text: str, *, finding: Finding) -> SimpleUploadedFile:
    name = f"{finding.unit.name}整改佐证材料（{chinese_date(clock.today())}）.pdf"
    content = demo_evidence_pdf(title=f"{finding.unit.name}整改情况", paragraphs=[finding.title, text])
    return SimpleUploadedFile(name, content, content_type="application/pdf")
