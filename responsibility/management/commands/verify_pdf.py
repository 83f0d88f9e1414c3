"""Check a PDF file as the public verification page does: is it an authentic sealed document of the
organisation (a responsibility letter, a year-end duty report, …), and does it still stand?"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from responsibility.letters.verify import (
    UNREADABLE_OUTCOMES,
    VerificationOutcome,
    local_time,
    pdf_verify,
    standing_rows,
)

# One exit status per verdict (README, "The public verification page"); 2 is Django's for a usage error.
EXIT_IN_FORCE = 0
EXIT_CHANGED = 1
EXIT_CANNOT_OPEN = 2
EXIT_VOIDED = 3
EXIT_SUPERSEDED = 4
EXIT_NOT_ARCHIVED = 5
EXIT_UNTRUSTED = 6
EXIT_NO_SEAL = 7
EXIT_UNREADABLE = 8

EXIT_CODES = {
    VerificationOutcome.AUTHENTIC: EXIT_IN_FORCE,
    VerificationOutcome.CHANGED: EXIT_CHANGED,
    VerificationOutcome.VOIDED: EXIT_VOIDED,
    VerificationOutcome.SUPERSEDED: EXIT_SUPERSEDED,
    VerificationOutcome.NOT_ARCHIVED: EXIT_NOT_ARCHIVED,
    VerificationOutcome.UNTRUSTED: EXIT_UNTRUSTED,
    VerificationOutcome.NO_SEAL: EXIT_NO_SEAL,
    **dict.fromkeys(UNREADABLE_OUTCOMES, EXIT_UNREADABLE),
}


class Command(BaseCommand):
    help = (
        "Verify a sealed PDF (a letter, a year-end duty report, …) as the public verification page does, "
        "and print where it stands. Exit status: 0 authentic and in force; 1 not authentic, changed after "
        "sealing (a copy saved again by another program included); 2 the file cannot be opened; "
        "3 authentic, but voided; 4 authentic, but superseded by a later version (its code is printed); "
        "5 the organisation's valid seal, but no record in the archive; 6 sealed, but not with the "
        "organisation's seal; 7 no seal; 8 unreadable (empty, not a PDF, damaged, of abnormal structure, "
        "or too complex to check in time)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The PDF file to check.")

    def handle(self, *args, file, **options):
        try:
            pdf = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror or error},
                returncode=EXIT_CANNOT_OPEN,
            ) from error
        result = pdf_verify(pdf=pdf)
        write = self.stdout.write
        write(_("File: %(file)s") % {"file": file})
        write(_("SHA-256: %(sha256)s") % {"sha256": result.sha256})
        if result.signed_by:
            write(_("Sealed by: %(subject)s") % {"subject": result.signed_by})
        if result.sealed_at:
            write(_("Sealed at: %(time)s") % {"time": local_time(result.sealed_at)})
        style = {"ok": self.style.SUCCESS, "warn": self.style.WARNING}.get(result.tone, self.style.ERROR)
        write(style(_("Verdict: %(headline)s") % {"headline": result.headline}))
        write(result.reason)
        if result.resaved_note:
            write(result.resaved_note)
            write(_("Its verification code: %(code)s") % {"code": result.same_pages_as.verification_code})
        if result.authentic:
            self._record_write(result.record)
        code = EXIT_CODES[result.outcome]
        if code != EXIT_IN_FORCE:
            sys.exit(code)

    def _record_write(self, record) -> None:
        write = self.stdout.write
        for label, value in standing_rows(record):
            write(_line(label, value))
        if record.successor_label:
            write(
                _("In force now: %(version)s, verification code %(code)s")
                % {"version": record.successor_label, "code": record.successor_code or "—"}
            )
        write(_("Document: %(kind)s") % {"kind": record.kind_label})
        write(_("Number: %(reference)s") % {"reference": record.reference})
        write(_("Title: %(title)s") % {"title": record.title})
        write(_("Verification code: %(code)s") % {"code": record.verification_code})
        for label, value in record.rows:
            write(_line(label, value))
        chain = record.chain
        if chain is not None:
            write(
                _("Audit chain: %(chain)s, event No. %(sequence)d (%(event)s), hash %(hash)s")
                % {
                    "chain": chain.chain_label,
                    "sequence": chain.sequence,
                    "event": chain.event_label,
                    "hash": chain.event_hash,
                }
            )
            if chain.anchor_number is not None:
                write(
                    _("Anchored at sealing: No. %(number)d, digest %(digest)s")
                    % {"number": chain.anchor_number, "digest": chain.anchor_digest}
                )


def _line(label: str, value: str) -> str:
    return _("%(label)s: %(value)s") % {"label": label, "value": value}
