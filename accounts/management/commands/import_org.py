"""Import units, users and posts from an .xlsx workbook, or write the example workbook.

    manage.py import_org FILE.xlsx [--as USERNAME]
    manage.py import_org --write-template FILE.xlsx

Without --as the import runs as the operator at the server's console. Whoever can run manage.py already
holds the database and the settings, so no application permission is checked for them. With --as the
import runs as that user and is refused unless they could import on the admin page (the office
administrator or a superuser).
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.org_import import OrgImportError, org_import, org_import_template_workbook


class Command(BaseCommand):
    # Plain strings: argparse cannot format lazy translations (manage.py import_org --help).
    help = "Import units, users and posts from an Excel workbook (sheets 单位, 人员, 岗位); all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help=_("The .xlsx workbook to import."))
        parser.add_argument(
            "--as",
            dest="as_username",
            metavar="USERNAME",
            help=_("Import as this user, with their permissions (default: the console operator)."),
        )
        parser.add_argument(
            "--write-template",
            metavar="FILE.xlsx",
            help=_("Write the example workbook to this file and import nothing."),
        )

    def handle(self, *args, file=None, as_username=None, write_template=None, **options):
        if write_template:
            if file:
                raise CommandError(_("Give either a file to import or --write-template, not both."))
            try:
                Path(write_template).write_bytes(org_import_template_workbook())
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(path)s: %(reason)s")
                    % {"path": write_template, "reason": error.strerror}
                ) from None
            self.stdout.write(
                self.style.SUCCESS(_("Example workbook written to %(path)s.") % {"path": write_template})
            )
            return
        if not file:
            raise CommandError(_("Name the .xlsx file to import, or use --write-template FILE.xlsx."))

        imported_by = None
        if as_username:
            imported_by = User.objects.filter(username=as_username).first()
            if imported_by is None:
                raise CommandError(_("There is no user %(username)s.") % {"username": as_username})
        try:
            result = org_import(workbook_file=file, imported_by=imported_by)
        except PermissionDenied as error:
            raise CommandError(str(error) or _("This user may not import the organisation.")) from None
        except OrgImportError as error:
            for problem in error.errors:
                where = f"{problem.sheet} 第{problem.row}行" if problem.row else problem.sheet
                self.stderr.write(f"{where}: {problem.message}")
            raise CommandError(str(error)) from None
        for line in result.summary():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("The organisation was imported.")))
