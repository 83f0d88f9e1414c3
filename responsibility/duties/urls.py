"""一岗双责: assignments, tasks, performance records, handovers, the year-end report and integrity talks.

Included in the one `responsibility` namespace (responsibility/urls.py)."""

from django.urls import path

from responsibility.duties import talk_views as talks
from responsibility.duties import views as duties

urlpatterns = [
    # One post, two responsibilities (一岗双责): assignments, tasks, performance records, handovers
    path("duties/", duties.duty_list_view, name="duty-list"),
    path("duties/generate/", duties.duty_generate_view, name="duty-generate"),
    path("duties/<int:pk>/", duties.duty_detail_view, name="duty-detail"),
    path("duties/<int:pk>/edit/", duties.duty_update_view, name="duty-update"),
    path("duties/<int:pk>/confirm/", duties.duty_confirm_view, name="duty-confirm"),
    path("duties/<int:pk>/tasks/new/", duties.duty_task_create_view, name="duty-task-create"),
    path("duties/<int:pk>/handover/", duties.post_handover_view, name="post-handover"),
    path("duties/<int:pk>/report.pdf", duties.duty_report_view, name="duty-report"),  # the working draft
    path("duties/<int:pk>/reports/issue/", duties.duty_report_issue_view, name="duty-report-issue"),
    path(
        "duties/<int:pk>/reports/<int:version>.pdf",
        duties.duty_report_document_view,
        name="duty-report-document",
    ),
    path("tasks/<int:pk>/withdraw/", duties.duty_task_withdraw_view, name="duty-task-withdraw"),
    path(
        "periods/<int:pk>/records/new/",
        duties.performance_record_create_view,
        name="performance-record-create",
    ),
    path("records/<int:pk>/review/", duties.performance_record_review_view, name="performance-record-review"),
    # Integrity talks (廉政谈话)
    path("talks/", talks.talk_list_view, name="talk-list"),
    path("talks/new/", talks.talk_plan_view, name="talk-plan"),
    path("talks/<int:pk>/", talks.talk_detail_view, name="talk-detail"),
    path("talks/<int:pk>/record/", talks.talk_record_view, name="talk-record"),
    path("talks/<int:pk>/answer/", talks.talk_answer_view, name="talk-answer"),
    path("talks/<int:pk>/cancel/", talks.talk_cancel_view, name="talk-cancel"),
]
