"""A ballot names nobody: after two raters vote differently, with comments, no table row, log line or
event links either rater to what they voted. Read every table of the database, row by row."""

import json
import logging

import pytest
from django.db import connection

from responsibility.cadres import services
from responsibility.cadres.models import CadreEvent, CadreEventKind, Grade, RatingResult
from responsibility.cadres.services import ballot_cast
from tests.responsibility.cadres.conftest import rating_opened

pytestmark = pytest.mark.django_db

FIRST_COMMENT = "第一位测评人的意见：作风扎实"
SECOND_COMMENT = "第二位测评人的意见：联系群众不够"


def every_row() -> list[tuple[str, dict]]:
    """(table, row as {column: value}) for every row of every table."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            rows += [(table, dict(zip(columns, values, strict=True))) for values in cursor.fetchall()]
    return rows


def holds(text: str, words: str) -> bool:
    """Whether `text` holds `words`, as written or as JSON escapes them."""
    return words in text or json.dumps(words)[1:-1] in text


def row_text(row: dict) -> str:
    return " ".join(str(value) for value in row.values())


def mentions_user(row: dict, user) -> bool:
    """Whether a row refers to the user: a column ending in _id (or named id of a user row) holds their id."""
    return any(
        (name.endswith("_id") or name in ("actor", "rater", "recipient")) and value == user.pk
        for name, value in row.items()
    )


def test_no_row_event_or_log_line_links_a_rater_to_their_vote(cadres, caplog):
    report = rating_opened(cadres)
    first, second = cadres.raters[:2]

    # when two raters vote differently, each with a comment, every log line captured
    with caplog.at_level(logging.DEBUG):
        ballot_cast(report=report, rater=first, grades=[Grade.GOOD] * 4, comment=FIRST_COMMENT)
        ballot_cast(report=report, rater=second, grades=[Grade.POOR] * 4, comment=SECOND_COMMENT)

    rows = every_row()
    # then the comments are in one row only, the report's result, which names no person
    with_comments = [(table, row) for table, row in rows if holds(row_text(row), FIRST_COMMENT)]
    assert [table for table, _row in with_comments] == ["responsibility_ratingresult"]
    [(_, result)] = with_comments
    assert set(result) == {"id", "report_id", "tallies", "comments", "ballots"}
    assert holds(str(result["comments"]), SECOND_COMMENT)
    # and no row that refers to a rater holds a grade, a comment or anything of the result
    for rater in (first, second):
        for table, row in rows:
            if table == "accounts_user" or not mentions_user(row, rater):
                continue
            text = row_text(row)
            assert not holds(text, FIRST_COMMENT) and not holds(text, SECOND_COMMENT), table
            assert not any(grade in text for grade in ("'good'", "'poor'", '"good"', '"poor"')), (table, row)
    # and the ballots' events say only that each rater voted
    events = CadreEvent.objects.filter(kind=CadreEventKind.BALLOT_CAST).order_by("sequence")
    assert [(event.actor_id, event.payload, event.note, event.digest) for event in events] == [
        (first.pk, {}, "", ""),
        (second.pk, {}, "", ""),
    ]
    # and no log line holds a comment
    assert not [record for record in caplog.records if FIRST_COMMENT in record.getMessage()]
    assert not [record for record in caplog.records if SECOND_COMMENT in record.getMessage()]


def test_the_comments_are_kept_in_no_particular_order(cadres, monkeypatch):
    # given the random place a comment is put at always the front
    monkeypatch.setattr(services.secrets, "randbelow", lambda n: 0)
    report = rating_opened(cadres)
    first, second = cadres.raters[:2]

    ballot_cast(report=report, rater=first, grades=[Grade.GOOD] * 4, comment=FIRST_COMMENT)
    ballot_cast(report=report, rater=second, grades=[Grade.GOOD] * 4, comment=SECOND_COMMENT)

    # then the later comment stands first: the list's order is the random places', not the votes'
    assert RatingResult.objects.get(report=report).comments == [SECOND_COMMENT, FIRST_COMMENT]
