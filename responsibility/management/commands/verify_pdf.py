"""Check whether a PDF file is an authentic archived letter, as the verification page does."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from responsibility.letters.verify import pdf_verify

EXIT_NOT_AUTHENTIC = 1
EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = (
        "Verify a PDF: exit 0 when it is an authentic archived letter (stored hash matches and the "
        "organisation's seal is valid), 1 when it is not (a file of abnormal structure, or one too complex "
        "to check within the budget, included), 2 when the file cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The PDF file to check.")

    def handle(self, *args, file, **options):
        try:
            pdf = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror or error},
                returncode=EXIT_UNREADABLE,
            ) from error
        result = pdf_verify(pdf=pdf)
        self.stdout.write(_("File: %(file)s") % {"file": file})
        self.stdout.write(_("SHA-256: %(sha256)s") % {"sha256": result.sha256})
        if result.signed_by:
            self.stdout.write(_("Sealed by: %(subject)s") % {"subject": result.signed_by})
        if result.sealed_at:
            self.stdout.write(_("Sealed at: %(time)s") % {"time": timezone.localtime(result.sealed_at)})
        if not result.authentic:
            raise CommandError(result.reason, returncode=EXIT_NOT_AUTHENTIC)
        letter = result.document.letter
        self.stdout.write(self.style.SUCCESS(result.reason))
        self.stdout.write(_("Letter number: %(reference)s") % {"reference": letter.reference})
        self.stdout.write(_("Title: %(title)s") % {"title": letter.title})
        self.stdout.write(_("Unit: %(unit)s") % {"unit": letter.signer_unit.name})
        self.stdout.write(_("Verification code: %(code)s") % {"code": result.document.verification_code})
        for signature in letter.signatures.all():
            self.stdout.write(
                _("%(role)s: %(name)s, signed %(time)s")
                % {
                    "role": signature.get_role_display(),
                    "name": signature.signed_by.get_full_name(),
                    "time": timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
