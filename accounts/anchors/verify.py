"""The integrity report: every audit chain recomputed and held to every anchor, the anchors themselves
checked (their own chain, their digests, their timestamps), and every registered content check.

A database owner can rewrite an event and recompute every later hash, or empty a table and its head: the
chain alone would still verify. The anchors catch both, because an anchor's heads are covered by its
digest, its digest by the time-stamping authority's signature (checked against certificates held in
files, not in the database) and by the next anchor, and copies of anchors live outside the database (the
audit administrators' mail, the sealed PDFs, an export): `external` takes such copies, so deleting or
rewriting anchors in the database shows too.
"""

import base64
import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from accounts.anchors.models import AnchorReason, ChainAnchor
from accounts.anchors.services import anchor_digest, statement_digest
from accounts.anchors.timestamps import timestamp_token_check
from core import clock
from core.audit import AUDIT_CHAINS, GENESIS_HASH, ChainBreak, Checkpoint, chain_verify
from core.integrity import INTEGRITY_CHECKS


class Severity(enum.StrEnum):
    BROKEN = "broken"  # something was changed: the check fails
    WARNING = "warning"  # weaker protection than it should be (no anchor lately, no timestamp service)


@dataclass(frozen=True)
class Finding:
    severity: Severity
    subject: str
    reason: str

    def __str__(self) -> str:
        return _("%(subject)s: %(reason)s") % {"subject": self.subject, "reason": self.reason}


@dataclass(frozen=True)
class ChainResult:
    label: str
    events: int
    checkpoints: int
    broken: ChainBreak | None


@dataclass
class IntegrityReport:
    chains: list[ChainResult] = field(default_factory=list)
    anchors: int = 0
    anchors_timestamped: int = 0
    findings: list[Finding] = field(default_factory=list)
    content_checks: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not any(finding.severity == Severity.BROKEN for finding in self.findings)

    def add(self, severity: Severity, subject: str, reason: str) -> None:
        self.findings.append(Finding(severity, subject, reason))


@dataclass(frozen=True)
class ExternalAnchor:
    """An anchor as kept outside the database (an export, a mail's attachment)."""

    source: str
    statement: dict
    digest: str
    token: bytes


def integrity_report(*, external: Iterable[ExternalAnchor] = ()) -> IntegrityReport:
    report = IntegrityReport()
    checkpoints: dict[str, dict[int, Checkpoint]] = {name: {} for name in AUDIT_CHAINS}
    anchors = _anchors_check(report, checkpoints)
    stored_digests = {anchor.number: anchor.digest for anchor in anchors}
    for anchor in external:
        _external_check(report, anchor, checkpoints, stored_digests=stored_digests)
    for name, chain in AUDIT_CHAINS.items():
        pins = sorted(checkpoints.get(name, {}).values(), key=lambda checkpoint: checkpoint.sequence)
        broken = chain_verify(chain, checkpoints=pins)
        report.chains.append(
            ChainResult(str(chain.label or name), chain.event_model.objects.count(), len(pins), broken)
        )
        if broken is not None:
            report.add(
                Severity.BROKEN,
                str(chain.label or name),
                _("event #%(sequence)s (id %(id)s): %(reason)s")
                % {"sequence": broken.sequence, "id": broken.event_id or "—", "reason": broken.reason},
            )
    _freshness_check(report, anchors[-1] if anchors else None)
    for check in INTEGRITY_CHECKS.values():
        report.content_checks.append(str(check.label))
        for problem in check.run():
            report.add(Severity.BROKEN, problem.subject, problem.reason)
    return report


def _anchor_name(number: int) -> str:
    return _("Anchor #%(number)d") % {"number": number}


def _anchors_check(report: IntegrityReport, checkpoints: dict) -> list[ChainAnchor]:
    """Walk the anchors in order: numbered from 1 without a gap, each naming the digest of the one
    before, each digest recomputed from its statement, each token over its digest; every head becomes
    a checkpoint of its chain. Returns the anchors, in order."""
    anchors = list(ChainAnchor.objects.order_by("number").iterator(chunk_size=2000))
    report.anchors = len(anchors)
    last_scheduled = max((a.number for a in anchors if a.reason != AnchorReason.SEAL), default=0)
    previous_number, previous_digest = 0, GENESIS_HASH
    for anchor in anchors:
        name = _anchor_name(anchor.number)
        if anchor.number != previous_number + 1:
            report.add(
                Severity.BROKEN,
                _anchor_name(previous_number + 1),
                _("it is missing: anchors were removed"),
            )
        elif anchor.previous_digest != previous_digest:
            report.add(Severity.BROKEN, name, _("it does not name the digest of the anchor before it"))
        if anchor_digest(anchor) != anchor.digest:
            report.add(Severity.BROKEN, name, _("its content does not match its digest: it was rewritten"))
        if anchor.is_timestamped:
            report.anchors_timestamped += 1
            # The signature is checked where it proves the most: every scheduled anchor, and every anchor
            # after the last one (a later anchor's digest covers the earlier ones through the links).
            if anchor.reason != AnchorReason.SEAL or anchor.number > last_scheduled:
                _token_check(report, name, bytes(anchor.timestamp_token), anchor.digest, anchor.created_at)
        source = _("anchor #%(number)d of %(time)s") % {
            "number": anchor.number,
            "time": localtime(anchor.created_at).strftime("%Y-%m-%d %H:%M"),
        }
        _pins_add(report, checkpoints, anchor.heads, source)
        previous_number, previous_digest = anchor.number, anchor.digest
    return anchors


def _token_check(report: IntegrityReport, name: str, token: bytes, digest: str, created_at: datetime) -> None:
    check = timestamp_token_check(token=token, digest=bytes.fromhex(digest))
    if not check.valid:
        severity = Severity.WARNING if not settings.ANCHOR_TIMESTAMP_CERTIFICATES else Severity.BROKEN
        report.add(severity, name, _("its timestamp does not verify: %(reason)s") % {"reason": check.reason})
    elif abs((check.time - created_at).total_seconds()) > 600:
        report.add(
            Severity.BROKEN,
            name,
            _("its timestamp says %(time)s, not the time the anchor claims")
            % {"time": localtime(check.time).strftime("%Y-%m-%d %H:%M:%S")},
        )


def _pins_add(report: IntegrityReport, checkpoints: dict, heads: dict, source: str) -> None:
    for chain_name, head in (heads or {}).items():
        if chain_name not in checkpoints:
            report.add(
                Severity.BROKEN,
                source,
                _("it names a chain this system does not have: %(name)s") % {"name": chain_name},
            )
            continue
        sequence, digest = int(head.get("sequence", 0)), str(head.get("hash", ""))
        known = checkpoints[chain_name].get(sequence)
        if known is not None and known.hash != digest:
            report.add(
                Severity.BROKEN,
                source,
                _("it records a different hash for event #%(sequence)d than %(other)s")
                % {"sequence": sequence, "other": known.source},
            )
            continue
        checkpoints[chain_name][sequence] = Checkpoint(sequence, digest, source)


def _external_check(
    report: IntegrityReport, external: ExternalAnchor, checkpoints: dict, *, stored_digests: dict[int, str]
) -> None:
    number = int(external.statement.get("number", 0))
    name = _("%(anchor)s in %(source)s") % {"anchor": _anchor_name(number), "source": external.source}
    if statement_digest(external.statement) != external.digest:
        report.add(Severity.BROKEN, name, _("its content does not match its digest"))
        return
    stored = stored_digests.get(number)
    if stored is None:
        report.add(Severity.BROKEN, name, _("the database no longer holds this anchor: anchors were removed"))
    elif stored != external.digest:
        report.add(Severity.BROKEN, name, _("the database holds a different anchor under this number"))
    if external.token:
        created_at = parse_datetime(external.statement.get("at", "")) or clock.now()
        _token_check(report, name, external.token, external.digest, created_at)
    _pins_add(report, checkpoints, external.statement.get("heads", {}), name)


def _freshness_check(report: IntegrityReport, last: ChainAnchor | None) -> None:
    heads_moved = any(result.events for result in report.chains)
    if last is None:
        if heads_moved:
            report.add(
                Severity.WARNING,
                _("Anchors"),
                _(
                    "no chain has been anchored yet: run manage.py anchor_audit_chains, "
                    "and make sure beat runs"
                ),
            )
        return
    if clock.now() - last.created_at > settings.ANCHOR_MAX_AGE:
        report.add(
            Severity.WARNING,
            _("Anchors"),
            _("the last anchor is from %(time)s: the daily anchor has not run since")
            % {"time": localtime(last.created_at).strftime("%Y-%m-%d %H:%M")},
        )
    if not last.is_timestamped:
        report.add(
            Severity.WARNING,
            _("Anchors"),
            _(
                "the last anchor carries no timestamp: configure DJANGO_ANCHOR_TIMESTAMP_URL "
                "so that anchors hold against whoever holds the database"
            ),
        )


def external_anchors_read(path: Path) -> list[ExternalAnchor]:
    """Anchors from a file kept outside the database: an export (its "anchors") or one mailed anchor."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = data.get("anchors", []) if "anchors" in data else [data]
    anchors = []
    for item in items:
        statement = {
            key: item[key] for key in ("format", "number", "previous", "at", "reason", "subject", "heads")
        }
        anchors.append(
            ExternalAnchor(
                source=Path(path).name,
                statement=statement,
                digest=item.get("digest", ""),
                token=base64.b64decode(item.get("timestamp_token") or ""),
            )
        )
    return anchors
