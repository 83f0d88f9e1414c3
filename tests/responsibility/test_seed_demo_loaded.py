"""What one load of the demo (seed_demo) makes: every letter state, the audit chains, supervision and
一岗双责 in every state, all reached through the services.

The demo is loaded once per module and test worker (it takes seconds; the `seeded` fixture of
tests/conftest.py); each test runs inside a savepoint of that load and is rolled back, so a test that
changes something leaves the next one the demo as it was loaded.
"""

import base64
import datetime
import hashlib
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import LEADING_POST_KINDS, Post, PostKind, User
from accounts.org_tree import org_tree
from accounts.roles import Role
from core.deadlines import TrafficLight
from responsibility.demo.organisation import DEMO_ACCOUNTS, DEMO_PASSWORD
from responsibility.duties.models import (
    AssignmentStatus,
    DutyAssignment,
    DutyTaskTemplate,
    PerformanceRecord,
    ReviewStatus,
)
from responsibility.duties.selectors import (
    duty_assignment_list_visible_to,
    occurrence_list_due_for,
    performance_record_list_to_review,
)
from responsibility.evidence.models import EvidenceFile
from responsibility.evidence.rules import evidence_type_of
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import (
    Campaign,
    CampaignStatus,
    ClauseCategory,
    Letter,
    LetterEvent,
    LetterStatus,
    LetterTemplate,
    Signature,
    SignatureMethod,
)
from responsibility.letters.selectors import (
    letter_list_ready_to_cascade,
    letter_list_to_countersign,
    letter_list_to_sign,
    letter_list_visible_to,
    post_list_staff_for,
)
from responsibility.letters.signing import signature_mark_from_drawing
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import (
    Finding,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionPlan,
    InspectionStatus,
    Rectification,
    RectificationStatus,
    SpotCheckDraw,
)
from responsibility.supervision.selectors import (
    finding_list_visible_to,
    rectification_list_awaiting,
    rectification_list_to_verify,
)
from responsibility.supervision.services.draws import draw_verify
from tests.responsibility.demo_helpers import (
    COMMON_TASKS,
    _encodes,
    duty_counts,
    record_counts,
    seed_demo,
    supervision_counts,
    user,
)

# One worker takes the whole module, so the demo (the module-scoped `seeded`) is loaded once, not once
# for every run of its tests a worker happens to be given between other modules.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seed_demo_loaded")]


def test_seed_demo_leaves_a_letter_in_every_state_a_service_can_reach(seeded):
    # then: no service keeps a letter in draft (letters are made and issued in one step), so the
    # draft state is shown by a draft template instead
    statuses = set(Letter.objects.values_list("status", flat=True))
    assert statuses == set(LetterStatus.values) - {LetterStatus.DRAFT}
    assert LetterTemplate.objects.filter(is_published=False).exists()
    assert "Demo data loaded." in seeded


def test_seed_demo_keeps_the_audit_chain_intact(seeded):
    assert LetterEvent.objects.count() > Letter.objects.count()
    assert audit_chain_verify() is None


def test_seed_demo_gives_every_role_group_members(seeded):
    for role in Role:
        assert Group.objects.get(name=role).user_set.exists(), role


def test_seed_demo_builds_a_cascade_below_the_heads_letters(seeded):
    # when
    cascade = list(Letter.objects.filter(parent__isnull=False).select_related("parent", "signer_unit"))

    # then: letters hang below a head's signed letter, inside the head's own unit
    assert {letter.parent.signer.username for letter in cascade} == {"bgs_zhuren", "fzw_zhuren"}
    for letter in cascade:
        assert letter.parent.status in (
            LetterStatus.SIGNED,
            LetterStatus.COUNTERSIGNED,
            LetterStatus.ARCHIVED,
        )
        assert letter.issuer == letter.parent.signer
        assert letter.root_id == letter.parent_id
        assert letter.signer_unit_id in org_tree().subtree(letter.parent.signer_unit_id)


def test_seed_demo_leaves_work_in_the_to_do_lists(seeded):
    # the secretary has letters to countersign
    assert {letter.signer.username for letter in letter_list_to_countersign(user=user("shuji"))} == {
        "jkw_zhuren",
        "nnw_zhuren",
    }
    # heads have letters to sign, one of them the revision of a returned letter
    for head in ("yjs_zhuren", "sjw_zhuren", "rxw_zhuren", "chw_zhuren"):
        assert letter_list_to_sign(user=user(head)).count() == 1, head
    # staff have letters to sign, and their head has one to countersign
    for staff in ("mishu_ganbu", "zonghe_ganbu", "fagui_ganbu1", "bangongshi_admin"):
        assert letter_list_to_sign(user=user(staff)).count() == 1, staff
    assert letter_list_to_countersign(user=user("bgs_zhuren")).count() == 1
    # a head who signed may issue letters to a deputy who has none yet
    [cjw_letter] = letter_list_ready_to_cascade(user=user("cjw_zhuren"))
    assert [post.holder.username for post in post_list_staff_for(parent=cjw_letter)] == ["cjw_fuzhuren"]
    # the inspectors see every letter
    assert letter_list_visible_to(user=user("jijian1")).count() == Letter.objects.count()


def test_seed_demo_returns_revises_and_voids_with_reasons(seeded):
    returned = Letter.objects.get(status=LetterStatus.RETURNED)
    assert returned.return_reason
    assert returned.next_version.status == LetterStatus.ISSUED
    assert returned.next_version.version == 2
    assert returned.next_version.clauses.get(number=5).text != returned.clauses.get(number=5).text
    voided = Letter.objects.get(status=LetterStatus.VOIDED)
    assert voided.void_reason
    # the voided post received its proper letter from its own head afterwards
    assert (
        Letter.objects.live()
        .filter(signer=voided.signer, campaign=voided.campaign, parent__isnull=False)
        .exists()
    )


def test_seed_demo_keeps_last_years_campaign_closed_and_archived(seeded):
    # given
    today = timezone.localdate()
    history = Campaign.objects.get(year=today.year - 1)
    current = Campaign.objects.get(year=today.year)

    # then
    assert history.status == CampaignStatus.CLOSED
    assert set(history.letters.values_list("status", flat=True)) == {LetterStatus.ARCHIVED}
    assert {letter.signed_at.year for letter in history.letters.all()} == {today.year - 1}
    assert current.status == CampaignStatus.OPEN
    assert current.deadline > today
    assert current.template.version == history.template.version + 1
    assert all(letter.issued_at < timezone.now() for letter in current.letters.all())


def test_seed_demo_signs_with_drawn_and_typed_marks(seeded):
    # then: drawn signatures are PNGs the signing rules accept, typed ones the signer's own name
    signatures = list(Signature.objects.select_related("signed_by"))
    assert {s.method for s in signatures} == {SignatureMethod.DRAWN, SignatureMethod.TYPED}
    for signature in signatures:
        if signature.method == SignatureMethod.DRAWN:
            png = bytes(signature.image_png)
            assert png.startswith(b"\x89PNG")
            signature_mark_from_drawing("data:image/png;base64," + base64.b64encode(png).decode())
        else:
            assert signature.typed_name == signature.signed_by.full_name


def test_seed_demo_accounts_sign_in_with_the_documented_password(seeded):
    for account in DEMO_ACCOUNTS:
        # As the login page does: with the request, which the lockout (django-axes) counts by.
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=account.username, password=DEMO_PASSWORD) is not None, (
            account.username
        )
    validate_password(DEMO_PASSWORD, user=user("shuji"))  # raises if a validator refuses it
    office_admin = user("bangongshi_admin")
    assert office_admin.is_staff and not office_admin.is_superuser
    assert user("admin").is_superuser
    assert DEMO_PASSWORD in seeded and "bangongshi_admin" in seeded
    # names outside GB2312, for the PDF fonts
    outside_gb2312 = [u.full_name for u in User.objects.all() if not _encodes(u.full_name, "gb2312")]
    assert len(outside_gb2312) >= 5


def test_seed_demo_gives_party_group_members_the_committees_they_oversee(seeded):
    members = Post.objects.filter(kind=PostKind.PARTY_MEMBER)
    assert members.count() == 3
    for post in members:
        assert post.oversees.count() >= 3
    assert Post.objects.filter(kind=PostKind.UNIT_HEAD).count() == 10


def test_seed_demo_twice_changes_nothing_and_says_so(seeded):
    # given
    before = record_counts()

    # when
    output = seed_demo()

    # then
    assert "demo data already present" in output
    assert record_counts() == before
    assert audit_chain_verify() is None


def test_seed_demo_plans_this_years_checks_with_weighted_checkpoints(seeded):
    # when
    plan = InspectionPlan.objects.get()
    checkpoints = list(plan.checkpoints.all())

    # then: the team checks the units whose heads sign with the Party Group, against every category
    year = timezone.localdate().year
    assert plan.title == f"{year}年度党风廉政建设责任制落实情况监督检查"
    assert plan.period_start <= datetime.date(year, 3, 1)
    assert plan.period_end == datetime.date(year, 12, 31)
    assert {member.username for member in plan.team.all()} == {"jijian1", "jijian2"}
    head_units = set(Post.objects.filter(kind=PostKind.UNIT_HEAD).values_list("unit_id", flat=True))
    assert set(plan.scope.values_list("pk", flat=True)) == head_units
    assert 4 <= len(checkpoints) <= 5
    assert sum(checkpoint.weight for checkpoint in checkpoints) == 100
    assert {checkpoint.evidence_required for checkpoint in checkpoints} == {True, False}
    assert set().union(*(checkpoint.categories for checkpoint in checkpoints)) == set(ClauseCategory.values)


def test_seed_demo_draws_half_the_units_in_a_draw_anyone_can_verify(seeded):
    # given
    draw = SpotCheckDraw.objects.get()

    # when
    verification = draw_verify(draw=draw)

    # then
    assert verification.is_valid, verification
    drawn = {row["unit"] for row in draw.result}
    assert len(drawn) == len(draw.population) // 2
    kinds = {row["kind"] for row in draw.population}
    assert len(kinds) > 1
    assert {row["kind"] for row in draw.population if row["id"] in drawn} == kinds  # one of each at least
    team = set(draw.plan.team.values_list("pk", flat=True))
    for inspection in Inspection.objects.filter(draw=draw).prefetch_related("inspectors"):
        inspectors = {inspector.pk for inspector in inspection.inspectors.all()}
        assert 1 <= len(inspectors) <= 2 and inspectors <= team
    assert draw.drawn_at < timezone.now()


def test_seed_demo_inspects_units_completely_partly_and_not_yet(seeded):
    # given
    checkpoints = InspectionPlan.objects.get().checkpoints.count()

    # when
    inspections = list(Inspection.objects.prefetch_related("results__evidence", "results__checkpoint"))

    # then
    assert Counter(inspection.status for inspection in inspections) == {
        InspectionStatus.COMPLETED: 3,
        InspectionStatus.IN_PROGRESS: 1,
        InspectionStatus.PENDING: 1,
    }
    for inspection in inspections:
        recorded = len(inspection.results.all())
        if inspection.status == InspectionStatus.COMPLETED:
            assert recorded == checkpoints and inspection.summary and inspection.completed_at
        elif inspection.status == InspectionStatus.IN_PROGRESS:
            assert 0 < recorded < checkpoints
        else:
            assert recorded == 0
        for result in inspection.results.all():
            assert result.evidence.exists() or not result.checkpoint.evidence_required


def test_seed_demo_attaches_real_pdfs_and_pngs_with_their_hashes(seeded):
    # when
    files = list(EvidenceFile.objects.all())

    # then: content, size and hash agree; every kind of record has some
    assert {evidence.content_type for evidence in files} == {"application/pdf", "image/png"}
    for evidence in files:
        with evidence.file.open("rb") as stored:
            content = stored.read()
        assert hashlib.sha256(content).hexdigest() == evidence.sha256
        assert len(content) == evidence.size
        assert evidence_type_of(content).content_type == evidence.content_type
        if evidence.content_type == "application/pdf":
            assert b"%%EOF" in content[-32:]
    for owner in ("check_result", "finding", "rectification"):
        assert EvidenceFile.objects.filter(**{f"{owner}__isnull": False}).exists(), owner


def test_seed_demo_leaves_findings_in_every_rectification_state(seeded):
    # given
    today = timezone.localdate()

    # when
    rectifications = list(
        Rectification.objects.filter(finding__plan__isnull=False).select_related(
            "owner", "finding__unit", "finding__clause__letter"
        )
    )

    # then: every state; the open ones on track, due within a week and overdue; one sent back once
    assert {rectification.status for rectification in rectifications} == set(RectificationStatus.values)
    open_ones = [r for r in rectifications if r.status == RectificationStatus.OPEN]
    assert {r.light(today) for r in open_ones} == {TrafficLight.GREEN, TrafficLight.YELLOW, TrafficLight.RED}
    assert Rectification.objects.overdue(today).filter(status=RectificationStatus.OPEN).exists()
    sent_back = [r for r in rectifications if r.times_rejected]
    assert len(sent_back) == 1
    assert sent_back[0].status == RectificationStatus.OPEN and sent_back[0].rejection_reason
    assert sent_back[0].submitted_at is not None
    # the unit's head owns and answers for each, against a clause of a letter they signed
    for rectification in rectifications:
        finding = rectification.finding
        assert Post.objects.heads().filter(unit=finding.unit, holder=rectification.owner).exists()
        assert finding.responsible_id == rectification.owner_id
        assert finding.clause.letter.signer_id == rectification.owner_id
        assert finding.category == finding.clause.category


def test_seed_demo_gives_heads_findings_to_answer_and_the_team_one_to_verify(seeded):
    # given
    owners = set(
        Rectification.objects.filter(status=RectificationStatus.OPEN).values_list(
            "owner__username", flat=True
        )
    )

    # then: 机关党委 is always drawn (the only unit of its kind) and has an overdue finding
    assert "jgdw_shuji" in owners
    for username in owners:
        assert rectification_list_awaiting(user=user(username)).exists(), username
    assert "Findings to answer:" in seeded and "(jgdw_shuji)" in seeded
    # the plan's submitted finding, and 机关党委's problem of the 民主生活会 list (no plan team: any verifier)
    for username in ("jijian1", "jijian2"):
        to_verify = rectification_list_to_verify(user=user(username))
        assert sorted(finding.plan_id is None for finding in to_verify) == [False, True]
    # heads of units without findings see none
    with_findings = set(Finding.objects.values_list("unit_id", flat=True))
    others = Post.objects.heads().exclude(unit_id__in=with_findings).select_related("holder")
    assert others.exists()
    for post in others:
        assert not finding_list_visible_to(user=user(post.holder.username)).exists()


def test_seed_demo_keeps_the_inspection_chain_intact_and_in_time_order(seeded):
    # when
    events = list(InspectionEvent.objects.order_by("sequence"))

    # then
    assert inspection_chain_verify() is None
    moments = [event.created_at for event in events]
    assert moments == sorted(moments)
    assert moments[-1] < timezone.now()
    K = InspectionEventKind
    assert {event.kind for event in events} >= {
        K.PLAN_CREATED,
        K.DRAWN,
        K.RESULT_RECORDED,
        K.EVIDENCE_ADDED,
        K.INSPECTION_COMPLETED,
        K.FINDING_RECORDED,
        K.SUBMITTED,
        K.SENT_BACK,
        K.VERIFIED,
        K.CLOSED,
    }
    # each finding carries the moment it was recorded, as its audit event does
    recorded = {event.subject: event.created_at for event in events if event.kind == K.FINDING_RECORDED}
    for finding in Finding.objects.select_related("rectification"):
        assert finding.created_at == recorded[f"finding:{finding.pk}"] == finding.rectification.created_at


def test_seed_demo_twice_leaves_supervision_as_it_was(seeded):
    # given
    before = supervision_counts()

    # when
    seed_demo()

    # then
    assert supervision_counts() == before
    assert inspection_chain_verify() is None


def test_seed_demo_ships_the_common_duty_tasks_with_descriptions(seeded):
    templates = list(DutyTaskTemplate.objects.all())
    assert {
        (t.title, t.recurrence, t.times_a_year, t.due_month, t.due_day) for t in templates
    } == COMMON_TASKS
    assert all(t.is_active and len(t.description) > 40 for t in templates)


def test_seed_demo_gives_every_held_leading_post_its_assignment_for_the_year(seeded):
    # given
    year = timezone.localdate().year
    leading = list(Post.objects.held().filter(kind__in=LEADING_POST_KINDS).select_related("holder"))

    # when
    assignments = list(
        DutyAssignment.objects.filter(year=year).select_related("post", "leader").prefetch_related("oversees")
    )

    # then: the secretary, three members, ten heads and three deputies, each with what they oversee
    assert len(leading) == 17
    assert sorted(a.post_id for a in assignments) == sorted(post.pk for post in leading)
    common = {title for title, *_rest in COMMON_TASKS}
    for assignment in assignments:
        assert assignment.leader == assignment.post.holder
        overseen = [unit.name for unit in assignment.oversees.all()]
        assert overseen == list(assignment.post.oversees.values_list("name", flat=True)), assignment
        assert overseen and assignment.integrity_duties, assignment
        if assignment.post.kind != PostKind.PARTY_SECRETARY:  # the office wrote each one's areas in
            assert overseen[0] in assignment.business_areas
        assert common <= set(assignment.tasks.values_list("title", flat=True))
    kinds = Counter(a.post.kind for a in assignments)
    assert kinds == {
        PostKind.PARTY_SECRETARY: 1,
        PostKind.PARTY_MEMBER: 3,
        PostKind.UNIT_HEAD: 10,
        PostKind.DEPUTY_HEAD: 3,
    }
    # deputies oversee a section or two, Party Group members several committees
    for assignment in assignments:
        if assignment.post.kind == PostKind.PARTY_MEMBER:
            assert assignment.oversees.count() >= 3
        elif assignment.post.kind == PostKind.DEPUTY_HEAD:
            assert 1 <= assignment.oversees.count() <= 2
    # some leaders confirmed theirs, the others have it waiting
    assert {a.status for a in assignments} == {AssignmentStatus.CONFIRMED, AssignmentStatus.DRAFT}
    assert all(a.confirmed_at for a in assignments if a.status == AssignmentStatus.CONFIRMED)


def test_seed_demo_links_each_assignment_to_clauses_of_the_leaders_own_letter(seeded):
    year = timezone.localdate().year
    linked = DutyAssignment.objects.filter(year=year, clauses__isnull=False).distinct()
    assert linked.count() >= 10  # every head, and the deputies whose head issued them a letter
    for assignment in linked.select_related("post"):
        for clause in assignment.clauses.select_related("letter"):
            assert clause.letter.signer_id == assignment.leader_id
            assert clause.letter.signer_post_id == assignment.post_id
            assert clause.letter.campaign.year == year
            assert clause.category in (ClauseCategory.DUAL_DUTY, ClauseCategory.PRINCIPAL)


def test_seed_demo_keeps_records_accepted_awaiting_review_and_returned(seeded):
    # given
    today = timezone.localdate()
    records = list(
        PerformanceRecord.objects.select_related(
            "occurrence__task__assignment", "reviewed_by"
        ).prefetch_related("evidence")
    )
    team = set(User.objects.filter(groups__name=Role.INSPECTION_TEAM).values_list("pk", flat=True))

    # then: every review state, each record kept by the leader, dated in the year by then
    assert {record.review_status for record in records} == set(ReviewStatus.values)
    for record in records:
        assignment = record.occurrence.task.assignment
        assert record.recorded_by_id == assignment.leader_id
        assert record.performed_on.year == assignment.year == today.year and record.performed_on <= today
        assert record.summary
        assert timezone.localdate(record.recorded_at) >= record.performed_on
        if record.review_status == ReviewStatus.PENDING:
            assert record.reviewed_by is None
        else:
            assert record.reviewed_by_id in team and record.reviewed_at > record.recorded_at
    # a returned record has its reason, and its period is open again unless recorded again since
    returned = [r for r in records if r.review_status == ReviewStatus.RETURNED]
    assert all(r.review_reason for r in returned)
    reopened = [
        r for r in returned if not r.occurrence.records.exclude(review_status=ReviewStatus.RETURNED).exists()
    ]
    assert reopened and all(r.occurrence.done_at is None for r in reopened)
    redone = [r for r in returned if r not in reopened]
    assert redone and all(r.occurrence.done_at is not None for r in redone)
    # the evidence: real PDFs and PNGs of the records, on accepted and waiting ones alike
    evidence = EvidenceFile.objects.filter(performance_record__isnull=False)
    assert {e.content_type for e in evidence} == {"application/pdf", "image/png"}
    assert {e.performance_record.review_status for e in evidence} >= {
        ReviewStatus.ACCEPTED,
        ReviewStatus.PENDING,
    }
    for file in evidence:
        with file.file.open("rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == file.sha256


def test_seed_demo_gives_leaders_periods_to_record_and_the_team_records_to_review(seeded):
    today = timezone.localdate()
    # the leader who recorded nothing has overdue periods on their to-do list (from 2 January on)
    if today > datetime.date(today.year, 1, 1):
        assert occurrence_list_due_for(user=user("rxw_zhuren")).overdue(today).exists()
    # both inspectors see the records waiting for review
    waiting = PerformanceRecord.objects.filter(review_status=ReviewStatus.PENDING).count()
    for username in ("jijian1", "jijian2"):
        assert performance_record_list_to_review(user=user(username)).count() == waiting > 0
    # the Party Group, the office and the team read every assignment; a section's staff their leaders'
    total = DutyAssignment.objects.count()
    for username in ("shuji", "dangzu1", "bangongshi_admin", "jijian1"):
        assert duty_assignment_list_visible_to(user=user(username)).count() == total
    seen = duty_assignment_list_visible_to(user=user("fagui_ganbu1"))
    assert set(seen.values_list("leader__username", flat=True)) == {"fzw_zhuren", "fzw_fuzhuren", "dangzu1"}
    seen = duty_assignment_list_visible_to(user=user("mishu_ganbu"))
    assert set(seen.values_list("leader__username", flat=True)) == {"bgs_zhuren", "bgs_fuzhuren", "dangzu3"}
    assert (
        duty_assignment_list_visible_to(user=user("fzw_zhuren"))
        .filter(leader__username="fzw_zhuren")
        .exists()
    )


def test_seed_demo_twice_leaves_duties_as_they_were(seeded):
    # given
    before = duty_counts()

    # when
    seed_demo()

    # then
    assert duty_counts() == before
    assert "Duty assignments" in seeded and "Performance records:" in seeded


def test_seed_demo_ships_the_units_scheme_in_two_versions_and_the_provinces(seeded):
    from responsibility.assessment.models import AreaKind, AssessmentScheme, SchemeItem, SchemeStatus

    schemes = {
        (scheme.name, scheme.version): scheme for scheme in AssessmentScheme.objects.prefetch_related("areas")
    }
    unit = schemes["党风廉政建设责任制考核", 1]
    revised = schemes["党风廉政建设责任制考核", 2]
    province = schemes["人大工作高质量发展综合考评计分细则", 1]

    assert (unit.status, revised.status, province.status) == (
        SchemeStatus.PUBLISHED,
        SchemeStatus.DRAFT,
        SchemeStatus.PUBLISHED,
    )
    assert unit.code == revised.code and unit.total_points == 100
    assert SchemeItem.objects.filter(scheme=unit).exclude(indicator="").count() == 3
    # the province's: 4 areas of 70 scoring points together, and 7 bonus items
    scored = [area for area in province.areas.all() if area.kind == AreaKind.SCORED]
    assert len(scored) == 4 and province.total_points == 70
    assert SchemeItem.objects.filter(scheme=province, area__kind=AreaKind.SCORED).count() == 70
    assert SchemeItem.objects.filter(scheme=province, area__kind=AreaKind.BONUS).count() == 7


def test_seed_demo_rounds_last_year_published_and_this_year_in_every_state(seeded):
    from responsibility.assessment.models import (
        AssessmentRound,
        Objection,
        ObjectionStatus,
        RoundStatus,
        UnitAssessmentStatus,
    )

    previous, current = AssessmentRound.objects.order_by("year")
    assert previous.status == RoundStatus.APPROVED and current.status == RoundStatus.OPEN
    assert sorted(
        Objection.objects.filter(unit_assessment__round=previous).values_list("status", flat=True)
    ) == [
        ObjectionStatus.REJECTED,
        ObjectionStatus.UPHELD,
    ]
    states = set(current.units.values_list("status", flat=True))
    assert states == set(UnitAssessmentStatus.values)
    objected = Objection.objects.get(unit_assessment__round=current)
    assert objected.is_pending and objected.unit_assessment.status == UnitAssessmentStatus.REVIEWED
