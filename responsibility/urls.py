from django.urls import path

from responsibility.views import campaigns, letters, templates

app_name = "responsibility"

urlpatterns = [
    path("", letters.todo_view, name="todo"),
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
