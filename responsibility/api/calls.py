"""The call log: every request to the API's endpoints (not its schema or documentation page) is appended
after its answer, with the client that made it, or the token prefix offered when none matched."""

import time

from core.http import client_ip
from responsibility.api.services import api_call_record

API_PREFIX = "/api/v1/"
_UNLOGGED = ("/api/v1/schema/", "/api/v1/docs/")


class ApiCallLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(API_PREFIX) or path.startswith(_UNLOGGED):
            return self.get_response(request)
        started = time.monotonic()
        response = self.get_response(request)
        api_call_record(
            client=getattr(request, "api_client", None),
            token_prefix=getattr(request, "api_token_prefix", ""),
            method=request.method,
            path=request.get_full_path(),
            status=response.status_code,
            duration_ms=round((time.monotonic() - started) * 1000),
            ip=client_ip(request),
        )
        return response
