"""The supervision benchmark's rectification ledger: inspection plans that draw every unit, with their
checkpoints, inspections, check results, findings and rectifications in every state, the hash-chained
audit events and the notices of finding_record."""

import datetime
import hashlib

from bench.organ import CLAUSES
from bench.supervision_organisation import INSPECTORS, World, spread

CHECKPOINTS = 5  # per plan; every drawn unit gets one finding per checkpoint
PLANS_SMALL, PLANS_BIG = 1, 10  # 10,000 findings a plan
PLANS_A_YEAR = 5
DATA_RATIO = PLANS_BIG / PLANS_SMALL


CHECKPOINT_TITLES = [
    "政治纪律执行情况",
    "主体责任落实情况",
    "一岗双责履行情况",
    "作风建设情况",
    "制度建设情况",
]
PROBLEMS = [
    "会议记录不完整，部署落实未留痕",
    "专题研究党风廉政建设次数不足",
    "廉政谈话未覆盖全部分管科室",
    "公务接待审批手续不全",
    "内控制度未及时修订",
]


def add_plans(world: World, total: int) -> None:
    """Inspection plans until there are `total`: each draws every unit and records five findings in it."""
    while len(world.plans) < total:
        add_plan(world, len(world.plans))


def add_plan(world: World, k: int) -> None:
    from django.db import transaction

    from responsibility.reminders.models import Notification
    from responsibility.supervision.audit import inspection_events_append
    from responsibility.supervision.draws import ALGORITHM
    from responsibility.supervision.models import (
        CheckOutcome,
        Checkpoint,
        CheckResult,
        DrawMode,
        Finding,
        Inspection,
        InspectionEvent,
        InspectionEventKind,
        InspectionPlan,
        InspectionStatus,
        Measure,
        MeasureStatus,
        PlanStatus,
        ProblemBatch,
        ProblemSource,
        ProblemSourceCode,
        Rectification,
        RectificationStatus,
        Severity,
        SpotCheckDraw,
    )

    today, inspectors = world.today, world.inspectors
    year = today.year - k // PLANS_A_YEAR
    round_ = k % PLANS_A_YEAR + 1
    created_day = today - datetime.timedelta(days=120 + 30 * k)  # the newest plan first
    created = world.at(created_day, 9)
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            year=year,
            title=f"{year}年第{round_}轮党风廉政建设监督检查（基准测试）",
            description="对各委员会及所属处室落实党风廉政建设责任制情况开展监督检查。",
            period_start=created_day,
            period_end=created_day + datetime.timedelta(days=45),
            status=PlanStatus.OPEN if year == today.year else PlanStatus.CLOSED,
            created_by=inspectors[0],
        )
        InspectionPlan.objects.filter(pk=plan.pk).update(created_at=created)
        batch = ProblemBatch.objects.create(
            source=ProblemSource.objects.get(code=ProblemSourceCode.SUPERVISION),
            plan=plan,
            title=plan.title,
            year=plan.year,
            raised_on=created_day,
            created_by=inspectors[0],
            created_at=created,
        )
        plan.scope.set(world.units)
        plan.team.set(inspectors)
        checkpoints = Checkpoint.objects.bulk_create(
            Checkpoint(
                plan=plan,
                number=j + 1,
                title=CHECKPOINT_TITLES[j],
                criterion=f"检查{CHECKPOINT_TITLES[j]}，查阅会议记录、台账和佐证材料。",
                categories=[CLAUSES[j][0]],
                weight=20,
                evidence_required=j % 2 == 0,
            )
            for j in range(CHECKPOINTS)
        )
        result = [
            {
                "unit": unit.pk,
                "inspectors": sorted([inspectors[i % INSPECTORS].pk, inspectors[(i + 1) % INSPECTORS].pk]),
            }
            for i, unit in enumerate(world.units)
        ]
        draw = SpotCheckDraw.objects.create(
            plan=plan,
            sequence=1,
            algorithm=ALGORITHM,
            mode=DrawMode.RATIO,
            requested=100,
            inspectors_per_unit=2,
            public_value=f"{year}{round_:02d}01",
            drawn_at=created,
            seed=hashlib.sha256(f"seed {plan.pk}".encode()).hexdigest(),
            population=[{"id": u.pk, "code": u.code, "name": u.name, "kind": u.kind} for u in world.units],
            team=[{"id": user.pk, "name": user.full_name, "units": []} for user in inspectors],
            excluded=[],
            result=result,
            result_hash=hashlib.sha256(f"draw {plan.pk}".encode()).hexdigest(),
            drawn_by=inspectors[0],
        )
        inspections = Inspection.objects.bulk_create(
            (
                Inspection(
                    plan=plan,
                    draw=draw,
                    unit=unit,
                    position=i + 1,
                    status=InspectionStatus.COMPLETED,
                    summary="检查完成，发现问题已录入整改台账。",
                    completed_at=created + datetime.timedelta(days=30),
                )
                for i, unit in enumerate(world.units)
            ),
            batch_size=2000,
        )
        Inspection.inspectors.through.objects.bulk_create(
            (
                Inspection.inspectors.through(inspection_id=inspection.pk, user_id=user_id)
                for inspection, row in zip(inspections, result, strict=True)
                for user_id in row["inspectors"]
            ),
            batch_size=5000,
        )
        results = CheckResult.objects.bulk_create(
            (
                CheckResult(
                    inspection=inspection,
                    checkpoint=checkpoint,
                    outcome=CheckOutcome.NONCONFORMING,
                    notes="存在问题，详见问题清单。",
                    recorded_by=inspectors[i % INSPECTORS],
                    recorded_at=created + datetime.timedelta(days=20),
                )
                for i, inspection in enumerate(inspections)
                for checkpoint in checkpoints
            ),
            batch_size=5000,
        )

        findings, rectifications = [], []
        for i, inspection in enumerate(inspections):
            head, head_post = world.heads[i], world.head_posts[i]
            staff = world.staff_ids.get(i) or [head.pk]
            for j in range(CHECKPOINTS):
                number = i * CHECKPOINTS + j + 1
                n = k * 1_000_000 + number  # unique over plans
                category = CLAUSES[j][0]
                at = created + datetime.timedelta(days=20, minutes=number)
                findings.append(
                    Finding(
                        batch=batch,
                        plan=plan,
                        inspection=inspection,
                        check_result=results[i * CHECKPOINTS + j],
                        number=number,
                        unit_id=inspection.unit_id,
                        responsible=head,
                        clause=world.clauses[head_post.pk][category],
                        category=category,
                        severity=(
                            Severity.MINOR,
                            Severity.MINOR,
                            Severity.MINOR,
                            Severity.MODERATE,
                            Severity.SERIOUS,
                        )[spread(n, 5)],
                        title=f"{PROBLEMS[j]}（{CHECKPOINT_TITLES[j]}）",
                        description="检查发现：" + PROBLEMS[j] + "，相关台账资料不齐全，需限期整改。",
                        created_by=inspectors[i % INSPECTORS],
                        created_at=at,
                    )
                )
                rectifications.append(_rectification(world, n=n, created=at, head=head, staff=staff))
        Finding.objects.bulk_create(findings, batch_size=2000)
        for finding, rectification in zip(findings, rectifications, strict=True):
            rectification.finding = finding
        Rectification.objects.bulk_create(rectifications, batch_size=2000)
        # Each rectification's one measure, its terms (as finding_record makes it, and migration 0023 for
        # the rectifications made before measures).
        Measure.objects.bulk_create(
            (
                Measure(
                    finding=rect.finding,
                    number=1,
                    action=rect.requirement,
                    owner_id=rect.owner_id,
                    deadline=rect.deadline,
                    status=MeasureStatus.OPEN
                    if rect.status == RectificationStatus.OPEN
                    else MeasureStatus.REPORTED,
                    report=rect.measures,
                    reported_at=rect.submitted_at,
                    reported_by_id=rect.submitted_by_id,
                    created_by=rect.finding.created_by,
                    created_at=rect.created_at,
                )
                for rect in rectifications
            ),
            batch_size=5000,
        )

        # finding_record's audit event and notices, and one event for the last step of each rectification.
        events, notices = [], []
        last_step = {
            RectificationStatus.SUBMITTED: InspectionEventKind.SUBMITTED,
            RectificationStatus.VERIFIED: InspectionEventKind.VERIFIED,
            RectificationStatus.CLOSED: InspectionEventKind.CLOSED,
        }
        for finding, rect in zip(findings, rectifications, strict=True):
            reference = f"{plan.year}-{plan.pk}-{finding.number:03d}"
            subject = f"finding:{finding.pk}"
            events.append(
                InspectionEvent(
                    plan=plan,
                    batch=batch,
                    subject=subject,
                    kind=InspectionEventKind.FINDING_RECORDED,
                    to_status=RectificationStatus.OPEN,
                    actor=finding.created_by,
                    note=f"{reference} {finding.title}; owner={rect.owner_id}; deadline={rect.deadline}",
                    created_at=finding.created_at,
                )
            )
            if rect.status in last_step:
                events.append(
                    InspectionEvent(
                        plan=plan,
                        batch=batch,
                        subject=subject,
                        kind=last_step[rect.status],
                        from_status=RectificationStatus.OPEN
                        if rect.status == RectificationStatus.SUBMITTED
                        else RectificationStatus.SUBMITTED
                        if rect.status == RectificationStatus.VERIFIED
                        else RectificationStatus.VERIFIED,
                        to_status=rect.status,
                        actor_id=rect.closed_by_id or rect.verified_by_id or rect.submitted_by_id,
                        created_at=rect.closed_at or rect.verified_at or rect.submitted_at,
                    )
                )
            title = f"Finding {reference} in {finding.unit_id}: rectify by {rect.deadline.isoformat()}"
            unread = rect.status == RectificationStatus.OPEN and spread(finding.pk, 3) == 0
            read_at = None if unread else finding.created_at + datetime.timedelta(days=1)
            for recipient_id in sorted({rect.owner_id, finding.responsible_id}):
                notices.append(
                    Notification(
                        recipient_id=recipient_id,
                        title=title,
                        body=finding.title,
                        url=f"/findings/{finding.pk}/",
                        read_at=read_at,
                    )
                )
        for start in range(0, len(events), 10000):
            inspection_events_append(events=events[start : start + 10000])
        Notification.objects.bulk_create(notices, batch_size=5000)
    world.plans.append(plan)


def _rectification(world: World, *, n: int, created: datetime.datetime, head, staff: list[int]):
    """A rectification in the state and with the stamps the services leave: 40 % open (one in seven sent
    back once), 10 % submitted, 15 % verified, 35 % closed (销号). Open ones are due from 60 days ago to
    60 days ahead."""
    from responsibility.supervision.models import Rectification, RectificationStatus

    today, now = world.today, world.now
    owner_id = head.pk if spread(n, 2) == 0 else staff[spread(n, len(staff))]
    bucket = spread(n, 20)
    fields = {
        "owner_id": owner_id,
        "requirement": "限期完成整改，完善制度和台账，报送整改佐证材料。",
        "evidence_required": True,
        "created_at": created,
    }
    if bucket < 10:  # unfinished
        fields["deadline"] = today + datetime.timedelta(days=spread(n + 7, 121) - 60)
        if bucket < 8:
            fields["status"] = RectificationStatus.OPEN
            if spread(n, 7) == 0:
                fields.update(rejection_reason="佐证材料不充分，请补充。", times_rejected=1)
        else:
            fields.update(
                status=RectificationStatus.SUBMITTED,
                measures="已召开专题会议研究整改，修订完善相关制度。",
                submitted_at=now - datetime.timedelta(days=1 + spread(n, 10)),
                submitted_by_id=owner_id,
            )
        return Rectification(**fields)
    deadline = created.date() + datetime.timedelta(days=30 + spread(n, 60))
    verified_at = world.at(deadline - datetime.timedelta(days=spread(n, 10)), 15)
    inspector = world.inspectors[spread(n, INSPECTORS)]
    fields.update(
        deadline=deadline,
        measures="已召开专题会议研究整改，修订完善相关制度。",
        submitted_at=verified_at - datetime.timedelta(days=2),
        submitted_by_id=owner_id,
        verified_at=verified_at,
        verified_by=inspector,
    )
    if bucket < 13:
        fields["status"] = RectificationStatus.VERIFIED
    else:
        fields.update(
            status=RectificationStatus.CLOSED,
            closed_at=verified_at + datetime.timedelta(days=3),
            closed_by=inspector,
        )
    return Rectification(**fields)
