"""Deadline reminders of rectification measures (整改措施), through the reminders ledger, sweep and send.

The calendar is the reminders' one (tests/responsibility/reminders/conftest.py): the finding is recorded on
Monday 2 November 2026, its rectification due on Friday 27 November; a second measure, the staff member's,
is due on Friday 20 November, so its owner is reminded on the 13th (7 days before) like a rectification.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from responsibility.reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import SendOutcome, reminder_send, reminders_sweep
from responsibility.supervision.models import Finding, Measure, Rectification
from responsibility.supervision.services.measures import (
    MeasureInput,
    MeasureReport,
    measure_add,
    measure_report,
)
from responsibility.supervision.services.rectifications import (
    finding_record,
    rectification_send_back,
)
from tests.responsibility.inspections import conftest as supervision_setup
from tests.responsibility.inspections.conftest import finding_input, inspector_of
from tests.responsibility.reminders.conftest import at

pytestmark = pytest.mark.django_db

supervision = supervision_setup.supervision
drawn = supervision_setup.drawn
committee_inspection = supervision_setup.committee_inspection

KIND = ReminderKind.MEASURE_DUE
RECTIFICATION_DEADLINE = datetime.date(2026, 11, 27)
MEASURE_DEADLINE = datetime.date(2026, 11, 20)


@pytest.fixture
def staff(supervision):
    return supervision.org.staff[0]


@pytest.fixture
def finding(committee_inspection) -> Finding:
    return finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, deadline=RECTIFICATION_DEADLINE, evidence_required=False),
        recorded_by=inspector_of(committee_inspection),
    )


@pytest.fixture
def second(finding, supervision, staff) -> Measure:
    return measure_add(
        finding=finding,
        data=MeasureInput(action="修订公务接待管理办法。", owner=staff, deadline=MEASURE_DEADLINE),
        added_by=supervision.inspectors[0],
        expected_version=None,
    )


def measure_rows() -> list[tuple]:
    return sorted(Reminder.objects.filter(kind=KIND).values_list("object_key", "recipient_id", "due_period"))


def sweep_on(clock, day: datetime.date):
    clock.move_to(at(day), tick=False)
    return reminders_sweep(today=day)


def test_a_rectification_of_one_measure_is_reminded_as_the_rectification_only(finding, clock):
    sweep_on(clock, datetime.date(2026, 11, 20))

    assert measure_rows() == []
    assert Reminder.objects.filter(kind=ReminderKind.RECTIFICATION_DUE).count() == 1


def test_each_open_measure_of_several_reminds_its_owner_of_its_own_deadline(finding, second, staff, clock):
    sweep_on(clock, datetime.date(2026, 11, 13))

    # measure 2 is due in 7 days; measure 1 (the head's, due on the 27th) not yet
    assert measure_rows() == [(f"measure:{second.pk}", staff.pk, "before-7")]

    sweep_on(clock, datetime.date(2026, 11, 20))
    first = Measure.objects.get(finding=finding, number=1)
    assert (f"measure:{first.pk}", finding.rectification.owner_id, "before-7") in measure_rows()


def test_a_reported_measure_is_not_reminded_and_its_pending_reminder_is_cancelled(
    finding, second, staff, clock
):
    sweep_on(clock, datetime.date(2026, 11, 13))
    message = Notification.objects.get(recipient=staff, kind=KIND)  # "measure 2 is yours", when added

    measure_report(
        measure=Measure.objects.select_related("finding").get(pk=second.pk),
        data=MeasureReport(report="已印发。"),
        reported_by=staff,
        expected_version=None,
    )
    sweep_on(clock, datetime.date(2026, 11, 17))

    assert (
        Reminder.objects.get(kind=KIND, object_key=f"measure:{second.pk}").status == ReminderStatus.CANCELLED
    )
    assert measure_rows() == [(f"measure:{second.pk}", staff.pk, "before-7")]  # nothing new for it
    message.refresh_from_db()
    assert message.read_at is not None


def test_a_measure_sent_back_is_reminded_again(finding, second, staff, supervision, clock):
    head = finding.rectification.owner
    for measure, owner in ((Measure.objects.get(finding=finding, number=1), head), (second, staff)):
        measure_report(
            measure=Measure.objects.select_related("finding").get(pk=measure.pk),
            data=MeasureReport(report="已完成。"),
            reported_by=owner,
            expected_version=None,
        )
    sweep_on(clock, datetime.date(2026, 11, 13))
    assert measure_rows() == []  # submitted: with the team, nobody's to remind

    rectification_send_back(
        rectification=Rectification.objects.get(finding=finding),
        sent_back_by=supervision.inspectors[0],
        reason="制度未印发。",
        expected_version=None,
        measures=[2],
    )
    sweep_on(clock, datetime.date(2026, 11, 17))

    assert measure_rows() == [(f"measure:{second.pk}", staff.pk, "before-3")]


def test_the_reminder_emails_the_measures_owner_with_its_words_and_a_link(second, staff, clock, settings):
    sweep_on(clock, datetime.date(2026, 11, 13))
    reminder = Reminder.objects.get(kind=KIND)

    assert reminder_send(reminder=reminder) == SendOutcome.SENT

    [email] = mail.outbox
    finding = second.finding
    link = settings.SITE_URL.rstrip("/") + reverse("responsibility:finding-detail", args=[finding.pk])
    assert email.to == [staff.email]
    assert finding.reference in email.subject
    assert any("\u4e00" <= char <= "\u9fff" for char in email.subject), email.subject
    for text in (finding.reference, finding.unit.name, second.action, link + "#measure-2"):
        assert text in email.body
    assert "{{" not in email.body and "{%" not in email.body
