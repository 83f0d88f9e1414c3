"""After a reset by one-time code, nothing is signed until the person has chosen their own password: the
signing services refuse, whatever page or client calls them."""

import pytest

from accounts.models import User
from core.errors import ApplicationError
from responsibility.letters.services.letters import letter_countersign, letter_sign
from responsibility.models import LetterStatus, Signature
from tests.conftest import attestation_for

pytestmark = pytest.mark.django_db


def test_a_signer_who_must_choose_a_password_cannot_sign(issued_letter):
    signer = issued_letter.signer
    User.objects.filter(pk=signer.pk).update(password_must_change=True)
    signer.refresh_from_db()

    with pytest.raises(ApplicationError, match="Choose your own password first"):
        letter_sign(letter=issued_letter, signed_by=signer, attestation=attestation_for(issued_letter))

    issued_letter.refresh_from_db()
    assert issued_letter.status == LetterStatus.ISSUED
    assert not Signature.objects.filter(letter=issued_letter).exists()


def test_nor_countersign(signed_letter):
    issuer = signed_letter.issuer
    User.objects.filter(pk=issuer.pk).update(password_must_change=True)
    issuer.refresh_from_db()

    with pytest.raises(ApplicationError, match="Choose your own password first"):
        letter_countersign(
            letter=signed_letter, countersigned_by=issuer, attestation=attestation_for(signed_letter)
        )

    signed_letter.refresh_from_db()
    assert signed_letter.status == LetterStatus.SIGNED
