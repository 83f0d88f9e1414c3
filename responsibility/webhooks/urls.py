"""The office's webhook pages (namespace `responsibility:`)."""

from django.urls import path

from responsibility.webhooks import views

urlpatterns = [
    path("api-clients/<int:client_pk>/webhooks/new/", views.subscription_create_view, name="webhook-create"),
    path("webhooks/<int:pk>/", views.subscription_detail_view, name="webhook-detail"),
    path("webhooks/<int:pk>/secret/", views.subscription_secret_renew_view, name="webhook-secret-renew"),
    path("webhooks/<int:pk>/stop/", views.subscription_stop_view, name="webhook-stop"),
    path("webhook-deliveries/<int:pk>/", views.delivery_detail_view, name="webhook-delivery-detail"),
    path("webhook-deliveries/<int:pk>/resend/", views.delivery_resend_view, name="webhook-delivery-resend"),
]
