"""Many requests at once: double clicks, two browser tabs, two administrators issuing the same campaign.

Each thread stands for one request: it loads its own copies of the user and the letter, works on
its own database connection and closes it at the end.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.models import User
from core.errors import ApplicationError
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import (
    Campaign,
    Letter,
    LetterEvent,
    LetterStatus,
    Signature,
    SignatureRole,
)
from responsibility.letters.services.issuing import IssueResult, campaign_issue_letters
from responsibility.letters.services.letters import letter_countersign, letter_sign
from tests.conftest import attestation_for

THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_a_database_threads_can_share():
    # pytest-django gives SQLite tests a shared-cache in-memory database. Its connections do not wait
    # for each other's locks ("database table is locked" at once, whatever the timeout), unlike the
    # SQLite file the embedded deployment uses. Run these with PostgreSQL, or with a file-backed
    # SQLite test database (DATABASES["default"]["TEST"]["NAME"] = a path).
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads cannot share pytest-django's in-memory SQLite database; run on PostgreSQL")


def _run_at_once(call, count: int = THREADS) -> list[object]:
    """Run `call` in `count` threads released together; return each result or the exception it raised."""
    start = threading.Barrier(count)

    def one(_index):
        try:
            start.wait(timeout=30)
            return call()
        except Exception as error:  # collected; the test asserts on every outcome
            return error
        finally:
            connection.close()  # each thread has its own connection: leave none open

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def _refused(outcomes) -> list[object]:
    return [outcome for outcome in outcomes if not isinstance(outcome, Letter | IssueResult)]


def test_letter_sign_twenty_at_once_signs_exactly_once(issued_letter):
    # given twenty requests from the signer for the same letter (a double click, many tabs)
    def sign():
        letter = Letter.objects.get(pk=issued_letter.pk)
        signer = User.objects.get(pk=issued_letter.signer_id)
        return letter_sign(letter=letter, signed_by=signer, attestation=attestation_for(letter))

    # when they all arrive at once
    outcomes = _run_at_once(sign)

    # then exactly one signs; every other one is a business "no", not a crash
    assert sum(isinstance(outcome, Letter) for outcome in outcomes) == 1
    refused = _refused(outcomes)
    assert len(refused) == THREADS - 1
    assert all(isinstance(outcome, ApplicationError) for outcome in refused), refused
    assert Signature.objects.filter(letter=issued_letter).count() == 1
    assert LetterEvent.objects.filter(letter=issued_letter, kind="signed").count() == 1
    assert Letter.objects.get(pk=issued_letter.pk).status == LetterStatus.SIGNED
    assert audit_chain_verify() is None


def test_letter_countersign_twenty_at_once_countersigns_exactly_once(signed_letter):
    # given twenty countersign requests from the issuer for the same signed letter
    def countersign():
        letter = Letter.objects.get(pk=signed_letter.pk)
        issuer = User.objects.get(pk=signed_letter.issuer_id)
        return letter_countersign(letter=letter, countersigned_by=issuer, attestation=attestation_for(letter))

    # when they all arrive at once
    outcomes = _run_at_once(countersign)

    # then exactly one countersigns
    assert sum(isinstance(outcome, Letter) for outcome in outcomes) == 1
    refused = _refused(outcomes)
    assert len(refused) == THREADS - 1
    assert all(isinstance(outcome, ApplicationError) for outcome in refused), refused
    assert Signature.objects.filter(letter=signed_letter, role=SignatureRole.ISSUER).count() == 1
    assert LetterEvent.objects.filter(letter=signed_letter, kind="countersigned").count() == 1
    assert Letter.objects.get(pk=signed_letter.pk).status == LetterStatus.COUNTERSIGNED
    assert audit_chain_verify() is None


def test_campaign_issue_letters_twice_at_once_issues_one_set_of_letters(org):
    # given two administrators issuing the same campaign to the same heads
    def issue():
        return campaign_issue_letters(
            campaign=Campaign.objects.get(pk=org.campaign.pk),
            issuer_post=org.secretary_post,
            signer_posts=org.head_posts,
            issued_by=User.objects.get(pk=org.office_admin.pk),
        )

    # when both press "issue" at the same moment
    outcomes = _run_at_once(issue, count=2)

    # then one issues both letters and the other is told nothing was left to issue
    results = [outcome for outcome in outcomes if isinstance(outcome, IssueResult)]
    assert len(results) == 1
    assert len(results[0].issued) == 2
    refused = _refused(outcomes)
    assert len(refused) == 1
    assert isinstance(refused[0], ApplicationError), refused
    letters = Letter.objects.filter(campaign=org.campaign)
    assert sorted(letters.values_list("number", flat=True)) == [1, 2]
    assert sorted(letters.values_list("signer_id", flat=True)) == sorted(head.pk for head in org.heads)
    assert Campaign.objects.get(pk=org.campaign.pk).last_number == 2
    assert LetterEvent.objects.filter(kind="issued").count() == 2
    assert audit_chain_verify() is None


def test_campaign_issue_letters_overlapping_at_once_numbers_every_letter_once(org):
    # given two issues at once that share one head: [head 1, head 2] and [head 2, deputy head]
    batches = iter([[org.head_posts[0], org.head_posts[1]], [org.head_posts[1], org.staff_posts[0]]])
    lock = threading.Lock()

    def issue():
        with lock:
            posts = next(batches)
        return campaign_issue_letters(
            campaign=Campaign.objects.get(pk=org.campaign.pk),
            issuer_post=org.secretary_post,
            signer_posts=posts,
            issued_by=User.objects.get(pk=org.office_admin.pk),
        )

    # when
    outcomes = _run_at_once(issue, count=2)

    # then both succeed, the shared head gets one letter, and numbers run 1..3 without a repeat
    assert all(isinstance(outcome, IssueResult) for outcome in outcomes), outcomes
    letters = Letter.objects.filter(campaign=org.campaign)
    assert sorted(letters.values_list("number", flat=True)) == [1, 2, 3]
    assert letters.filter(signer_post=org.head_posts[1]).count() == 1
    assert sum(len(outcome.skipped) for outcome in outcomes) == 1
    assert len(set(letters.values_list("reference", flat=True))) == 3
    assert audit_chain_verify() is None
