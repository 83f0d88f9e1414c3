"""HTTP helpers for views: what a request says about its client (for the audit record), downloads, and
the GET/POST/re-render pattern of a form page."""

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.forms import form_error_show, form_problems_text

Changed = TypeVar("Changed")


def request_body_max(setting: str):
    """Declare that a view accepts request bodies of at most settings.<setting> bytes (enforced, unread,
    by config.middleware.RequestBodyLimitMiddleware; every other view gets REQUEST_BODY_MAX_BYTES)."""

    def declare(view):
        view.request_body_max_setting = setting
        return view

    return declare


def client_ip(request) -> str | None:
    """The client address as seen by this server (the proxy's, if one sits in front; see ADR 0003)."""
    return request.META.get("REMOTE_ADDR") or None


def client_user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:512]


# The content type of an Excel .xlsx workbook (exports, templates).
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def as_attachment(response, *, download_name: str, fallback_name: str):
    """Serve `response` as a download, never inline, named in Chinese for every browser.

    RFC 6266 / RFC 5987: an ASCII `fallback_name` for old clients, then the real UTF-8 name.
    """
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback_name}\"; filename*=UTF-8''{quote(download_name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


def form_data(request):
    """What a form page's form is bound to: the POSTed data, or None for a page shown afresh."""
    return request.POST if request.method == "POST" else None


def form_files(request):
    return request.FILES if request.method == "POST" else None


def form_submit(form, save: Callable[[], HttpResponse]) -> HttpResponse | None:
    """The POST half of a form page: a valid form runs `save()` (one service call, then the redirect).

    A service's refusal goes onto the form, next to its field (`form_error_show`). Returns what `save`
    returned, or None when the page is to be shown: afresh, or again with the errors
    (status `form_status(form)`). Nothing was saved when it returns None.
    """
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return save()
    except ApplicationError as error:
        form_error_show(form, error)
        return None


def form_change(request, form, change: Callable[[dict], Changed]) -> Changed | None:
    """The POST of a small form on an object's page, answered by a redirect to that page (or by a page
    showing what was made: a new token). A valid form runs `change(cleaned_data)`, one service call, and
    returns its result (never None); an invalid form or the service's refusal becomes the message
    “Nothing was changed: …” and None is returned. `form` None: the change takes no input."""
    try:
        if form is not None and not form.is_valid():
            raise ApplicationError(form_problems_text(form))
        return change(form.cleaned_data if form is not None else {})
    except ApplicationError as error:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": error})
        return None


def form_status(form) -> int:
    """200 for a form page shown afresh, 400 for one sent back with its errors."""
    return 400 if form.is_bound else 200


def search_words(request, *, max_length: int, name: str = "q") -> str:
    """The words a list is searched for: the query parameter, trimmed to `max_length`, without NUL characters
    (PostgreSQL refuses them in text: a query with one would be an error, not "nothing found")."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:max_length]


def query_without_page(request, name: str = "page") -> str:
    """The list page's query string without its page number (the parameter `name`), ready for
    `?{{ it }}page=N` ("" or "a=1&")."""
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode() + "&" if query else ""


def object_or_404(queryset: QuerySet):
    """The one row of `queryset` (filtered on a unique key, e.g. pk=), or 404.

    Read without get()'s LIMIT 21: a LIMIT makes PostgreSQL weigh every join order for a fast start,
    which took 13 ms to plan the letter page's 12-table read (5 ms without), and a unique key already
    returns one row at most.
    """
    found = list(queryset)
    if not found:
        raise Http404
    if len(found) > 1:
        raise queryset.model.MultipleObjectsReturned(f"{len(found)} rows where one was asked for")
    return found[0]
