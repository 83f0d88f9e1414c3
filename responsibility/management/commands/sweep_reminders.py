"""Run the reminder sweep by hand: `manage.py sweep_reminders [--date YYYY-MM-DD] [--dry-run]`."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from core import clock
from responsibility.reminders.services import reminders_sweep


class Command(BaseCommand):
    help = (
        "Create the reminders due on a day (today by default) and queue their sending. "
        "Running it twice creates nothing new. --dry-run lists what would be created and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to sweep for, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="list, write nothing")

    def handle(self, *args, date=None, dry_run=False, **options):
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from None
        else:
            today = clock.today()
        result = reminders_sweep(today=today, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"Dry run for {today.isoformat()}: nothing was written.")
            for row in result.listed:
                self.stdout.write(
                    f"  would create {row.kind} {row.object_key} → user {row.recipient_id} ({row.due_period})"
                )
            if result.created_total > len(result.listed):
                self.stdout.write(f"  … and {result.created_total - len(result.listed)} more")
        verb = "Would create" if dry_run else "Created"
        for kind, count in result.created.items():
            self.stdout.write(f"{verb} {count} {kind} reminder(s).")
        self.stdout.write(
            f"{'Would queue' if dry_run else 'Queued'} {result.scheduled} reminder(s) for sending "
            f"({result.created_total} new)."
        )
