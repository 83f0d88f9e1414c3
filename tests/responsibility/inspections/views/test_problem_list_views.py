"""The problem list pages as their users use them: the office opens a list with its documents, records
its problems with their measures, and bad input is answered on the form with nothing written."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    Measure,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
)
from responsibility.supervision.services.problems import problem_record
from tests.responsibility.inspections.conftest import pdf_upload, problem_input

pytestmark = pytest.mark.django_db

LISTS = reverse("responsibility:batch-list")
NEW_LIST = reverse("responsibility:batch-create")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _in(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _list_fields(**overrides) -> dict:
    fields = {
        "source": str(ProblemSource.objects.get(code=ProblemSourceCode.INSPECTION_TOUR).pk),
        "title": "市委第三巡察组反馈意见",
        "year": str(timezone.localdate().year),
        "raised_on": _in(-3),
        "raised_by": "市委第三巡察组",
    }
    fields.update(overrides)
    return fields


def _problem_fields(supervision, **overrides) -> dict:
    head, staff = supervision.org.heads[0], supervision.org.staff[0]
    fields = {
        "unit": str(supervision.org.head_posts[0].unit_id),
        "title": "落实意识形态工作责任制不到位",
        "description": "理论学习中心组学习流于形式。",
        "category": "principal",
        "severity": "moderate",
        "responsible": str(head.pk),
        "owner": str(head.pk),
        "requirement": "健全理论学习制度并严格执行。",
        "evidence_required": "on",
        "measure-TOTAL_FORMS": "3",
        "measure-INITIAL_FORMS": "0",
        "measure-0-action": "修订理论学习中心组学习制度。",
        "measure-0-owner": str(head.pk),
        "measure-0-deadline": _in(30),
        "measure-1-action": "每季度开展一次专题研讨。",
        "measure-1-owner": str(staff.pk),
        "measure-1-deadline": _in(90),
    }
    fields.update(overrides)
    return fields


def _written() -> tuple:
    return (
        ProblemBatch.objects.count(),
        Finding.objects.count(),
        Measure.objects.count(),
        InspectionEvent.objects.count(),
    )


def test_the_office_opens_a_list_with_its_document_and_sees_it(client, supervision):
    client.force_login(supervision.org.office_admin)

    response = client.post(NEW_LIST, {**_list_fields(), "files": pdf_upload("巡察反馈意见.pdf")})

    batch = ProblemBatch.objects.get(title="市委第三巡察组反馈意见")
    assert response.status_code == 302 and response.url == reverse(
        "responsibility:batch-detail", args=[batch.pk]
    )
    page = client.get(response.url).content.decode()
    for text in (
        "市委第三巡察组反馈意见",
        "巡视巡察",
        "市委第三巡察组",
        "巡察反馈意见.pdf",
        "录入问题",
        "问题清单已建立",
    ):
        assert text in page, text
    listed = client.get(LISTS).content.decode()
    assert "市委第三巡察组反馈意见" in listed and "建立问题清单" in listed


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "请填写问题清单名称。"),
        ({"source": ""}, "请选择问题来源。"),
        ({"raised_on": _in(5)}, "问题提出日期不能晚于今天。"),
        ({"raised_on": "2026-13-45"}, "日期"),
        ({"year": "1990"}, "年度须在"),
        ({"source": "999999"}, "选择一个有效的选项"),
    ],
)
def test_a_bad_list_is_answered_on_the_form_in_chinese_and_nothing_is_written(
    client, supervision, overrides, message
):
    client.force_login(supervision.org.office_admin)
    before = _written()

    response = client.post(NEW_LIST, _list_fields(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _written() == before


def test_the_inspections_source_is_not_offered_for_a_list(client, supervision):
    client.force_login(supervision.org.office_admin)
    supervision_source = ProblemSource.objects.get(code=ProblemSourceCode.SUPERVISION)

    form = client.get(NEW_LIST).context["form"]
    response = client.post(NEW_LIST, _list_fields(source=str(supervision_source.pk)))

    assert supervision_source not in form.fields["source"].queryset
    assert response.status_code == 400


def test_a_problem_is_recorded_in_two_steps_with_its_measures(client, supervision, problem_list):
    client.force_login(supervision.org.office_admin)
    url = reverse("responsibility:problem-create", args=[problem_list.pk])

    chooser = client.get(url)
    form_page = client.get(url, {"unit": supervision.org.head_posts[0].unit_id})
    response = client.post(url, _problem_fields(supervision))

    assert "请先选择问题所在单位" in chooser.content.decode()
    assert "法制工作委员会" in form_page.content.decode() and "整改措施" in form_page.content.decode()
    assert response.status_code == 302
    problem = Finding.objects.get(title="落实意识形态工作责任制不到位")
    assert [(m.number, m.owner) for m in problem.measures.order_by("number")] == [
        (1, supervision.org.heads[0]),
        (2, supervision.org.staff[0]),
    ]
    detail = client.get(reverse("responsibility:finding-detail", args=[problem.pk])).content.decode()
    assert problem_list.title in detail and "民主生活会" in detail and problem.reference in detail
    assert "检查计划" not in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {
                "measure-0-action": "",
                "measure-0-owner": "",
                "measure-0-deadline": "",
                "measure-1-action": "",
                "measure-1-owner": "",
                "measure-1-deadline": "",
            },
            "请为该问题至少填写一条整改措施。",
        ),
        ({"measure-1-deadline": ""}, "请填写整改措施的完成时限。"),
        ({"measure-1-deadline": _in(-2)}, "措施的完成时限不能早于今天。"),
        ({"title": ""}, "这个字段是必填项。"),
        ({"category": "bogus"}, "选择一个有效的选项"),
        ({"unit": "999999"}, "选择一个有效的选项"),
        ({"measure-TOTAL_FORMS": "30"}, "请最多提交"),
    ],
)
def test_a_bad_problem_is_answered_on_the_form_and_nothing_is_written(
    client, supervision, problem_list, overrides, message
):
    client.force_login(supervision.org.office_admin)
    before = _written()

    response = client.post(
        reverse("responsibility:problem-create", args=[problem_list.pk]),
        _problem_fields(supervision, **overrides),
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _written() == before


def test_a_measure_owner_from_outside_the_unit_is_refused_on_the_form(client, supervision, problem_list):
    client.force_login(supervision.org.office_admin)
    before = _written()

    response = client.post(
        reverse("responsibility:problem-create", args=[problem_list.pk]),
        _problem_fields(supervision, **{"measure-1-owner": str(supervision.org.heads[1].pk)}),
    )

    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    assert _written() == before


def test_a_double_click_records_the_problem_once_and_says_why(client, supervision, problem_list):
    client.force_login(supervision.org.office_admin)
    url = reverse("responsibility:problem-create", args=[problem_list.pk])

    first = client.post(url, _problem_fields(supervision))
    second = client.post(url, _problem_fields(supervision))

    assert first.status_code == 302 and second.status_code == 400
    assert "该清单中已有同名问题。" in second.content.decode()
    assert Finding.objects.filter(title="落实意识形态工作责任制不到位").count() == 1


def test_a_second_list_of_the_same_title_is_refused_on_the_form(client, supervision):
    client.force_login(supervision.org.office_admin)

    client.post(NEW_LIST, _list_fields())
    second = client.post(NEW_LIST, _list_fields())

    assert second.status_code == 400
    assert "该来源在该年度已有同名的问题清单。" in second.content.decode()
    assert ProblemBatch.objects.filter(title="市委第三巡察组反馈意见").count() == 1


def test_a_list_page_costs_the_same_for_one_problem_or_ten(client, supervision, problem_list, list_problem):
    client.force_login(supervision.org.inspector)
    url = reverse("responsibility:batch-detail", args=[problem_list.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = queries()
    for number in range(9):
        problem_record(
            batch=problem_list,
            data=problem_input(supervision.org.head_posts[number % 2].unit, title=f"问题{number}"),
            recorded_by=supervision.org.office_admin,
        )

    assert queries() == one


def test_the_ledger_shows_each_source_once_there_are_two(
    client, supervision, problem_list, list_problem, finding
):
    client.force_login(supervision.org.inspector)

    page = client.get(reverse("responsibility:ledger"))
    dashboard = client.get(reverse("responsibility:ledger-dashboard"))

    assert [(group.name, group.counts.total) for group in page.context["by_source"]] == [
        ("民主生活会", 1),
        ("监督检查", 1),
    ]
    assert "按来源" in page.content.decode()
    assert [group.name for group, _rechecks in dashboard.context["sources"]] == ["民主生活会", "监督检查"]


# --- Import from a spreadsheet ------------------------------------------------------------------------


def test_the_office_imports_a_filled_template_and_sees_the_problems(client, supervision, problem_list):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.responsibility.inspections.problem_workbooks import workbook_of

    client.force_login(supervision.org.office_admin)
    url = reverse("responsibility:problem-import", args=[problem_list.pk])
    template = client.get(reverse("responsibility:problem-import-template", args=[problem_list.pk]))
    rows = _import_rows(supervision)

    response = client.post(url, {"workbook": SimpleUploadedFile("清单.xlsx", workbook_of(rows))}, follow=True)

    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert "filename*=UTF-8''%E9%97%AE%E9%A2%98%E6%B8%85%E5%8D%95.xlsx" in template["Content-Disposition"]
    assert response.redirect_chain[-1][0] == reverse("responsibility:batch-detail", args=[problem_list.pk])
    page = response.content.decode()
    assert "已导入 2 个问题及其整改措施" in page and "预算审查监督不够有力" in page


def test_a_bad_spreadsheet_is_listed_row_by_row_and_nothing_is_imported(client, supervision, problem_list):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.responsibility.inspections.problem_workbooks import workbook_of

    client.force_login(supervision.org.office_admin)
    rows = _import_rows(supervision)
    rows[1][10] = "查无此人"
    before = _written()

    response = client.post(
        reverse("responsibility:problem-import", args=[problem_list.pk]),
        {"workbook": SimpleUploadedFile("清单.xlsx", workbook_of(rows))},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "电子表格中有 1 处问题，未导入任何内容。" in page
    assert "“查无此人”" in page and "法制工作委员会" in page
    assert _written() == before


def _import_rows(supervision) -> list[list]:
    from tests.responsibility.inspections.problem_workbooks import good_rows

    rows = good_rows(supervision)
    rows[0][2] = "基层调研成果转化不够"  # the list already holds the fixture's problem of the same title
    return rows


# --- 对账销号 --------------------------------------------------------------------------------------------


def test_the_reconciliation_page_carries_a_problem_over_then_reconciles_the_list(
    client, supervision, problem_list, list_problem
):
    client.force_login(supervision.org.office_admin)
    url = reverse("responsibility:batch-reconcile", args=[problem_list.pk])
    carry = reverse("responsibility:problem-carry-over", args=[list_problem.pk])
    version = str(list_problem.rectification.version)

    page = client.get(url).content.decode()
    empty_reason = client.post(
        carry,
        {
            f"carry{list_problem.pk}-reason": "",
            f"carry{list_problem.pk}-deadline": _in(90),
            f"carry{list_problem.pk}-version": version,
        },
    )
    carried = client.post(
        carry,
        {
            f"carry{list_problem.pk}-reason": "需结合机构改革长期整改。",
            f"carry{list_problem.pk}-deadline": _in(90),
            f"carry{list_problem.pk}-version": version,
        },
    )
    reconciled = client.post(url, {"version": "1"}, follow=True)

    assert "1 个问题既未销号也未结转" in page and list_problem.reference in page
    assert empty_reason.status_code == 400 and "请填写结转的理由。" in empty_reason.content.decode()
    assert carried.status_code == 302
    assert "已对账销号" in reconciled.content.decode()
    assert ProblemBatch.objects.get(pk=problem_list.pk).status == "reconciled"


def test_a_list_with_open_problems_is_not_reconciled_and_the_page_says_why(
    client, supervision, problem_list, list_problem
):
    client.force_login(supervision.org.inspector)

    response = client.post(
        reverse("responsibility:batch-reconcile", args=[problem_list.pk]), {"version": "1"}
    )

    assert response.status_code == 400
    assert "既未销号也未结转" in response.content.decode()
    assert ProblemBatch.objects.get(pk=problem_list.pk).status == "open"


def test_the_reconciliation_page_costs_the_same_for_one_problem_or_six(
    client, supervision, problem_list, list_problem
):
    client.force_login(supervision.org.office_admin)
    url = reverse("responsibility:batch-reconcile", args=[problem_list.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = queries()
    for number in range(5):
        problem_record(
            batch=problem_list,
            data=problem_input(supervision.org.head_posts[0].unit, title=f"问题{number}"),
            recorded_by=supervision.org.office_admin,
        )

    assert queries() == one


def test_the_lists_page_shows_fifty_lists_a_page_and_counts_only_those(
    client, supervision, problem_list, list_problem, monkeypatch
):
    # given the plan's list and the democratic life meeting's, one a page
    from responsibility.supervision.views import problems as problem_views

    monkeypatch.setattr(problem_views, "BATCHES_PER_PAGE", 1)
    client.force_login(supervision.org.inspector)

    # when both pages are read
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(LISTS)
    second = client.get(LISTS, {"page": 2})

    # then the newest list first (the plan's, raised today), the other on page 2 with its problem counted,
    # and a link between them
    assert [batch.title for batch in first.context["batches"]] == [supervision.plan.title]
    assert [batch.title for batch in second.context["batches"]] == [problem_list.title]
    assert (second.context["batches"][0].problem_count, second.context["batches"][0].closed_count) == (1, 0)
    assert 'href="?page=2"' in first.content.decode()
    # and another problem costs the page nothing more
    problem_record(
        batch=problem_list,
        data=problem_input(supervision.org.head_posts[1].unit, title="会议精简不到位"),
        recorded_by=supervision.org.office_admin,
    )
    with CaptureQueriesContext(connection) as again:
        client.get(LISTS)
    assert len(again) == len(first_queries)
