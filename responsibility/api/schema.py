"""The OpenAPI schema says every answer an endpoint may give: besides its own, the refusals every call may
meet (errors.py gives them one shape), so a client's generated code and schemathesis know them."""

from django.utils.translation import gettext_lazy as _

ERROR = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": _("What went wrong, as a stable code.")},
        "detail": {"type": "string", "description": _("What went wrong, in the caller's language.")},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": _("For a request that is not valid: each field's messages."),
        },
    },
    "required": ["code", "detail", "fields"],
}
REFUSALS = {
    "400": _("The request is not valid (a filter, a page size, a page cursor)."),
    "401": _("No token, or one that is malformed, unknown, revoked or expired."),
    "403": _("The client lacks the scope, or calls from an address it may not use."),
    "404": _("Not found, or not the client's to see."),
    "429": _("Too many calls from this client; Retry-After says when to try again."),
}


def refusals_add(result: dict, generator, request, public) -> dict:
    """drf-spectacular's postprocessing hook: the error shape, and the refusals on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in REFUSALS.items():
                responses.setdefault(status, {"description": str(description), "content": reference})
    return result
