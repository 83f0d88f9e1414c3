"""Demo data: a city People's Congress standing committee's organs, with letters in every state.

`demo_data_create()` builds, in one transaction, what a new user needs to try every part of the
system: the unit tree, an account for every role, templates (published and draft), last year's closed
campaign (all letters archived) and this year's open one, where letters are issued, signed, returned,
revised, voided, countersigned, archived and cascaded to staff. Every letter state is reached through
the services, by the person who would really do it. The services read the clock, so each step runs
at a plausible moment in the past (`core.clock.at`): the history carries last year's dates and this year's
letters were handed over at the work-style meeting three weeks ago. After the letters, the discipline
inspection team's round of checks (`demo_supervision_create`): a plan with checkpoints, a spot-check
draw, inspections with results and evidence, and findings in every rectification state; and the office's
problem lists of other sources (`demo_problem_lists_create`: the democratic life meeting, a 巡察
feedback) with their measures. Then 一岗双责
(`demo_duties_create`): the common duty tasks, this year's assignments of every leading post, their
confirmations, and performance records with evidence, accepted, awaiting review and returned.

All demo accounts share DEMO_PASSWORD. Never load the demo into a production database: the command
refuses a database that already holds an organisation.

The parts live beside this module: organisation, letter_templates, letters (and the drawn signatures),
supervision and duties (each with the scenario it plays out), and the evidence files they attach.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count

from accounts.anchors.models import AnchorReason
from accounts.anchors.services import chains_anchor
from accounts.models import OrgUnit, User
from accounts.roles import Role
from core import clock
from core.errors import ApplicationError
from responsibility.demo.api_clients import DemoApiClient, demo_api_client_create
from responsibility.demo.assessment import DemoAssessment, demo_assessment_create
from responsibility.demo.cadres import demo_cadres_create
from responsibility.demo.channels import demo_channels_create
from responsibility.demo.duties import DemoDuties, demo_duties_create
from responsibility.demo.files import DemoFiles, demo_files_create, demo_opinion_seal
from responsibility.demo.letters import DemoBuilder
from responsibility.demo.organisation import DEMO_ACCOUNTS, DEMO_MARKER_UNIT, DemoAccount
from responsibility.demo.problem_lists import demo_problem_list_steps, demo_problem_lists
from responsibility.demo.supervision import DemoSupervision, demo_supervision_create
from responsibility.demo.talks import demo_talks_create
from responsibility.letters.models.letters import Campaign, Letter, LetterStatus, LetterTemplate


@dataclass
class DemoSummary:
    """What the demo created, for the command's report."""

    accounts: list[DemoAccount]
    letters_by_status: dict[str, int] = field(default_factory=dict)
    campaigns: list[Campaign] = field(default_factory=list)
    templates: list[LetterTemplate] = field(default_factory=list)
    superuser_skipped: bool = False
    supervision: "DemoSupervision | None" = None
    problem_lists: list = field(default_factory=list)  # ProblemBatch of other sources than inspections
    duties: "DemoDuties | None" = None
    talks: list = field(default_factory=list)  # Talk
    report_round: object = None  # the year's 述责述廉 (ReportRound)
    files: DemoFiles | None = None  # 廉政档案 and 廉政意见回复
    assessment: "DemoAssessment | None" = None
    api_client: DemoApiClient | None = None  # the OA system's client, with its token


def demo_data_present() -> bool:
    """Whether the demo has been loaded into this database already."""
    return OrgUnit.objects.filter(code=DEMO_MARKER_UNIT).exists()


def demo_data_create(*, today: datetime.date | None = None) -> DemoSummary:
    """Build the whole demo in one transaction. Refuses a database that holds another organisation."""
    today = today or clock.today()
    with transaction.atomic():
        superuser_skipped = _database_check_free()
        demo = DemoBuilder(today=today)
        demo.organisation_create(with_superuser=not superuser_skipped)
        demo.templates_create()
        demo.previous_campaign_run()
        demo.current_campaign_run()
        supervision = demo_supervision_create(
            today=today,
            users=demo.users,
            units=demo.units,
            also=demo_problem_list_steps(today=today, users=demo.users, units=demo.units),
        )
        problem_lists = demo_problem_lists()
        duties = demo_duties_create(today=today, users=demo.users, units=demo.units, posts=demo.posts)
        talks = demo_talks_create(today=today, users=demo.users)
        report_round = demo_cadres_create(today=today, users=demo.users)
        files = demo_files_create(today=today, users=demo.users)
        assessment = demo_assessment_create(today=today, users=demo.users)
        api_client = demo_api_client_create(today=today, users=demo.users)
        demo_channels_create(users=demo.users)
        counts = dict(
            Letter.objects.filter(campaign__in=demo.campaigns)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
    # The demo's history anchored at once, as the nightly task would (README, "Chain anchors").
    chains_anchor(reason=AnchorReason.MANUAL)
    demo_opinion_seal(files, users=demo.users)
    return DemoSummary(
        accounts=[a for a in DEMO_ACCOUNTS if not (a.is_superuser and superuser_skipped)],
        letters_by_status={status: counts.get(status, 0) for status in LetterStatus.values},
        campaigns=demo.campaigns,
        templates=demo.templates,
        superuser_skipped=superuser_skipped,
        supervision=supervision,
        problem_lists=problem_lists,
        duties=duties,
        talks=talks,
        report_round=report_round,
        files=files,
        assessment=assessment,
        api_client=api_client,
    )


def _database_check_free() -> bool:
    """Refuse to mix the demo into a real organisation. True when a user `admin` exists (kept as is)."""
    if Group.objects.filter(name__in=list(Role)).count() != len(Role):
        raise ApplicationError("The role groups are missing: run `manage.py migrate` first.")
    units = OrgUnit.objects.count()
    if units:
        raise ApplicationError(
            f"This database already holds an organisation ({units} units). "
            "The demo is loaded only into an empty database."
        )
    usernames = [a.username for a in DEMO_ACCOUNTS if not a.is_superuser]
    taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise ApplicationError(f"These usernames are already taken: {', '.join(taken)}.")
    return any(a.is_superuser and User.objects.filter(username=a.username).exists() for a in DEMO_ACCOUNTS)
