"""Evidence downloads.

Included in the one `responsibility` namespace (responsibility/urls.py)."""

from django.urls import path

from responsibility.evidence import views as evidence

urlpatterns = [
    path("evidence/<int:pk>/", evidence.evidence_download_view, name="evidence-download"),
]
