"""What an organisation import gives back: the counts of what changed, or every problem that refused it."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.workbooks import WorkbookRefused, WorkbookRowError

# One problem: the sheet, the row number Excel shows (None for the whole sheet) and the reason.
OrgImportRowError = WorkbookRowError


class OrgImportError(WorkbookRefused):
    """The workbook was refused; `errors` lists every problem found. Nothing was written."""

    def __init__(self, message, *, errors: Iterable[OrgImportRowError] = ()):
        super().__init__(message, errors=errors, code="org_import")


@dataclass(frozen=True)
class OrgImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class OrgImportResult:
    units: OrgImportCounts
    users: OrgImportCounts
    posts: OrgImportCounts

    def summary(self) -> list[str]:
        """One line per kind of record, for a message or the console."""
        lines = []
        for label, counts in ((_("Units"), self.units), (_("Users"), self.users), (_("Posts"), self.posts)):
            lines.append(
                _("%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "kind": label,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        return lines
