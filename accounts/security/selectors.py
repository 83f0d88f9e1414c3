"""What the security pages list: accounts for the security administrator, the log for the auditor."""

from datetime import datetime, time, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.timezone import make_aware

from accounts.models import User
from accounts.roles import Role
from accounts.security.models import SecurityEvent
from core import clock


def _locked_attempts():
    """Attempt rows still inside the cool-off window that reached the account limit."""
    return AccessAttempt.objects.filter(
        attempt_time__gte=clock.now() - settings.AXES_COOLOFF_TIME,
        failures_since_start__gte=settings.LOCKOUT_ACCOUNT_FAILURES,
    )


def account_list(*, q: str = "", role: str = "") -> QuerySet[User]:
    from django.contrib.auth.models import Group

    users = User.objects.annotate(
        is_locked=Exists(_locked_attempts().filter(username=OuterRef("username"))),
    ).prefetch_related(Prefetch("groups", queryset=Group.objects.filter(name__in=[r.value for r in Role])))
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q))
    if role:
        users = users.filter(groups__name=role)
    return users.order_by("username")


def account_is_locked(*, user) -> bool:
    return _locked_attempts().filter(username=user.get_username()).exists()


def account_failed_attempts(*, user) -> list[AccessAttempt]:
    return list(
        AccessAttempt.objects.filter(
            username=user.get_username(), attempt_time__gte=clock.now() - settings.AXES_COOLOFF_TIME
        ).order_by("-attempt_time")[:20]
    )


def security_log_filtered(
    *, kind: str = "", account: str = "", address=None, date_from=None, date_to=None
) -> QuerySet[SecurityEvent]:
    events = SecurityEvent.objects.select_related("actor", "subject")
    if kind:
        events = events.filter(kind=kind)
    if account:
        events = events.filter(Q(username__icontains=account) | Q(actor__username__icontains=account))
    if address:
        events = events.filter(ip_address=address)
    if date_from:
        events = events.filter(created_at__gte=make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        events = events.filter(
            created_at__lt=make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
        )
    return events.order_by("-sequence")
