"""Deadline reminders of rectifications (整改), through the reminders ledger, sweep and send.

The calendar is the reminders' one (tests/responsibility/reminders/conftest.py): the finding is recorded
on Monday 2 November 2026, and its rectification is due on Friday 20 November 2026. With the default
schedule (7, 3 and 1 days before, then every 2 days overdue, weekends skipped) its owner is reminded on
13, 17 and 19 November, then on Monday 23 (the 1-day-overdue reminder falls on Saturday 21 and is
overtaken by the 3-day one), 25 and 27 November and on Monday 30 November (the 9-day one, from Sunday 29).
"""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responsibility.reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.registry import SOURCES, period_current, start_of_day
from responsibility.reminders.services import SendOutcome, reminder_send, reminders_sweep
from responsibility.supervision.models import Rectification, RectificationStatus
from responsibility.supervision.services.rectifications import (
    FindingChange,
    SubmissionInput,
    finding_record,
    finding_update,
    rectification_close,
    rectification_send_back,
    rectification_submit,
    rectification_verify,
)
from tests.responsibility.inspections import conftest as supervision_setup
from tests.responsibility.inspections.conftest import finding_input, inspector_of
from tests.responsibility.reminders.conftest import at

SOURCE_MODULE = "responsibility.reminders.registry"  # DeadlineSource.due_rows asks the schedule

pytestmark = pytest.mark.django_db

# The supervision fixtures (a plan over signed units, drawn), on this module's calendar.
supervision = supervision_setup.supervision
drawn = supervision_setup.drawn
committee_inspection = supervision_setup.committee_inspection

KIND = ReminderKind.RECTIFICATION_DUE
DEADLINE = datetime.date(2026, 11, 20)  # a Friday


def rectification_rows() -> list[tuple]:
    return sorted(
        Reminder.objects.filter(kind=KIND).values_list("object_key", "recipient_id", "due_period", "status")
    )


def record(inspection, **overrides) -> Rectification:
    """A finding against the inspected unit, its head owning the rectification, due on DEADLINE."""
    values = {"deadline": DEADLINE, "evidence_required": False, **overrides}
    finding = finding_record(
        inspection=inspection, data=finding_input(inspection, **values), recorded_by=inspector_of(inspection)
    )
    return finding.rectification


@pytest.fixture
def rectification(committee_inspection) -> Rectification:
    return record(committee_inspection)


def sweep_on(clock, day: datetime.date):
    clock.move_to(at(day), tick=False)
    return reminders_sweep(today=day)


def submit(rectification: Rectification) -> Rectification:
    return rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures="已召开专题会议，形成会议纪要。"),
        submitted_by=rectification.owner,
        expected_version=None,
    )


def team_member(supervision):
    return supervision.inspectors[0]


# --- The sweep ------------------------------------------------------------------------------------


def test_reminders_sweep_skips_a_reminder_whose_day_came_before_the_finding(committee_inspection, clock):
    # given a finding recorded on Wednesday 18 November, due on Friday 20
    clock.move_to(at(datetime.date(2026, 11, 18)), tick=False)
    late = record(committee_inspection)

    # when swept on the 18th (the 3-day reminder's day was the 17th) and on the 19th
    on_the_18th = reminders_sweep(today=datetime.date(2026, 11, 18))
    sweep_on(clock, datetime.date(2026, 11, 19))

    # then it gets no "3 days left", only the 1-day reminder
    assert on_the_18th.created[KIND] == 0
    assert rectification_rows() == [
        (f"rectification:{late.pk}", late.owner_id, "before-1", ReminderStatus.PENDING)
    ]


def test_reminders_sweep_reminds_only_open_rectifications(supervision, committee_inspection, clock):
    # given rectifications in every state, and one sent back to its owner (open again)
    member = team_member(supervision)
    still_open = record(committee_inspection)
    submitted = submit(record(committee_inspection))
    verified = rectification_verify(
        rectification=submit(record(committee_inspection)), verified_by=member, expected_version=None
    )
    closed = rectification_close(
        rectification=rectification_verify(
            rectification=submit(record(committee_inspection)), verified_by=member, expected_version=None
        ),
        closed_by=member,
        expected_version=None,
    )
    sent_back = rectification_send_back(
        rectification=submit(record(committee_inspection)),
        sent_back_by=member,
        reason="会议纪要未附签到表。",
        expected_version=None,
    )
    assert [r.status for r in (submitted, verified, closed, sent_back)] == [
        RectificationStatus.SUBMITTED,
        RectificationStatus.VERIFIED,
        RectificationStatus.CLOSED,
        RectificationStatus.OPEN,
    ]

    # when
    sweep_on(clock, datetime.date(2026, 11, 13))

    # then only the two open ones remind their owner
    assert [row[0] for row in rectification_rows()] == sorted(
        [f"rectification:{still_open.pk}", f"rectification:{sent_back.pk}"]
    )


def test_rectification_source_reads_with_one_query_and_works_out_each_deadline_once(
    committee_inspection, clock
):
    # given six rectifications due on three days of the coming week, and one due later
    soon = [
        record(committee_inspection, deadline=DEADLINE + datetime.timedelta(days=days))
        for days in (0, 0, 1, 2, 2, 2)
    ]
    record(committee_inspection, deadline=DEADLINE + datetime.timedelta(days=10))

    # when the source alone is asked for the rows due on Monday 16th
    with (
        CaptureQueriesContext(connection) as queries,
        mock.patch(f"{SOURCE_MODULE}.period_current", wraps=period_current) as worked_out,
    ):
        batches = list(SOURCES[KIND].due_rows(today=datetime.date(2026, 11, 16)))

    # then one query read the six due within a week (not the later one), the schedule was worked out
    # once per deadline, and each has its 7-day reminder (those of the 21st and 22nd moved to Monday)
    assert len(queries) == 1
    assert worked_out.call_count == 3
    rows = [row for batch in batches for row in batch]
    assert [row.object_key for row in rows] == [f"rectification:{r.pk}" for r in soon]
    assert {row.due_period for row in rows} == {"before-7"}
    assert {row.due_at for row in rows} == {
        start_of_day(datetime.date(2026, 11, 13)),
        start_of_day(datetime.date(2026, 11, 16)),
    }


# --- Sending --------------------------------------------------------------------------------------


def test_reminder_send_emails_the_owner_with_the_finding_and_a_link_to_it(rectification, clock, settings):
    # given the 3-day reminder
    sweep_on(clock, datetime.date(2026, 11, 17))
    reminder = Reminder.objects.get(kind=KIND)
    finding = rectification.finding

    # when
    outcome = reminder_send(reminder=reminder)

    # then the owner got one email naming the finding, its unit, problem and deadline, with the link
    assert outcome == SendOutcome.SENT
    [email] = mail.outbox
    assert email.to == [rectification.owner.email]
    link = settings.SITE_URL.rstrip("/") + reverse("responsibility:finding-detail", args=[finding.pk])
    assert finding.reference == f"2026-{finding.plan_id}-001"
    assert finding.reference in email.subject
    assert any("\u4e00" <= char <= "\u9fff" for char in email.subject), email.subject
    for text in (finding.reference, finding.unit.name, finding.title, rectification.requirement, link):
        assert text in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html" and link in html and finding.reference in html
    assert "{{" not in email.body and "{%" not in email.body and "{{" not in html
    notification = Notification.objects.get(reminder=reminder)
    assert notification.recipient == rectification.owner
    assert notification.url == reverse("responsibility:finding-detail", args=[finding.pk])
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.SENT


@pytest.mark.parametrize(
    ("day", "days_left", "days_overdue", "overdue"),
    [
        (datetime.date(2026, 11, 17), 3, 0, False),
        (datetime.date(2026, 11, 20), 0, 0, False),
        (datetime.date(2026, 11, 23), 0, 3, True),
    ],
)
def test_rectification_reminder_message_counts_the_days_left_or_overdue(
    rectification, clock, day, days_left, days_overdue, overdue
):
    sweep_on(clock, day)
    message = SOURCES[KIND].message(reminder=Reminder.objects.get(kind=KIND))

    context = message.context
    assert (context["days_left"], context["days_overdue"], context["overdue"]) == (
        days_left,
        days_overdue,
        overdue,
    )
    assert context["reference"] == rectification.finding.reference
    assert context["unit"] == rectification.finding.unit.name
    assert context["problem"] == rectification.finding.title
    assert context["deadline"] == DEADLINE


def test_reminder_send_of_an_overdue_rectification_sent_back_shows_the_reason(
    supervision, rectification, clock
):
    # given the owner's fix was sent back, and the deadline has passed
    rectification_send_back(
        rectification=submit(rectification),
        sent_back_by=team_member(supervision),
        reason="会议纪要未附签到表。",
        expected_version=None,
    )
    sweep_on(clock, datetime.date(2026, 11, 23))

    # when
    reminder_send(reminder=Reminder.objects.get(kind=KIND))

    # then
    [email] = mail.outbox
    assert "会议纪要未附签到表。" in email.body
    assert "会议纪要未附签到表。" in email.alternatives[0][0]


def _close(supervision, rectification):
    member = team_member(supervision)
    verified = rectification_verify(
        rectification=submit(rectification), verified_by=member, expected_version=None
    )
    rectification_close(rectification=verified, closed_by=member, expected_version=None)


def _hand_over(supervision, rectification):
    """The team gives the rectification to another person of the unit (the deputy head)."""
    finding = rectification.finding
    finding_update(
        finding=finding,
        data=FindingChange(
            title=finding.title,
            description=finding.description,
            severity=finding.severity,
            responsible=finding.responsible,
            owner=supervision.org.staff[0],
            requirement=rectification.requirement,
            deadline=rectification.deadline,
        ),
        updated_by=team_member(supervision),
        expected_version=finding.version,
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_close, id="closed"),
        pytest.param(lambda supervision, rectification: submit(rectification), id="submitted"),
        pytest.param(_hand_over, id="owner changed"),
    ],
)
def test_a_reminder_no_longer_needed_is_cancelled_when_done(supervision, rectification, clock, change):
    # given a reminder created, then the rectification moved on before it was sent
    sweep_on(clock, datetime.date(2026, 11, 13))
    reminder = Reminder.objects.get(kind=KIND)
    change(supervision, Rectification.objects.get(pk=rectification.pk))

    # then the service that did it cancelled the reminder
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.CANCELLED

    # when its send task runs all the same
    outcome = reminder_send(reminder=reminder)

    # then nothing goes out and the ledger says it was not needed
    assert outcome == SendOutcome.SKIPPED
    assert mail.outbox == []
    assert not Notification.objects.filter(reminder=reminder).exists()
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.CANCELLED


def test_a_findings_messages_name_the_deadline_alike_and_close_once_the_fix_is_reported(
    supervision, rectification, clock
):
    # given the finding's message to its owner, and the reminder of its deadline sent on the 13th
    owner = rectification.owner
    recorded = Notification.objects.get(recipient=owner, reminder__isnull=True)
    sweep_on(clock, datetime.date(2026, 11, 13))
    reminder_send(reminder=Reminder.objects.get(kind=KIND))
    reminded = Notification.objects.get(recipient=owner, reminder__isnull=False)

    # then both name the deadline in the one format of messages, and only the newer is unread
    for notification in (recorded, reminded):
        assert "2026年11月20日" in notification.title and "2026-11-20" not in notification.title
        assert (notification.kind, notification.object_key) == (KIND, f"rectification:{rectification.pk}")
    recorded.refresh_from_db()
    assert recorded.read_at is not None and reminded.read_at is None
    # and the reminder waiting for the 17th is still to come
    sweep_on(clock, datetime.date(2026, 11, 17))
    assert Reminder.objects.filter(kind=KIND, status=ReminderStatus.PENDING).count() == 1

    # when the owner reports the fix
    submit(Rectification.objects.get(pk=rectification.pk))

    # then nothing about the rectification is left unread, and the waiting reminder is cancelled
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert set(Reminder.objects.filter(kind=KIND).values_list("due_period", "status")) == {
        ("before-7", ReminderStatus.SENT),
        ("before-3", ReminderStatus.CANCELLED),
    }


def test_a_sent_back_rectification_asks_its_owner_again(supervision, rectification, clock):
    # given the fix reported (the owner's messages closed), then sent back by the team
    submitted = submit(rectification)
    rectification_send_back(
        rectification=submitted,
        sent_back_by=team_member(supervision),
        reason="未附签到表。",
        expected_version=None,
    )

    # then the owner has one unread message: the reason it came back
    [message] = Notification.objects.filter(recipient=rectification.owner, read_at__isnull=True)
    assert message.body == "未附签到表。"
    assert (message.kind, message.object_key) == (KIND, f"rectification:{rectification.pk}")


# --- The office's reminder log --------------------------------------------------------------------


def test_reminder_list_shows_rectification_reminders_and_filters_them(
    client, supervision, rectification, clock
):
    # given a rectification reminder next to the letters' ones (the letters are signed: countersign)
    org = supervision.org
    sweep_on(clock, datetime.date(2026, 11, 13))
    reminder = Reminder.objects.get(kind=KIND)
    client.force_login(org.office_admin)
    url = reverse("responsibility:reminder-list")

    # when
    every = client.get(url)
    by_kind = client.get(url, {"kind": KIND})
    by_campaign = client.get(url, {"campaign": org.campaign.pk})

    # then it is listed with a link to its finding; the kind filter finds it, the campaign filter not
    assert every.status_code == 200
    page = every.content.decode()
    assert reverse("responsibility:finding-detail", args=[rectification.finding_id]) in page
    assert rectification.finding.reference in page
    assert [r.pk for r in by_kind.context["reminders"]] == [reminder.pk]
    assert by_campaign.status_code == 200
    assert reminder.pk not in [r.pk for r in by_campaign.context["reminders"]]


def test_reminder_list_page_costs_the_same_queries_for_more_rectification_reminders(
    client, supervision, committee_inspection, clock
):
    # given one rectification reminder, then four
    org = supervision.org
    record(committee_inspection)
    sweep_on(clock, datetime.date(2026, 11, 13))
    client.force_login(org.office_admin)
    url = reverse("responsibility:reminder-list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _n in range(3):
        record(committee_inspection, deadline=DEADLINE + datetime.timedelta(days=3))
    sweep_on(clock, datetime.date(2026, 11, 16))  # their 7-day reminders (the 23rd's)
    client.get(url)  # days later: this request records the session's activity (accounts.sessions)

    # when
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    # then
    assert len([r for r in response.context["reminders"] if r.kind == KIND]) == 4
    assert len(many) == len(few)
