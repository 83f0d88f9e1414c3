"""Supervision: plans, draws, inspections, findings, rectification and the ledger (整改台账).

Included in the one `responsibility` namespace (responsibility/urls.py)."""

from django.urls import path

from responsibility.supervision.views import findings, inspections, ledger, problems, rechecks, reports

urlpatterns = [
    # Supervision: plans, draws, inspections (the inspection team; read-only for the office and Party Group)
    path("inspections/", inspections.plan_list_view, name="plan-list"),
    path("inspections/new/", inspections.plan_create_view, name="plan-create"),
    path("inspections/<int:pk>/", inspections.plan_detail_view, name="plan-detail"),
    path("inspections/<int:pk>/edit/", inspections.plan_update_view, name="plan-update"),
    path("inspections/<int:pk>/close/", inspections.plan_close_view, name="plan-close"),
    path(
        "inspections/<int:pk>/checkpoints/new/", inspections.checkpoint_create_view, name="checkpoint-create"
    ),
    path("checkpoints/<int:pk>/edit/", inspections.checkpoint_update_view, name="checkpoint-update"),
    path("inspections/<int:pk>/draw/", inspections.draw_create_view, name="draw-create"),
    path("draws/<int:pk>/", inspections.draw_detail_view, name="draw-detail"),
    path("checks/<int:pk>/", inspections.inspection_detail_view, name="inspection-detail"),
    path(
        "checks/<int:pk>/checkpoints/<int:checkpoint>/",
        inspections.check_result_record_view,
        name="check-result-record",
    ),
    path("checks/<int:pk>/complete/", inspections.inspection_complete_view, name="inspection-complete"),
    # Findings and their rectification (问题 → 整改 → 销号)
    path("checks/<int:pk>/findings/new/", findings.finding_create_view, name="finding-create"),
    path("findings/<int:pk>/", findings.finding_detail_view, name="finding-detail"),
    path("findings/<int:pk>/edit/", findings.finding_update_view, name="finding-update"),
    path("findings/<int:pk>/submit/", findings.rectification_submit_view, name="rectification-submit"),
    path("findings/<int:pk>/measures/new/", findings.measure_add_view, name="measure-add"),
    path(
        "findings/<int:pk>/measures/<int:number>/edit/",
        findings.measure_update_view,
        name="measure-update",
    ),
    path(
        "findings/<int:pk>/measures/<int:number>/report/",
        findings.measure_report_view,
        name="measure-report",
    ),
    path("findings/<int:pk>/verify/", findings.rectification_verify_view, name="rectification-verify"),
    path(
        "findings/<int:pk>/send-back/", findings.rectification_send_back_view, name="rectification-send-back"
    ),
    path("findings/<int:pk>/close/", findings.rectification_close_view, name="rectification-close"),
    # Problem lists (问题清单) of every source, and the problems of lists of other sources than inspections
    path("problems/", problems.batch_list_view, name="batch-list"),
    path("problems/new/", problems.batch_create_view, name="batch-create"),
    path("problems/<int:pk>/", problems.batch_detail_view, name="batch-detail"),
    path("problems/<int:pk>/edit/", problems.batch_update_view, name="batch-update"),
    path("problems/<int:pk>/record/", problems.problem_create_view, name="problem-create"),
    path("problems/<int:pk>/import/", problems.problem_import_view, name="problem-import"),
    path("problems/<int:pk>/reconcile/", problems.batch_reconcile_view, name="batch-reconcile"),
    # 整改情况报告: the working draft, issuing it sealed, a sealed version
    path("problems/<int:pk>/report.pdf", reports.rectification_report_view, name="rectification-report"),
    path(
        "problems/<int:pk>/reports/issue/",
        reports.rectification_report_issue_view,
        name="rectification-report-issue",
    ),
    path(
        "problems/<int:pk>/reports/<int:version>.pdf",
        reports.rectification_report_document_view,
        name="rectification-report-document",
    ),
    path("findings/<int:pk>/carry-over/", problems.problem_carry_over_view, name="problem-carry-over"),
    path(
        "problems/<int:pk>/import/template.xlsx",
        problems.problem_import_template_view,
        name="problem-import-template",
    ),
    # 回头看: closed problems drawn and re-checked
    path("rechecks/", rechecks.recheck_list_view, name="recheck-list"),
    path("rechecks/new/", rechecks.recheck_create_view, name="recheck-create"),
    path("rechecks/<int:pk>/", rechecks.recheck_detail_view, name="recheck-detail"),
    path("rechecks/<int:pk>/problems/<int:finding>/", rechecks.recheck_result_view, name="recheck-result"),
    # The rectification ledger (整改台账) and its dashboard
    path("ledger/", ledger.ledger_view, name="ledger"),
    path("ledger/units/", ledger.ledger_units_view, name="ledger-units"),
    path("ledger/export.xlsx", ledger.ledger_export_xlsx_view, name="ledger-export-xlsx"),
    path("ledger/export.pdf", ledger.ledger_export_pdf_view, name="ledger-export-pdf"),
    path("ledger/dashboard/", ledger.ledger_dashboard_view, name="ledger-dashboard"),
]
