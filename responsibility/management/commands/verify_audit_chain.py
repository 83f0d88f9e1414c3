"""Check the letter audit chain end to end: exit 0 when intact, 1 with the first break otherwise."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from responsibility.models import LetterEvent
from responsibility.services.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Recompute every audit event's hash and report the first event that does not match."

    def handle(self, *args, **options):
        broken = audit_chain_verify()
        if broken is not None:
            # CommandError prints to stderr and makes manage.py exit with status 1.
            raise CommandError(
                _("The audit chain is broken at event #%(sequence)s (id %(id)s): %(reason)s")
                % {"sequence": broken.sequence, "id": broken.event_id, "reason": broken.reason}
            )
        count = LetterEvent.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "The audit chain is intact: %(count)d event.",
                    "The audit chain is intact: %(count)d events.",
                    count,
                )
                % {"count": count}
            )
        )
