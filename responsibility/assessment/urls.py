"""The assessment pages (考核)."""

from django.urls import path

from responsibility.assessment import views

urlpatterns = [
    path("assessment/schemes/", views.scheme_list_view, name="scheme-list"),
    path("assessment/schemes/import/", views.scheme_import_view, name="scheme-import"),
    path("assessment/schemes/template.xlsx", views.scheme_template_view, name="scheme-template"),
    path("assessment/schemes/<int:pk>/", views.scheme_detail_view, name="scheme-detail"),
    path("assessment/schemes/<int:pk>/import/", views.scheme_import_view, name="scheme-import-version"),
    path("assessment/schemes/<int:pk>/publish/", views.scheme_publish_view, name="scheme-publish"),
    path("assessment/schemes/<int:pk>/discard/", views.scheme_discard_view, name="scheme-discard"),
    path("assessment/schemes/<int:pk>/export.xlsx", views.scheme_export_view, name="scheme-export"),
]
