"""Disable every superuser account once the installation is done (the deployment check warns until then)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.security.log import security_event_record
from accounts.security.models import SecurityEventKind


class Command(BaseCommand):
    help = "Disable all active superuser accounts (written to the security log)."

    def handle(self, *args, **options):
        with transaction.atomic():
            superusers = list(User.objects.select_for_update().filter(is_superuser=True, is_active=True))
            for user in superusers:
                user.is_active = False
                user.save(update_fields=["is_active"])
                security_event_record(
                    SecurityEventKind.ACCOUNT_DEACTIVATED,
                    actor=None,
                    subject=user,
                    by="manage.py disable_superusers",
                )
        self.stdout.write(f"{len(superusers)} superuser account(s) disabled.")
