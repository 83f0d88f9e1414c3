"""`manage.py seed_demo`: load the demo organisation, accounts, templates, campaigns and letters."""

import unicodedata
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from accounts.models import PostKind
from accounts.roles import ROLE_LABELS
from core import clock
from core.deadlines import TrafficLight
from core.errors import ApplicationError
from responsibility.cadres.models import ReportStatus
from responsibility.demo.duties import DemoDuties
from responsibility.demo.organisation import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_UNITS, DemoAccount
from responsibility.demo.seed import demo_data_create, demo_data_present
from responsibility.demo.supervision import DemoSupervision
from responsibility.duties.models import AssignmentStatus, ReviewStatus, TalkStatus, TaskOccurrence
from responsibility.letters.models.letters import LetterStatus
from responsibility.reminders.services import reminders_sweep
from responsibility.supervision.models import RectificationStatus


class Command(BaseCommand):
    help = (
        "Fill an empty database with a demo People's Congress standing committee: units, an account "
        "for every role, templates, last year's archived campaign and this year's open one with "
        "letters in every state. Running it again changes nothing. Never use it in production."
    )

    def handle(self, *args, **options):
        if demo_data_present():
            self.stdout.write("demo data already present; nothing was changed.")
            self._accounts_print(DEMO_ACCOUNTS)
            return
        try:
            summary = demo_data_create()
        except ApplicationError as error:
            raise CommandError(f"The demo was not loaded: {error}") from None
        except IntegrityError as error:  # another run loaded it at the same moment
            raise CommandError(f"The demo was not loaded (nothing was changed): {error}") from None

        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        for campaign in summary.campaigns:
            self.stdout.write(
                f"  {campaign.title} ({campaign.get_status_display()}, deadline {campaign.deadline})"
            )
        drafts = sum(not template.is_published for template in summary.templates)
        self.stdout.write(f"  Templates: {len(summary.templates)} ({drafts} draft)")
        self.stdout.write(
            "  Letters: "
            + ", ".join(
                f"{LetterStatus(status).name.lower()} {n}" for status, n in summary.letters_by_status.items()
            )
        )
        if summary.supervision is not None:
            self._supervision_print(summary.supervision)
        for batch in summary.problem_lists:
            self.stdout.write(
                f"  Problem list {batch.title} ({batch.source.name}): {batch.findings.count()} problems"
            )
        if summary.duties is not None:
            self._duties_print(summary.duties)
        if summary.report_round is not None:
            reports = Counter(summary.report_round.reports.values_list("status", flat=True))
            self.stdout.write(
                f"  述责述廉 {summary.report_round.year}: "
                + ", ".join(
                    f"{status} {reports[status]}" for status in ReportStatus.values if reports[status]
                )
            )
        if summary.files is not None:
            statuses = Counter(access.status for access in summary.files.requests)
            self.stdout.write(
                "  Integrity files: access requests "
                + ", ".join(f"{status} {count}" for status, count in statuses.items())
                + "; integrity opinion "
                + (
                    "sealed and issued"
                    if summary.files.opinion_sealed
                    else "drafted (no seal set up to issue it)"
                )
            )
        if summary.talks:
            statuses = Counter(talk.status for talk in summary.talks)
            self.stdout.write(
                f"  Integrity talks: {len(summary.talks)} ("
                + ", ".join(
                    f"{status} {statuses[status]}" for status in TalkStatus.values if statuses[status]
                )
                + ")"
            )
        if summary.api_client is not None:
            client = summary.api_client.client
            self.stdout.write(
                f"  API client {client.name} ({client.account.username}, role inspection_team), "
                f"its token shown this once: {summary.api_client.token}"
            )
        # The reminders due today, at once rather than at beat's next sweep (the worker sends them).
        sweep = reminders_sweep(today=clock.today())
        self.stdout.write(
            f"  Reminders due today: {sweep.created_total} created, {sweep.scheduled} queued for sending"
        )
        self._accounts_print(summary.accounts)
        if summary.superuser_skipped:
            self.stdout.write("A user named `admin` existed already; it was left as it was.")

    def _supervision_print(self, supervision: DemoSupervision) -> None:
        """The round of checks: which units were drawn (it depends on the day), and who has what to do."""
        today = clock.today()
        plan, draw = supervision.plan, supervision.draw
        self.stdout.write(
            f"  {plan.title}: {plan.checkpoints.count()} checkpoints; draw #{draw.sequence} "
            f"(public value {draw.public_value}) chose {len(draw.result)} of {len(draw.population)} units:"
        )
        for inspection in supervision.inspections:
            inspectors = "、".join(inspector.full_name for inspector in inspection.inspectors.all())
            found = sum(finding.inspection_id == inspection.pk for finding in supervision.findings)
            status = inspection.get_status_display()
            self.stdout.write(f"    {inspection.unit.name} ({inspectors}): {status}, {found} findings")
        rectifications = [finding.rectification for finding in supervision.findings]
        statuses = Counter(rectification.status for rectification in rectifications)
        lights = Counter(rectification.light(today) for rectification in rectifications)
        self.stdout.write(
            "  Rectifications: "
            + ", ".join(
                f"{RectificationStatus(s).name.lower()} {statuses[s]}" for s in RectificationStatus.values
            )
            + f" (overdue {lights[TrafficLight.RED]}, due within 7 days {lights[TrafficLight.YELLOW]})"
        )
        owners = Counter(
            (rectification.owner.full_name, rectification.owner.username)
            for rectification in rectifications
            if rectification.status == RectificationStatus.OPEN
        )
        self.stdout.write(
            "  Findings to answer: "
            + ", ".join(f"{name} ({username}) {n}" for (name, username), n in sorted(owners.items()))
        )

    def _duties_print(self, duties: DemoDuties) -> None:
        """一岗双责: how many assignments are confirmed, and the periods and records by state."""
        today = clock.today()
        confirmed = sum(a.status == AssignmentStatus.CONFIRMED for a in duties.assignments)
        lights = Counter(
            occurrence.light(today)
            for occurrence in TaskOccurrence.objects.filter(task__assignment__in=duties.assignments)
        )
        reviews = Counter(record.review_status for record in duties.records)
        self.stdout.write(
            f"  Duty assignments {duties.year}: {len(duties.assignments)} ({confirmed} confirmed); "
            f"task periods: done {lights[TrafficLight.DONE]}, overdue {lights[TrafficLight.RED]}, "
            f"due within 7 days {lights[TrafficLight.YELLOW]}, later {lights[TrafficLight.GREEN]}"
        )
        self.stdout.write(
            "  Performance records: "
            + ", ".join(
                f"{ReviewStatus(status).name.lower()} {reviews[status]}" for status in ReviewStatus.values
            )
        )

    def _accounts_print(self, accounts: list[DemoAccount] | tuple[DemoAccount, ...]) -> None:
        units = {unit.code: unit.name for unit in DEMO_UNITS}
        rows = [("username", "name", "post", "role")]
        for account in accounts:
            post = f"{units[account.unit]} {account.title}" if account.unit else ""
            rows.append((account.username, account.full_name, post, _account_role(account)))
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("")
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write("What each account can try: docs/demo-accounts.md")
        self.stdout.write(
            self.style.WARNING("Demo accounts share a published password: never load them in production.")
        )


def _account_role(account: DemoAccount) -> str:
    if account.is_superuser:
        return "superuser"
    roles = [str(ROLE_LABELS[role]) for role in account.roles]
    if account.kind in (PostKind.UNIT_HEAD, PostKind.DEPUTY_HEAD, PostKind.SECTION_CHIEF, PostKind.STAFF):
        roles.append(str(PostKind(account.kind).label))
    if account.is_staff:
        roles.append("Django admin")
    return ", ".join(roles)


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
