"""述责述廉 and 民主测评, 廉政档案 and 廉政意见回复. Included in the one `responsibility` namespace
(responsibility/urls.py)."""

from django.urls import path

from responsibility.cadres import file_views as files
from responsibility.cadres import opinion_views as opinions
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
    path("integrity-files/", files.integrity_file_list_view, name="integrity-file-list"),
    path("integrity-files/openings/", files.file_opening_list_view, name="file-opening-list"),
    path("integrity-files/access/<int:pk>/decide/", files.file_access_decide_view, name="file-access-decide"),
    path("integrity-files/<int:pk>/", files.integrity_file_detail_view, name="integrity-file-detail"),
    path("integrity-files/<int:pk>/documents/add/", files.file_document_add_view, name="file-document-add"),
    path(
        "integrity-files/<int:pk>/documents/<int:document_pk>/files/<int:evidence_pk>/",
        files.file_document_download_view,
        name="file-document-download",
    ),
    path("integrity-opinions/", opinions.opinion_list_view, name="opinion-list"),
    path("integrity-opinions/<int:pk>/", opinions.opinion_detail_view, name="opinion-detail"),
    path("integrity-opinions/<int:pk>/save/", opinions.opinion_save_view, name="opinion-save"),
    path("integrity-opinions/<int:pk>/issue/", opinions.opinion_issue_view, name="opinion-issue"),
    path(
        "integrity-opinions/<int:pk>/documents/<int:version>.pdf",
        opinions.opinion_document_view,
        name="opinion-document",
    ),
]
