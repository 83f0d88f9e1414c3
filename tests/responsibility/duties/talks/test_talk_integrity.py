"""A talk's record is held to the duty audit chain: changed behind the services' back, it shows in the
integrity report; on PostgreSQL the database refuses to change a confirmed talk, or delete any."""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.utils import translation

from accounts.anchors.verify import Severity, integrity_report
from responsibility.duties.models import Talk
from tests.accounts.anchors.conftest import raw_sql
from tests.responsibility.duties.talks.conftest import confirmed, planned, recorded

pytestmark = pytest.mark.django_db


def talk_problems() -> list[str]:
    with translation.override("en"):
        report = integrity_report()
    return [f"{f.subject}: {f.reason}" for f in report.findings if f.severity == Severity.BROKEN]


def test_an_intact_talk_has_no_problem(head, chief):
    confirmed(recorded(planned(head, chief)))
    assert talk_problems() == []


def test_points_rewritten_in_the_database_are_reported(head, chief):
    # given a confirmed talk whose points someone with the database rewrites
    talk = confirmed(recorded(planned(head, chief)))
    raw_sql("UPDATE responsibility_talk SET points = %s WHERE id = %s", ["只谈了业务。", talk.pk])

    # then the integrity report names the talk and what is wrong
    [problem] = talk_problems()
    assert problem.endswith("Its record differs from the one the audit chain holds.")
    assert head.get_full_name() in problem and chief.get_full_name() in problem


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the refusing triggers are PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE responsibility_talk SET points = 'x', version = version + 1 WHERE id = %s",
        "DELETE FROM responsibility_talk WHERE id = %s",
    ],
    ids=["update a confirmed talk", "delete"],
)
def test_postgresql_refuses_to_change_a_confirmed_talk(head, chief, sql):
    talk = confirmed(recorded(planned(head, chief)))
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [talk.pk])
    assert Talk.objects.get(pk=talk.pk).points == talk.points


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the refusing triggers are PostgreSQL's")
def test_postgresql_refuses_a_change_without_the_version_step(head, chief):
    talk = planned(head, chief)
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE responsibility_talk SET purpose = 'x' WHERE id = %s", [talk.pk])
