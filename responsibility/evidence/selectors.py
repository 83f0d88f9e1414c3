"""Who may download an evidence file: whoever may see the record it belongs to.

Evidence belongs to records of other subdomains (check results, findings, rectifications and their
measures in supervision; performance records in 一岗双责). Each of them registers, for its kind of owner,
the rule that says whether a user may see the owner; this module asks the one for the file's owner.
"""

from collections.abc import Callable

from responsibility.evidence.models import EVIDENCE_OWNERS, EvidenceFile

# owner field -> may this user see the evidence's owner?
_OWNER_VISIBLE: dict[str, Callable[..., bool]] = {}


def evidence_owner_register(owner: str, visible: Callable[..., bool]) -> None:
    """Declare how to tell whether a user may see an evidence file's owner: `visible(user=, evidence=)`."""
    if owner not in EVIDENCE_OWNERS:
        raise ValueError(f"{owner} is not an owner of evidence files")
    if owner in _OWNER_VISIBLE:
        raise ValueError(f"the visibility of {owner} is already registered")
    _OWNER_VISIBLE[owner] = visible


def evidence_get_visible(*, user, pk: int) -> EvidenceFile | None:
    """An evidence file the user may download (they may see the record it belongs to), or None."""
    evidence = (
        EvidenceFile.objects.select_related(
            "check_result__inspection", "finding", "rectification__finding", "measure"
        )
        .filter(pk=pk)
        .first()
    )
    if evidence is None:
        return None
    owner = next(owner for owner in EVIDENCE_OWNERS if getattr(evidence, f"{owner}_id") is not None)
    return evidence if _OWNER_VISIBLE[owner](user=user, evidence=evidence) else None
