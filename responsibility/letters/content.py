"""The canonical content of a letter: what a signer sees, and the SHA-256 that pins it."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from responsibility.letters.models.letters import Letter


@dataclass(frozen=True)
class ClauseText:
    """A clause as it will appear in a letter (from a template, or from a revision form)."""

    number: int
    category: str
    text: str


def letter_canonical_content(*, letter: Letter, clauses: Iterable[ClauseText]) -> bytes:
    """Everything the parties agree to, as UTF-8 JSON with sorted keys: same letter, same bytes."""
    content = {
        "reference": letter.reference,
        "version": letter.version,
        "title": letter.title,
        "preamble": letter.preamble,
        "clauses": [[c.number, c.category, c.text] for c in sorted(clauses, key=lambda c: c.number)],
        "closing": letter.closing,
        "issuer": {"label": letter.issuer_label, "user": letter.issuer_id, "post": letter.issuer_post_id},
        "signer": {
            "label": letter.signer_label,
            "user": letter.signer_id,
            "post": letter.signer_post_id,
            "unit": letter.signer_unit_id,
        },
        "campaign": letter.campaign_id,
        "parent": letter.parent_id,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def letter_content_hash(*, letter: Letter, clauses: Iterable[ClauseText]) -> str:
    return hashlib.sha256(letter_canonical_content(letter=letter, clauses=clauses)).hexdigest()


def letter_stored_content_hash(*, letter: Letter) -> str:
    """Recompute the hash from the stored letter and clauses (to check it was not altered)."""
    clauses = [ClauseText(c.number, c.category, c.text) for c in letter.clauses.all()]
    return letter_content_hash(letter=letter, clauses=clauses)
