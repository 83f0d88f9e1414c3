"""The scheme pages as the office uses them: import with every problem shown, the scheme read back, a
fixed number of queries whatever its size."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responsibility.assessment.models import AssessmentScheme
from responsibility.assessment.services.schemes import scheme_import
from responsibility.demo.assessment import PROVINCE_SCHEME, _filled_in, _province_rows
from tests.responsibility.assessment.workbooks import changed, scheme_xlsx

pytestmark = pytest.mark.django_db


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("考核方案.xlsx", content)


def test_a_refused_workbook_lists_every_problem_by_row_in_chinese_and_saves_nothing(client, org):
    client.force_login(org.office_admin)

    response = client.post(
        reverse("responsibility:scheme-import"),
        {"workbook": _upload(scheme_xlsx(changed(1, c7=6), total=100))},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "电子表格中有 2 处问题，未导入任何内容。" in page
    assert "各计分方面分值合计40分，与总分100分不符。" in page
    assert "第1个方面“落实主体责任”各评分点分值合计26分，与方面分值25分不符。" in page
    assert not AssessmentScheme.objects.exists()


def test_an_imported_draft_is_shown_with_its_rules_and_can_be_published(client, org):
    client.force_login(org.office_admin)

    imported = client.post(reverse("responsibility:scheme-import"), {"workbook": _upload(scheme_xlsx())})
    scheme = AssessmentScheme.objects.get()
    page = client.get(imported.url).content.decode()
    published = client.post(reverse("responsibility:scheme-publish", args=[scheme.pk]), follow=True)

    assert imported.url == reverse("responsibility:scheme-detail", args=[scheme.pk])
    assert "满分10分，每发生一次扣2分，最低0分。" in page  # 1.3's rule, as a sentence
    assert "责任书按时签订率" in page and "乙方在签订工作截止日期前签字的比例" in page  # 1.1's indicator
    assert "第1版已发布，不能再修改。" in published.content.decode()
    scheme.refresh_from_db()
    assert scheme.is_published


def test_publishing_twice_says_it_is_published_already(client, org, published):
    client.force_login(org.office_admin)

    response = client.post(reverse("responsibility:scheme-publish", args=[published.pk]), follow=True)

    assert "此版本已发布。" in response.content.decode()


def test_a_schemes_page_reads_the_same_queries_for_seven_scoring_points_or_seventy_seven(client, org):
    small = scheme_import(workbook_file=scheme_xlsx(), imported_by=org.office_admin)
    large = scheme_import(
        workbook_file=_filled_in(PROVINCE_SCHEME, _province_rows()), imported_by=org.office_admin
    )
    client.force_login(org.office_admin)

    def queries(scheme) -> int:
        url = reverse("responsibility:scheme-detail", args=[scheme.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert large.items.count() == 77
    assert queries(large) == queries(small)
