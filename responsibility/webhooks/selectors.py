"""Webhook reads: a client's subscriptions, a subscription's deliveries, a delivery's attempts."""

from django.db.models import QuerySet

from responsibility.api.models import ApiClient
from responsibility.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def subscription_list(*, client: ApiClient | None = None) -> QuerySet[WebhookSubscription]:
    subscriptions = WebhookSubscription.objects.select_related("client", "created_by", "stopped_by")
    return subscriptions if client is None else subscriptions.filter(client=client)


def delivery_list(*, subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """Newest first; the body is not read for a list."""
    return subscription.deliveries.defer("body").order_by("-created_at", "-pk")


def attempt_list(*, delivery: WebhookDelivery) -> QuerySet[WebhookAttempt]:
    return delivery.attempt_log.order_by("-started_at", "-pk")
