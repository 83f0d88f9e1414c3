"""Who may do what with API clients, and the scope a client must hold for an endpoint.

The office (系统管理员) creates and revokes clients; the office and the audit administrator read the
clients and their calls. The roles of a client's account are granted by the security administrator,
like anybody's (三员分立 holds for machines too). A client's scopes only narrow what those roles allow.
"""

from enum import StrEnum

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from accounts.roles import Role, user_has_role
from responsibility.api.models import ApiClient, Scope


class ApiClientAction(StrEnum):
    VIEW = "view"  # the clients and their calls
    MANAGE = "manage"  # create, revoke


_PERMS = {
    ApiClientAction.VIEW: "responsibility.view_apiclient",
    ApiClientAction.MANAGE: "responsibility.add_apiclient",
}


def api_client_user_can(*, user, action: ApiClientAction) -> bool:
    """The office by its permissions; the audit administrator reads (no model permission is theirs)."""
    if not user.is_authenticated or not user.is_active or user.is_machine:
        return False
    if action == ApiClientAction.VIEW and user_has_role(user, Role.AUDIT_ADMIN):
        return True
    return user.has_perm(_PERMS[action])


class ClientScopeRequired(BasePermission):
    """The endpoint's `required_scope` must be among the calling client's scopes (403 with its name)."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False  # no token: DRF answers 401
        scope = Scope(view.required_scope)
        if scope.value not in client.scopes:
            raise exceptions.PermissionDenied(
                _("This client was not given the scope “%(scope)s” (%(label)s).")
                % {"scope": scope.value, "label": scope.label},
                code="scope_missing",
            )
        return True
