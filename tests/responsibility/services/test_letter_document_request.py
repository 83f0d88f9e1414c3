"""Countersigning requests the letter's sealed PDF in the same transaction; the task runs after the commit."""

from dataclasses import replace
from unittest import mock

import pytest

from core.errors import ApplicationError
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.services.documents import letter_document_request
from responsibility.letters.services.letters import letter_countersign, letter_sign, letters_countersign
from responsibility.letters.tasks import letter_document_attach as letter_document_attach_task
from tests.conftest import attestation_for

pytestmark = pytest.mark.django_db


@mock.patch.object(letter_document_attach_task, "delay")
def test_letter_countersign_requests_the_pdf_and_schedules_the_render_after_commit(
    render_delay, org, signed_letter, django_capture_on_commit_callbacks
):
    # given a signed letter

    # when the issuer countersigns it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        letter = letter_countersign(
            letter=signed_letter, countersigned_by=org.secretary, attestation=attestation_for(signed_letter)
        )
        render_delay.assert_not_called()  # nothing leaves the transaction before it commits

    # then one pending document exists and its render was queued once, by id
    document = LetterDocument.objects.get(letter=letter)
    assert document.status == DocumentStatus.PENDING
    assert document.attempts == 0
    assert len(document.verification_code) == 19
    assert len(callbacks) == 1
    render_delay.assert_called_once_with(document_id=document.pk)


@mock.patch.object(letter_document_attach_task, "delay")
def test_letter_document_request_is_idempotent(
    render_delay, countersigned_letter, django_capture_on_commit_callbacks
):
    # given a countersigned letter that has its document already
    first = LetterDocument.objects.get(letter=countersigned_letter)

    # when the document is requested again
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = letter_document_request(letter=countersigned_letter)

    # then it is the same document, and nothing new is scheduled
    assert again.pk == first.pk
    assert again.verification_code == first.verification_code
    assert LetterDocument.objects.filter(letter=countersigned_letter).count() == 1
    assert callbacks == []
    render_delay.assert_not_called()


def test_letter_document_request_refuses_a_letter_that_is_not_countersigned(signed_letter):
    with pytest.raises(ApplicationError, match="Only a countersigned letter"):
        letter_document_request(letter=signed_letter)

    assert not LetterDocument.objects.filter(letter=signed_letter).exists()


@mock.patch.object(letter_document_attach_task, "delay")
def test_batch_countersign_schedules_one_render_per_letter(
    render_delay, org, issued_letters, django_capture_on_commit_callbacks
):
    # given both committee heads signed
    signed = [
        letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
        for letter in issued_letters
    ]

    # when the secretary countersigns both at once
    with django_capture_on_commit_callbacks(execute=True):
        result = letters_countersign(
            letters=signed,
            countersigned_by=org.secretary,
            attestation=attestation_for(signed[0]),
            content_hashes_shown={letter.pk: letter.content_hash for letter in signed},
        )

    # then each letter has a document and its own render task
    assert len(result.countersigned) == 2
    documents = LetterDocument.objects.filter(letter__in=signed).order_by("pk")
    assert documents.count() == 2
    assert sorted(call.kwargs["document_id"] for call in render_delay.call_args_list) == [
        d.pk for d in documents
    ]


def test_a_refused_countersignature_requests_no_pdf(org, signed_letter):
    # given an attestation for content the issuer did not see
    attestation = attestation_for(signed_letter)
    stale = replace(attestation, content_hash_shown="0" * 64)

    # when the countersignature is refused
    with pytest.raises(ApplicationError):
        letter_countersign(letter=signed_letter, countersigned_by=org.secretary, attestation=stale)

    # then no document was left behind
    assert not LetterDocument.objects.filter(letter=signed_letter).exists()
