"""Who is calling: a client's token in `Authorization: Bearer <token>` (responsibility.api.tokens).

A request carries its client's account as `request.user` and the client as `request.auth`; the
selectors and permission rules of the pages then decide every object, as for a person. A token that is
malformed, unknown, revoked or expired, or used from outside the client's networks, is refused with a
Chinese message and its own code."""

import ipaddress

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from core.http import client_ip
from responsibility.api.models import ApiClient
from responsibility.api.selectors import api_client_by_prefix
from responsibility.api.tokens import token_secret_matches, token_split


class ClientTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header:
            return None  # the permission check answers 401: no credentials
        scheme, _space, token = header.decode("latin-1").partition(" ")
        parts = token_split(token.strip()) if scheme.lower() == self.keyword.lower() else None
        if parts is None:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be “Bearer” followed by the client's token."),
                code="token_malformed",
            )
        prefix, secret = parts
        request._request.api_token_prefix = prefix  # for the call log
        client = api_client_by_prefix(prefix)
        if client is None or not token_secret_matches(secret=secret, secret_sha256=client.token_sha256):
            raise exceptions.AuthenticationFailed(_("The token is not valid."), code="token_invalid")
        request._request.api_client = client
        api_client_check(client=client, address=client_ip(request))
        return client.account, client

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


def api_client_check(*, client: ApiClient, address: str | None) -> None:
    """The rules a known client's call must pass: not revoked, not expired, from an allowed network."""
    if client.is_revoked:
        raise exceptions.AuthenticationFailed(
            _("This client was revoked on %(date)s.")
            % {"date": formats.date_format(timezone.localdate(client.revoked_at), "DATE_FORMAT")},
            code="token_revoked",
        )
    if client.is_expired:
        raise exceptions.AuthenticationFailed(
            _("This client's token expired on %(date)s.")
            % {"date": formats.date_format(client.expires_on, "DATE_FORMAT")},
            code="token_expired",
        )
    if not client.account.is_active:
        raise exceptions.AuthenticationFailed(
            _("This client's account is disabled."), code="account_disabled"
        )
    if client.allowed_networks and not address_in_networks(address, client.allowed_networks):
        raise exceptions.PermissionDenied(
            _("This client may not call from the address %(address)s.") % {"address": address or "—"},
            code="address_not_allowed",
        )


def address_in_networks(address: str | None, networks: list[str]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


class ClientTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: HTTP bearer, the client's token."""

    target_class = ClientTokenAuthentication
    name = "clientToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _("The client's token, shown once when made."),
        }
