"""Check every audit chain end to end (letters, supervision, the security log): exit 0 when all are
intact, 1 at the first break."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import AUDIT_CHAINS, chain_verify


class Command(BaseCommand):
    help = "Recompute every audit event's hash and report the first event that does not match."

    def handle(self, *args, **options):
        for chain in AUDIT_CHAINS.values():
            broken = chain_verify(chain)
            name = chain.label or chain.name
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
            count = chain.event_model.objects.count()
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
