"""Two-step verification pages, joined into the `accounts:` namespace (accounts/urls.py)."""

from django.urls import path

from accounts.two_factor import views

urlpatterns = [
    path("", views.security_view, name="two-factor"),
    path("verify/", views.verify_view, name="two-factor-verify"),
    path("setup/", views.enrol_view, name="two-factor-enrol"),
    path("remove/", views.remove_view, name="two-factor-remove"),
    path("recovery-codes/", views.recovery_codes_view, name="two-factor-recovery-codes"),
    path(
        "recovery-codes/download/",
        views.recovery_codes_download_view,
        name="two-factor-recovery-codes-download",
    ),
    path("recovery-codes/done/", views.recovery_codes_done_view, name="two-factor-recovery-codes-done"),
    path(
        "recovery-codes/new/",
        views.recovery_codes_regenerate_view,
        name="two-factor-recovery-codes-regenerate",
    ),
]
