"""Schemes for the assessment tests, reached through the services as the office would."""

import datetime

import pytest

from responsibility.assessment.models import AssessmentScheme
from responsibility.assessment.services.schemes import scheme_import, scheme_publish
from tests.responsibility.assessment.workbooks import scheme_xlsx

# The test scheme's grades: it scores at most 45 (40 and a 5-point bonus).
TEST_GRADES = "好 40；较好 35；一般 25；差 0"


@pytest.fixture
def published(org) -> AssessmentScheme:
    return published_make(org)


def published_make(org) -> AssessmentScheme:
    """Version 1 of a scheme, published."""
    draft = scheme_import(workbook_file=scheme_xlsx(), imported_by=org.office_admin)
    return scheme_publish(scheme=draft, published_by=org.office_admin)


@pytest.fixture
def draft(org, published) -> AssessmentScheme:
    """Version 2 of the same scheme, a draft."""
    return scheme_import(
        workbook_file=scheme_xlsx(name="党风廉政建设责任制考核（修订）"),
        imported_by=org.office_admin,
        version_of=published,
    )


# The supervision world the indicators of problems count (tests/responsibility/inspections).
from tests.responsibility.duties.conftest import clock, duties, report_seal  # noqa: E402, F401
from tests.responsibility.inspections.conftest import drawn, supervision  # noqa: E402, F401


@pytest.fixture
def assessment_round(org, published, clock):  # noqa: F811 (the clock fixture imported above)
    return assessment_round_make(org, published)


def assessment_round_make(org, published):
    """The office's assessment of 2026 of both committees with the published scheme; self-assessment
    until 31 May (today is 15 May)."""
    from responsibility.assessment.services.rounds import RoundInput, round_open

    return counted(
        round_open(
            data=RoundInput(
                scheme=published,
                year=2026,
                name="2026年度党风廉政建设责任制考核",
                deadline=datetime.date(2026, 5, 31),
                objection_days=5,
                grade_bands=TEST_GRADES,
                units=[post.unit for post in org.head_posts],
            ),
            opened_by=org.office_admin,
        )
    )


def counted(assessment_round):
    """The round once its count task ran (as the worker would run it)."""
    from responsibility.assessment.services.counts import round_indicators_run

    round_indicators_run(round_id=assessment_round.pk)
    assessment_round.refresh_from_db()
    return assessment_round


def card_of(assessment_round, unit):
    return assessment_round.units.get(unit=unit)


def score_of(card, number: str):
    return card.scores.select_related("item", "unit_assessment").get(item__number=number)


def review_all(assessment_round, org) -> None:
    """Both committees self-assessed (1.2, 1.3, 3.1 and 3.2 answered yes, with evidence), submitted and
    reviewed by the team: 41 points each (25 by the system, 5 + 8 scored, a bonus of 3)."""
    from responsibility.assessment.services.rounds import (
        item_self_assess,
        unit_review_complete,
        unit_self_assessment_submit,
    )
    from tests.responsibility.inspections.conftest import pdf_upload

    for post in org.head_posts:
        card = card_of(assessment_round, post.unit)
        for number, answer in (("1.2", 1), ("1.3", 1), ("3.1", 1), ("3.2", 1)):
            item_self_assess(
                score=score_of(card, number),
                answer=answer,
                explanation="说明",
                files=[pdf_upload()],
                answered_by=post.holder,
            )
        unit_self_assessment_submit(unit_assessment=card, submitted_by=post.holder)
        unit_review_complete(unit_assessment=card, reviewed_by=org.inspector)


def assessment_users(org) -> dict:
    """The accounts of the assessment matrices' columns: the head of the first committee (its card's) and
    of the second, the team, the office and the Party Group; anonymous is None."""
    return {
        "anonymous": None,
        "outsider": org.outsider,
        "head": org.heads[0],
        "head_b": org.heads[1],
        "inspector": org.inspector,
        "office_admin": org.office_admin,
        "party_group": org.secretary,
    }
