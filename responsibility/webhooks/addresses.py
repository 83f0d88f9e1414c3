"""Where a webhook may be sent, and sending there without being redirected elsewhere.

In production (WEBHOOK_REQUIRE_HTTPS, and WEBHOOK_ALLOW_PRIVATE_ADDRESSES off) a subscription's URL must be
https and its host must resolve to public addresses only: never loopback, a private network, link-local
(the cloud's metadata service), shared or reserved space. It is checked when the office subscribes and
again at each send, since a name's addresses can change: the send then connects to the address it
checked (the name still goes in the Host header and the TLS handshake), so a DNS answer changed between
the check and the connection cannot turn a delivery inward. Redirects are never followed.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ApplicationError


class AddressRefused(ApplicationError):
    """The URL may not be sent to (the message says why, in the user's language)."""

    def __init__(self, message, *, code: str = "url"):
        super().__init__(message, code=code)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name, for the Host header and the certificate
    port: int
    path: str  # with its query
    address: str  # the IP address connected to (one that passed the check)


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def webhook_url_check(url: str) -> None:
    """Refuse a URL the rules above do not allow (at subscribing)."""
    webhook_target(url)


def webhook_target(url: str) -> Target:
    """The checked address to connect to for `url` (at each send; raises AddressRefused)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise AddressRefused(_("The address is not a valid URL.")) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(_("The address must be an http or https URL."))
    if settings.WEBHOOK_REQUIRE_HTTPS and parts.scheme != "https":
        raise AddressRefused(_("The address must use https."))
    if parts.username or parts.password:
        raise AddressRefused(_("The address must not carry a user name or password."))
    if parts.fragment:
        raise AddressRefused(_("The address must not have a fragment (#…)."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(
            _("The host %(host)s could not be resolved.") % {"host": parts.hostname}
        ) from error
    addresses = list(dict.fromkeys(answer[4][0] for answer in answers))
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        refused = [address for address in addresses if not _address_allowed(address)]
        if refused:
            raise AddressRefused(
                _("The host %(host)s resolves to %(address)s, which is not a public address.")
                % {"host": parts.hostname, "address": refused[0]}
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=parts.hostname, port=port, path=path, address=addresses[0])


class Sender:
    """POSTs to checked targets, one connection pool per target for the length of a batch."""

    def __init__(self) -> None:
        self._pools: dict[Target, urllib3.HTTPConnectionPool] = {}

    def post(self, target: Target, *, body: bytes, headers: dict[str, str]) -> int:
        """The receiver's status code; raises urllib3's errors (timeouts, refused connections)."""
        pool = self._pool(target)
        host = f"[{target.host}]" if ":" in target.host else target.host  # an IPv6 literal in brackets
        if target.port != (443 if target.scheme == "https" else 80):
            host += f":{target.port}"
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            response.read(64 * 1024, decode_content=False)  # the answer's start; its body is not kept
        finally:
            response.release_conn()
        return response.status

    def _pool(self, target: Target) -> urllib3.HTTPConnectionPool:
        if target not in self._pools:
            timeout = urllib3.Timeout(
                connect=settings.WEBHOOK_CONNECT_TIMEOUT, read=settings.WEBHOOK_READ_TIMEOUT
            )
            if target.scheme == "https":
                self._pools[target] = urllib3.HTTPSConnectionPool(
                    target.address,
                    target.port,
                    timeout=timeout,
                    maxsize=1,
                    server_hostname=target.host,
                    assert_hostname=target.host,
                    cert_reqs="CERT_REQUIRED",
                )
            else:
                self._pools[target] = urllib3.HTTPConnectionPool(
                    target.address, target.port, timeout=timeout, maxsize=1
                )
        return self._pools[target]

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
