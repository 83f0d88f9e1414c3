"""The rectification ledger (整改台账): the page, its Excel and PDF exports, and the dashboard.

Anyone signed in may open the ledger: it lists only what `responsibility.supervision.ledger` (built on
`finding_list_visible_to`) lets them read, so a unit head sees their units and the office, the Party
Group and the inspection team see everything. The dashboard is for readers of the whole ledger.

The exports are made in the request, so they are bounded: a filter selecting more rows than an export
holds is refused with a request to narrow it (the page says so beforehand). Nothing is stored.
"""

import logging
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import clock
from core.http import XLSX_CONTENT_TYPE, as_attachment
from responsibility.supervision.charts import bar_chart, column_chart
from responsibility.supervision.forms.ledger import LedgerDashboardFilterForm, LedgerFilterForm
from responsibility.supervision.ledger import (
    ledger_batch_choices,
    ledger_dashboard_figures,
    ledger_figures,
    ledger_filter,
    ledger_findings_ordered,
    ledger_page_rows,
    ledger_rows,
    ledger_source_choices,
    ledger_tables,
    ledger_unit_choices,
    recheck_failures,
)
from responsibility.supervision.ledger_export import ledger_xlsx_write
from responsibility.supervision.pdf import LedgerRenderError, ledger_render_pdf
from responsibility.supervision.permissions import ledger_user_can_see_all
from responsibility.supervision.selectors import finding_list_visible_to

logger = logging.getLogger(__name__)

LEDGER_PAGE_SIZE = 50
# The ledger page shows the units furthest behind; the units page lists them all, a page at a time.
LEDGER_GROUPS_SHOWN = 20  # the problem lists and the units furthest behind, on the ledger page
UNITS_PAGE_SIZE = 50
# Made in the request, so bounded. Measured on a busy 2-core machine: 10,000 rows of Excel in about
# 3 s; WeasyPrint lays out 15-30 ms a table row, so 500 rows of PDF (about 30 pages) take 5-9 s.
XLSX_MAX_ROWS = 10_000
PDF_MAX_ROWS = 500
# The closure-rate chart shows the units furthest behind.
DASHBOARD_UNITS_SHOWN = 30


def _filter_query(request) -> str:
    """The filters of this request as a query string (without the page number)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _ledger_url(request) -> str:
    query = _filter_query(request)
    return reverse("responsibility:ledger") + (f"?{query}" if query else "")


def _chosen_batch(request) -> int | None:
    """The problem list the query names (a list's page links to the ledger with it), if it is a number."""
    value = request.GET.get("batch", "")
    return int(value) if value.isdigit() and len(value) <= 18 else None


def _ledger_filtered(request, today) -> tuple[LedgerFilterForm, QuerySet]:
    """The filter form and the findings the user may read, narrowed by it."""
    visible = finding_list_visible_to(user=request.user)
    form = LedgerFilterForm(
        request.GET or None,
        sources=ledger_source_choices(findings=visible),
        batches=ledger_batch_choices(
            findings=visible,
            reads_all=ledger_user_can_see_all(user=request.user),
            chosen=_chosen_batch(request),
        ),
        units=ledger_unit_choices(findings=visible),
    )
    return form, ledger_filter(findings=visible, filters=form.filters(), today=today)


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (the ledger's summary counted them already)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


@login_required
def ledger_view(request):
    user = request.user
    today = clock.today()
    form, findings = _ledger_filtered(request, today)
    filters = form.filters()
    figures = ledger_figures(user=user, filters=filters, today=today, shown=LEDGER_GROUPS_SHOWN)
    ids = ledger_findings_ordered(findings=findings, today=today).values_list("pk", flat=True)
    paginator = CountedPaginator(ids, LEDGER_PAGE_SIZE, count=figures.summary.total)
    page = paginator.get_page(request.GET.get("page"))
    query = _filter_query(request)
    return render(
        request,
        "responsibility/ledger/ledger.html",
        {
            "filter_form": form,
            "filters_applied": not filters.is_empty,
            "summary": figures.summary,
            "by_source": figures.by_source,
            "lists_behind": figures.lists_behind,
            "lists_total": figures.lists_total,
            "units_behind": figures.units_behind,
            "units_total": figures.units_total,
            "page_obj": page,
            "rows": ledger_page_rows(findings=findings, ids=list(page.object_list), today=today),
            "query_without_page": f"{query}&" if query else "",
            "filter_query": query,
            "can_see_all": ledger_user_can_see_all(user=user),
            "xlsx_max_rows": XLSX_MAX_ROWS,
            "pdf_max_rows": PDF_MAX_ROWS,
            "today": today,
        },
    )


@login_required
def ledger_units_view(request):
    """The ledger's counts of every unit, in organisation order, a page at a time, under the same filters."""
    user = request.user
    today = clock.today()
    form, _findings = _ledger_filtered(request, today)
    filters = form.filters()
    figures = ledger_tables(user=user, filters=filters, today=today)
    page = Paginator(figures.by_unit, UNITS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = _filter_query(request)
    return render(
        request,
        "responsibility/ledger/units.html",
        {
            "filter_form": form,
            "filters_applied": not filters.is_empty,
            "summary": figures.summary,
            "page_obj": page,
            "query_without_page": f"{query}&" if query else "",
            "filter_query": query,
            "today": today,
        },
    )


def _too_many(request, *, total: int, limit: int, what: str):
    messages.error(
        request,
        _(
            "The filter selects %(total)d findings; the %(what)s export holds at most %(limit)d. "
            "Please narrow the filter (for example by problem list or unit)."
        )
        % {"total": total, "what": what, "limit": limit},
    )
    return redirect(_ledger_url(request))


def _download_stem(today) -> tuple[str, str]:
    """(translated name, ASCII fallback) without the extension: 整改台账_20260315."""
    return f"{_('Rectification ledger')}_{today:%Y%m%d}", f"rectification-ledger-{today:%Y%m%d}"


@login_required
def ledger_export_xlsx_view(request):
    today = clock.today()
    form, findings = _ledger_filtered(request, today)
    figures = ledger_tables(user=request.user, filters=form.filters(), today=today)
    if figures.summary.total > XLSX_MAX_ROWS:
        return _too_many(request, total=figures.summary.total, limit=XLSX_MAX_ROWS, what="Excel")
    rows = ledger_rows(ledger_findings_ordered(findings=findings, today=today).iterator(chunk_size=1000))
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    try:
        ledger_xlsx_write(
            file=file,
            rows=rows,
            by_unit=figures.by_unit,
            by_source=figures.by_source,
            by_batch=figures.by_batch,
            summary=figures.summary,
        )
    except BaseException:
        file.close()
        raise
    file.seek(0)
    name, fallback = _download_stem(today)
    return as_attachment(
        FileResponse(file, content_type=XLSX_CONTENT_TYPE),
        download_name=f"{name}.xlsx",
        fallback_name=f"{fallback}.xlsx",
    )


@login_required
def ledger_export_pdf_view(request):
    user = request.user
    today = clock.today()
    form, findings = _ledger_filtered(request, today)
    figures = ledger_tables(user=user, filters=form.filters(), today=today)
    if figures.summary.total > PDF_MAX_ROWS:
        return _too_many(request, total=figures.summary.total, limit=PDF_MAX_ROWS, what="PDF")
    now = timezone.localtime(clock.now())
    context = {
        "title": _("Rectification ledger"),
        "generated": _("Made on %(date)s by %(name)s")
        % {"date": date_format(now, "Y-m-d H:i"), "name": user.get_full_name()},
        "filters": form.applied(),
        "summary": figures.summary,
        "group_tables": [
            (_("By source"), _("Source"), figures.by_source),
            (_("By problem list"), _("Problem list"), figures.by_batch),
            (_("By unit"), _("Unit"), figures.by_unit),
        ],
        "rows": list(ledger_rows(ledger_findings_ordered(findings=findings, today=today))),
    }
    try:
        pdf = ledger_render_pdf(context=context)
    except LedgerRenderError:
        logger.exception("The ledger PDF could not be made")
        messages.error(request, _("The PDF could not be made. Please try again later or export to Excel."))
        return redirect(_ledger_url(request))
    name, fallback = _download_stem(today)
    return as_attachment(
        HttpResponse(pdf, content_type="application/pdf"),
        download_name=f"{name}.pdf",
        fallback_name=f"{fallback}.pdf",
    )


@login_required
def ledger_dashboard_view(request):
    user = request.user
    if not ledger_user_can_see_all(user=user):
        raise PermissionDenied(
            _("Only the inspection team, the office and the Party Group see the dashboard.")
        )
    today = clock.today()
    visible = finding_list_visible_to(user=user)
    form = LedgerDashboardFilterForm(
        request.GET or None,
        sources=ledger_source_choices(findings=visible),
        batches=ledger_batch_choices(findings=visible, reads_all=True, chosen=_chosen_batch(request)),
    )
    filters = form.filters()
    figures = ledger_dashboard_figures(
        user=user, filters=filters, today=today, units_shown=DASHBOARD_UNITS_SHOWN
    )
    units = figures.units_behind
    failures = recheck_failures(filters=filters)
    return render(
        request,
        "responsibility/ledger/dashboard.html",
        {
            "filter_form": form,
            "list_query": _filter_query(request),
            "summary": figures.summary,
            "units": units,
            "units_total": figures.units_total,
            "closure_chart": bar_chart(
                [
                    (group.name, group.counts.closure_rate or 0, f"{group.counts.closure_rate}%")
                    for group in units
                ],
                maximum=100,
            ),
            "categories": figures.categories,
            "category_chart": bar_chart(
                [(str(item.category.label), item.count, str(item.count)) for item in figures.categories]
            ),
            "trend": figures.trend,
            "sources": _sources_with_rechecks(figures.by_source, failures.by_source),
            "recheck_failures": failures.by_unit,
            "trend_chart": column_chart(
                [(date_format(point.day, "n/j"), point.overdue) for point in figures.trend]
            ),
            "today": today,
        },
    )


def _sources_with_rechecks(groups, failures) -> list[tuple]:
    """Each source's counts beside its 回头看 (none when none of its problems was re-checked)."""
    by_name = {row.name: row for row in failures}
    return [(group, by_name.get(group.name)) for group in groups]
