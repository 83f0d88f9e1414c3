"""HTTP helpers for views: what a request says about its client (for the audit record), and downloads."""

from urllib.parse import quote


def client_ip(request) -> str | None:
    """The client address as seen by this server (the proxy's, if one sits in front; see ADR 0003)."""
    return request.META.get("REMOTE_ADDR") or None


def client_user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:512]


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
