"""API reads: the clients the office manages and the log of their calls."""

from django.db.models import QuerySet

from responsibility.api.models import ApiCall, ApiClient


def api_client_by_prefix(prefix: str) -> ApiClient | None:
    """The client whose token starts with `prefix`, with its account (the authentication's one query)."""
    return ApiClient.objects.select_related("account").filter(token_prefix=prefix).first()


def api_client_list() -> QuerySet[ApiClient]:
    return ApiClient.objects.select_related("account", "created_by", "revoked_by").order_by("code")


def api_call_list(*, client: ApiClient | None = None) -> QuerySet[ApiCall]:
    """Calls, newest first; of one client, or of every client and of tokens that matched none."""
    calls = ApiCall.objects.select_related("client")
    return calls if client is None else calls.filter(client=client)
