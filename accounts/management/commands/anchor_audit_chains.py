"""Anchor every audit chain now (the daily beat task does the same): timestamped when a service is set up."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.anchors.models import AnchorReason
from accounts.anchors.services import anchor_timestamp_line, chains_anchor


class Command(BaseCommand):
    help = (
        "Anchor the head of every audit chain (RFC 3161 timestamp when DJANGO_ANCHOR_TIMESTAMP_URL is set)."
    )

    def handle(self, *args, **options):
        anchor = chains_anchor(reason=AnchorReason.MANUAL)
        self.stdout.write(
            _("Anchor #%(number)d written, digest %(digest)s.")
            % {"number": anchor.number, "digest": anchor.digest}
        )
        self.stdout.write(anchor_timestamp_line(anchor))
