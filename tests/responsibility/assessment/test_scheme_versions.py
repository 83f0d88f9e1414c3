"""Publishing freezes a scheme; a change is a new version; a draft is replaced or discarded."""

import pytest
from django.db import IntegrityError, connection, transaction

from responsibility.assessment.models import AssessmentScheme, SchemeArea, SchemeItem, SchemeStatus
from responsibility.assessment.services.schemes import (
    SchemeRefused,
    scheme_draft_discard,
    scheme_import,
    scheme_publish,
)
from tests.responsibility.assessment.workbooks import changed, scheme_xlsx

pytestmark = pytest.mark.django_db


def test_publishing_a_draft_records_who_and_when(org, published):
    assert published.status == SchemeStatus.PUBLISHED
    assert published.published_by == org.office_admin and published.published_at is not None


def test_a_published_scheme_is_not_published_again(org, published):
    with pytest.raises(SchemeRefused) as refused:
        scheme_publish(scheme=published, published_by=org.office_admin)

    assert refused.value.code == "published"


def test_a_new_version_of_a_published_scheme_is_a_draft_and_leaves_the_published_one_as_it_was(
    org, published
):
    items_before = list(SchemeItem.objects.filter(scheme=published).values_list("pk", "points"))

    second = scheme_import(
        workbook_file=scheme_xlsx(changed(1, c5="研究两次以上得分。")),
        imported_by=org.office_admin,
        version_of=published,
    )

    assert (second.code, second.version, second.status) == (published.code, 2, SchemeStatus.DRAFT)
    assert SchemeItem.objects.get(scheme=second, number="1.2").standard == "研究两次以上得分。"
    assert list(SchemeItem.objects.filter(scheme=published).values_list("pk", "points")) == items_before


def test_a_second_draft_of_the_same_scheme_is_refused(org, published, draft):
    with pytest.raises(SchemeRefused) as refused:
        scheme_import(workbook_file=scheme_xlsx(), imported_by=org.office_admin, version_of=published)

    assert refused.value.code == "draft_exists"
    assert AssessmentScheme.objects.filter(code=published.code).count() == 2


def test_a_draft_imported_again_is_replaced_whole(org, draft):
    scheme_import(workbook_file=scheme_xlsx(name="第二稿"), imported_by=org.office_admin, version_of=draft)

    draft.refresh_from_db()
    assert (draft.name, draft.version, draft.status) == ("第二稿", 2, SchemeStatus.DRAFT)
    assert SchemeItem.objects.filter(scheme=draft).count() == 7
    assert SchemeArea.objects.filter(scheme=draft).count() == 3


def test_a_draft_is_discarded_with_its_contents_and_a_published_version_never(org, published, draft):
    scheme_draft_discard(scheme=draft, discarded_by=org.office_admin)

    assert not AssessmentScheme.objects.filter(pk=draft.pk).exists()
    assert not SchemeItem.objects.filter(scheme_id=draft.pk).exists()
    with pytest.raises(SchemeRefused):
        scheme_draft_discard(scheme=published, discarded_by=org.office_admin)
    assert AssessmentScheme.objects.filter(pk=published.pk).exists()


def test_publishing_a_draft_discarded_in_the_meantime_says_so(org, draft):
    stale = AssessmentScheme.objects.get(pk=draft.pk)
    scheme_draft_discard(scheme=draft, discarded_by=org.office_admin)

    with pytest.raises(SchemeRefused) as refused:
        scheme_publish(scheme=stale, published_by=org.office_admin)

    assert refused.value.code == "gone"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database's own guard (PostgreSQL triggers)"
)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE responsibility_schemeitem SET points = 9 WHERE scheme_id = %s",
        "DELETE FROM responsibility_schemeitem WHERE scheme_id = %s",
        "UPDATE responsibility_schemearea SET title = '改' WHERE scheme_id = %s",
        "UPDATE responsibility_assessmentscheme SET total_points = 99 WHERE id = %s",
        "UPDATE responsibility_assessmentscheme SET status = 'draft', published_at = NULL, "
        "published_by_id = NULL WHERE id = %s",
        "DELETE FROM responsibility_assessmentscheme WHERE id = %s",
        "INSERT INTO responsibility_schemearea (scheme_id, number, title, kind, points) "
        "VALUES (%s, 9, '新增', 'scored', 1)",
    ],
)
def test_the_database_refuses_any_change_to_a_published_scheme(published, statement):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [published.pk])


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database's own guard (PostgreSQL triggers)"
)
def test_the_database_lets_a_draft_change(draft):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE responsibility_schemeitem SET standard = '改' WHERE scheme_id = %s", [draft.pk]
        )
        assert cursor.rowcount == 7
