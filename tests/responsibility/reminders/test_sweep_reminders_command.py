"""`manage.py sweep_reminders`: the sweep by hand, with --date and --dry-run."""

import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from responsibility.reminders.models import Reminder
from responsibility.reminders.tasks import reminders_send
from tests.responsibility.reminders.conftest import SEVEN_DAYS_BEFORE

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sweep_reminders", *args, stdout=out)
    return out.getvalue()


def test_sweep_reminders_dry_run_lists_the_rows_and_writes_nothing(issued_letters):
    output = run("--date", SEVEN_DAYS_BEFORE.isoformat(), "--dry-run")
    assert f"letter:{issued_letters[0].pk}" in output
    assert "Would create 2 letter_unsigned reminder(s)." in output
    assert not Reminder.objects.exists()


@mock.patch.object(reminders_send, "delay")
def test_sweep_reminders_creates_the_rows_once(send_delay, issued_letters):
    first = run("--date", SEVEN_DAYS_BEFORE.isoformat())
    second = run("--date", SEVEN_DAYS_BEFORE.isoformat())
    assert "Created 2 letter_unsigned reminder(s)." in first
    assert "Created 0 letter_unsigned reminder(s)." in second
    assert Reminder.objects.filter(kind="letter_unsigned").count() == 2


def test_sweep_reminders_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--date", "25/12/2026")
