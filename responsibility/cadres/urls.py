"""述责述廉 and 民主测评. Included in the one `responsibility` namespace (responsibility/urls.py)."""

from django.urls import path

from responsibility.cadres import views as cadres

urlpatterns = [
    path("integrity-reports/", cadres.report_round_list_view, name="report-round-list"),
    path("integrity-reports/<int:pk>/", cadres.integrity_report_detail_view, name="integrity-report-detail"),
    path("integrity-reports/<int:pk>/save/", cadres.integrity_report_save_view, name="integrity-report-save"),
    path(
        "integrity-reports/<int:pk>/review/",
        cadres.integrity_report_review_view,
        name="integrity-report-review",
    ),
    path("integrity-reports/<int:pk>/rating/open/", cadres.rating_open_view, name="rating-open"),
    path("integrity-reports/<int:pk>/rating/close/", cadres.rating_close_view, name="rating-close"),
    path("integrity-reports/<int:pk>/ballot/", cadres.ballot_view, name="rating-ballot"),
    path(
        "integrity-reports/<int:pk>/documents/issue/",
        cadres.integrity_report_document_issue_view,
        name="integrity-report-document-issue",
    ),
    path(
        "integrity-reports/<int:pk>/documents/<int:version>.pdf",
        cadres.integrity_report_document_view,
        name="integrity-report-document",
    ),
]
