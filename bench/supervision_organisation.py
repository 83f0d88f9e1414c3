"""The supervision benchmark's organisation: 2,000 units in 200 committees, 20,000 users with their
posts, one countersigned letter per leader, and this year's duty assignments of the leading posts.

`World` keeps what was built in memory, so that the big size can grow the small one, and `spread`
gives every generated row its reproducible share of states and dates.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from bench.harness import say
from bench.organ import clause_texts, letter_template_create, organ_units_create

UNITS = 2000
COMMITTEES = 200  # top-level working bodies; the other units are sections, ten units to a committee
USERS = 20000
INSPECTORS = 10
PARTY_MEMBERS = 5


def spread(n: int, modulus: int) -> int:
    """A fixed, well-mixed number in range(modulus) for the n-th row (reproducible, unlike random)."""
    return (
        int.from_bytes(hashlib.blake2b(n.to_bytes(8, "little"), digest_size=8).digest(), "little") % modulus
    )


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
    from responsibility.letters.models.letters import (
        Campaign,
        CampaignStatus,
        Letter,
        LetterStatus,
        TemplateLevel,
    )
    from responsibility.letters.services.issuing import letter_build, letters_store

    year = world.today.year
    with transaction.atomic():
        say(f"  {UNITS:,} units, {USERS:,} users and their posts")
        party_group, office, team_unit = organ_units_create()
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
        template = letter_template_create(
            level=TemplateLevel.ORGAN,
            code="organ",
            title="党风廉政建设责任书",
            published_at=world.at(datetime.date(year, 1, 5)),
            created_by=office_admin,
        )
        texts = clause_texts()
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
                clauses=texts,
            )
            for number, post in enumerate(signer_posts, start=1)
        ]
        clauses = letters_store(letters=letters, clauses=texts)
        # Step by step, as the workflow moves them: PostgreSQL's status guard refuses a jump from draft.
        stored = Letter.objects.filter(campaign=campaign)
        stored.update(status=LetterStatus.ISSUED, issued_at=world.at(datetime.date(year, 1, 10)))
        stored.update(status=LetterStatus.SIGNED, signed_at=world.at(datetime.date(year, 1, 20)))
        stored.update(status=LetterStatus.COUNTERSIGNED, countersigned_at=world.at(datetime.date(year, 2, 1)))
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
