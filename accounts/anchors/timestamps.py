"""RFC 3161 timestamps of an anchor's digest: asked of the configured time-stamping authority (TSA) with
pyHanko's client, and checked with pyHanko's validator against the TSA certificates the deployment trusts.

Only the configured service is ever contacted (`ANCHOR_TIMESTAMP_URL`, by default the seal's
`SEAL_TIMESTAMP_URL`); the trusted certificates come from files (`ANCHOR_TIMESTAMP_CERTIFICATES`), never
from the database, so that whoever holds the database cannot swap the authority.
"""

import asyncio
import datetime
import logging
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from core.certificates import certificates_load

logger = logging.getLogger(__name__)

TIMESTAMP_TIMEOUT_SECONDS = 10


class TimestampError(Exception):
    """The service could not be reached or answered something that is not a timestamp of this digest."""


@dataclass(frozen=True)
class Timestamp:
    token: bytes  # the TimeStampToken (a CMS ContentInfo), DER
    time: datetime.datetime  # the authority's genTime


def timestamp_url() -> str:
    return settings.ANCHOR_TIMESTAMP_URL


def timestamp_request(*, digest: bytes) -> Timestamp:
    """A token over `digest` (SHA-256) from the configured service; TimestampError if it fails."""
    stamper = HTTPTimeStamper(timestamp_url(), timeout=TIMESTAMP_TIMEOUT_SECONDS)
    try:
        token = asyncio.run(stamper.async_timestamp(digest, "sha256"))
    except Exception as error:  # aiohttp, pyHanko's TimestampRequestError, a refused status, asn1 errors
        raise TimestampError(f"{type(error).__name__}: {error}"[:300]) from error
    info = _token_info(token)
    if info["message_imprint"]["hashed_message"].native != digest:
        raise TimestampError("the token does not cover the anchor's digest")
    return Timestamp(token=token.dump(), time=info["gen_time"].native)


def _token_info(token: cms.ContentInfo) -> tsp.TSTInfo:
    return token["content"]["encap_content_info"]["content"].parsed


@dataclass(frozen=True)
class TokenCheck:
    valid: bool
    time: datetime.datetime | None
    reason: str  # why not (English, for logs and the report's detail), "" when valid


def timestamp_token_check(*, token: bytes, digest: bytes) -> TokenCheck:
    """Is `token` a timestamp of `digest`, signed by an authority whose certificate is trusted here?"""
    try:
        content = cms.ContentInfo.load(token)
        signed_data = content["content"]
        time = _token_info(content)["gen_time"].native
    except Exception as error:
        return TokenCheck(False, None, f"unreadable token ({type(error).__name__})")
    roots = trusted_certificates()
    if not roots:
        return TokenCheck(False, time, "no trusted time-stamping certificate is configured")
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = asyncio.run(
            validate_tst_signed_data(signed_data, context, expected_tst_imprint=lambda algorithm: digest)
        )
    except Exception as error:
        return TokenCheck(False, time, f"{type(error).__name__}: {error}"[:300])
    if not status.get("intact") or not status.get("valid"):
        return TokenCheck(False, time, "the token's signature or imprint does not match")
    if status.get("trust_problem_indic") is not None:
        return TokenCheck(False, time, "the token was not signed by a trusted time-stamping authority")
    return TokenCheck(True, time, "")


def trusted_certificates() -> list[asn1_x509.Certificate]:
    """The time-stamping authorities' certificates this deployment trusts (PEM or DER files)."""
    return [
        certificate
        for path in settings.ANCHOR_TIMESTAMP_CERTIFICATES
        for certificate in certificates_load(Path(path).read_bytes())
    ]
