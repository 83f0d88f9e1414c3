"""Sign-ins, sign-outs, lockouts and every administration-page change go into the security log."""

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.security.lockout import PURPOSE_CONFIRM, PURPOSE_SECOND_FACTOR, PURPOSE_SIGN_IN, lockout_minutes
from accounts.security.log import security_event_record
from accounts.security.models import SecurityEventKind

# The sign-in ways the log names (the authentication backend that accepted the person).
BACKEND_NAMES = {
    "axes.backends.AxesStandaloneBackend": "password",
    "django.contrib.auth.backends.ModelBackend": "password",
    "accounts.sso.local.LocalPasswordBackend": "password",  # ModelBackend while single sign-on is on
    "accounts.sso.ldap.LdapBackend": "ldap",
    "accounts.sso.oidc.OidcBackend": "oidc",
    "accounts.sso.cas.CasBackend": "cas",
    "accounts.security.resets.ResetCodeBackend": "one_time_code",
}
FAILURE_KINDS = {
    PURPOSE_CONFIRM: SecurityEventKind.PASSWORD_CONFIRM_FAILED,
    PURPOSE_SECOND_FACTOR: SecurityEventKind.SECOND_FACTOR_FAILED,
}
ADMIN_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@receiver(user_logged_in, dispatch_uid="accounts.security.login")
def _logged_in(sender, request, user, **kwargs) -> None:
    backend = getattr(user, "backend", "") or ""
    security_event_record(
        SecurityEventKind.LOGIN_SUCCEEDED,
        request=request,
        actor=user,
        subject=user,
        backend=BACKEND_NAMES.get(backend, backend.rsplit(".", 1)[-1]),
    )


@receiver(user_login_failed, dispatch_uid="accounts.security.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    from accounts.models import User

    username = str(credentials.get("username") or "")[:150]
    subject = User.objects.filter(username=username).first() if username else None
    purpose = credentials.get("purpose", PURPOSE_SIGN_IN)
    if purpose == PURPOSE_SIGN_IN:
        kind, actor = SecurityEventKind.LOGIN_FAILED, None
    else:  # typed by someone signed in as `subject`
        kind, actor = FAILURE_KINDS[purpose], subject
    security_event_record(kind, request=request, actor=actor, subject=subject, username=username)


@receiver(user_locked_out, dispatch_uid="accounts.security.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    from accounts.models import User

    username = str(username or "")[:150]
    subject = User.objects.filter(username=username).first() if username else None
    security_event_record(
        SecurityEventKind.LOCKED_OUT,
        request=request,
        actor=None,
        subject=subject,
        username=username,
        minutes=lockout_minutes(),
    )


@receiver(user_logged_out, dispatch_uid="accounts.security.logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        security_event_record(SecurityEventKind.LOGGED_OUT, request=request, actor=user, subject=user)


@receiver(post_save, sender=LogEntry, dispatch_uid="accounts.security.admin_action")
def _admin_action(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created:
        return
    security_event_record(
        SecurityEventKind.ADMIN_ACTION,
        actor=instance.user,
        model=f"{instance.content_type.app_label}.{instance.content_type.model}"
        if instance.content_type_id
        else "",
        object_id=instance.object_id or "",
        object=instance.object_repr,
        action=ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
        message=instance.get_change_message(),
    )
