"""Benchmark of the rectification ledger and 一岗双责 at province scale (DESIGN.md §6).

DESIGN.md §6 asks for 2,000 units, 20,000 users and 100,000 open tasks and rectifications, and says
that "a list or dashboard runs a fixed number of queries whatever the data size, and its time grows no
faster than the rows it shows". This measures exactly that, at two sizes of the same organisation:

- small: 10,000 findings with their rectifications (one inspection plan drawing every unit, five
  findings each) and about 10,000 duty task periods (five a year in each of the ~2,000 leaders'
  assignments: a quarterly and a yearly task);
- big: ten times as much: 100,000 rectifications over ten plans (this year's and last year's rounds)
  and about 100,000 task periods (fifty a year per leader: monthly, bi-monthly, half-yearly and one-off
  tasks added).

The organisation (2,000 units: 200 committees with nine sections each, 20,000 users, one signed letter
per leader) is built once and the big size grows the small one. Everything is written with
bulk_create in the shape the services leave behind: plans with scope and team, checkpoints, one draw
per plan, inspections with their inspectors, check results, findings with a clause of the unit's
signed letter, rectifications in every state (open, submitted, verified, closed, some sent back once)
with the stamps of their transitions, the hash-chained audit events and the in-app notifications of
finding_record; duty assignments as duty_assignments_generate makes them (oversees, clauses, common
tasks, one occurrence per period), and performance records (with evidence rows for half of them) on
the periods already done. Dates are relative to today, so the traffic lights and the reminders have
the mix of a working system: open rectifications due from 60 days ago to 60 days ahead, 85 % of the
past task periods done.

Then, with Django's test client, as a member of the discipline inspection team and as the head of a
committee (who answers for its ten units), it measures the ledger (plain, and filtered to red), the
dashboard, the duty list, the head's own duty assignment, the to-do pages, and the reminder sources
RECTIFICATION_DUE and DUTY_TASK_DUE (`SOURCES[kind].due_rows` over a working day with many rows due)
plus the whole `reminders_sweep` (in a transaction rolled back afterwards; no broker is measured).

It prints, for each, the median and p95 over N runs and the SQL queries of one run at both sizes, and
the ratios big/small of the time and of the queries. The goal is the same number of queries at both
sizes and a time ratio far below the data ratio of 10 (the page size ratio is printed beside it: a page
that shows more rows at the big size may take longer). Exit status 1 when a page's or a source's query
count changes with the size (the full sweep writes in batches of 2,000 rows and is exempt), or when
something could not be measured.

    bench/supervision                    a fresh SQLite database under /tmp/supervision-bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/supervision_bench bench/supervision --reset
                                         the same on PostgreSQL (--reset empties that database first)
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = Path("/tmp/supervision-bench")

os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE_DIR / 'db.sqlite3'}")
os.environ.setdefault("DJANGO_VAR_DIR", str(SQLITE_DIR / "var"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
sys.path.insert(0, str(ROOT))

UNITS = 2000
COMMITTEES = 200  # top-level working bodies; the other units are sections, ten units to a committee
USERS = 20000
INSPECTORS = 10
PARTY_MEMBERS = 5
CHECKPOINTS = 5  # per plan; every drawn unit gets one finding per checkpoint
PLANS_SMALL, PLANS_BIG = 1, 10  # 10,000 findings a plan
PLANS_A_YEAR = 5
DATA_RATIO = PLANS_BIG / PLANS_SMALL

CLAUSES = [
    ("political", "坚决维护党中央权威和集中统一领导，严守政治纪律和政治规矩。"),
    ("principal", "切实履行本单位党风廉政建设主体责任，做到与业务工作同部署、同落实、同检查、同考核。"),
    ("dual_duty", "坚持一岗双责，对分管领域党风廉政建设负直接领导责任。"),
    ("work_style", "深入贯彻中央八项规定及其实施细则精神，持续纠治形式主义、官僚主义。"),
    ("rules", "健全完善内部管理制度，加强对权力运行的制约和监督。"),
    ("self_discipline", "严格遵守廉洁自律各项规定，管好家属子女和身边工作人员。"),
]
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

# The duty tasks of every assignment: (title, recurrence, times a year, due (month, day) when once).
TASKS_SMALL = [
    ("专题研究党风廉政建设工作", "quarterly", None, None),
    ("年度述责述廉", "yearly", None, None),
]
TASKS_BIG_EXTRA = [
    ("开展廉政谈话", "times_a_year", 12, None),
    ("检查分管领域廉政风险防控", "times_a_year", 12, None),
    ("督促分管科室落实整改", "times_a_year", 12, None),
    ("讲授廉政党课或专题学习", "times_a_year", 6, None),
    ("听取分管单位党风廉政建设汇报", "half_yearly", None, None),
    ("签订分管领域责任书", "once", None, (6, 30)),
]


def say(text: str) -> None:
    print(text, flush=True)


def spread(n: int, modulus: int) -> int:
    """A fixed, well-mixed number in range(modulus) for the n-th row (reproducible, unlike random)."""
    return (
        int.from_bytes(hashlib.blake2b(n.to_bytes(8, "little"), digest_size=8).digest(), "little") % modulus
    )


# --- Database -------------------------------------------------------------------------------------


def prepare_database(*, reset: bool) -> None:
    import django

    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:") and SQLITE_DIR in Path(url.split("sqlite:///", 1)[1]).parents:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)  # our own folder: always start clean
        SQLITE_DIR.mkdir(parents=True)
    Path(os.environ["DJANGO_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command

    from accounts.models import User

    call_command("migrate", verbosity=0)
    if User.objects.exists():
        if not reset:
            raise SystemExit("bench: the database is not empty; pass --reset to empty it first.")
        say("Emptying the database (--reset)")
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)  # the role groups and the audit chain heads again


def refresh_statistics() -> None:
    """PostgreSQL: ANALYZE after the bulk load, as autovacuum would within a minute in production.
    SQLite keeps no statistics unless asked, and the system never asks, so nothing is done there."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def describe_database() -> str:
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite file {settings_dict['NAME']}"
    return (
        f"{connection.vendor} database {settings_dict['NAME']} on {settings_dict.get('HOST') or 'localhost'}"
    )


# --- Data set -------------------------------------------------------------------------------------


@dataclass
class World:
    """What the build made, kept in memory so that the big size can grow the small one."""

    today: datetime.date
    now: datetime.datetime
    units: list = field(default_factory=list)  # the 2,000 committees and sections, in order
    heads: list = field(default_factory=list)  # the head (User) of each unit, same order
    head_posts: list = field(default_factory=list)
    staff_ids: dict = field(default_factory=dict)  # unit index -> staff user ids
    inspectors: list = field(default_factory=list)
    office_admin: object = None
    clauses: dict = field(default_factory=dict)  # post pk -> {category: LetterClause}
    assignments: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    task_sets: int = 0

    def at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        from django.utils import timezone

        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def build_organisation(world: World) -> None:
    """2,000 units in 200 committees, 20,000 users with their posts, and one signed letter per leader."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
    from accounts.roles import Role
    from responsibility.letters.content import ClauseText
    from responsibility.letters.models.letters import (
        Campaign,
        CampaignStatus,
        Letter,
        LetterStatus,
        LetterTemplate,
        TemplateClause,
        TemplateLevel,
    )
    from responsibility.letters.services.issuing import letter_build, letters_store

    year = world.today.year
    with transaction.atomic():
        say(f"  {UNITS:,} units, {USERS:,} users and their posts")
        party_group = OrgUnit.objects.create(code="PG", name="党组", kind=OrgUnitKind.PARTY_GROUP)
        office = OrgUnit.objects.create(
            code="OFFICE", name="机关党委（办公室）", kind=OrgUnitKind.PARTY_COMMITTEE, sort_order=1
        )
        team_unit = OrgUnit.objects.create(
            code="JJZ", name="派驻纪检监察组", kind=OrgUnitKind.INSPECTION_TEAM, sort_order=2
        )
        committees = OrgUnit.objects.bulk_create(
            OrgUnit(
                code=f"W{i:04d}", name=f"第{i + 1}委员会", kind=OrgUnitKind.WORKING_BODY, sort_order=10 + i
            )
            for i in range(COMMITTEES)
        )
        sections = OrgUnit.objects.bulk_create(
            (
                OrgUnit(
                    code=f"S{i:04d}",
                    name=f"第{i % COMMITTEES + 1}委员会第{i // COMMITTEES + 1}处",
                    kind=OrgUnitKind.SECTION,
                    parent=committees[i % COMMITTEES],
                    sort_order=10 + COMMITTEES + i,
                )
                for i in range(UNITS - COMMITTEES)
            ),
            batch_size=2000,
        )
        world.units = committees + sections

        users = User.objects.bulk_create(
            (
                User(
                    username=f"u{n:05d}",
                    full_name=f"干部{n:05d}",
                    password="!",
                    email=f"u{n:05d}@example.org",
                )
                for n in range(USERS)
            ),
            batch_size=5000,
        )
        secretary, office_admin = users[0], users[1]
        inspectors = users[2 : 2 + INSPECTORS]
        members = users[2 + INSPECTORS : 2 + INSPECTORS + PARTY_MEMBERS]
        first_head = 2 + INSPECTORS + PARTY_MEMBERS
        heads = users[first_head : first_head + UNITS]
        staff = users[first_head + UNITS :]
        world.heads, world.inspectors, world.office_admin = heads, inspectors, office_admin
        Group.objects.get(name=Role.PARTY_GROUP).user_set.add(secretary, *members)
        office_admin.groups.add(Group.objects.get(name=Role.OFFICE_ADMIN))
        Group.objects.get(name=Role.INSPECTION_TEAM).user_set.add(*inspectors)

        secretary_post = Post(
            unit=party_group, title="党组书记", kind=PostKind.PARTY_SECRETARY, holder=secretary
        )
        member_posts = [
            Post(
                unit=party_group,
                title="党组成员",
                kind=PostKind.PARTY_MEMBER,
                holder=member,
                sort_order=1 + i,
            )
            for i, member in enumerate(members)
        ]
        office_post = Post(unit=office, title="主任", kind=PostKind.UNIT_HEAD, holder=office_admin)
        inspector_posts = [
            Post(unit=team_unit, title="组长" if i == 0 else "组员", kind=PostKind.INSPECTOR, holder=user)
            for i, user in enumerate(inspectors)
        ]
        head_posts = [
            Post(
                unit=unit,
                title="主任" if unit.parent_id is None else "处长",
                kind=PostKind.UNIT_HEAD,
                holder=head,
            )
            for unit, head in zip(world.units, heads, strict=True)
        ]
        staff_posts = []
        for i, user in enumerate(staff):
            index = i % UNITS
            staff_posts.append(
                Post(
                    unit=world.units[index],
                    title=f"干部{i // UNITS + 1}",
                    kind=PostKind.STAFF,
                    holder=user,
                    sort_order=1 + i // UNITS,
                )
            )
            world.staff_ids.setdefault(index, []).append(user.pk)
        Post.objects.bulk_create(
            [secretary_post, *member_posts, office_post, *inspector_posts, *head_posts, *staff_posts],
            batch_size=5000,
        )
        world.head_posts = head_posts
        # Each Party Group member oversees forty committees (分管).
        Post.oversees.through.objects.bulk_create(
            Post.oversees.through(post_id=post.pk, orgunit_id=committees[j].pk)
            for i, post in enumerate(member_posts)
            for j in range(i, COMMITTEES, PARTY_MEMBERS)
        )

        say("  this year's letters: one countersigned letter per leader, six clauses each")
        template = LetterTemplate.objects.create(
            code="organ",
            name="党风廉政建设责任书",
            level=TemplateLevel.ORGAN,
            title="党风廉政建设责任书",
            preamble="为深入推进全面从严治党，落实党风廉政建设主体责任和监督责任，签订本责任书。",
            closing="本责任书一式两份，甲乙双方各执一份，自签订之日起生效。",
            issuer_label="甲方（党组）",
            signer_label="乙方",
            is_published=True,
            published_at=world.at(datetime.date(year, 1, 5)),
            created_by=office_admin,
        )
        TemplateClause.objects.bulk_create(
            TemplateClause(template=template, number=n, category=category, text=text)
            for n, (category, text) in enumerate(CLAUSES, start=1)
        )
        clause_texts = [ClauseText(n, category, text) for n, (category, text) in enumerate(CLAUSES, start=1)]
        campaign = Campaign.objects.create(
            year=year,
            title=f"{year}年度党风廉政建设责任书签订（基准测试）",
            template=template,
            deadline=datetime.date(year, 3, 31),
            reference_prefix="人常廉责",
            status=CampaignStatus.CLOSED,
            created_by=office_admin,
        )
        signer_posts = [*member_posts, office_post, *head_posts]
        # Built and stored as drafts with their clauses by the issuing service's own bulk builders.
        letters = [
            letter_build(
                campaign=campaign,
                number=number,
                template=template,
                issuer=secretary,
                issuer_post=secretary_post,
                signer_post=post,
                parent=None,
                clauses=clause_texts,
            )
            for number, post in enumerate(signer_posts, start=1)
        ]
        clauses = letters_store(letters=letters, clauses=clause_texts)
        Letter.objects.filter(campaign=campaign).update(
            status=LetterStatus.COUNTERSIGNED,
            issued_at=world.at(datetime.date(year, 1, 10)),
            signed_at=world.at(datetime.date(year, 1, 20)),
            countersigned_at=world.at(datetime.date(year, 2, 1)),
        )
        for clause in clauses:
            post_id = clause.letter.signer_post_id
            world.clauses.setdefault(post_id, {})[clause.category] = clause

        say("  this year's duty assignments for the 2,007 leading posts")
        build_assignments(world, [secretary_post, *member_posts, office_post, *head_posts])


def build_assignments(world: World, posts: list) -> None:
    """As duty_assignments_generate: oversees from the post, the dual-duty and principal clauses of the
    leader's letter; 70 % confirmed by the leader."""
    from accounts.models import Post
    from responsibility.duties.models import AssignmentStatus, DutyAssignment

    year = world.today.year
    oversees: dict[int, list[int]] = {}
    for post_id, unit_id in Post.oversees.through.objects.values_list("post_id", "orgunit_id"):
        oversees.setdefault(post_id, []).append(unit_id)
    assignments = []
    for i, post in enumerate(posts):
        confirmed = i % 10 < 7
        assignments.append(
            DutyAssignment(
                year=year,
                post=post,
                leader_id=post.holder_id,
                business_areas=f"分管{post.unit.name}的业务工作。",
                integrity_duties="对分管领域党风廉政建设负直接领导责任：部署、检查、报告，开展廉政谈话，防控廉政风险。",
                status=AssignmentStatus.CONFIRMED if confirmed else AssignmentStatus.DRAFT,
                confirmed_at=world.at(datetime.date(year, 2, 15)) if confirmed else None,
                created_by=world.office_admin,
                created_at=world.at(datetime.date(year, 2, 10)),
            )
        )
    DutyAssignment.objects.bulk_create(assignments, batch_size=2000)
    DutyAssignment.oversees.through.objects.bulk_create(
        (
            DutyAssignment.oversees.through(dutyassignment_id=assignment.pk, orgunit_id=unit_id)
            for assignment in assignments
            for unit_id in oversees.get(assignment.post_id, ())
        ),
        batch_size=5000,
    )
    DutyAssignment.clauses.through.objects.bulk_create(
        (
            DutyAssignment.clauses.through(dutyassignment_id=assignment.pk, letterclause_id=clause.pk)
            for assignment in assignments
            for category, clause in world.clauses.get(assignment.post_id, {}).items()
            if category in ("dual_duty", "principal")
        ),
        batch_size=5000,
    )
    world.assignments = assignments


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
        PlanStatus,
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


def add_tasks(world: World, specs: list) -> None:
    """Duty tasks of every assignment, one occurrence per period (as duty_task_create); the periods due
    before today are done in 85 % of cases, each with its performance record (a quarter awaiting review,
    the rest accepted) and, for half the records, an evidence file row."""
    from django.db import transaction

    from responsibility.duties.models import DutyTask, PerformanceRecord, ReviewStatus, TaskOccurrence
    from responsibility.duties.recurrence import periods_of
    from responsibility.evidence.models import EvidenceFile

    today, year = world.today, world.today.year
    with transaction.atomic():
        tasks = []
        for assignment in world.assignments:
            clause = world.clauses.get(assignment.post_id, {}).get("dual_duty")
            for s, (title, recurrence, times, due) in enumerate(specs):
                tasks.append(
                    DutyTask(
                        assignment=assignment,
                        title=title,
                        description=f"按要求{title}，并留存会议记录、谈话记录等佐证材料。",
                        recurrence=recurrence,
                        times_a_year=times,
                        due_date=datetime.date(year, *due) if due else None,
                        clause=clause if s % 2 == 0 else None,
                        sort_order=10 * world.task_sets + s,
                    )
                )
        DutyTask.objects.bulk_create(tasks, batch_size=2000)
        world.task_sets += 1

        occurrences, done = [], []
        for task in tasks:
            leader_id = task.assignment.leader_id
            for period in periods_of(
                recurrence=task.recurrence, year=year, times_a_year=task.times_a_year, due_date=task.due_date
            ):
                occurrence = TaskOccurrence(
                    task=task,
                    sequence=period.sequence,
                    period_start=period.start,
                    due_date=period.due,
                    responsible_id=leader_id,
                )
                n = task.pk * 100 + period.sequence
                if period.due < today and spread(n, 100) < 85:
                    performed = max(period.due - datetime.timedelta(days=1 + spread(n, 5)), period.start)
                    occurrence.done_at = world.at(performed, 17)
                    done.append((occurrence, performed, n))
                occurrences.append(occurrence)
        TaskOccurrence.objects.bulk_create(occurrences, batch_size=5000)

        records = []
        for occurrence, performed, n in done:
            pending = spread(n, 4) == 0
            records.append(
                PerformanceRecord(
                    occurrence=occurrence,
                    performed_on=performed,
                    summary=f"{occurrence.task.title}：召开专题会议，传达学习上级精神，研究部署分管领域工作。",
                    participants="分管科室负责同志",
                    recorded_by_id=occurrence.responsible_id,
                    recorded_at=occurrence.done_at,
                    review_status=ReviewStatus.PENDING if pending else ReviewStatus.ACCEPTED,
                    reviewed_by=None if pending else world.inspectors[spread(n, INSPECTORS)],
                    reviewed_at=None if pending else occurrence.done_at + datetime.timedelta(days=2),
                )
            )
        PerformanceRecord.objects.bulk_create(records, batch_size=5000)
        EvidenceFile.objects.bulk_create(
            (
                EvidenceFile(
                    file=f"evidence/{year}/bench/{record.pk}.pdf",
                    original_name="会议记录.pdf",
                    content_type="application/pdf",
                    size=120_000,
                    sha256=hashlib.sha256(str(record.pk).encode()).hexdigest(),
                    performance_record=record,
                    uploaded_by_id=record.recorded_by_id,
                    uploaded_at=record.recorded_at,
                )
                for record in records
                if record.pk % 2 == 0
            ),
            batch_size=5000,
        )


def count_rows() -> dict:
    from accounts.models import OrgUnit, User
    from responsibility.duties.models import DutyAssignment, PerformanceRecord, TaskOccurrence
    from responsibility.supervision.models import Finding, InspectionEvent, Rectification

    return {
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "findings": Finding.objects.count(),
        "rectifications": Rectification.objects.count(),
        "open_rectifications": Rectification.objects.unfinished().count(),
        "audit_events": InspectionEvent.objects.count(),
        "assignments": DutyAssignment.objects.count(),
        "task_periods": TaskOccurrence.objects.count(),
        "open_task_periods": TaskOccurrence.objects.open().count(),
        "performance_records": PerformanceRecord.objects.count(),
    }


# --- Measurements ---------------------------------------------------------------------------------


@dataclass
class Measurement:
    name: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    output: int | None = None  # bytes of the page, or rows of a source
    output_unit: str = "KB"
    fixed_queries: bool = True  # its query count must not change with the size
    error: str | None = None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed(runs: int, work) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.95)


def measure_page(name: str, user, url: str, *, runs: int, warmup: int = 1) -> Measurement:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    result = Measurement(name=name)
    client = Client()
    client.force_login(user)
    try:
        for _ in range(warmup):
            response = client.get(url)
        if response.status_code != 200:
            result.error = f"HTTP {response.status_code} for {url}"
            return result
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        result.queries, result.output = len(queries), len(response.content)
        result.median_ms, result.p95_ms = timed(runs, lambda: client.get(url))
    except Exception as error:  # one broken page must not stop the other measurements
        result.error = f"{type(error).__name__}: {error}"
    return result


def measure_source(name: str, kind: str, day: datetime.date, *, runs: int) -> Measurement:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from responsibility.reminders.registry import SOURCES

    source = SOURCES[kind]
    result = Measurement(name=name, output_unit="rows")

    def rows() -> int:
        return sum(len(batch) for batch in source.due_rows(today=day))

    try:
        with CaptureQueriesContext(connection) as queries:
            result.output = rows()
        result.queries = len(queries)
        result.median_ms, result.p95_ms = timed(runs, rows)
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
    return result


def measure_sweep(day: datetime.date, *, runs: int) -> Measurement:
    """The whole reminders_sweep on an empty reminder ledger, rolled back after each run; the send
    tasks' publish is replaced by a no-op (no broker is measured). Its time is mostly the ORM preparing
    the new ledger rows, so it grows with the rows it creates."""
    from django.db import connection, transaction

    from responsibility.reminders.services import reminders_sweep
    from responsibility.reminders.tasks import reminders_send

    result = Measurement(name="reminders_sweep, all sources", output_unit="rows", fixed_queries=False)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    class Rollback(Exception):
        pass

    def sweep() -> None:
        nonlocal queries
        queries = 0
        try:
            with transaction.atomic(), connection.execute_wrapper(count):
                result.output = reminders_sweep(today=day).created_total
                result.queries = queries
                raise Rollback
        except Rollback:
            pass

    try:
        with mock.patch.object(reminders_send, "delay_on_commit"), mock.patch.object(reminders_send, "delay"):
            result.median_ms, result.p95_ms = timed(runs, sweep)
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
    return result


def sweep_day(today: datetime.date) -> datetime.date:
    """Today, or the next Monday on a weekend (the sources send nothing on a weekend)."""
    return today if today.weekday() < 5 else today + datetime.timedelta(days=7 - today.weekday())


def measure_all(world: World, *, runs: int, sweep_runs: int) -> list[Measurement]:
    from django.urls import reverse

    from responsibility.duties.models import DutyAssignment
    from responsibility.reminders.models import ReminderKind

    inspector, head = world.inspectors[0], world.heads[0]
    own = DutyAssignment.objects.get(leader=head, year=world.today.year)
    pages = [
        ("ledger (inspector)", inspector, reverse("responsibility:ledger")),
        ("ledger, red light (inspector)", inspector, reverse("responsibility:ledger") + "?light=red"),
        ("ledger dashboard (inspector)", inspector, reverse("responsibility:ledger-dashboard")),
        ("ledger (committee head)", head, reverse("responsibility:ledger")),
        ("duty list (inspector)", inspector, reverse("responsibility:duty-list")),
        ("duty list (committee head)", head, reverse("responsibility:duty-list")),
        ("duty detail, own (committee head)", head, reverse("responsibility:duty-detail", args=[own.pk])),
        ("to-do (committee head)", head, reverse("responsibility:todo")),
        ("to-do (inspector)", inspector, reverse("responsibility:todo")),
    ]
    results = []
    for name, user, url in pages:
        say(f"  {name} …")
        results.append(measure_page(name, user, url, runs=runs))
    day = sweep_day(world.today)
    for name, kind in (
        ("due_rows RECTIFICATION_DUE", ReminderKind.RECTIFICATION_DUE),
        ("due_rows DUTY_TASK_DUE", ReminderKind.DUTY_TASK_DUE),
    ):
        say(f"  {name} on {day} …")
        results.append(measure_source(name, kind, day, runs=5))
    say(f"  reminders_sweep on {day} …")
    results.append(measure_sweep(day, runs=sweep_runs))
    return results


# --- Report ---------------------------------------------------------------------------------------


def _output(item: Measurement) -> str:
    if item.output is None:
        return ""
    if item.output_unit == "KB":
        return f"{item.output / 1024:,.0f} KB"
    return f"{item.output:,} rows"


def print_report(database: str, sizes: dict, small: list[Measurement], big: list[Measurement]) -> bool:
    say("")
    say(f"Database: {database}")
    for label, counts in sizes.items():
        say(f"{label}: " + ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items()))
    say("")
    header = (
        f"{'measured':<35} {'small: median':>13} {'p95':>8} {'queries':>7} {'output':>11}   "
        f"{'big: median':>11} {'p95':>8} {'queries':>7} {'output':>11}   {'ratio: time':>11} {'queries':>7} "
        f"{'output':>6}"
    )
    say(header)
    say("-" * len(header))
    all_ok = True
    for one, other in zip(small, big, strict=True):
        error = one.error or other.error
        if error:
            say(f"{one.name:<35} NOT MEASURED: {error}")
            all_ok = False
            continue
        time_ratio = other.median_ms / one.median_ms if one.median_ms else float("nan")
        query_ratio = other.queries / one.queries if one.queries else float("nan")
        output_ratio = other.output / one.output if one.output else float("nan")
        grows = other.queries != one.queries
        if grows and one.fixed_queries:
            all_ok = False
        note = "  QUERIES GROW" if grows and one.fixed_queries else ""
        say(
            f"{one.name:<35} {one.median_ms:>11.1f}ms {one.p95_ms:>6.1f}ms {one.queries:>7} "
            f"{_output(one):>11}   "
            f"{other.median_ms:>9.1f}ms {other.p95_ms:>6.1f}ms {other.queries:>7} {_output(other):>11}   "
            f"{time_ratio:>11.2f} {query_ratio:>7.2f} {output_ratio:>6.2f}{note}"
        )
    say("")
    say(f"Data ratio big/small: {DATA_RATIO:.0f} (rectifications and task periods).")
    say(
        "Every page and source ran the same number of queries at both sizes."
        if all_ok
        else "Some query counts grew with the data, or something was not measured."
    )
    return all_ok


def save_report(payload: dict) -> Path:
    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"supervision-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="empty a non-empty DATABASE_URL database first")
    parser.add_argument("--runs", type=int, default=12, help="timed requests per page (default 12)")
    parser.add_argument(
        "--sweep-runs", type=int, default=2, help="timed runs of the whole reminder sweep (default 2)"
    )
    options = parser.parse_args(argv)

    prepare_database(reset=options.reset)
    from django.utils import timezone

    database = describe_database()
    world = World(today=timezone.localdate(), now=timezone.now())
    say(f"Building the organisation in {database}")
    started = time.perf_counter()
    build_organisation(world)
    say(f"  built in {time.perf_counter() - started:.1f} s")

    sizes, measured, build_seconds = {}, {}, {}
    for label, plans, task_specs in (
        ("small", PLANS_SMALL, TASKS_SMALL),
        ("big", PLANS_BIG, TASKS_BIG_EXTRA),
    ):
        say(f"Growing to the {label} size: {plans * UNITS * CHECKPOINTS:,} rectifications, duty tasks …")
        started = time.perf_counter()
        add_plans(world, plans)
        add_tasks(world, task_specs)
        refresh_statistics()
        build_seconds[label] = round(time.perf_counter() - started, 1)
        sizes[label] = count_rows()
        say(f"  built in {build_seconds[label]:.1f} s; measuring ({options.runs} runs a page)")
        measured[label] = measure_all(world, runs=options.runs, sweep_runs=options.sweep_runs)

    all_ok = print_report(database, sizes, measured["small"], measured["big"])
    path = save_report(
        {
            "database": database,
            "today": world.today,
            "sizes": sizes,
            "build_seconds": build_seconds,
            "small": [asdict(item) for item in measured["small"]],
            "big": [asdict(item) for item in measured["big"]],
        }
    )
    say(f"Saved {path.relative_to(ROOT)}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
