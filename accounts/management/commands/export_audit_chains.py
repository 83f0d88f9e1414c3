"""Export every audit chain and its anchors for an auditor, with the stand-alone verifier beside them."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.anchors.export import EXPORT_NAME, VERIFIER_NAME, audit_export_write


class Command(BaseCommand):
    help = "Write audit-export.json and verify_audit_export.py (standard library only) into a directory."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        counts = audit_export_write(directory=directory)
        for name, count in counts.items():
            self.stdout.write(_("%(chain)s: %(count)d events") % {"chain": name, "count": count})
        self.stdout.write(
            _(
                "Written: %(export)s and %(verifier)s. "
                "On any machine with Python 3: python3 %(verifier)s %(export)s"
            )
            % {"export": directory / EXPORT_NAME, "verifier": directory / VERIFIER_NAME}
        )
