"""Client tokens: `<prefix>.<secret>`, the secret 256 random bits. The prefix finds the client; only the
SHA-256 of the secret is kept (a random secret of that length needs no slow hash), compared in constant
time. The whole token is shown once, when it is made."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

_TOKEN = re.compile(r"^([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewToken:
    prefix: str
    secret_sha256: str
    token: str  # shown once, never stored


def token_new() -> NewToken:
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    return NewToken(prefix=prefix, secret_sha256=_digest(secret), token=f"{prefix}.{secret}")


def token_split(token: str) -> tuple[str, str] | None:
    """The prefix and secret of a well-formed token; None for anything else."""
    match = _TOKEN.match(token)
    return (match[1], match[2]) if match else None


def token_secret_matches(*, secret: str, secret_sha256: str) -> bool:
    return hmac.compare_digest(_digest(secret), secret_sha256)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()
