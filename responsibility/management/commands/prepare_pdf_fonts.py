"""Make the pre-subset GBK faces that spare every letter PDF the subsetting of a 65,000-glyph font."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.pdf.fonts import presubset_fonts_dir, presubset_fonts_prepare


class Command(BaseCommand):
    help = (
        "Subset Noto Serif CJK SC Regular and Bold, and FandolFang (the body's 仿宋) when installed, to "
        "GBK, ASCII, punctuation and the letter templates' characters, into VAR_DIR/fonts (about a "
        "minute). Letter PDFs use them when they exist. Up-to-date files are kept."
    )
    # The system checks would warn that the fonts this command makes are missing.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Make the files again even if up to date.")

    def handle(self, *args, force, verbosity=1, **options):
        folder = Path(presubset_fonts_dir())
        try:
            written = presubset_fonts_prepare(folder=folder, force=force)
        except (FileNotFoundError, OSError) as error:
            raise CommandError(
                _("Cannot prepare the PDF fonts in %(folder)s: %(error)s")
                % {"folder": folder, "error": error}
            ) from error
        if verbosity < 1:
            return
        if written:
            for path in written:
                self.stdout.write(_("Wrote %(path)s") % {"path": path})
        else:
            self.stdout.write(_("The PDF fonts in %(folder)s are up to date.") % {"folder": folder})
