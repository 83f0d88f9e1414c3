from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.password_change import PasswordChangeView
from accounts.security import views as security_views
from accounts.sessions import session_keepalive_view, session_status_view
from accounts.sso import cas_enabled, cas_views
from accounts.sso import views as sso_views

app_name = "accounts"

urlpatterns = [
    # Django's login page, explaining refusals by the directory or the local-login policy (accounts.sso).
    # `cas_enabled` is passed uncalled: the template calls it at each rendering (the button's flag).
    path("login/", sso_views.SignInView.as_view(extra_context={"cas_enabled": cas_enabled}), name="login"),
    # The identity platform's sign-in (OpenID Connect), when configured; otherwise 404.
    path("oidc/start/", sso_views.oidc_start_view, name="oidc-start"),
    path("oidc/callback/", sso_views.oidc_callback_view, name="oidc-callback"),
    # The identity platform's sign-in through CAS (start and the server's return), when configured.
    path("cas/login/", cas_views.cas_login_view, name="cas-login"),
    path("cas/logout/", cas_views.cas_logout_view, name="cas-logout"),
    # Confirming one's identity there again before signing, for people with no password here (else 404).
    path("oidc/reauthenticate/", sso_views.oidc_reauthenticate_view, name="oidc-reauthenticate"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's page, with a wrong old password counted for lockout and the change logged and told.
    path("password/", PasswordChangeView.as_view(), name="password-change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password-change-done",
    ),
    # Resets: one's own by an emailed link, or by a one-time code handed over in person.
    path("password/reset/", security_views.password_reset_request_view, name="password-reset"),
    path("password/reset/sent/", security_views.password_reset_sent_view, name="password-reset-sent"),
    path(
        "password/reset/<uidb64>/<token>/",
        security_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password/reset/done/", security_views.password_reset_complete_view, name="password-reset-complete"),
    path("login/code/", security_views.reset_code_login_view, name="reset-code-login"),
    path("password/set/", security_views.password_set_view, name="password-set"),
    path("locked/", security_views.locked_out_view, name="locked-out"),
    # The security administrator's accounts and the audit administrator's security log.
    path("security/accounts/", security_views.account_list_view, name="security-accounts"),
    path("security/accounts/<int:pk>/", security_views.account_detail_view, name="security-account"),
    path(
        "security/accounts/<int:pk>/grant/",
        security_views.account_role_grant_view,
        name="security-role-grant",
    ),
    path(
        "security/accounts/<int:pk>/remove/",
        security_views.account_role_remove_view,
        name="security-role-remove",
    ),
    path("security/accounts/<int:pk>/active/", security_views.account_active_view, name="security-active"),
    path("security/accounts/<int:pk>/email/", security_views.account_email_view, name="security-email"),
    path("security/accounts/<int:pk>/unlock/", security_views.account_lock_lift_view, name="security-unlock"),
    path("security/accounts/<int:pk>/reset/", security_views.account_reset_view, name="security-reset"),
    path(
        "security/accounts/<int:pk>/second-factor/",
        security_views.account_second_factor_reset_view,
        name="security-second-factor-reset",
    ),
    path("security/log/", security_views.security_log_view, name="security-log"),
    path("security/log/export.csv", security_views.security_log_export_view, name="security-log-export"),
    path("security/log/verify/", security_views.security_log_verify_view, name="security-log-verify"),
    # Two-step verification, and the idle-session endpoints the page's script asks.
    path("two-factor/", include("accounts.two_factor.urls")),
    path("session/status/", session_status_view, name="session-status"),
    path("session/keep-alive/", session_keepalive_view, name="session-keepalive"),
]
