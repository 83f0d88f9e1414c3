"""述责述廉's records held to their chain: a report's text or a closed rating's result changed behind the
services' back shows in the integrity report; on PostgreSQL the database refuses such changes."""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import translation

from accounts.anchors.verify import Severity, integrity_report
from responsibility.cadres.models import Grade, IntegrityReport, RatingBallot, RatingResult
from responsibility.cadres.services import ballot_cast, rating_close
from tests.accounts.anchors.conftest import raw_sql
from tests.responsibility.cadres.conftest import accepted, rating_opened

pytestmark = pytest.mark.django_db
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the refusing triggers are PostgreSQL's"
)


def problems() -> list[str]:
    with translation.override("en"):
        report = integrity_report()
    return [f"{f.subject}: {f.reason}" for f in report.findings if f.severity == Severity.BROKEN]


def closed(cadres) -> IntegrityReport:
    report = rating_opened(cadres)
    for rater in cadres.raters[:3]:
        ballot_cast(report=report, rater=rater, grades=[Grade.GOOD] * 4)
    return rating_close(
        report=report, closed_by=cadres.duties.org.office_admin, expected_version=report.version
    )


def test_intact_reports_and_results_have_no_problem(cadres):
    closed(cadres)
    assert problems() == []


def test_a_report_text_rewritten_in_the_database_is_reported(cadres):
    report = accepted(cadres.report, cadres.duties.org.inspector)
    raw_sql(
        "UPDATE responsibility_integrityreport SET integrity_text = %s WHERE id = %s", ["改写", report.pk]
    )
    [problem] = problems()
    assert problem.endswith("Its text differs from the one the audit chain holds.")


def test_a_closed_result_rewritten_in_the_database_is_reported(cadres):
    report = closed(cadres)
    raw_sql("UPDATE responsibility_ratingresult SET ballots = 5 WHERE report_id = %s", [report.pk])
    [problem] = problems()
    assert problem.endswith("Its rating result differs from the one the audit chain holds.")


def refused(sql: str, params: list) -> None:
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@ON_POSTGRESQL
def test_postgresql_refuses_to_change_an_accepted_report_text(cadres):
    report = accepted(cadres.report, cadres.duties.org.inspector)
    refused(
        "UPDATE responsibility_integrityreport SET integrity_text = 'x', version = version + 1 WHERE id = %s",
        [report.pk],
    )


@ON_POSTGRESQL
def test_postgresql_refuses_to_unspend_a_ballot_or_change_a_closed_result(cadres):
    report = closed(cadres)
    ballot = RatingBallot.objects.filter(report=report, spent=True).first()
    refused("UPDATE responsibility_ratingballot SET spent = false WHERE id = %s", [ballot.pk])
    refused("UPDATE responsibility_ratingresult SET ballots = 9 WHERE report_id = %s", [report.pk])
    refused("DELETE FROM responsibility_ratingresult WHERE report_id = %s", [report.pk])
    assert RatingResult.objects.get(report=report).ballots == 3
