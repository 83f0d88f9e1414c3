"""Check both audit chains end to end (letters, supervision): exit 0 when intact, 1 at the first break."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import LetterEvent
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import InspectionEvent


class Command(BaseCommand):
    help = "Recompute every audit event's hash and report the first event that does not match."

    def handle(self, *args, **options):
        chains = (
            (_("The letter audit chain"), audit_chain_verify, LetterEvent),
            (_("The inspection audit chain"), inspection_chain_verify, InspectionEvent),
        )
        for name, verify, model in chains:
            broken = verify()
            if broken is not None:
                # CommandError prints to stderr and makes manage.py exit with status 1.
                raise CommandError(
                    _("%(chain)s is broken at event #%(sequence)s (id %(id)s): %(reason)s")
                    % {
                        "chain": name,
                        "sequence": broken.sequence,
                        "id": broken.event_id,
                        "reason": broken.reason,
                    }
                )
            count = model.objects.count()
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "%(chain)s is intact: %(count)d event.",
                        "%(chain)s is intact: %(count)d events.",
                        count,
                    )
                    % {"chain": name, "count": count}
                )
            )
