"""Two inspectors at once on the same record: exactly one change goes through, the other is told.

Each thread stands for one request: it loads its own copies of the user and the record, works on its
own database connection and closes it at the end (as tests/responsibility/test_concurrency.py does).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.models import User
from core.errors import ApplicationError, TransitionNotAllowed
from core.versions import StaleEdit
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    InspectionEventKind,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.services.rectifications import (
    FindingChange,
    SubmissionInput,
    finding_update,
    rectification_submit,
    rectification_verify,
)
from tests.responsibility.inspections.conftest import pdf_upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_a_database_threads_can_share():
    # See tests/responsibility/test_concurrency.py: threads cannot share an in-memory SQLite database.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads cannot share pytest-django's in-memory SQLite database; run on PostgreSQL")


def _run_at_once(calls) -> list[object]:
    """Run each call in its own thread, released together; return each result or the exception it raised."""
    start = threading.Barrier(len(calls))

    def one(call):
        try:
            start.wait(timeout=30)
            return call()
        except Exception as error:  # collected; the test asserts on every outcome
            return error
        finally:
            connection.close()  # each thread has its own connection: leave none open

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


@pytest.fixture
def submitted(finding) -> Rectification:
    rectification = finding.rectification
    return rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures="已召开专题会议，形成会议纪要。", files=[pdf_upload()]),
        submitted_by=rectification.owner,
        expected_version=rectification.version,
    )


@pytest.mark.parametrize(
    ("from_the_page", "refusal"),
    [
        (True, StaleEdit),  # both pages showed the submitted version
        (False, TransitionNotAllowed),  # no version sent: the stored status decides
    ],
)
def test_rectification_verify_by_two_inspectors_at_once_verifies_once(
    supervision, submitted, from_the_page, refusal
):
    # given both team members open the submitted rectification and press "verify"
    version = submitted.version

    def verify_as(inspector_id: int):
        def call():
            rectification = Rectification.objects.select_related("finding__plan").get(pk=submitted.pk)
            return rectification_verify(
                rectification=rectification,
                verified_by=User.objects.get(pk=inspector_id),
                note="已核实。",
                expected_version=version if from_the_page else None,
            )

        return call

    # when both arrive at the same moment
    outcomes = _run_at_once([verify_as(inspector.pk) for inspector in supervision.inspectors])

    # then one verifies; the other is a business "no", not a crash
    done = [outcome for outcome in outcomes if isinstance(outcome, Rectification)]
    refused = [outcome for outcome in outcomes if not isinstance(outcome, Rectification)]
    assert len(done) == 1
    assert len(refused) == 1 and isinstance(refused[0], refusal), refused
    assert isinstance(refused[0], ApplicationError)
    stored = Rectification.objects.get(pk=submitted.pk)
    assert (stored.status, stored.version, stored.verified_by_id) == (
        RectificationStatus.VERIFIED,
        version + 1,
        done[0].verified_by_id,
    )
    verified = InspectionEvent.objects.filter(
        subject=f"finding:{submitted.finding_id}", kind=InspectionEventKind.VERIFIED
    )
    assert verified.count() == 1
    assert inspection_chain_verify() is None


def test_finding_update_by_two_editors_at_once_keeps_one_change_and_refuses_the_other(supervision, finding):
    # given both team members opened the finding at version 1 and changed its title differently
    rectification = finding.rectification

    def update_as(inspector_id: int, title: str):
        def call():
            return finding_update(
                finding=Finding.objects.select_related("plan").get(pk=finding.pk),
                data=FindingChange(
                    title=title,
                    description=finding.description,
                    severity=finding.severity,
                    responsible=finding.responsible,
                    owner=rectification.owner,
                    requirement=rectification.requirement,
                    deadline=rectification.deadline,
                ),
                updated_by=User.objects.get(pk=inspector_id),
                expected_version=1,
            )

        return call

    first, second = supervision.inspectors

    # when both save at the same moment
    outcomes = _run_at_once([update_as(first.pk, "甲的修改"), update_as(second.pk, "乙的修改")])

    # then exactly one change is kept, and the other editor is told to reload
    saved = [outcome for outcome in outcomes if isinstance(outcome, Finding)]
    stale = [outcome for outcome in outcomes if isinstance(outcome, StaleEdit)]
    assert len(saved) == 1 and len(stale) == 1, outcomes
    stored = Finding.objects.get(pk=finding.pk)
    assert stored.version == 2
    assert stored.title == saved[0].title
    assert stored.title in ("甲的修改", "乙的修改")
    updates = InspectionEvent.objects.filter(
        subject=f"finding:{finding.pk}", kind=InspectionEventKind.FINDING_UPDATED
    )
    assert updates.count() == 1
    assert inspection_chain_verify() is None
