"""The assessment pages (考核)."""

from django.urls import path

from responsibility.assessment.views import rounds, schemes

urlpatterns = [
    path("assessment/", rounds.round_list_view, name="round-list"),
    path("assessment/rounds/new/", rounds.round_open_view, name="round-open"),
    path("assessment/rounds/<int:pk>/", rounds.round_detail_view, name="round-detail"),
    path("assessment/rounds/<int:pk>/results.xlsx", rounds.round_export_view, name="round-export"),
    path("assessment/rounds/<int:pk>/count/", rounds.round_count_status_view, name="round-count-status"),
    path(
        "assessment/rounds/<int:pk>/result/issue/", rounds.round_result_issue_view, name="round-result-issue"
    ),
    path(
        "assessment/rounds/<int:pk>/result/<int:version>.pdf",
        rounds.round_result_document_view,
        name="round-result-document",
    ),
    path("assessment/rounds/<int:pk>/recount/", rounds.round_recount_view, name="round-recount"),
    path("assessment/rounds/<int:pk>/approve/", rounds.round_approve_view, name="round-approve"),
    path("assessment/cards/<int:pk>/", rounds.card_detail_view, name="card-detail"),
    path("assessment/cards/<int:pk>/submit/", rounds.card_submit_view, name="card-submit"),
    path("assessment/cards/<int:pk>/review/", rounds.card_review_complete_view, name="card-review-complete"),
    path("assessment/cards/<int:pk>/result/issue/", rounds.card_result_issue_view, name="card-result-issue"),
    path(
        "assessment/cards/<int:pk>/result/<int:version>.pdf",
        rounds.card_result_document_view,
        name="card-result-document",
    ),
    path("assessment/scores/<int:pk>/", rounds.score_detail_view, name="score-detail"),
    path("assessment/scores/<int:pk>/self/", rounds.score_self_assess_view, name="score-self-assess"),
    path("assessment/scores/<int:pk>/review/", rounds.score_review_view, name="score-review"),
    path("assessment/scores/<int:pk>/object/", rounds.score_object_view, name="score-object"),
    path("assessment/objections/<int:pk>/answer/", rounds.objection_answer_view, name="objection-answer"),
    path("assessment/schemes/", schemes.scheme_list_view, name="scheme-list"),
    path("assessment/schemes/import/", schemes.scheme_import_view, name="scheme-import"),
    path("assessment/schemes/template.xlsx", schemes.scheme_template_view, name="scheme-template"),
    path("assessment/schemes/<int:pk>/", schemes.scheme_detail_view, name="scheme-detail"),
    path("assessment/schemes/<int:pk>/import/", schemes.scheme_import_view, name="scheme-import-version"),
    path("assessment/schemes/<int:pk>/publish/", schemes.scheme_publish_view, name="scheme-publish"),
    path("assessment/schemes/<int:pk>/discard/", schemes.scheme_discard_view, name="scheme-discard"),
    path("assessment/schemes/<int:pk>/export.xlsx", schemes.scheme_export_view, name="scheme-export"),
]
