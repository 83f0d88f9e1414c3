"""The office's webhook pages: a client's subscription (its secret shown once), a subscription with its
deliveries, a delivery with its attempts; renewing the secret, stopping, re-sending. Who may: permissions.py
(a page one may not read is a 404; the audit administrator reads and gets 403 on changes); what is allowed:
services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import form_change, form_data, form_status, form_submit, object_or_404, query_without_page
from responsibility.api.selectors import api_client_list
from responsibility.webhooks.forms import SecretRenewForm, SubscriptionForm, SubscriptionStopForm
from responsibility.webhooks.models import WebhookDelivery
from responsibility.webhooks.permissions import WebhookAction, webhook_user_can
from responsibility.webhooks.selectors import attempt_list, delivery_list, subscription_list
from responsibility.webhooks.services import (
    webhook_delivery_resend,
    webhook_secret_renew,
    webhook_stop,
    webhook_subscribe,
)

DELIVERIES_PER_PAGE = 100


def _visible_or_404(request, queryset, pk: int, action: WebhookAction):
    """The object for those who read webhooks (anyone else: 404); then the action's own check (403)."""
    if not webhook_user_can(user=request.user, action=WebhookAction.VIEW):
        raise Http404
    found = object_or_404(queryset.filter(pk=pk))
    if not webhook_user_can(user=request.user, action=action):
        raise PermissionDenied(_("Webhooks are managed by the system administrator."))
    return found


def _secret_page(request, *, subscription, secret: str, status: int = 200):
    """The signing secret, once: never stored in the browser's cache."""
    response = render(
        request,
        "responsibility/webhooks/secret.html",
        {"subscription": subscription, "secret": secret},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def subscription_create_view(request, client_pk: int):
    client = _visible_or_404(request, api_client_list(), client_pk, WebhookAction.MANAGE)
    form = SubscriptionForm(form_data(request), client=client)

    def save():
        subscription, secret = webhook_subscribe(
            client=client,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            created_by=request.user,
        )
        return _secret_page(request, subscription=subscription, secret=secret, status=201)

    done = form_submit(form, save)
    if done is not None:
        return done
    return render(
        request,
        "responsibility/webhooks/create.html",
        {"client": client, "form": form},
        status=form_status(form),
    )


@login_required
def subscription_detail_view(request, pk: int):
    subscription = _visible_or_404(request, subscription_list(), pk, WebhookAction.VIEW)
    page = Paginator(delivery_list(subscription=subscription), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    can_manage = webhook_user_can(user=request.user, action=WebhookAction.MANAGE)
    return render(
        request,
        "responsibility/webhooks/detail.html",
        {
            "subscription": subscription,
            "client": subscription.client,
            "deliveries": page.object_list,
            "page_obj": page,
            "query_without_page": query_without_page(request),
            "can_manage": can_manage and not subscription.is_stopped,
            "renew_form": SecretRenewForm(initial={"version": subscription.version}),
            "stop_form": SubscriptionStopForm(initial={"version": subscription.version}),
        },
    )


@login_required
@require_POST
def subscription_secret_renew_view(request, pk: int):
    subscription = _visible_or_404(request, subscription_list(), pk, WebhookAction.MANAGE)
    secret = form_change(
        request,
        SecretRenewForm(request.POST),
        lambda data: webhook_secret_renew(
            subscription=subscription, renewed_by=request.user, expected_version=data["version"]
        ),
    )
    if secret is None:
        return redirect("responsibility:webhook-detail", pk=subscription.pk)
    return _secret_page(request, subscription=subscription, secret=secret)


@login_required
@require_POST
def subscription_stop_view(request, pk: int):
    subscription = _visible_or_404(request, subscription_list(), pk, WebhookAction.MANAGE)
    stopped = form_change(
        request,
        SubscriptionStopForm(request.POST),
        lambda data: webhook_stop(
            subscription=subscription,
            stopped_by=request.user,
            reason=data["reason"],
            expected_version=data["version"],
        ),
    )
    if stopped is not None:
        messages.success(request, _("The subscription was stopped: nothing more is sent to it."))
    return redirect("responsibility:webhook-detail", pk=subscription.pk)


@login_required
def delivery_detail_view(request, pk: int):
    deliveries = WebhookDelivery.objects.select_related("subscription__client", "resent_by")
    delivery = _visible_or_404(request, deliveries, pk, WebhookAction.VIEW)
    return render(
        request,
        "responsibility/webhooks/delivery.html",
        {
            "delivery": delivery,
            "subscription": delivery.subscription,
            "attempts": attempt_list(delivery=delivery),
            "can_manage": webhook_user_can(user=request.user, action=WebhookAction.MANAGE),
        },
    )


@login_required
@require_POST
def delivery_resend_view(request, pk: int):
    delivery = _visible_or_404(request, WebhookDelivery.objects.all(), pk, WebhookAction.MANAGE)
    resent = form_change(
        request, None, lambda _data: webhook_delivery_resend(delivery=delivery, resent_by=request.user)
    )
    if resent is not None:
        messages.success(request, _("The delivery will be sent again, with the same event id."))
    return redirect("responsibility:webhook-delivery-detail", pk=delivery.pk)
