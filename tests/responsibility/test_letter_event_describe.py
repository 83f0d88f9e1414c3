"""letter_event_describe: each kind of letter event read out as a sentence, in Chinese by default."""

import pytest
from django.urls import reverse

from responsibility.letters.audit import letter_event_describe, letter_events_append
from responsibility.letters.content import ClauseText
from responsibility.letters.models.letters import ClauseCategory, LetterEvent
from responsibility.letters.services.issuing import letter_revise
from responsibility.letters.services.letters import letter_archive, letter_return, letter_void

pytestmark = pytest.mark.django_db


@pytest.fixture
def revised(org, issued_letter):
    """The letter returned by its signer with a reason, and its revision (version 2) issued."""
    letter_return(letter=issued_letter, returned_by=issued_letter.signer, reason="第二条不适用本单位")
    new = letter_revise(
        letter=issued_letter,
        revised_by=org.secretary,
        title=issued_letter.title,
        preamble=issued_letter.preamble,
        closing=issued_letter.closing,
        clauses=[ClauseText(0, ClauseCategory.PRINCIPAL, "切实履行本委党风廉政建设主体责任。")],
    )
    return new


def sentences(letter) -> list[tuple[str, str]]:
    return [(event.kind, letter_event_describe(event)) for event in LetterEvent.objects.filter(letter=letter)]


def test_letter_event_describe_reads_issue_signature_countersignature_and_archive(org, countersigned_letter):
    # when the countersigned letter is filed
    letter_archive(letter=countersigned_letter, archived_by=org.office_admin)

    # then each step reads as a sentence in Chinese
    assert sentences(countersigned_letter) == [
        ("issued", f"签发，文号{countersigned_letter.reference}，等待签署。"),
        ("signed", "乙方签署了责任书。"),
        ("countersigned", "甲方签署，责任书生效。"),
        ("archived", "已归档保存。"),
    ]


def test_letter_event_describe_reads_a_return_and_the_revision_with_the_reference(issued_letter, revised):
    # given the signer returned the letter and the issuer revised it

    # then the return reads with the signer's reason, the revision with the version it replaces
    assert sentences(issued_letter)[-1] == ("returned", "退回修改。理由：第二条不适用本单位")
    assert sentences(revised) == [("revised", f"签发第2版，修订自{issued_letter.reference}。")]


def test_letter_event_describe_reads_a_voiding_with_its_reason(org, issued_letter):
    letter_void(letter=issued_letter, voided_by=org.secretary, reason="人事调整")

    assert sentences(issued_letter)[-1] == ("voided", "作废。理由：人事调整")


def test_letter_event_describe_reads_a_format_1_event_from_its_letter(org, issued_letter, revised):
    # given a returned letter and its revision, and events of both written before payloads (the
    # revision's reference as text in the writer's language)
    issued, revised = letter_events_append(
        events=[
            LetterEvent(
                letter=letter,
                kind=kind,
                from_status="draft",
                to_status="issued",
                actor=org.secretary,
                note=note,
                content_hash=letter.content_hash,
                chain_format=1,
            )
            for letter, kind, note in (
                (issued_letter, "issued", ""),
                (revised, "revised", f"Revision of {issued_letter.reference}"),
            )
        ]
    )

    # then they read as the same sentences as events with payloads, in the reader's language
    assert letter_event_describe(issued) == f"签发，文号{issued_letter.reference}，等待签署。"
    assert letter_event_describe(revised) == f"签发第2版，修订自{issued_letter.reference}。"


def test_letter_page_shows_the_signing_record_as_sentences(client, org, issued_letter):
    # given the signer returned the letter
    letter_return(letter=issued_letter, returned_by=issued_letter.signer, reason="第二条不适用本单位")
    client.force_login(issued_letter.signer)

    # when they open it
    html = client.get(reverse("responsibility:letter-detail", args=[issued_letter.pk])).content.decode()

    # then the record reads in sentences
    assert f"签发，文号{issued_letter.reference}，等待签署。" in html
    assert "退回修改。理由：第二条不适用本单位" in html
