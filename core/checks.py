"""Deployment checks of what every subdomain relies on (manage.py check --deploy)."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# Names that reach only the machine itself: printed into a sealed PDF, they are wrong forever.
_LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def site_url_problem(url: str) -> str | None:
    """Why `url` cannot be the public address printed in sealed PDFs, QR codes and emails; None if it can.

    The address must be https, name a host (no path beyond "/", no query, no credentials) and not be
    the machine itself: a letter sealed with a wrong address carries it for as long as it is kept.
    """
    parts = urlsplit(url or "")
    if parts.scheme != "https":
        return "it must start with https://"
    host = parts.hostname or ""
    if not host:
        return "it names no host"
    if parts.username or parts.password or parts.query or parts.fragment or parts.path not in ("", "/"):
        return "it must be the site's address alone (no path, query or credentials)"
    try:
        local = ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        local = host.lower() in _LOCAL_HOSTS or host.lower().endswith(".localhost")
    if local:
        return "it is this machine's own address, which nobody else can open"
    return None


def site_url_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """E001: production needs the real public https address (DJANGO_SITE_URL) before it seals anything."""
    problem = site_url_problem(settings.SITE_URL)
    if problem is None:
        return []
    return [
        checks.Error(
            f"DJANGO_SITE_URL ({settings.SITE_URL!r}) cannot be printed into sealed letters: {problem}.",
            hint="Set DJANGO_SITE_URL to the public address people open, e.g. https://letters.example.gov.cn",
            id="core.E001",
        )
    ]
