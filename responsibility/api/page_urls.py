"""The office's pages for API clients (namespace `responsibility:`); the API itself is in urls.py."""

from django.urls import path

from responsibility.api import views

urlpatterns = [
    path("api-clients/", views.api_client_list_view, name="api-client-list"),
    path("api-clients/new/", views.api_client_create_view, name="api-client-create"),
    path("api-clients/<int:pk>/", views.api_client_detail_view, name="api-client-detail"),
    path("api-clients/<int:pk>/token/", views.api_token_renew_view, name="api-token-renew"),
    path("api-clients/<int:pk>/scopes/", views.api_client_scopes_view, name="api-client-scopes"),
    path("api-clients/<int:pk>/revoke/", views.api_client_revoke_view, name="api-client-revoke"),
    path("api-calls/", views.api_call_list_view, name="api-call-list"),
]
