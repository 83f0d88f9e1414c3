"""The audit export: every chain's events and every anchor as one JSON file, with the stand-alone
verifier beside it (accounts/anchors/standalone.py, standard library only), for an auditor to check on
another machine. Written event by event, so a chain of millions of events needs no memory to match."""

import json
import shutil
from datetime import UTC
from pathlib import Path

from accounts.anchors.models import ChainAnchor
from accounts.anchors.services import anchor_export
from core import clock
from core.audit import AUDIT_CHAINS

EXPORT_NAME = "audit-export.json"
VERIFIER_NAME = "verify_audit_export.py"
EXPORT_FORMAT = "integrity-audit-export/1"


def audit_export_write(*, directory: Path) -> dict[str, int]:
    """Write the export and the verifier into `directory`; returns the events written per chain."""
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    path = directory / EXPORT_NAME
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.write(
            f'{{"format": {json.dumps(EXPORT_FORMAT)}, '
            f'"exported_at": {json.dumps(clock.now().astimezone(UTC).isoformat())}, "chains": {{'
        )
        for index, (name, chain) in enumerate(sorted(AUDIT_CHAINS.items())):
            out.write(("," if index else "") + f"\n{json.dumps(name)}: " + '{"label": ')
            out.write(json.dumps(str(chain.label), ensure_ascii=False) + ', "events": [')
            counts[name] = 0
            for event in chain.event_model.objects.order_by("sequence").iterator(chunk_size=2000):
                out.write(("," if counts[name] else "") + "\n")
                out.write(json.dumps(chain.event_export(event), ensure_ascii=False, sort_keys=True))
                counts[name] += 1
            out.write("]}")
        out.write('},\n"anchors": [')
        for index, anchor in enumerate(ChainAnchor.objects.order_by("number").iterator(chunk_size=2000)):
            out.write(("," if index else "") + "\n" + json.dumps(anchor_export(anchor), ensure_ascii=False))
        out.write("]}\n")
    partial.replace(path)
    shutil.copyfile(Path(__file__).with_name("standalone.py"), directory / VERIFIER_NAME)
    return counts
