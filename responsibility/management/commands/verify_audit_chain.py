"""Check the integrity of everything recorded: every audit chain recomputed and held to every anchor, the
anchors themselves, and every content check (letters, sealed PDFs, evidence files). Exit 0 when intact,
1 when anything was changed; warnings (no recent anchor, no timestamp service) do not fail it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.anchors.verify import Severity, external_anchors_read, integrity_report


class Command(BaseCommand):
    help = "Recompute every audit chain against its anchors and check stored contents; report what differs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            action="append",
            default=[],
            type=Path,
            help="anchors kept outside the database: a mailed anchor-NNNNNN.json or an audit export",
        )

    def handle(self, *args, anchors: list[Path], **options):
        external = [anchor for path in anchors for anchor in external_anchors_read(path)]
        report = integrity_report(external=external)
        for chain in report.chains:
            line = ngettext(
                "%(chain)s: %(count)d event, held to %(checkpoints)d anchored heads.",
                "%(chain)s: %(count)d events, held to %(checkpoints)d anchored heads.",
                chain.events,
            ) % {"chain": chain.label, "count": chain.events, "checkpoints": chain.checkpoints}
            self.stdout.write(self.style.SUCCESS(line) if chain.broken is None else self.style.ERROR(line))
        self.stdout.write(
            _("Anchors: %(count)d, of which %(timestamped)d timestamped.")
            % {"count": report.anchors, "timestamped": report.anchors_timestamped}
        )
        self.stdout.write(_("Content checked: %(checks)s.") % {"checks": "、".join(report.content_checks)})
        for finding in report.findings:
            text = str(finding)
            if finding.severity == Severity.WARNING:
                self.stdout.write(self.style.WARNING(_("Warning: %(text)s") % {"text": text}))
            else:
                self.stderr.write(self.style.ERROR(_("Changed: %(text)s") % {"text": text}))
        if not report.intact:
            # CommandError prints to stderr and makes manage.py exit with status 1.
            raise CommandError(_("The records are not intact: see above."))
        self.stdout.write(self.style.SUCCESS(_("Everything recorded is intact.")))
