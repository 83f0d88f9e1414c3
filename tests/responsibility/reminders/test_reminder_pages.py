"""The notification centre, the office's reminder log, resending, and a campaign's reminder rules."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responsibility.letters.models.reminder_policy import ReminderPolicy
from responsibility.letters.services.campaigns import campaign_create
from responsibility.reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import reminder_resend, reminder_send, reminders_sweep
from responsibility.reminders.tasks import reminders_send
from tests.factories import LetterTemplateFactory
from tests.responsibility.reminders.conftest import SEVEN_DAYS_BEFORE, at

pytestmark = pytest.mark.django_db


def notify(user, count: int, *, read: bool = False) -> list[Notification]:
    return [
        Notification.objects.create(
            recipient=user, title=f"提醒 {n}", body="请签订责任书。", url="/letters/", read_at=None
        )
        for n in range(count)
    ]


@pytest.fixture
def sent(clock, issued_letters) -> list[Reminder]:
    """The signers' 7-day reminders, sent."""
    clock.move_to(at(SEVEN_DAYS_BEFORE), tick=False)
    reminders_sweep(today=SEVEN_DAYS_BEFORE)
    reminders = list(Reminder.objects.filter(kind=ReminderKind.LETTER_UNSIGNED).order_by("pk"))
    for reminder in reminders:
        reminder_send(reminder=reminder)
    return reminders


# --- The bell and the notification centre ----------------------------------------------------------


def test_the_bell_shows_the_unread_count_on_every_page_with_one_query(client, org):
    # given a user with 3 unread and 2 read messages, and one page load measured
    user = org.heads[0]
    notify(user, 3)
    for notification in notify(user, 2):
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.created_at)
    client.force_login(user)
    url = reverse("responsibility:letter-list")
    client.get(url)  # the first request of a session loads what later ones have cached
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)

    # then the header shows 3, counted by one query
    page = response.content.decode()
    assert 'class="bell-count">3<' in page
    counts = [q["sql"] for q in few.captured_queries if "responsibility_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()

    # when there are many more messages, the page costs the same number of queries
    notify(user, 40)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert 'class="bell-count">43<' in response.content.decode()
    assert len(many) == len(few)


def test_the_bell_has_no_count_without_unread_messages(client, org):
    client.force_login(org.heads[0])
    page = client.get(reverse("responsibility:todo")).content.decode()
    assert 'class="bell' in page
    assert "bell-count" not in page


def test_notification_list_shows_only_the_users_own_messages(client, org):
    notify(org.heads[0], 1)
    Notification.objects.create(recipient=org.heads[1], title="别人的消息")
    client.force_login(org.heads[0])
    page = client.get(reverse("responsibility:notification-list")).content.decode()
    assert "提醒 0" in page
    assert "别人的消息" not in page


def test_notification_read_marks_one_message_and_opens_its_item(client, org):
    # given two unread messages
    first, second = notify(org.heads[0], 2)
    client.force_login(org.heads[0])

    # when the user opens the first
    response = client.post(reverse("responsibility:notification-read", args=[first.pk]), {"open": "1"})

    # then they land on its item, and only it is read
    assert response.status_code == 302 and response.url == "/letters/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_notification_read_of_someone_elses_message_is_not_found(client, org):
    [other] = notify(org.heads[1], 1)
    client.force_login(org.heads[0])
    assert client.post(reverse("responsibility:notification-read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_notification_read_all_marks_only_the_users_own_messages(client, org):
    mine, theirs = notify(org.heads[0], 3), notify(org.heads[1], 1)
    client.force_login(org.heads[0])
    response = client.post(reverse("responsibility:notification-read-all"), follow=True)
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    assert "bell-count" not in response.content.decode()


# --- The office's reminder log and resend ------------------------------------------------------


def test_reminder_list_filters_by_campaign_kind_and_state(client, org, sent):
    # given a failed reminder next to the sent ones
    Reminder.objects.filter(pk=sent[0].pk).update(
        status=ReminderStatus.FAILED, last_error="SMTP 550 无此用户"
    )
    client.force_login(org.office_admin)
    url = reverse("responsibility:reminder-list")

    # when filtered by state
    failed = client.get(url, {"status": ReminderStatus.FAILED, "campaign": org.campaign.pk})
    every = client.get(url)

    # then
    assert [r.pk for r in failed.context["reminders"]] == [sent[0].pk]
    assert "SMTP 550 无此用户" in failed.content.decode()
    assert len(every.context["reminders"]) == Reminder.objects.count()
    assert (
        client.get(url, {"kind": ReminderKind.DAILY_DIGEST, "status": "sent"}).context["reminders"].__len__()
        == 0
    )


def test_reminder_list_ignores_a_bad_filter_value(client, org, sent):
    client.force_login(org.office_admin)
    response = client.get(reverse("responsibility:reminder-list"), {"campaign": "abc", "status": "x"})
    assert response.status_code == 200


def test_reminder_list_page_costs_the_same_queries_for_more_rows(client, org, sent):
    client.force_login(org.office_admin)
    url = reverse("responsibility:reminder-list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    reminders_sweep(today=SEVEN_DAYS_BEFORE)  # nothing new
    Reminder.objects.bulk_create(
        Reminder(
            kind=ReminderKind.LETTER_UNSIGNED,
            object_key=f"letter:{n}",
            recipient=org.staff[0],
            due_period="before-3",
            due_at=at(SEVEN_DAYS_BEFORE),
            campaign=org.campaign,
        )
        for n in range(30)
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@mock.patch.object(reminders_send, "delay")
def test_reminder_resend_sends_a_sent_reminder_again_and_records_who(
    send_delay, client, org, sent, django_capture_on_commit_callbacks
):
    # given a sent reminder whose message was read
    reminder = sent[0]
    Notification.objects.filter(reminder=reminder).update(read_at=at(SEVEN_DAYS_BEFORE))
    client.force_login(org.office_admin)

    # when the office resends it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("responsibility:reminder-resend", args=[reminder.pk]))

    # then it waits to be sent again, by a task queued after commit, and the message is unread again
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.status, reminder.resend_count, reminder.resent_by) == (
        ReminderStatus.PENDING,
        1,
        org.office_admin,
    )
    send_delay.assert_called_once_with(reminder_ids=[reminder.pk])
    assert Notification.objects.get(reminder=reminder).read_at is None

    # and when it is sent, the new email has its own Message-ID; still one message in the app
    assert reminder_send(reminder=reminder) == "sent"
    reminder.refresh_from_db()
    assert reminder.message_id == f"<reminder-{reminder.pk}.1@localhost>"
    assert Notification.objects.filter(reminder=reminder).count() == 1


def test_reminder_resend_refuses_a_reminder_that_is_waiting_or_not_needed(client, org, sent):
    client.force_login(org.office_admin)
    Reminder.objects.filter(pk=sent[0].pk).update(status=ReminderStatus.CANCELLED)
    response = client.post(reverse("responsibility:reminder-resend", args=[sent[0].pk]), follow=True)
    assert "no longer needed" in response.content.decode() or "不再需要" in response.content.decode()
    assert Reminder.objects.get(pk=sent[0].pk).status == ReminderStatus.CANCELLED
    Reminder.objects.filter(pk=sent[1].pk).update(status=ReminderStatus.PENDING)
    with pytest.raises(Exception, match="already waiting|等待发送"):
        reminder_resend(reminder=sent[1], resent_by=org.office_admin)


# --- A campaign's reminder rules ---------------------------------------------------------------


def test_campaign_create_gives_the_campaign_the_default_reminder_rules(org):
    campaign = campaign_create(
        year=2027,
        title="2027年度签订",
        template=LetterTemplateFactory(published=True),
        deadline=org.campaign.deadline.replace(year=2027),
        reference_prefix="人常廉责",
        created_by=org.office_admin,
    )
    policy = ReminderPolicy.objects.get(campaign=campaign)
    assert (policy.days_before, policy.overdue_every_days, policy.skip_weekends) == ([7, 3, 1], 2, True)


def test_campaign_reminders_page_saves_the_rules(client, org):
    client.force_login(org.office_admin)
    url = reverse("responsibility:campaign-reminders", args=[org.campaign.pk])
    assert "7, 3, 1" in client.get(url).content.decode()  # the defaults, for a campaign without rules

    response = client.post(url, {"days_before": "1，14、7", "overdue_every_days": "3"})

    assert response.status_code == 302
    policy = ReminderPolicy.objects.get(campaign=org.campaign)
    assert (policy.days_before, policy.overdue_every_days, policy.skip_weekends) == ([14, 7, 1], 3, False)
    assert policy.updated_by == org.office_admin


@pytest.mark.parametrize(
    ("days_before", "overdue_every_days", "message"),
    [
        ("", "2", "at least one"),
        ("7, -3", "2", "between 0 and 365"),
        ("7, 3", "0", "greater than or equal to 1"),
        ("1,2,3,4,5,6,7,8,9,10,11", "2", "at most 10"),
        ("7, 7", "2", "only once"),
        ("seven", "2", "not a whole number"),
        ("400", "2", "between 0 and 365"),
        ("7", "abc", "whole number"),
    ],
)
def test_campaign_reminders_page_refuses_bad_rules_with_a_clear_message(
    client, org, days_before, overdue_every_days, message
):
    # given the page in English, to read the message
    client.cookies["django_language"] = "en"
    client.force_login(org.office_admin)
    url = reverse("responsibility:campaign-reminders", args=[org.campaign.pk])

    # when
    response = client.post(url, {"days_before": days_before, "overdue_every_days": overdue_every_days})

    # then the form comes back with the message, and nothing was saved
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReminderPolicy.objects.filter(campaign=org.campaign).exists()
