"""The reminder sources of 述责述廉: a report not yet submitted reminds its leader by the round's deadline;
an unspent ballot reminds its rater by the day the rating closes."""

import datetime

from django.urls import reverse

from core import clock
from core.deadlines import deadline_days
from responsibility.cadres.models import IntegrityReport, RatingBallot, RatingStatus, ReportStatus
from responsibility.reminders.models import Reminder, ReminderKind
from responsibility.reminders.registry import DeadlineSource, ReminderMessage, reminder_source_register

_TO_WRITE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


class IntegrityReportDueSource(DeadlineSource):
    """A report still being written (or returned) reminds its leader before and after the round's deadline,
    until it is submitted. Rounds of more than a year ago are no longer reminded."""

    kind = ReminderKind.INTEGRITY_REPORT_DUE
    object_prefix = "report"

    def open_items(self, *, horizon: datetime.date, today: datetime.date):
        return (
            IntegrityReport.objects.filter(
                status__in=_TO_WRITE,
                round__deadline__lte=horizon,
                round__deadline__gte=today - datetime.timedelta(days=366),
            )
            .order_by("round__deadline", "pk")
            .values_list("pk", "leader_id", "round__deadline", "round__opened_at")
        )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        report = (
            IntegrityReport.objects.select_related("round")
            .filter(pk=self.item_id(reminder), leader_id=reminder.recipient_id, status__in=_TO_WRITE)
            .first()
        )
        if report is None:
            return None
        return ReminderMessage(
            url=reverse("responsibility:integrity-report-detail", args=[report.pk]),
            context={
                "report": report,
                "title": report.round.title,
                "returned": report.status == ReportStatus.RETURNED,
                "deadline": report.round.deadline,
                **deadline_days(report.round.deadline, today=clock.today()),
            },
        )


class RatingBallotOpenSource(DeadlineSource):
    """An unspent ballot reminds its rater before the rating closes (the ballot is keyed by the report:
    the reminder says nothing a rater would not know)."""

    kind = ReminderKind.RATING_BALLOT_OPEN
    object_prefix = "rating"

    def open_items(self, *, horizon: datetime.date, today: datetime.date):
        return (
            RatingBallot.objects.filter(
                spent=False,
                report__rating_status=RatingStatus.OPEN,
                report__rating_closes_on__lte=horizon,
                report__rating_closes_on__gte=today,
            )
            .order_by("report__rating_closes_on", "report_id")
            .values_list("report_id", "rater_id", "report__rating_closes_on", "report__reviewed_at")
        )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        ballot = (
            RatingBallot.objects.select_related("report__leader", "report__round")
            .filter(
                report_id=self.item_id(reminder),
                rater_id=reminder.recipient_id,
                spent=False,
                report__rating_status=RatingStatus.OPEN,
                report__rating_closes_on__gte=clock.today(),
            )
            .first()
        )
        if ballot is None:
            return None
        report = ballot.report
        return ReminderMessage(
            url=reverse("responsibility:rating-ballot", args=[report.pk]),
            context={
                "report": report,
                "leader": report.leader.get_full_name(),
                "title": report.round.title,
                "deadline": report.rating_closes_on,
                **deadline_days(report.rating_closes_on, today=clock.today()),
            },
        )


reminder_source_register(IntegrityReportDueSource())
reminder_source_register(RatingBallotOpenSource())
