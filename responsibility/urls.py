from django.urls import path

from responsibility.views import (
    archive,
    campaigns,
    documents,
    duties,
    findings,
    inspections,
    ledger,
    letters,
    reminders,
    templates,
    verification,
)

app_name = "responsibility"

urlpatterns = [
    path("", letters.todo_view, name="todo"),
    # Public: anyone handed a copy of a letter may check it (no login).
    path("verify/", verification.verify_view, name="verify"),
    path("verify/<str:code>/", verification.verify_code_view, name="verify-code"),
    path("letters/", letters.letter_list_view, name="letter-list"),
    path("letters/<int:pk>/", letters.letter_detail_view, name="letter-detail"),
    path("letters/<int:pk>/sign/", letters.letter_sign_view, name="letter-sign"),
    path("letters/<int:pk>/return/", letters.letter_return_view, name="letter-return"),
    path("letters/<int:pk>/countersign/", letters.letter_countersign_view, name="letter-countersign"),
    path("letters/<int:pk>/void/", letters.letter_void_view, name="letter-void"),
    path("letters/<int:pk>/archive/", letters.letter_archive_view, name="letter-archive"),
    path("letters/<int:pk>/revise/", letters.letter_revise_view, name="letter-revise"),
    path(
        "letters/<int:pk>/issue-to-staff/", letters.letter_issue_to_staff_view, name="letter-issue-to-staff"
    ),
    path("countersign/", letters.letter_countersign_batch_view, name="letter-countersign-batch"),
    path("letters/<int:pk>/pdf/", documents.letter_pdf_download_view, name="letter-pdf"),
    path("letters/<int:pk>/pdf/status/", documents.letter_pdf_status_view, name="letter-pdf-status"),
    path("documents/<int:pk>/retry/", documents.letter_document_retry_view, name="document-retry"),
    path("archive/", archive.archive_view, name="archive"),
    path("archive/exports/", archive.export_create_view, name="export-create"),
    path("archive/exports/<int:pk>/", archive.export_detail_view, name="export-detail"),
    path("archive/exports/<int:pk>/status/", archive.export_status_view, name="export-status"),
    path("archive/exports/<int:pk>/download/", archive.export_download_view, name="export-download"),
    path("campaigns/", campaigns.campaign_list_view, name="campaign-list"),
    path("campaigns/new/", campaigns.campaign_create_view, name="campaign-create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail_view, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_update_view, name="campaign-update"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close_view, name="campaign-close"),
    path("campaigns/<int:pk>/issue/", campaigns.campaign_issue_view, name="campaign-issue"),
    path("campaigns/<int:pk>/tree/", campaigns.campaign_tree_view, name="campaign-tree"),
    path("campaigns/<int:pk>/reminders/", reminders.campaign_reminders_view, name="campaign-reminders"),
    path("notifications/", reminders.notification_list_view, name="notification-list"),
    path("notifications/<int:pk>/read/", reminders.notification_read_view, name="notification-read"),
    path("notifications/read-all/", reminders.notification_read_all_view, name="notification-read-all"),
    path("reminders/", reminders.reminder_list_view, name="reminder-list"),
    path("reminders/<int:pk>/resend/", reminders.reminder_resend_view, name="reminder-resend"),
    path("templates/", templates.template_list_view, name="template-list"),
    path("templates/new/", templates.template_create_view, name="template-create"),
    path("templates/<int:pk>/", templates.template_detail_view, name="template-detail"),
    path("templates/<int:pk>/edit/", templates.template_update_view, name="template-update"),
    path("templates/<int:pk>/publish/", templates.template_publish_view, name="template-publish"),
    path("templates/<int:pk>/new-version/", templates.template_new_version_view, name="template-new-version"),
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
    path("findings/<int:pk>/verify/", findings.rectification_verify_view, name="rectification-verify"),
    path(
        "findings/<int:pk>/send-back/", findings.rectification_send_back_view, name="rectification-send-back"
    ),
    path("findings/<int:pk>/close/", findings.rectification_close_view, name="rectification-close"),
    path("evidence/<int:pk>/", findings.evidence_download_view, name="evidence-download"),
    # The rectification ledger (整改台账) and its dashboard
    path("ledger/", ledger.ledger_view, name="ledger"),
    path("ledger/export.xlsx", ledger.ledger_export_xlsx_view, name="ledger-export-xlsx"),
    path("ledger/export.pdf", ledger.ledger_export_pdf_view, name="ledger-export-pdf"),
    path("ledger/dashboard/", ledger.ledger_dashboard_view, name="ledger-dashboard"),
    # One post, two responsibilities (一岗双责): assignments, tasks, performance records, handovers
    path("duties/", duties.duty_list_view, name="duty-list"),
    path("duties/generate/", duties.duty_generate_view, name="duty-generate"),
    path("duties/<int:pk>/", duties.duty_detail_view, name="duty-detail"),
    path("duties/<int:pk>/edit/", duties.duty_update_view, name="duty-update"),
    path("duties/<int:pk>/confirm/", duties.duty_confirm_view, name="duty-confirm"),
    path("duties/<int:pk>/tasks/new/", duties.duty_task_create_view, name="duty-task-create"),
    path("duties/<int:pk>/handover/", duties.post_handover_view, name="post-handover"),
    path("duties/<int:pk>/report.pdf", duties.duty_report_view, name="duty-report"),
    path("tasks/<int:pk>/delete/", duties.duty_task_delete_view, name="duty-task-delete"),
    path(
        "periods/<int:pk>/records/new/",
        duties.performance_record_create_view,
        name="performance-record-create",
    ),
    path("records/<int:pk>/review/", duties.performance_record_review_view, name="performance-record-review"),
]
