"""The webhook pages' words (events by their labels), and a client's subscriptions on its page."""

from django import template

from responsibility.webhooks.events import EVENT_LABELS
from responsibility.webhooks.selectors import subscription_list

register = template.Library()


@register.filter
def event_label(event: str) -> str:
    """Its Chinese name (the labels are keyed by AnnouncementKind, a StrEnum: its plain value finds it)."""
    return str(EVENT_LABELS.get(event, event))


@register.filter
def event_labels(events: list[str]) -> list[str]:
    return [event_label(event) for event in events]


@register.inclusion_tag("responsibility/webhooks/_subscriptions.html")
def client_subscriptions(client) -> dict:
    """The client's subscriptions, for its page (the API layer below knows nothing of webhooks)."""
    return {"subscriptions": list(subscription_list(client=client))}
