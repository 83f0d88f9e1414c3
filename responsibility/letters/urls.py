"""Letters: signing, countersigning, campaigns, templates, sealed PDFs, the archive and public verification.

Included in the one `responsibility` namespace (responsibility/urls.py)."""

from django.urls import path

from responsibility.letters.views import archive, campaigns, documents, letters, templates, verification

urlpatterns = [
    # Public: anyone handed a copy of a letter may check it (no login).
    path("verify/", verification.verify_view, name="verify"),
    path("verify/<str:code>/", verification.verify_code_view, name="verify-code"),
    path("letters/", letters.letter_list_view, name="letter-list"),
    path("letters/<int:pk>/", letters.letter_detail_view, name="letter-detail"),
    path("letters/<int:pk>/sign/", letters.letter_sign_view, name="letter-sign"),
    path("letters/<int:pk>/signed/", letters.letter_signed_view, name="letter-signed"),
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
    path("templates/", templates.template_list_view, name="template-list"),
    path("templates/new/", templates.template_create_view, name="template-create"),
    path("templates/<int:pk>/", templates.template_detail_view, name="template-detail"),
    path("templates/<int:pk>/edit/", templates.template_update_view, name="template-update"),
    path("templates/<int:pk>/publish/", templates.template_publish_view, name="template-publish"),
    path("templates/<int:pk>/new-version/", templates.template_new_version_view, name="template-new-version"),
]
