"""The demo's supervision, built by `demo_supervision_create`: the discipline inspection team's round
of checks, its spot-check draw, inspections with results and evidence, and findings in every
rectification state."""

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import OrgUnit, Post, PostKind, User
from core import clock
from core.errors import ApplicationError
from responsibility.demo.evidence import DemoEvidence, chinese_date, demo_evidence_pdf, demo_evidence_png
from responsibility.demo.organisation import DEMO_ACCOUNTS
from responsibility.demo.supervision_scenario import (
    DEMO_CHECKPOINTS,
    DEMO_INSPECTIONS,
    DemoCheck,
    DemoFinding,
    DemoInspection,
    DemoStep,
)
from responsibility.letters.models.letters import LetterClause
from responsibility.supervision.models import (
    CheckResult,
    DrawMode,
    Finding,
    Inspection,
    InspectionPlan,
    Measure,
    RecheckOutcome,
    Rectification,
    SpotCheckDraw,
)
from responsibility.supervision.services.draws import DrawInput, spot_check_draw
from responsibility.supervision.services.inspections import (
    ResultInput,
    check_result_record,
    inspection_complete,
)
from responsibility.supervision.services.measures import (
    MeasureInput,
    MeasureReport,
    measure_add,
    measure_report,
)
from responsibility.supervision.services.plans import (
    CheckpointInput,
    PlanInput,
    checkpoint_create,
    inspection_plan_create,
)
from responsibility.supervision.services.rechecks import (
    RecheckFinding,
    RecheckInput,
    recheck_draw,
    recheck_population,
    recheck_result_record,
)
from responsibility.supervision.services.rectifications import (
    FindingInput,
    SubmissionInput,
    finding_record,
    people_of_unit,
    rectification_close,
    rectification_send_back,
    rectification_submit,
    rectification_verify,
    signed_clauses_of_unit,
)

P = PostKind

# The discipline inspection team plans this year's round of checks after the work-style meeting,
# draws five of the ten units whose heads sign with the Party Group at a meeting (a real draw: which
# units come up depends on the day the demo is loaded; 机关党委, the only unit of its kind, always
# does), checks them, and follows its findings through rectification. Every step runs through the
# services, by the person who would do it, at a plausible moment of the last three weeks, and the
# steps run in time order so that the supervision audit chain reads like the weeks it records.

SUPERVISION_TITLE = "{year}年度党风廉政建设责任制落实情况监督检查"
SUPERVISION_DESCRIPTION = (
    "按照党组关于全面从严治党的工作部署，派驻纪检监察组对与党组签订{year}年度党风廉政建设责任书的"
    "委办室和机关党委开展监督检查。检查对象和检查人员采取“双随机”方式在抽签会上公开抽取；检查对照"
    "各单位签订的责任书条款，逐项查看主体责任、一岗双责、落实中央八项规定精神、廉政风险防控和问题"
    "整改情况。发现的问题逐项交办、建立整改台账，整改完成并经核实后对账销号。"
)
SUPERVISION_TEAM = ("jijian1", "jijian2")
SUPERVISION_LEADER = "jijian1"  # 组长: plans the round, makes the draw and ticks rectifications off
# The population: the units whose heads sign with the Party Group (nine 委办室 and 机关党委).
SUPERVISION_SCOPE = tuple(a.unit for a in DEMO_ACCOUNTS if a.kind == P.UNIT_HEAD)
SUPERVISION_DRAWN_UNITS = 5  # half of the scope
SUPERVISION_INSPECTORS_PER_UNIT = 1
SUPERVISION_PLANNED_DAYS_AGO = 20
SUPERVISION_DRAWN_DAYS_AGO = 18
# The number read out at the draw meeting: that day's date and the two digits drawn from the box.
SUPERVISION_PUBLIC_VALUE = "{day:%Y%m%d}12"


@dataclass
class DemoSupervision:
    """What the supervision demo created, for the command's report."""

    plan: InspectionPlan
    draw: SpotCheckDraw
    inspections: list[Inspection]
    findings: list[Finding]


def demo_supervision_create(
    *,
    today: datetime.date,
    users: dict[str, User],
    units: dict[str, OrgUnit],
    also: Iterable[tuple[datetime.datetime, Callable[[], None]]] = (),
) -> DemoSupervision:
    """This year's round of checks, after the letters: plan, draw, inspections, findings, rectifications.

    Overdue and closed rectifications need no clock tricks: each finding is recorded at its moment in
    the past with a deadline that was then in the future (as the service requires), and the days
    since have passed it. So the audit event of each finding names the deadline it really has.
    """
    supervision = _Supervision(today=today, users=users, units=units)
    for moment, step in also:  # other steps of the inspection chain (the problem lists), in time order
        supervision._later(moment, step)
    return supervision.run()


class _Supervision:
    def __init__(self, *, today: datetime.date, users: dict[str, User], units: dict[str, OrgUnit]):
        self.today = today
        self.year = today.year
        self.users = users
        self.units = units
        self.leader = users[SUPERVISION_LEADER]
        self.agenda: list[tuple[datetime.datetime, int, functools.partial]] = []
        self.results: dict[tuple[int, int], CheckResult] = {}
        self.findings: dict[tuple[int, int], Finding] = {}

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
        day = self.today - datetime.timedelta(days=days_ago)
        moment = datetime.datetime.combine(day, datetime.time(hour)) + datetime.timedelta(minutes=minute)
        return timezone.make_aware(moment)

    def run(self) -> DemoSupervision:
        self._run_until(self.at(SUPERVISION_PLANNED_DAYS_AGO, 9, 30))  # steps scheduled before the plan
        plan = self.plan_create()
        self._run_until(self.at(SUPERVISION_DRAWN_DAYS_AGO, 10))
        draw = self.draw_make(plan)
        inspections = list(draw.inspections.select_related("unit").order_by("position"))
        if len(inspections) != len(DEMO_INSPECTIONS):
            raise ApplicationError(
                f"The demo draw chose {len(inspections)} units, not {len(DEMO_INSPECTIONS)}."
            )
        for inspection, spec in zip(inspections, DEMO_INSPECTIONS, strict=True):
            self._schedule(plan, inspection, spec)
        # Everything after the draw, in time order (one inspection's steps interleave with another's).
        for moment, _order, step in sorted(self.agenda, key=lambda entry: entry[:2]):
            with clock.at(moment):
                step()
        return DemoSupervision(
            plan=plan,
            draw=draw,
            inspections=list(draw.inspections.select_related("unit").order_by("position")),
            findings=list(plan.findings.select_related("unit", "rectification__owner").order_by("number")),
        )

    def _recheck(self, *, finding: Finding, step: DemoStep) -> None:
        """A 回头看 of the plan's problems ticked off so far, by the team leader: `finding` is drawn (the
        only one closed then) and found a false rectification, opened again with the step's reason."""
        batch = finding.batch
        recheck = recheck_draw(
            data=RecheckInput(
                title=f"{self.year}年度监督检查问题整改回头看",
                batches=[batch],
                closed_from=None,
                closed_to=None,
                requested=recheck_population(batches=[batch]).count(),
                public_value=f"{clock.today():%Y%m%d}",
            ),
            drawn_by=self.leader,
        )
        recheck_result_record(
            recheck=recheck,
            finding=finding,
            data=RecheckFinding(
                outcome=RecheckOutcome.FALSE,
                reason=step.text,
                deadline=self.today + datetime.timedelta(days=step.deadline_in_days),
            ),
            recorded_by=self.leader,
        )

    def plan_create(self) -> InspectionPlan:
        planned = self.at(SUPERVISION_PLANNED_DAYS_AGO, 9, 30)
        with clock.at(planned):
            plan = inspection_plan_create(
                data=PlanInput(
                    year=self.year,
                    title=SUPERVISION_TITLE.format(year=self.year),
                    description=SUPERVISION_DESCRIPTION.format(year=self.year),
                    # March to December; early in a year the round began with the letters, in December.
                    period_start=min(datetime.date(self.year, 3, 1), planned.date()),
                    period_end=datetime.date(self.year, 12, 31),
                    scope=[self.units[code] for code in SUPERVISION_SCOPE],
                    team=[self.users[name] for name in SUPERVISION_TEAM],
                ),
                created_by=self.leader,
            )
            for spec in DEMO_CHECKPOINTS:
                checkpoint_create(
                    plan=plan,
                    data=CheckpointInput(
                        title=spec.title,
                        criterion=spec.criterion,
                        categories=list(spec.categories),
                        weight=spec.weight,
                        evidence_required=spec.evidence_required,
                    ),
                    created_by=self.leader,
                )
        return plan

    def draw_make(self, plan: InspectionPlan) -> SpotCheckDraw:
        drawn = self.at(SUPERVISION_DRAWN_DAYS_AGO, 10)
        with clock.at(drawn):
            return spot_check_draw(
                plan=plan,
                data=DrawInput(
                    mode=DrawMode.COUNT,
                    requested=SUPERVISION_DRAWN_UNITS,
                    by_unit_kind=True,
                    inspectors_per_unit=SUPERVISION_INSPECTORS_PER_UNIT,
                    public_value=SUPERVISION_PUBLIC_VALUE.format(day=drawn.date()),
                ),
                drawn_by=self.leader,
            )

    # Scheduling -----------------------------------------------------------------------------------

    def _run_until(self, moment: datetime.datetime) -> None:
        """Run the steps already scheduled before `moment`, in time order (the agenda keeps the rest)."""
        due = sorted((entry for entry in self.agenda if entry[0] < moment), key=lambda entry: entry[:2])
        self.agenda = [entry for entry in self.agenda if entry[0] >= moment]
        for step_moment, _order, step in due:
            with clock.at(step_moment):
                step()

    def _later(self, moment: datetime.datetime, function, /, **kwargs) -> None:
        self.agenda.append((moment, len(self.agenda), functools.partial(function, **kwargs)))

    def _schedule(self, plan: InspectionPlan, inspection: Inspection, spec: DemoInspection) -> None:
        inspector = inspection.inspectors.order_by("pk").first()
        head = Post.objects.heads().select_related("holder").get(unit=inspection.unit).holder
        checkpoints = {checkpoint.number: checkpoint for checkpoint in plan.checkpoints.all()}
        context = {"unit": inspection.unit.name, "head": head.full_name, "year": self.year}
        for index, check in enumerate(spec.checks):
            self._later(
                self.at(spec.checked_days_ago, 9, 20 * index),
                self._check_record,
                inspection=inspection,
                checkpoint=checkpoints[check.checkpoint],
                check=check,
                inspector=inspector,
                context=context,
            )
        actors = {
            "submit": head,
            "add_measure": head,
            "report_measure": head,  # or the measure's owner: _rectification_step
            "recheck": self.leader,
            "send_back": inspector,
            "verify": inspector,
            "close": self.leader,
        }
        for index, finding in enumerate(spec.findings):
            key = (inspection.pk, index)
            self._later(
                self.at(spec.checked_days_ago, 15, 10 * index),
                self._finding_record,
                key=key,
                inspection=inspection,
                spec=finding,
                inspector=inspector,
                head=head,
                context=context,
            )
            for step in finding.steps:
                self._later(
                    self.at(step.days_ago, step.hour),
                    self._rectification_step,
                    key=key,
                    step=step,
                    actor=actors[step.action],
                    context=context,
                )
        if spec.completed_days_ago is not None:
            self._later(
                self.at(spec.completed_days_ago, 10),
                inspection_complete,
                inspection=inspection,
                completed_by=inspector,
                summary=spec.summary,
            )

    # Steps ----------------------------------------------------------------------------------------

    def _check_record(self, *, inspection, checkpoint, check: DemoCheck, inspector, context) -> None:
        self.results[(inspection.pk, checkpoint.number)] = check_result_record(
            inspection=inspection,
            checkpoint=checkpoint,
            data=ResultInput(
                outcome=check.outcome, notes=check.notes, files=self._files(check.evidence, context)
            ),
            recorded_by=inspector,
        )

    def _finding_record(self, *, key, inspection, spec: DemoFinding, inspector, head, context) -> None:
        clause = _clause_breached(unit_id=inspection.unit_id, head=head, spec=spec)
        self.findings[key] = finding_record(
            inspection=inspection,
            data=FindingInput(
                title=spec.title,
                description=spec.description,
                severity=spec.severity,
                clause=clause,
                category=clause.category if clause else spec.category,
                responsible=head,
                owner=head,
                requirement=spec.requirement,
                deadline=self.today + datetime.timedelta(days=spec.deadline_in_days),
                evidence_required=True,
                check_result=self.results.get((inspection.pk, spec.checkpoint)),
                files=self._files(spec.evidence, context),
            ),
            recorded_by=inspector,
        )

    def _rectification_step(self, *, key, step: DemoStep, actor, context) -> None:
        rectification = Rectification.objects.select_related("finding__plan").get(finding=self.findings[key])
        version = rectification.version  # what the page the person acted on carried
        if step.action == "submit":
            files = self._files(step.evidence, {**context, "measures": step.text})
            rectification_submit(
                rectification=rectification,
                data=SubmissionInput(measures=step.text, files=files),
                submitted_by=actor,
                expected_version=version,
            )
        elif step.action == "recheck":
            self._recheck(
                finding=Finding.objects.select_related("batch").get(pk=self.findings[key].pk), step=step
            )
        elif step.action == "add_measure":
            finding = rectification.finding
            owner = actor
            if step.owner == "staff":
                owner = people_of_unit(unit_id=finding.unit_id).exclude(pk=actor.pk).first() or actor
            measure_add(
                finding=finding,
                data=MeasureInput(
                    action=step.text,
                    owner=owner,
                    deadline=self.today + datetime.timedelta(days=step.deadline_in_days),
                ),
                added_by=actor,
                expected_version=version,
            )
        elif step.action == "report_measure":
            measure = Measure.objects.select_related("finding", "owner").get(
                finding=self.findings[key], number=step.number
            )
            measure_report(
                measure=measure,
                data=MeasureReport(
                    report=step.text, files=self._files(step.evidence, {**context, "measures": step.text})
                ),
                reported_by=measure.owner,
                expected_version=measure.version,
            )
        elif step.action == "send_back":
            rectification_send_back(
                rectification=rectification, sent_back_by=actor, reason=step.text, expected_version=version
            )
        elif step.action == "verify":
            rectification_verify(
                rectification=rectification, verified_by=actor, note=step.text, expected_version=version
            )
        elif step.action == "close":
            rectification_close(
                rectification=rectification, closed_by=actor, note=step.text, expected_version=version
            )
        else:
            raise ValueError(f"Unknown demo step {step.action!r}")

    def _files(self, evidence: tuple[DemoEvidence, ...], context: dict) -> list[SimpleUploadedFile]:
        """The files as the browser would upload them; {date} is the day of the step (the clock's)."""
        values = {**context, "date": chinese_date(clock.today())}
        uploads = []
        for spec in evidence:
            name = spec.name.format(**values)
            if spec.image:
                content, content_type = demo_evidence_png(seed=name), "image/png"
            else:
                content = demo_evidence_pdf(
                    title=spec.title.format(**values),
                    paragraphs=[paragraph.format(**values) for paragraph in spec.paragraphs],
                )
                content_type = "application/pdf"
            uploads.append(SimpleUploadedFile(name, content, content_type=content_type))
        return uploads


def _clause_breached(*, unit_id: int, head: User, spec: DemoFinding) -> LetterClause | None:
    """The clause an inspector would pick: from the head's newest signed letter, of the finding's category."""
    clauses = list(signed_clauses_of_unit(unit_id=unit_id))
    signed_by_head = [clause for clause in clauses if clause.letter.signer_id == head.pk] or clauses
    if not signed_by_head:
        return None
    newest = [clause for clause in signed_by_head if clause.letter_id == signed_by_head[0].letter_id]
    of_category = [clause for clause in newest if clause.category == spec.category] or newest
    return next((clause for clause in of_category if spec.keyword in clause.text), of_category[0])
