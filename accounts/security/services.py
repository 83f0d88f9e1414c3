"""Every change to an account's sign-in: one service each, each written to the security log and told to
the person concerned.

The security administrator acts on other people's accounts only; an administrator duty (三员分立) is
never added to an account that holds another, and nobody acts on their own account here. A refused
attempt changes nothing and is itself written to the log (the audit administrator sees who tried).
"""

from datetime import timedelta
from enum import StrEnum

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import ADMINISTRATOR_DUTIES, MACHINE_ROLES, ROLE_LABELS, STAFF_ROLES, Role, roles_held
from accounts.security.log import security_event_record
from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.security.notify import notice_time, security_notice_send
from accounts.security.permissions import SecurityAction, security_user_can
from accounts.security.resets import reset_code_new, reset_link_send
from core import clock
from core.errors import ApplicationError
from core.http import client_ip
from core.locks import row_lock


class ResetMethod(StrEnum):
    LINK = "link"  # emailed to the person
    CODE = "code"  # handed over in person


def _refuse(*, actor, subject, action: str, reason: str, request=None) -> None:
    """Write the refused attempt to the log (it stands even though nothing else changes), then refuse."""
    security_event_record(
        SecurityEventKind.REFUSED, request=request, actor=actor, subject=subject, action=action, reason=reason
    )
    raise ApplicationError(reason, code="refused")


def security_admin_check(*, actor, subject, action: str, request=None) -> None:
    """Only an active security administrator acts on an account, and never on their own (refusals logged)."""
    if not security_user_can(user=actor, action=SecurityAction.MANAGE_ACCOUNTS):
        _refuse(
            actor=actor,
            subject=subject,
            action=action,
            reason=_("Only a security administrator may do this."),
            request=request,
        )
    if actor.pk == subject.pk:
        _refuse(
            actor=actor,
            subject=subject,
            action=action,
            reason=_("Nobody may do this to their own account; ask another security administrator."),
            request=request,
        )


# Four eyes: one security administrator alone could otherwise take over an account by two steps that are
# each allowed (redirect its email, then send the reset link there; or make a one-time code and also
# reset the second factor). Within this window, the second step must be done by another administrator.
FOUR_EYES_WINDOW = timedelta(hours=24)
FOUR_EYES_PAIRS = {
    "reset_link": (SecurityEventKind.EMAIL_CHANGED,),
    "reset_code": (SecurityEventKind.SECOND_FACTOR_RESET,),
    "second_factor_reset": (SecurityEventKind.RESET_STARTED,),
}


def four_eyes_check(*, actor, subject, step: str, request=None) -> None:
    """Refuse the second half of an account takeover done by the same administrator within a day."""
    earlier = SecurityEvent.objects.filter(
        kind__in=FOUR_EYES_PAIRS[step],
        actor=actor,
        subject=subject,
        created_at__gte=clock.now() - FOUR_EYES_WINDOW,
    )
    if step == "second_factor_reset":
        earlier = earlier.filter(payload__method=ResetMethod.CODE.value)
    if earlier.exists():
        _refuse(
            actor=actor,
            subject=subject,
            action=step,
            reason=_(
                "Another security administrator must do this: you changed this account's email or its "
                "sign-in in the last 24 hours, and one person alone may not do both."
            ),
            request=request,
        )


def role_grant(*, user: User, role: Role, granted_by: User, request=None) -> None:
    """Give `user` a role. Refused for oneself, and for a second administrator duty (三员分立)."""
    role = Role(role)
    security_admin_check(actor=granted_by, subject=user, action=f"grant:{role}", request=request)
    conflict = _role_add(
        user=user,
        role=role,
        actor=granted_by,
        request=request,
        told=_("%(admin)s gave your account the role “%(role)s” at %(time)s.")
        % {"admin": granted_by, "role": ROLE_LABELS[role], "time": notice_time()},
    )
    if conflict:
        _refuse(
            actor=granted_by,
            subject=user,
            action=f"grant:{role}",
            reason=_(
                "Administrator duties are separated: this person is already the %(other)s and cannot also be "
                "the %(role)s."
            )
            % {"other": ROLE_LABELS[conflict], "role": ROLE_LABELS[role]},
            request=request,
        )


def role_grant_at_installation(*, user: User, role: Role) -> None:
    """The first roles of an installation, from the server's shell (manage.py grant_role): the same
    separation of duties, written to the log as done from the command line and told to the person."""
    role = Role(role)
    conflict = _role_add(
        user=user,
        role=role,
        actor=None,
        by="manage.py grant_role",
        told=_("Your account was given the role “%(role)s” from the server's command line at %(time)s.")
        % {"role": ROLE_LABELS[role], "time": notice_time()},
    )
    if conflict:
        raise ApplicationError(
            _("Administrator duties are separated: this person already holds another one."), code="refused"
        )


def _role_add(*, user: User, role: Role, actor, told: str, request=None, **logged) -> Role | None:
    """Add the role, log it and tell the person; or change nothing and return the administrator duty
    the account already holds that forbids it."""
    with transaction.atomic():
        user = row_lock(User, pk=user.pk)
        held = roles_held(user)
        if role in held:
            raise ApplicationError(_("This person already holds that role."), code="unchanged")
        if user.is_machine and role in ADMINISTRATOR_DUTIES:
            raise ApplicationError(
                _("An API client's account reads; an administrator duty is a person's."), code="machine"
            )
        if not user.is_machine and role in MACHINE_ROLES:
            raise ApplicationError(
                _("This role is an API client's; people import the organisation as system administrator."),
                code="person",
            )
        conflict = sorted(held & ADMINISTRATOR_DUTIES) if role in ADMINISTRATOR_DUTIES else []
        if conflict:
            return Role(conflict[0])
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        if role in STAFF_ROLES and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        security_event_record(
            SecurityEventKind.ROLE_GRANTED,
            request=request,
            actor=actor,
            subject=user,
            role=role.value,
            **logged,
        )
        security_notice_send(
            recipient=user,
            title=_("You were given a role: %(role)s") % {"role": ROLE_LABELS[role]},
            body=told,
        )
    return None


def role_remove(*, user: User, role: Role, removed_by: User, request=None) -> None:
    role = Role(role)
    security_admin_check(actor=removed_by, subject=user, action=f"remove:{role}", request=request)
    with transaction.atomic():
        user = row_lock(User, pk=user.pk)
        if role not in roles_held(user):
            raise ApplicationError(_("This person does not hold that role."), code="unchanged")
        user.groups.remove(*Group.objects.filter(name=role.value))
        if (
            role in STAFF_ROLES
            and user.is_staff
            and not (roles_held(user) & STAFF_ROLES)
            and not user.is_superuser
        ):
            user.is_staff = False
            user.save(update_fields=["is_staff"])
        security_event_record(
            SecurityEventKind.ROLE_REMOVED, request=request, actor=removed_by, subject=user, role=role.value
        )
        security_notice_send(
            recipient=user,
            title=_("A role was removed from you: %(role)s") % {"role": ROLE_LABELS[role]},
            body=_("%(admin)s removed the role “%(role)s” from your account at %(time)s.")
            % {"admin": removed_by, "role": ROLE_LABELS[role], "time": notice_time()},
        )


def account_active_set(*, user: User, active: bool, changed_by: User, request=None) -> None:
    """Enable or disable an account. Disabling ends its sessions (Django refuses inactive users)."""
    security_admin_check(
        actor=changed_by, subject=user, action="enable" if active else "disable", request=request
    )
    with transaction.atomic():
        user = row_lock(User, pk=user.pk)
        if user.is_active == active:
            raise ApplicationError(_("Nothing to change."), code="unchanged")
        user.is_active = active
        user.save(update_fields=["is_active"])
        kind = SecurityEventKind.ACCOUNT_ACTIVATED if active else SecurityEventKind.ACCOUNT_DEACTIVATED
        security_event_record(kind, request=request, actor=changed_by, subject=user)
        security_notice_send(
            recipient=user,
            title=_("Your account was enabled") if active else _("Your account was disabled"),
            body=(
                _("%(admin)s enabled your account at %(time)s.")
                if active
                else _("%(admin)s disabled your account at %(time)s.")
            )
            % {"admin": changed_by, "time": notice_time()},
        )


def account_email_change(*, user: User, email: str, changed_by: User, request=None) -> None:
    """Change the address reset links go to. Both the old and the new address are told."""
    security_admin_check(actor=changed_by, subject=user, action="email", request=request)
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except Exception:
            raise ApplicationError(_("Enter a valid email address."), code="invalid_email") from None
    with transaction.atomic():
        user = row_lock(User, pk=user.pk)
        old = user.email
        if old == email:
            raise ApplicationError(_("Nothing to change."), code="unchanged")
        user.email = email
        user.save(update_fields=["email"])
        security_event_record(
            SecurityEventKind.EMAIL_CHANGED,
            request=request,
            actor=changed_by,
            subject=user,
            **{"from": old, "to": email},
        )
        body = _(
            "%(admin)s changed the email address of your account from “%(old)s” to “%(new)s” at %(time)s."
        ) % {
            "admin": changed_by,
            "old": old or "—",
            "new": email or "—",
            "time": notice_time(),
        }
        security_notice_send(
            recipient=user,
            title=_("The email address of your account was changed"),
            body=body,
            emails=[old, email],
        )


def lock_lift(*, user: User, lifted_by: User, request=None) -> int:
    """End the account's lockout now (its failed attempts are forgotten). Returns how many were cleared."""
    security_admin_check(actor=lifted_by, subject=user, action="lift_lock", request=request)
    with transaction.atomic():
        cleared = axes_reset(username=user.get_username())
        security_event_record(
            SecurityEventKind.LOCK_LIFTED, request=request, actor=lifted_by, subject=user, attempts=cleared
        )
        security_notice_send(
            recipient=user,
            title=_("The sign-in lock on your account was lifted"),
            body=_("%(admin)s lifted the sign-in lock on your account at %(time)s.")
            % {"admin": lifted_by, "time": notice_time()},
        )
    return cleared


def password_reset_start(*, user: User, started_by: User, request=None) -> tuple[ResetMethod, str]:
    """Start a reset for someone else: the link goes to their email, or a one-time code is returned for
    handing over in person (only then, and only once). The administrator never learns a password."""
    security_admin_check(actor=started_by, subject=user, action="reset", request=request)
    if not user.is_active:
        raise ApplicationError(_("The account is disabled; enable it first."), code="inactive")
    if user.is_machine:
        raise ApplicationError(
            _("An API client's account has no password; the office issues the client a new token instead."),
            code="machine",
        )
    four_eyes_check(
        actor=started_by, subject=user, step="reset_link" if user.email else "reset_code", request=request
    )
    with transaction.atomic():
        user = row_lock(User, pk=user.pk)
        if user.email:
            method, code = ResetMethod.LINK, ""
            reset_link_send(user)
        else:
            method, code = ResetMethod.CODE, reset_code_new(user=user, started_by=started_by)
        security_event_record(
            SecurityEventKind.RESET_STARTED,
            request=request,
            actor=started_by,
            subject=user,
            method=method.value,
        )
        security_notice_send(
            recipient=user,
            title=_("A password reset was started for your account"),
            body=(
                _(
                    "%(admin)s started a password reset for your account at %(time)s; a link to choose a new "
                    "password was sent to your email."
                )
                if method == ResetMethod.LINK
                else _(
                    "%(admin)s started a password reset for your account at %(time)s and made a one-time "
                    "code to hand to you in person. After using it you must choose your own password."
                )
            )
            % {"admin": started_by, "time": notice_time()},
        )
    return method, code


def password_reset_request(*, request, identifier: str) -> bool:
    """Someone asks for their own reset link by account name or email: each active account that matches
    and has an email gets one. Recorded whether or not an account matched (the answer never says).

    False, and nothing sent or recorded, beyond RESET_REQUESTS_PER_ADDRESS per address in 15 minutes or
    RESET_REQUESTS_PER_ACCOUNT per account name or email in an hour (the log itself counts).
    """
    logged_as = identifier[:150]  # the log's account-name column
    recent = SecurityEvent.objects.filter(kind=SecurityEventKind.RESET_REQUESTED)
    now = clock.now()
    by_address = recent.filter(ip_address=client_ip(request), created_at__gte=now - timedelta(minutes=15))
    by_account = recent.filter(username=logged_as, created_at__gte=now - timedelta(hours=1))
    if (
        by_address.count() >= settings.RESET_REQUESTS_PER_ADDRESS
        or by_account.count() >= settings.RESET_REQUESTS_PER_ACCOUNT
    ):
        return False
    users = list(
        User.objects.filter(is_active=True).filter(Q(username=identifier) | Q(email__iexact=identifier))
    )
    with transaction.atomic():
        security_event_record(
            SecurityEventKind.RESET_REQUESTED,
            request=request,
            actor=None,
            subject=users[0] if len(users) == 1 else None,
            username=logged_as,
        )
        for user in users:
            if user.email:
                reset_link_send(user)
    return True


def password_reset_completed(*, user: User, request=None) -> None:
    """The person chose their own password after a reset: they may sign again; they are told."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(password_must_change=False)
        user.password_must_change = False
        axes_reset(username=user.get_username())
        security_event_record(SecurityEventKind.RESET_COMPLETED, request=request, actor=user, subject=user)
        security_notice_send(
            recipient=user,
            title=_("Your password was changed"),
            body=_("The password of your account was set through a reset at %(time)s.")
            % {"time": notice_time()},
        )
