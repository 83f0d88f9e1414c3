"""A subscription's signing secret, kept encrypted, and the signature each delivery carries.

    X-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The receiver recomputes the HMAC over the timestamp and the raw body with the secret it was shown once,
compares in constant time, and refuses a timestamp far from its clock (a replayed delivery). The secret must
be read to sign, so it is encrypted (Fernet, from `cryptography`) with WEBHOOK_SECRET_KEY, not hashed: a
copy of the database alone does not let anyone sign as the system.
"""

import base64
import hashlib
import hmac
import secrets
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SECRET_BYTES = 32
SECRET_PREFIX_LENGTH = 8


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another key (WEBHOOK_SECRET_KEY changed)."""


def secret_new() -> str:
    """256 random bits, URL-safe: 43 characters."""
    return secrets.token_urlsafe(SECRET_BYTES)


@cache
def _fernet(key: str) -> Fernet:
    if key:
        return Fernet(key.encode())
    # No key of its own: one derived from SECRET_KEY (changing SECRET_KEY then needs new secrets).
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"webhook-secrets").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def secret_encrypt(secret: str) -> str:
    return _fernet(settings.WEBHOOK_SECRET_KEY).encrypt(secret.encode()).decode()


def secret_decrypt(encrypted: str) -> str:
    try:
        return _fernet(settings.WEBHOOK_SECRET_KEY).decrypt(encrypted.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable from error


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_valid(*, secret: str, header: str, body: bytes) -> bool:
    """The receiver's check (used by the tests' receiver and shown in the README)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return False
    expected = signature_header(secret=secret, timestamp=int(parts["t"]), body=body).partition("v1=")[2]
    return hmac.compare_digest(expected, parts["v1"])
