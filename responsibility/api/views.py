"""The office's API client pages: the clients, making one (its token shown once), a client with its
calls, a new token, revoking; and the log of every call. Who may do what: permissions.py (403 before
any input is read); what is allowed: services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import ROLE_LABELS, roles_held
from core.http import form_change, form_data, form_status, form_submit, object_or_404, query_without_page
from responsibility.api.forms import (
    ApiClientForm,
    ClientRevokeForm,
    ScopesChangeForm,
    TokenRenewForm,
    default_expiry,
)
from responsibility.api.permissions import ApiClientAction, api_client_user_can
from responsibility.api.selectors import api_call_list, api_client_list
from responsibility.api.services import (
    api_client_create,
    api_client_revoke,
    api_client_scopes_change,
    api_token_renew,
)

CALLS_PER_PAGE = 100


def _check(user, action: ApiClientAction) -> None:
    if not api_client_user_can(user=user, action=action):
        raise PermissionDenied(_("API clients are managed by the system administrator."))


def _client_or_404(request, pk: int, action: ApiClientAction):
    """A client for those who read the clients (anyone else: 404, as for any object they may not see);
    then the action's own check (the audit administrator reads but does not manage: 403)."""
    if not api_client_user_can(user=request.user, action=ApiClientAction.VIEW):
        raise Http404
    client = object_or_404(api_client_list().filter(pk=pk))
    _check(request.user, action)
    return client


def _token_page(request, *, client, token: str, status: int = 200):
    """The token, once: the page is not stored in the browser's cache, and nothing keeps the token."""
    response = render(
        request, "responsibility/api/token.html", {"client": client, "token": token}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def api_client_list_view(request):
    _check(request.user, ApiClientAction.VIEW)
    clients = list(api_client_list())
    return render(
        request,
        "responsibility/api/list.html",
        {
            "clients": clients,
            "can_manage": api_client_user_can(user=request.user, action=ApiClientAction.MANAGE),
        },
    )


@login_required
def api_client_create_view(request):
    _check(request.user, ApiClientAction.MANAGE)
    form = ApiClientForm(form_data(request), initial={"expires_on": default_expiry()})

    def save():
        client, token = api_client_create(
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_on=form.cleaned_data["expires_on"],
            allowed_networks=form.cleaned_data["allowed_networks"],
            created_by=request.user,
            request=request,
        )
        return _token_page(request, client=client, token=token, status=201)

    done = form_submit(form, save)
    if done is not None:
        return done
    return render(request, "responsibility/api/create.html", {"form": form}, status=form_status(form))


@login_required
def api_client_detail_view(request, pk: int):
    client = _client_or_404(request, pk, ApiClientAction.VIEW)
    page = Paginator(api_call_list(client=client), CALLS_PER_PAGE).get_page(request.GET.get("page"))
    can_manage = api_client_user_can(user=request.user, action=ApiClientAction.MANAGE)
    return render(
        request,
        "responsibility/api/detail.html",
        {
            "client": client,
            "roles": [ROLE_LABELS[role] for role in sorted(roles_held(client.account))],
            "calls": page.object_list,
            "page_obj": page,
            "query_without_page": query_without_page(request),
            "can_manage": can_manage and not client.is_revoked,
            "renew_form": TokenRenewForm(initial={"version": client.version, "expires_on": default_expiry()}),
            "revoke_form": ClientRevokeForm(initial={"version": client.version}),
            "scopes_form": ScopesChangeForm(initial={"version": client.version, "scopes": client.scopes}),
        },
    )


@login_required
@require_POST
def api_token_renew_view(request, pk: int):
    client = _client_or_404(request, pk, ApiClientAction.MANAGE)
    token = form_change(
        request,
        TokenRenewForm(request.POST),
        lambda data: api_token_renew(
            client=client,
            renewed_by=request.user,
            expires_on=data["expires_on"],
            expected_version=data["version"],
            request=request,
        ),
    )
    if token is None:
        return redirect("responsibility:api-client-detail", pk=client.pk)
    return _token_page(request, client=client, token=token)


@login_required
@require_POST
def api_client_scopes_view(request, pk: int):
    client = _client_or_404(request, pk, ApiClientAction.MANAGE)
    changed = form_change(
        request,
        ScopesChangeForm(request.POST),
        lambda data: api_client_scopes_change(
            client=client,
            changed_by=request.user,
            scopes=data["scopes"],
            expected_version=data["version"],
            request=request,
        ),
    )
    if changed is not None:
        messages.success(request, _("The client's scopes were changed: they hold from its next call."))
    return redirect("responsibility:api-client-detail", pk=client.pk)


@login_required
@require_POST
def api_client_revoke_view(request, pk: int):
    client = _client_or_404(request, pk, ApiClientAction.MANAGE)
    revoked = form_change(
        request,
        ClientRevokeForm(request.POST),
        lambda data: api_client_revoke(
            client=client,
            revoked_by=request.user,
            reason=data["reason"],
            expected_version=data["version"],
            request=request,
        ),
    )
    if revoked is not None:
        messages.success(request, _("The client was revoked: its token no longer works."))
    return redirect("responsibility:api-client-detail", pk=client.pk)


@login_required
def api_call_list_view(request):
    """Every call, newest first, with those whose token matched no client."""
    _check(request.user, ApiClientAction.VIEW)
    page = Paginator(api_call_list(), CALLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "responsibility/api/calls.html",
        {"calls": page.object_list, "page_obj": page, "query_without_page": query_without_page(request)},
    )
