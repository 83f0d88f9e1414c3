"""Sign-in security pages: resetting one's own password, the one-time code, the forced new password, the
security administrator's accounts, and the audit administrator's security log."""

import csv

from django.contrib import messages
from django.contrib.auth import authenticate, login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import ROLE_LABELS, Role, roles_held
from accounts.security import services
from accounts.security.forms import (
    AccountSearchForm,
    EmailForm,
    OwnPasswordForm,
    PasswordResetRequestForm,
    ResetCodeLoginForm,
    RoleForm,
    SecurityLogFilterForm,
)
from accounts.security.lockout import lockout_response
from accounts.security.log import security_chain_verify, security_event_details, security_event_record
from accounts.security.models import SecurityEventKind
from accounts.security.permissions import SecurityAction, security_check_permission
from accounts.security.selectors import (
    account_failed_attempts,
    account_is_locked,
    account_list,
    security_log_filtered,
)
from accounts.two_factor.selectors import second_factor_enrolled
from accounts.two_factor.services import second_factor_reset
from core.errors import ApplicationError
from core.http import as_attachment, query_without_page
from core.spreadsheets import csv_text

ACCOUNTS_PER_PAGE = 50
EVENTS_PER_PAGE = 50
EXPORT_MAX_ROWS = 100_000


# -- a person's own password ------------------------------------------------------------------------


def password_reset_request_view(request):
    """Ask for a link by account name or email. The answer is the same whether or not an account matched."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not services.password_reset_request(request=request, identifier=form.cleaned_data["identifier"]):
            form.add_error(
                None,
                _("Too many reset requests. Please wait a while (up to an hour) before asking again."),
            )
            return render(request, "accounts/password_reset_request.html", {"form": form}, status=429)
        return redirect("accounts:password-reset-sent")
    return render(
        request, "accounts/password_reset_request.html", {"form": form}, status=400 if form.errors else 200
    )


def password_reset_sent_view(request):
    return render(request, "accounts/password_reset_sent.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link; a used or expired link says so and changes nothing."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_completed(user=form.user, request=self.request)
        return response


def password_reset_complete_view(request):
    return render(request, "accounts/password_reset_complete.html")


def reset_code_login_view(request):
    """Sign in once with the code a security administrator handed over, then choose a password."""
    form = ResetCodeLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], reset_code=form.cleaned_data["reset_code"]
        )
        if user is not None:
            login(request, user)
            security_event_record(
                SecurityEventKind.RESET_CODE_USED, request=request, actor=user, subject=user
            )
            return redirect("accounts:password-set")
        if getattr(request, "axes_locked_out", False):
            return redirect("accounts:locked-out")
        form.add_error(
            None, _("The account name or the one-time code is not correct, or the code has expired.")
        )
    return render(
        request, "accounts/reset_code_login.html", {"form": form}, status=400 if form.errors else 200
    )


def locked_out_view(request):
    return lockout_response(request, credentials=None)


@login_required
def password_set_view(request):
    """After a reset by code, the person chooses their own password before anything else."""
    if not request.user.password_must_change:
        return redirect("accounts:password-change")
    form = OwnPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        services.password_reset_completed(user=user, request=request)
        messages.success(request, _("Your new password is set."))
        return redirect("responsibility:todo")
    return render(request, "accounts/password_set.html", {"form": form}, status=400 if form.errors else 200)


# -- the security administrator ---------------------------------------------------------------------


@login_required
def account_list_view(request):
    security_check_permission(user=request.user, action=SecurityAction.MANAGE_ACCOUNTS)
    form = AccountSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page_obj = Paginator(account_list(**filters), ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/security/account_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "accounts": page_obj.object_list,
            "role_labels": {role.value: ROLE_LABELS[role] for role in Role},
            "query_without_page": query_without_page(request),
        },
    )


def _account(request, pk: int) -> User:
    security_check_permission(user=request.user, action=SecurityAction.MANAGE_ACCOUNTS)
    return get_object_or_404(User, pk=pk)


@login_required
def account_detail_view(request, pk: int, *, code: str = ""):
    account = _account(request, pk)
    held = roles_held(account)
    return render(
        request,
        "accounts/security/account_detail.html",
        {
            "account": account,
            "roles_held": [(role.value, ROLE_LABELS[role]) for role in Role if role.value in held],
            "grant_form": RoleForm(),
            "roles_grantable": [(role.value, ROLE_LABELS[role]) for role in Role if role.value not in held],
            "email_form": EmailForm(initial={"email": account.email}),
            "is_locked": account_is_locked(user=account),
            "attempts": account_failed_attempts(user=account),
            "second_factor": second_factor_enrolled(user=account),
            "is_self": account.pk == request.user.pk,
            "reset_code": code,
        },
    )


def _account_action(request, pk: int, act, done: str):
    """Run `act(account)` as the signed-in security administrator; refusals come back as messages."""
    account = _account(request, pk)
    try:
        result = act(account)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("accounts:security-account", pk=account.pk)
    if done:
        messages.success(request, done)
    return result or redirect("accounts:security-account", pk=account.pk)


@login_required
@require_POST
def account_role_grant_view(request, pk: int):
    return _role_change(
        request,
        pk,
        lambda account, role: services.role_grant(
            user=account, role=role, granted_by=request.user, request=request
        ),
        _("The role “%(role)s” was granted; the person is told."),
    )


@login_required
@require_POST
def account_role_remove_view(request, pk: int):
    return _role_change(
        request,
        pk,
        lambda account, role: services.role_remove(
            user=account, role=role, removed_by=request.user, request=request
        ),
        _("The role “%(role)s” was removed; the person is told."),
    )


def _role_change(request, pk: int, change, done: str):
    """`change(account, role)` with the role the form names; a form naming none changes nothing."""
    form = RoleForm(request.POST)
    if not form.is_valid():
        _account(request, pk)
        messages.error(request, _("Choose a role."))
        return redirect("accounts:security-account", pk=pk)
    role = Role(form.cleaned_data["role"])
    return _account_action(
        request, pk, lambda account: change(account, role), done % {"role": ROLE_LABELS[role]}
    )


@login_required
@require_POST
def account_active_view(request, pk: int):
    active = request.POST.get("active") == "1"
    return _account_action(
        request,
        pk,
        lambda account: services.account_active_set(
            user=account, active=active, changed_by=request.user, request=request
        ),
        _("The account was enabled.") if active else _("The account was disabled."),
    )


@login_required
@require_POST
def account_email_view(request, pk: int):
    form = EmailForm(request.POST)
    if not form.is_valid():
        _account(request, pk)
        messages.error(request, _("Enter a valid email address."))
        return redirect("accounts:security-account", pk=pk)
    return _account_action(
        request,
        pk,
        lambda account: services.account_email_change(
            user=account, email=form.cleaned_data["email"], changed_by=request.user, request=request
        ),
        _("The email address was changed; the old and the new address are told."),
    )


@login_required
@require_POST
def account_lock_lift_view(request, pk: int):
    return _account_action(
        request,
        pk,
        lambda account: services.lock_lift(user=account, lifted_by=request.user, request=request),
        _("The lock was lifted."),
    )


@login_required
@require_POST
def account_reset_view(request, pk: int):
    def start(account):
        method, code = services.password_reset_start(user=account, started_by=request.user, request=request)
        if method == services.ResetMethod.LINK:
            messages.success(request, _("A link to choose a new password was sent to the person's email."))
            return None
        # The code is shown once, on this response only; it is never stored in a readable form.
        response = account_detail_view(request, account.pk, code=code)
        response["Cache-Control"] = "no-store"
        return response

    return _account_action(request, pk, start, "")


@login_required
@require_POST
def account_second_factor_reset_view(request, pk: int):
    return _account_action(
        request,
        pk,
        lambda account: second_factor_reset(user=account, reset_by=request.user, request=request),
        _("The second factor was reset; the person is told and sets up a new authenticator app."),
    )


# -- the audit administrator ------------------------------------------------------------------------


def _log_events(request):
    security_check_permission(user=request.user, action=SecurityAction.READ_LOG)
    form = SecurityLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, security_log_filtered(**filters)


@login_required
def security_log_view(request):
    form, events = _log_events(request)
    page_obj = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = [(event, security_event_details(event)) for event in page_obj.object_list]
    return render(
        request,
        "accounts/security/log.html",
        {
            "form": form,
            "page_obj": page_obj,
            "events": shown,
            "query_without_page": query_without_page(request),
        },
        status=400 if form.errors else 200,
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def security_log_export_view(request):
    """The filtered log as CSV (UTF-8 with BOM, so Excel reads the Chinese), newest first."""
    form, events = _log_events(request)
    if form.errors:
        return security_log_view(request)
    writer = csv.writer(_Echo())
    header = [_("No."), _("Time"), _("Event"), _("By"), _("Account"), _("Address"), _("Details"), _("Hash")]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for event in events[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    csv_text(x)
                    for x in (
                        event.sequence,
                        localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                        event.get_kind_display(),
                        event.actor or "",
                        event.username,
                        event.ip_address or "",
                        security_event_details(event),
                        event.hash,
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    return as_attachment(response, download_name="安全日志.csv", fallback_name="security-log.csv")


@login_required
@require_POST
def security_log_verify_view(request):
    """Recompute the whole chain now and say whether it is intact, or where it breaks."""
    security_check_permission(user=request.user, action=SecurityAction.READ_LOG)
    broken = security_chain_verify()
    if broken is None:
        messages.success(request, _("The security log's chain is intact: every event matches its hash."))
    else:
        messages.error(
            request,
            _("The security log's chain is broken at event #%(sequence)d: %(reason)s")
            % {"sequence": broken.sequence, "reason": broken.reason},
        )
    return redirect("accounts:security-log")
