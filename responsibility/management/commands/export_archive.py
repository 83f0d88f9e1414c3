"""`manage.py export_archive --campaign ID --out FILE [--duplex | --zip] [--unit CODE ...]`: a batch print."""

import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import OrgUnit
from core.errors import ApplicationError
from responsibility.letters.models.documents import ExportFormat
from responsibility.letters.models.letters import Campaign
from responsibility.letters.selectors import archive_export_documents, archive_export_missing_count
from responsibility.letters.services.exports import archive_export_write


class Command(BaseCommand):
    help = (
        "Write a campaign's sealed letter PDFs to one file, as the archive page's batch print does: one "
        "merged PDF with a cover and a table of contents, its pages numbered through (a print copy; with "
        "--duplex every letter starts on an odd page), or with --zip the single sealed PDFs and a manifest "
        "of their SHA-256. The stored PDFs are used as they are; nothing is re-rendered."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign", type=int, required=True, help="campaign id (see the campaign page URL)"
        )
        parser.add_argument("--out", required=True, help="file to write (.pdf, or .zip with --zip)")
        parser.add_argument("--zip", action="store_true", help="a ZIP of the sealed PDFs instead of one PDF")
        parser.add_argument(
            "--duplex",
            action="store_true",
            help="for double-sided printing: every letter starts on an odd page (blank pages put in)",
        )
        parser.add_argument(
            "--unit",
            action="append",
            default=[],
            metavar="CODE",
            help="only this unit and its sections (repeatable)",
        )

    def handle(self, *args, **options):
        if options["zip"] and options["duplex"]:
            raise CommandError("--duplex applies to the merged PDF; a ZIP holds the single PDFs.")
        campaign = Campaign.objects.filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"There is no campaign with id {options['campaign']}.")
        unit_ids = self._unit_ids(options["unit"])
        documents = list(archive_export_documents(campaign=campaign, unit_ids=unit_ids))
        if not documents:
            raise CommandError(
                f"No sealed PDF is ready for campaign {campaign.pk} ({campaign}) and these units: "
                "countersign letters and let the worker render their PDFs first."
            )
        missing = archive_export_missing_count(campaign=campaign, unit_ids=unit_ids)
        if missing:
            self.stderr.write(f"{missing} letter(s) in force have no ready PDF yet and are left out.")

        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        export_format = ExportFormat.ZIP if options["zip"] else ExportFormat.MERGED_PDF
        label = f"{export_format.label}, double-sided" if options["duplex"] else export_format.label
        self.stdout.write(f"Writing {len(documents)} letters of {campaign} to {out} ({label}).")
        started = time.perf_counter()
        # Written beside the target and renamed at the end: a failed run leaves no half file.
        handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                summary = archive_export_write(
                    campaign=campaign,
                    documents=documents,
                    export_format=export_format,
                    out=stream,
                    progress=lambda done, total: self.stdout.write(f"  {done}/{total}"),
                    duplex=options["duplex"],
                )
            os.replace(partial, out)
        except ApplicationError as error:
            raise CommandError(str(error)) from None
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        pages = f", {summary.pages} pages" if summary.pages else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {out}: {summary.letters} letters{pages}, {summary.size:,} bytes "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )

    def _unit_ids(self, codes: list[str]) -> list[int]:
        if not codes:
            return []
        found = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise CommandError(f"Unknown unit code(s): {', '.join(unknown)}.")
        return sorted(found.values())
