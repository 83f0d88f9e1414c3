"""The PDF block of the letter page: what it shows is computed here, from permissions.py and the selectors."""

from django import template

from responsibility.letters.models.documents import DocumentStatus
from responsibility.letters.permissions import ArchiveAction, archive_user_can
from responsibility.letters.selectors import ARCHIVE_STATUSES, letter_document_for

register = template.Library()


@register.inclusion_tag("responsibility/letters/_document.html", takes_context=True)
def letter_document_panel(context, letter) -> dict:
    """From countersigned on: the download, "being prepared" (polled), or the failure (the office retries)."""
    if letter.status not in ARCHIVE_STATUSES:
        return {"show": False}
    request = context["request"]
    document = letter_document_for(letter=letter)
    is_office = archive_user_can(user=request.user, action=ArchiveAction.RETRY_DOCUMENT)
    return {
        "show": True,
        "letter": letter,
        "document": document,
        "is_ready": document is not None and document.status == DocumentStatus.READY,
        "is_pending": document is not None and document.status == DocumentStatus.PENDING,
        "is_failed": document is not None and document.status == DocumentStatus.FAILED,
        "can_retry": is_office and document is not None and document.status != DocumentStatus.READY,
        "show_error": is_office,
        "next_url": request.get_full_path(),
        # An inclusion tag's template gets no context processors: the poll script's nonce is handed on.
        "CSP_NONCE": context.get("CSP_NONCE", ""),
    }
