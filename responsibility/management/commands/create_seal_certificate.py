"""Create a self-signed organisation seal for development: a P-256 root CA and the seal it issued."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.pdf.seal import seal_certificate_create, seal_certificate_fingerprint, seal_root_path

DEFAULT_ORGANISATION = "示例单位"
DEFAULT_DAYS = 3650


class Command(BaseCommand):
    help = (
        "Create a self-signed organisation seal (PKCS#12 with key, seal certificate and root CA) for "
        "development, at SEAL_PKCS12_FILE protected by SEAL_PKCS12_PASSWORD unless told otherwise. "
        "Production uses a PKCS#12 file issued by the organisation's CA instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", help="Where to write the PKCS#12 file (default: SEAL_PKCS12_FILE).")
        parser.add_argument(
            "--organisation", default=DEFAULT_ORGANISATION, help="Organisation named in the certificates."
        )
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"Validity in days (default {DEFAULT_DAYS})."
        )
        parser.add_argument("--force", action="store_true", help="Replace an existing seal file.")

    def handle(self, *args, path=None, organisation, days, force, **options):
        path = Path(path or settings.SEAL_PKCS12_FILE)
        password = settings.SEAL_PKCS12_PASSWORD
        if days < 1:
            raise CommandError(_("--days must be at least 1."))
        if not organisation.strip():
            raise CommandError(_("--organisation must not be empty."))
        if path.exists() and not force:
            raise CommandError(
                _(
                    "%(path)s exists already. PDFs sealed with it verify only while its root is trusted; "
                    "use --force to replace it anyway."
                )
                % {"path": path}
            )
        seal_certificate_create(path=path, password=password, organisation=organisation.strip(), days=days)
        self.stdout.write(self.style.SUCCESS(_("Seal written to %(path)s") % {"path": path}))
        self.stdout.write(_("Root certificate: %(path)s") % {"path": seal_root_path(path)})
        self.stdout.write(
            _("SHA-256 fingerprint: %(fingerprint)s")
            % {"fingerprint": seal_certificate_fingerprint(path=path, password=password)}
        )
        if not password:
            self.stdout.write(
                self.style.WARNING(
                    _("The file has no password: set DJANGO_SEAL_PKCS12_PASSWORD outside development.")
                )
            )
