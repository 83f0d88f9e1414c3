"""One shape for every refusal: `{"code": …, "detail": …, "fields": {…}}`, the detail in the caller's
language (Chinese first). A business "no" from a service (ApplicationError) is a 400 with its own code;
an object the client may not see is a 404, as on the pages."""

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
            "fields": {
                name: [str(message) for message in _messages(value)] for name, value in detail.items()
            },
        }
    if isinstance(detail, list):
        return {"code": "invalid", "detail": " ".join(str(item) for item in detail), "fields": {}}
    return {"code": getattr(detail, "code", "error"), "detail": str(detail), "fields": {}}


def _messages(value) -> list:
    if isinstance(value, dict):
        return [message for inner in value.values() for message in _messages(inner)]
    return value if isinstance(value, list) else [value]
