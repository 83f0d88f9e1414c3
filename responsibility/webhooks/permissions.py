"""Who may do what with webhooks: the same people as with API clients (a subscription is a client's).

The office (系统管理员) subscribes, renews a secret, stops a subscription and re-sends a delivery; the office
and the audit administrator read the subscriptions and their deliveries."""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from responsibility.api.permissions import ApiClientAction, api_client_user_can


class WebhookAction(StrEnum):
    VIEW = "view"
    MANAGE = "manage"


_CLIENT_ACTIONS = {WebhookAction.VIEW: ApiClientAction.VIEW, WebhookAction.MANAGE: ApiClientAction.MANAGE}


def webhook_user_can(*, user, action: WebhookAction) -> bool:
    return api_client_user_can(user=user, action=_CLIENT_ACTIONS[action])


def webhook_check_permission(*, user, action: WebhookAction) -> None:
    if not webhook_user_can(user=user, action=action):
        raise PermissionDenied(_("Webhooks are managed by the system administrator."))
