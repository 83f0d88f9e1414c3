"""What views read from a request for the audit record."""


def client_ip(request) -> str | None:
    """The client address as seen by this server (the proxy's, if one sits in front; see ADR 0003)."""
    return request.META.get("REMOTE_ADDR") or None


def client_user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:512]
