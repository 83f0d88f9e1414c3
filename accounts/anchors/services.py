"""Anchoring every audit chain (链头存证): the one service that writes a `ChainAnchor`.

An anchor states where each chain's head stands (last sequence, last hash), when, why, and which anchor
came before it; its digest is the SHA-256 of that statement as canonical JSON (`anchor_message`), and the
configured time-stamping authority signs the digest (RFC 3161). The statement is what the stand-alone
verifier recomputes, so its shape is fixed here and in accounts/anchors/standalone.py alike.

The daily beat task anchors and mails the anchor to the audit administrators; sealing a letter anchors
and prints the anchor into the PDF's signing record. Either way a copy lives outside the database.
"""

import base64
import hashlib
import json
import logging
from datetime import UTC

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from accounts.anchors.models import AnchorReason, ChainAnchor
from accounts.anchors.timestamps import TimestampError, timestamp_request, timestamp_url
from accounts.models import User
from accounts.roles import Role
from core import clock
from core.audit import AUDIT_CHAINS, GENESIS_HASH

logger = logging.getLogger(__name__)

ANCHOR_FORMAT = 1
# An anchor written by two processes at once takes the next number on a second try.
ANCHOR_ATTEMPTS = 3


def chain_heads() -> dict[str, dict]:
    """Where every registered chain's head stands now (committed rows): {name: {sequence, hash}}."""
    heads = {}
    for name, chain in sorted(AUDIT_CHAINS.items()):
        head = chain.head_model.objects.filter(pk=1).values("last_sequence", "last_hash").first()
        heads[name] = {
            "sequence": head["last_sequence"] if head else 0,
            "hash": head["last_hash"] if head else GENESIS_HASH,
        }
    return heads


def anchor_statement(anchor: ChainAnchor) -> dict:
    """What an anchor's digest covers."""
    return {
        "format": ANCHOR_FORMAT,
        "number": anchor.number,
        "previous": anchor.previous_digest,
        "at": anchor.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "reason": anchor.reason,
        "subject": anchor.subject,
        "heads": anchor.heads,
    }


def statement_digest(statement: dict) -> str:
    """The SHA-256 of a statement as canonical JSON (sorted keys, no spaces, UTF-8)."""
    message = json.dumps(statement, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(message).hexdigest()


def anchor_digest(anchor: ChainAnchor) -> str:
    return statement_digest(anchor_statement(anchor))


def chains_anchor(*, reason: AnchorReason, subject: str = "") -> ChainAnchor:
    """Anchor every chain now. Runs outside any transaction: the time-stamping service is asked (up to
    its timeout) before the short transaction that stores the anchor, so no chain waits on it. An
    unreachable service leaves an anchor without a token and the reason why; it never fails the caller."""
    for attempt in range(1, ANCHOR_ATTEMPTS + 1):
        anchor = _anchor_next(reason=reason, subject=subject)
        try:
            with transaction.atomic():
                anchor.save()
            break
        except IntegrityError:  # another process took the number first: the next one, timestamped anew
            if attempt == ANCHOR_ATTEMPTS:
                raise
    if reason == AnchorReason.SCHEDULED:
        transaction.on_commit(lambda: anchor_mail(anchor=anchor))
    return anchor


def _anchor_next(*, reason: AnchorReason, subject: str) -> ChainAnchor:
    """The anchor after the last one stored, over the heads as they stand now, timestamped (unsaved)."""
    last = ChainAnchor.objects.order_by("-number").values("number", "digest").first()
    anchor = ChainAnchor(
        number=(last["number"] if last else 0) + 1,
        previous_digest=last["digest"] if last else GENESIS_HASH,
        reason=reason,
        subject=subject,
        created_at=clock.now(),
        heads=chain_heads(),
    )
    anchor.digest = anchor_digest(anchor)
    _timestamp(anchor)
    return anchor


def _timestamp(anchor: ChainAnchor) -> None:
    url = timestamp_url()
    if not url:
        return
    anchor.timestamp_url = url
    try:
        stamp = timestamp_request(digest=bytes.fromhex(anchor.digest))
    except TimestampError as error:
        logger.error("Anchor #%d could not be timestamped by %s: %s", anchor.number, url, error)
        anchor.timestamp_error = str(error)[:300]
        return
    anchor.timestamp_token, anchor.timestamped_at = stamp.token, stamp.time


def anchor_export(anchor: ChainAnchor) -> dict:
    """The anchor as the export and the mail carry it (the token in base64)."""
    return {
        **anchor_statement(anchor),
        "digest": anchor.digest,
        "timestamp_url": anchor.timestamp_url,
        "timestamp_token": base64.b64encode(bytes(anchor.timestamp_token)).decode(),
        "timestamped_at": anchor.timestamped_at.astimezone(UTC).isoformat()
        if anchor.timestamped_at
        else None,
    }


def anchor_mail(*, anchor: ChainAnchor) -> int:
    """Mail the anchor to every active audit administrator, with the anchor as JSON: a copy the database
    does not hold. Returns how many were mailed; a mail failure is logged, never raised."""
    recipients = list(
        User.objects.filter(is_active=True, groups__name=Role.AUDIT_ADMIN)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        logger.warning(
            "Anchor #%d was not mailed: there is no active audit administrator with email", anchor.number
        )
        return 0
    when = localtime(anchor.created_at).strftime("%Y-%m-%d %H:%M:%S")
    lines = [
        _("Audit chain anchor #%(number)d, %(time)s.") % {"number": anchor.number, "time": when},
        _(
            "Keep this mail: it lets an auditor prove later that no audit record before this moment "
            "was rewritten."
        ),
        "",
    ]
    for name, head in anchor.heads.items():
        label = AUDIT_CHAINS[name].label if name in AUDIT_CHAINS else name
        lines.append(
            _("%(chain)s: event #%(sequence)d, hash %(hash)s")
            % {"chain": label, "sequence": head["sequence"], "hash": head["hash"]}
        )
    lines += ["", _("Anchor digest: %(digest)s") % {"digest": anchor.digest}, anchor_timestamp_line(anchor)]
    message = EmailMessage(
        subject=_("Audit chain anchor #%(number)d") % {"number": anchor.number},
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    body = json.dumps(anchor_export(anchor), ensure_ascii=False, indent=2, sort_keys=True)
    message.attach(f"anchor-{anchor.number:06d}.json", body, "application/json")
    try:
        message.send()
    except Exception:
        logger.exception("Anchor #%d could not be mailed to the audit administrators", anchor.number)
        return 0
    return len(recipients)


def anchor_timestamp_line(anchor: ChainAnchor) -> str:
    """How the anchor was timestamped, as one sentence (the mail, the sealed PDF)."""
    if anchor.is_timestamped:
        return _("Timestamped by %(service)s at %(time)s.") % {
            "service": anchor.timestamp_url,
            "time": localtime(anchor.timestamped_at).strftime("%Y-%m-%d %H:%M:%S"),
        }
    if anchor.timestamp_error:
        return _("Not timestamped: the time-stamping service did not answer (%(error)s).") % {
            "error": anchor.timestamp_error
        }
    return _("Not timestamped: no time-stamping service is configured.")
