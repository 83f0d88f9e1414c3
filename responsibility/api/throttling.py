"""Rate limits per client (DRF's throttling on Django's cache: Redis in production), so one runaway
integration cannot starve the others or the people using the pages."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from responsibility.api.models import ApiClient


class ClientRateThrottle(SimpleRateThrottle):
    scope = "client"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT  # read per request, so a changed setting applies at once

    def get_cache_key(self, request, view) -> str | None:
        client = request.auth
        if not isinstance(client, ApiClient):
            return None
        # By the token's random prefix: a key no other client, and no later database, ever reuses.
        return self.cache_format % {"scope": self.scope, "ident": client.token_prefix}
