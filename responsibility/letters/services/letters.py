"""Every change to an issued letter: sign, return, countersign, void, archive."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.reauth import reauthentication_check
from core import clock
from core.announcements import AnnouncementKind, announce
from core.errors import ApplicationError
from core.locks import row_lock
from responsibility.letters.audit import letter_events_append
from responsibility.letters.listeners import letter_moved_announce
from responsibility.letters.models.letters import (
    Letter,
    LetterEvent,
    LetterEventKind,
    LetterStatus,
    Signature,
    SignatureRole,
)
from responsibility.letters.permissions import LetterAction, letter_check_permission
from responsibility.letters.services.documents import letter_document_request
from responsibility.letters.signing import SignatureMark, consent_check
from responsibility.letters.workflow import STAMPS, ensure_transition_allowed

MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class SigningAttestation:
    """What the signer proved at the moment of signing, as the server received it."""

    mark: SignatureMark
    consent_text: str
    content_hash_shown: str
    reauthenticated_at: datetime | None
    ip_address: str | None = None
    user_agent: str = ""


@transaction.atomic
def letter_sign(*, letter: Letter, signed_by, attestation: SigningAttestation) -> Letter:
    """The signer (乙方) accepts the letter as shown to them. Only they can sign, and only once."""
    letter_check_permission(user=signed_by, action=LetterAction.SIGN, letter=letter)
    _attestation_check(attestation, signer=signed_by)
    locked = _letter_lock(letter)
    ensure_transition_allowed(current=locked.status, target=LetterStatus.SIGNED)
    _signature_create(letter=locked, role=SignatureRole.SIGNER, signed_by=signed_by, attestation=attestation)
    return _letter_move(
        letter=locked,
        target=LetterStatus.SIGNED,
        kind=LetterEventKind.SIGNED,
        actor=signed_by,
        ip_address=attestation.ip_address,
    )


@transaction.atomic
def letter_countersign(*, letter: Letter, countersigned_by, attestation: SigningAttestation) -> Letter:
    """The issuer (甲方) signs after the signer; the letter is then in force."""
    letter_check_permission(user=countersigned_by, action=LetterAction.COUNTERSIGN, letter=letter)
    _attestation_check(attestation, signer=countersigned_by)
    locked = _letter_lock(letter)
    ensure_transition_allowed(current=locked.status, target=LetterStatus.COUNTERSIGNED)
    _signature_create(
        letter=locked, role=SignatureRole.ISSUER, signed_by=countersigned_by, attestation=attestation
    )
    letter = _letter_move(
        letter=locked,
        target=LetterStatus.COUNTERSIGNED,
        kind=LetterEventKind.COUNTERSIGNED,
        actor=countersigned_by,
        ip_address=attestation.ip_address,
    )
    letter_document_request(letter=letter)  # the sealed PDF is rendered once this commits
    return letter


@dataclass
class BatchCountersignResult:
    countersigned: list[Letter]
    refused: list[tuple[Letter, str]]


def letters_countersign(
    *,
    letters: Sequence[Letter],
    countersigned_by,
    attestation: SigningAttestation,
    content_hashes_shown: dict[int, str],
) -> BatchCountersignResult:
    """Countersign many letters with one identity check (at the annual meeting).

    Each letter is its own transaction: one that cannot be countersigned any more (voided in the
    meantime, say) is reported and the others go through.
    """
    if not letters:
        raise ApplicationError(_("Choose at least one letter to countersign."))
    _attestation_check(attestation, signer=countersigned_by, check_hash=False)
    result = BatchCountersignResult(countersigned=[], refused=[])
    for letter in letters:
        one = SigningAttestation(
            mark=attestation.mark,
            consent_text=attestation.consent_text,
            content_hash_shown=content_hashes_shown.get(letter.pk, ""),
            reauthenticated_at=attestation.reauthenticated_at,
            ip_address=attestation.ip_address,
            user_agent=attestation.user_agent,
        )
        try:
            result.countersigned.append(
                letter_countersign(letter=letter, countersigned_by=countersigned_by, attestation=one)
            )
        except (ApplicationError, PermissionDenied) as refusal:
            result.refused.append((letter, str(refusal)))
    return result


@transaction.atomic
def letter_return(*, letter: Letter, returned_by, reason: str, ip_address: str | None = None) -> Letter:
    """The signer sends the letter back with a reason instead of signing; the issuer revises it."""
    letter_check_permission(user=returned_by, action=LetterAction.SIGN, letter=letter)
    reason = _reason_clean(reason, what=_("a reason for returning the letter"))
    locked = _letter_lock(letter)
    ensure_transition_allowed(current=locked.status, target=LetterStatus.RETURNED)
    locked.return_reason = reason
    return _letter_move(
        letter=locked,
        target=LetterStatus.RETURNED,
        kind=LetterEventKind.RETURNED,
        actor=returned_by,
        note=reason,
        ip_address=ip_address,
        extra_fields=("return_reason",),
    )


@transaction.atomic
def letter_void(*, letter: Letter, voided_by, reason: str, ip_address: str | None = None) -> Letter:
    """The issuer (or the office) withdraws a letter with a reason. Nothing is deleted."""
    letter_check_permission(user=voided_by, action=LetterAction.VOID, letter=letter)
    reason = _reason_clean(reason, what=_("a reason for voiding the letter"))
    locked = _letter_lock(letter)
    ensure_transition_allowed(current=locked.status, target=LetterStatus.VOIDED)
    locked.void_reason = reason
    return _letter_move(
        letter=locked,
        target=LetterStatus.VOIDED,
        kind=LetterEventKind.VOIDED,
        actor=voided_by,
        note=reason,
        ip_address=ip_address,
        extra_fields=("void_reason",),
    )


@transaction.atomic
def letter_archive(*, letter: Letter, archived_by, ip_address: str | None = None) -> Letter:
    """The office files a countersigned letter."""
    letter_check_permission(user=archived_by, action=LetterAction.ARCHIVE, letter=letter)
    locked = _letter_lock(letter)
    ensure_transition_allowed(current=locked.status, target=LetterStatus.ARCHIVED)
    return _letter_move(
        letter=locked,
        target=LetterStatus.ARCHIVED,
        kind=LetterEventKind.ARCHIVED,
        actor=archived_by,
        ip_address=ip_address,
    )


# The moves other systems hear of (core.announcements), each once per move.
ANNOUNCED_MOVES = {
    LetterStatus.SIGNED: AnnouncementKind.LETTER_SIGNED,
    LetterStatus.COUNTERSIGNED: AnnouncementKind.LETTER_COUNTERSIGNED,
    LetterStatus.VOIDED: AnnouncementKind.LETTER_VOIDED,
}


def _letter_lock(letter: Letter) -> Letter:
    """The stored row, locked: checks read the stored state, never the caller's copy."""
    return row_lock(Letter.objects.select_related("campaign"), pk=letter.pk)


def _letter_move(
    *,
    letter: Letter,
    target: LetterStatus,
    kind: LetterEventKind,
    actor,
    note: str = "",
    ip_address: str | None = None,
    extra_fields: Sequence[str] = (),
) -> Letter:
    """Move a locked letter, stamp the time, and append the audit event in the same transaction."""
    ensure_transition_allowed(current=letter.status, target=target)
    from_status = letter.status
    now = clock.now()
    event = LetterEvent(
        letter=letter,
        kind=kind,
        from_status=letter.status,
        to_status=target,
        actor=actor,
        note=note,
        ip_address=ip_address,
        content_hash=letter.content_hash,
        created_at=now,
    )
    letter.status = target
    setattr(letter, STAMPS[target], now)
    letter.updated_at = now
    letter.save(update_fields=["status", STAMPS[target], "updated_at", *extra_fields])
    letter_events_append(events=[event])
    letter_moved_announce(letter=letter, from_status=from_status)  # e.g. reminders close what is done
    if target in ANNOUNCED_MOVES:  # e.g. the webhooks of other systems
        announce(
            kind=ANNOUNCED_MOVES[target],
            subject=f"letter:{letter.pk}",
            occasion=now.isoformat(),
            occurred_at=now,
        )
    return letter


def _attestation_check(attestation: SigningAttestation, *, signer, check_hash: bool = True) -> None:
    if signer.password_must_change:
        # After a reset by one-time code, nothing is signed until the person has chosen their own password.
        raise ApplicationError(
            _("Choose your own password first: after a password reset nothing can be signed until you do."),
            code="password_must_change",
        )
    consent_check(attestation.consent_text)
    reauthentication_check(attestation.reauthenticated_at)
    if check_hash and not attestation.content_hash_shown:
        raise ApplicationError(
            _("The letter you saw could not be identified. Reload the page."), code="hash_missing"
        )


def _signature_create(
    *, letter: Letter, role: SignatureRole, signed_by, attestation: SigningAttestation
) -> None:
    if attestation.content_hash_shown != letter.content_hash:
        raise ApplicationError(
            _("The letter has changed since you opened it. Reload the page and read it again."),
            code="content_changed",
        )
    try:
        with transaction.atomic():
            Signature.objects.create(
                letter=letter,
                role=role,
                signed_by=signed_by,
                signed_at=clock.now(),
                method=attestation.mark.method,
                typed_name=attestation.mark.typed_name,
                image_png=attestation.mark.image_png,
                reauthenticated_at=attestation.reauthenticated_at,
                ip_address=attestation.ip_address,
                user_agent=attestation.user_agent[:512],
                consent_text=attestation.consent_text,
                content_hash=letter.content_hash,
            )
    except IntegrityError:
        raise ApplicationError(_("This letter has already been signed."), code="already_signed") from None


def _reason_clean(reason: str, *, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Please give %(what)s.") % {"what": what}, code="reason_missing")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            _("The reason is too long (at most %(max)d characters).") % {"max": MAX_REASON_LENGTH},
            code="reason_too_long",
        )
    return reason
