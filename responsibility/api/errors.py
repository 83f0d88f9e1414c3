"""One shape for every refusal: `{"code": …, "detail": …, "fields": {…}}`, the detail in the caller's
language (Chinese first). A business "no" from a service (ApplicationError) is a 400 with its own code;
an object the client may not see is a 404, as on the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import ApplicationError


def api_exception_handler(exc, context) -> Response | None:
    if isinstance(exc, ApplicationError):
        exc = exceptions.APIException(exc.message, code=exc.code)
        exc.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, DjangoPermissionDenied):  # a service's "not yours to do": its own words
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not yours to see."), code="not_found")
    elif isinstance(exc, exceptions.NotAuthenticated):
        exc.detail = exceptions.ErrorDetail(
            _("Give the client's token in the header “Authorization: Bearer <token>”."),
            code="not_authenticated",
        )
    elif isinstance(exc, exceptions.Throttled):
        exc.detail = exceptions.ErrorDetail(
            _("Too many calls from this client: try again in %(seconds)s seconds.")
            % {"seconds": exc.wait or 1},
            code="throttled",
        )
    response = exception_handler(exc, context)
    if response is None:
        return None  # a fault, not a refusal: logged and answered 500 by Django
    response.data = error_body(exc.detail)
    return response


def error_body(detail) -> dict:
    if isinstance(detail, dict):
        return {
            "code": "invalid",
            "detail": _("The request is not valid: see each field's message."),
            "fields": dict(_flatten(detail, "")),
        }
    if isinstance(detail, list):
        return {"code": "invalid", "detail": " ".join(str(item) for item in detail), "fields": {}}
    return {"code": getattr(detail, "code", "error"), "detail": str(detail), "fields": {}}


def _flatten(detail, path: str):
    """(field path, its messages) for nested errors: `problems[2].measures[0].deadline`."""
    if isinstance(detail, dict):
        for name, value in detail.items():
            if name == "non_field_errors":  # a list's own error (too short…) is the list's
                yield from _flatten(value, path)
            elif isinstance(name, int):  # a list's items with errors, by index (REST framework's shape)
                yield from _flatten(value, f"{path}[{name}]")
            else:
                yield from _flatten(value, f"{path}.{name}" if path else str(name))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, item in enumerate(detail):
            yield from _flatten(item, f"{path}[{index}]")
    else:
        messages = detail if isinstance(detail, list) else [detail]
        if messages:
            yield path or "?", [str(message) for message in messages]
