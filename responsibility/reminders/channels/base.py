"""What every channel adapter shares: the message, the errors a send ends with, the HTTP client, and the
access tokens kept in Django's cache.

An adapter turns one reminder into one call of its service and answers the service's message id, or raises
`ChannelError`. A refusal about the recipient (an unknown account, an invalid number) is permanent; a
refusal about us (credentials, a network the service does not trust, a rate limit, an outage) is transient:
once it is put right, the messages waiting go out (the ledger retries them with back-off, at most
MAX_ATTEMPTS times).
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import urllib3
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

TOKEN_MARGIN_SECONDS = 300  # a token is renewed this long before the service says it expires
ANSWER_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class ChannelMessage:
    """One reminder, as a channel sends it (rendered from the kind's templates, like its email)."""

    kind: str  # the reminder's kind
    title: str  # the email's subject
    text: str  # the in-app message's text
    url: str  # the absolute link to the item
    key: str  # stable for every attempt of one (reminder, channel, round): services de-duplicate by it


class ChannelError(Exception):
    """A send that did not go through. `permanent`: another attempt will not change it. `retry_after`: the
    service asked to wait this many seconds (a rate limit)."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class TokenRejected(ChannelError):
    """The service refused the access token (expired or invalid): fetch a new one and try once more."""


_pool: urllib3.PoolManager | None = None


def _http() -> urllib3.PoolManager:
    global _pool  # noqa: PLW0603 (one pool per process, made on first use, reused by every send)
    if _pool is None:
        _pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(
                connect=settings.CHANNEL_CONNECT_TIMEOUT, read=settings.CHANNEL_READ_TIMEOUT
            ),
            retries=False,
        )
    return _pool


@dataclass(frozen=True)
class Answer:
    status: int
    data: dict[str, Any]
    retry_after: float | None


def http_call(
    method: str, url: str, *, service: str, body: dict | None = None, headers: dict | None = None
) -> Answer:
    """Call a service and read its JSON answer. A connection that fails, a 5xx or an answer that is not JSON
    is a transient ChannelError naming the service."""
    encoded = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    all_headers = {"Accept": "application/json", **(headers or {})}
    if encoded is not None:
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    try:
        response = _http().request(method, url, body=encoded, headers=all_headers, preload_content=False)
        try:
            raw = response.read(ANSWER_MAX_BYTES)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        raise ChannelError(
            _("%(service)s could not be reached: %(error)s") % {"service": service, "error": error}
        ) from error
    retry_after = _seconds(response.headers.get("Retry-After"))
    if response.status >= 500:
        raise ChannelError(
            _("%(service)s answered %(status)d.") % {"service": service, "status": response.status},
            retry_after=retry_after,
        )
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ChannelError(
            _("%(service)s answered %(status)d with something other than JSON.")
            % {"service": service, "status": response.status}
        )
    return Answer(status=response.status, data=data, retry_after=retry_after)


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


class AccessTokens:
    """A service's access token, kept in Django's cache (Redis in production: shared by every worker) until
    shortly before it expires. On a TokenRejected answer the token is dropped and fetched again, once."""

    def __init__(self, cache_key: str, fetch: Callable[[], tuple[str, int]]):
        self.cache_key = cache_key
        self.fetch = fetch  # -> (token, seconds it lives)

    def token(self) -> str:
        kept = cache.get(self.cache_key)
        if kept:
            return kept
        token, lifetime = self.fetch()
        cache.set(self.cache_key, token, timeout=max(lifetime - TOKEN_MARGIN_SECONDS, 60))
        return token

    def call(self, send: Callable[[str], str]) -> str:
        """`send(token)`, with a fresh token once if the service refused the kept one."""
        token = self.token()
        try:
            return send(token)
        except TokenRejected:
            logger.info("Access token refused (%s): fetching a new one", self.cache_key)
            if cache.get(self.cache_key) == token:
                cache.delete(self.cache_key)
            return send(self.token())


def refusal(service: str, reason: str, data: dict) -> str:
    """A service's refusal in the user's language (`reason` names the service as %(service)s), with the
    service's own code and words, for the office's log."""
    return _("%(reason)s (code %(code)s: %(message)s).") % {
        "reason": reason % {"service": service},
        "code": data.get("errcode", data.get("code")),
        "message": data.get("errmsg") or data.get("message") or "",
    }


@dataclass(frozen=True)
class ErrorCodes:
    """What an answer's `errcode` means, for services that answer alike (企业微信, 钉钉: 0 is success)."""

    token: frozenset[int]  # the access token expired or is invalid: a new one, once
    rate_limit: frozenset[int]  # wait CHANNEL_RATE_LIMIT_DELAY
    recipient: frozenset[int]  # no such account: permanent


def access_token_fetch(url: str, *, service: str) -> tuple[str, int]:
    """(token, seconds it lives) from a service's token endpoint answering {errcode, access_token,
    expires_in}."""
    data = http_call("GET", url, service=service).data
    if data.get("errcode", 0) != 0 or not data.get("access_token"):
        raise ChannelError(refusal(service, _("%(service)s gave no access token"), data))
    return data["access_token"], int(data.get("expires_in") or 7200)


def errcode_check(data: dict, *, service: str, codes: ErrorCodes) -> None:
    """Raise what a refusal means (see the module); nothing for errcode 0."""
    code = data.get("errcode", 0)
    if code == 0:
        return
    if code in codes.token:
        raise TokenRejected(refusal(service, _("%(service)s refused the access token"), data))
    if code in codes.rate_limit:
        raise ChannelError(
            refusal(service, _("%(service)s asks to send more slowly"), data),
            retry_after=settings.CHANNEL_RATE_LIMIT_DELAY.total_seconds(),
        )
    if code in codes.recipient:
        raise ChannelError(
            refusal(service, _("%(service)s does not know this account"), data), permanent=True
        )
    raise ChannelError(refusal(service, _("%(service)s refused the message"), data))
