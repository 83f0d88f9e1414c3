"""A sealed year-end report stays what was sealed: the nightly content check
(responsibility/duties/integrity.py) holds each stored PDF to its SHA-256, and that SHA-256 to its
issuing event; on PostgreSQL the database refuses to change, delete or empty the reports' table
(migration 0015).

Real renders and seals (about 0.3 s each; the first in a process also loads the fonts, about 1.5 s).
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from core.integrity import INTEGRITY_CHECKS
from responsibility.duties.models import DutyAssignment, DutyEvent, DutyEventKind, DutyReportDocument
from responsibility.duties.services.reports import duty_report_issue
from tests.responsibility.inspections.tampering import _raw_update

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_seal")]

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the refusing triggers exist on PostgreSQL only (CI runs it)"
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def document(duties, settings, tmp_path) -> DutyReportDocument:
    settings.MEDIA_ROOT = tmp_path / "media"
    head = duties.head_assignment
    leader = get_user_model().objects.get(pk=head.leader_id)
    return duty_report_issue(assignment=DutyAssignment.objects.get(pk=head.pk), issued_by=leader).document


def problems() -> list[tuple[str, str]]:
    return [(problem.subject, problem.reason) for problem in INTEGRITY_CHECKS["duty_reports"].run()]


def test_an_intact_report_has_no_problem(document):
    assert problems() == []


def test_a_report_replaced_in_storage_is_reported(document):
    # given someone replaced the stored file
    with open(document.file.path, "wb") as file:
        file.write(b"%PDF-1.7\n% another file\n%%EOF\n")

    # then
    assert problems() == [
        (
            f"Year-end report {document.reference}, version 1",
            "The sealed PDF in storage is not the one that was sealed (its SHA-256 differs).",
        )
    ]


def test_a_report_removed_from_storage_is_reported(document):
    document.file.storage.delete(document.file.name)

    assert [reason for _subject, reason in problems()] == ["The sealed PDF is missing from storage."]


def test_a_report_whose_hash_differs_from_its_issuing_event_is_reported(document):
    # given someone with database access rewrote the event's digest (e.g. to match a replaced file)
    event = DutyEvent.objects.get(kind=DutyEventKind.REPORT_ISSUED)
    _raw_update(DutyEvent, event.pk, digest="0" * 64)

    # then
    assert [reason for _subject, reason in problems()] == [
        "Its SHA-256 differs from the one the audit chain recorded when it was issued."
    ]


# --- The database refuses (PostgreSQL) -----------------------------------------------------------------


def _sql(statement: str, params=None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE responsibility_dutyreportdocument SET sha256 = repeat('0', 64) WHERE id = %s",
        "UPDATE responsibility_dutyreportdocument SET version = version + 1 WHERE id = %s",
        "DELETE FROM responsibility_dutyreportdocument WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_issued_report(document, statement):
    with pytest.raises(IntegrityError, match="is refused"):
        _sql(statement, [document.pk])

    assert DutyReportDocument.objects.get(pk=document.pk).sha256 == document.sha256


@postgresql_only
def test_the_database_refuses_to_empty_the_reports_table(document):
    # the row was inserted in this test's transaction: its deferred foreign-key checks run first, or
    # PostgreSQL would refuse the TRUNCATE for that reason instead
    _sql("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(IntegrityError, match="TRUNCATE on .* is refused"):
        _sql("TRUNCATE responsibility_dutyreportdocument CASCADE")

    assert DutyReportDocument.objects.filter(pk=document.pk).exists()
