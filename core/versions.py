"""Optimistic concurrency: an edit made from a stale page is refused with a message, never applied."""

from django.utils.translation import gettext as _

from core.errors import ApplicationError


class StaleEdit(ApplicationError):
    """Someone else changed the record after this page was loaded (optimistic locking)."""


def stale_check(*, record, expected_version: int | None, what: str) -> None:
    """Refuse an edit made from a page older than the record (two inspectors never overwrite each other)."""
    if expected_version is not None and expected_version != record.version:
        raise StaleEdit(
            _(
                "Someone else changed this %(what)s after you opened the page. Nothing was saved: "
                "reload the page to see their change, then make yours again."
            )
            % {"what": what},
            code="stale",
        )
