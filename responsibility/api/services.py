"""API clients: created, given a new token and revoked by the office, each in the security log; and
every call appended to the call log."""

import datetime
import ipaddress
import re

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.security.log import security_event_record
from accounts.security.models import SecurityEventKind
from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.api.models import ApiCall, ApiClient, Scope
from responsibility.api.permissions import ApiClientAction, api_client_user_can
from responsibility.api.tokens import token_new

MAX_VALID_DAYS = 730  # a token lives at most two years; the office renews it before then
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


def _check_may_manage(user) -> None:
    if not api_client_user_can(user=user, action=ApiClientAction.MANAGE):
        raise ApplicationError(_("Only the system administrator manages API clients."), code="forbidden")


def api_client_rules_check(*, code: str, name: str, scopes: list[str], expires_on: datetime.date) -> None:
    """What a client must be: a code of lower-case letters, digits and hyphens, a name, a scope at least,
    a validity ending after today and within two years."""
    if not _CODE.match(code):
        raise ApplicationError(
            _("The code is 2 to 40 lower-case letters, digits or hyphens, starting with a letter or digit."),
            code="code",
        )
    if not name.strip():
        raise ApplicationError(_("Give the client a name."), code="name")
    api_scopes_check(scopes)
    api_expiry_check(expires_on)


def api_scopes_check(scopes: list[str]) -> None:
    """At least one scope, and only scopes there are."""
    if not scopes or not set(scopes) <= set(Scope.values):
        raise ApplicationError(_("Choose at least one scope."), code="scopes")


def api_expiry_check(expires_on: datetime.date) -> None:
    """A token is valid after today and for at most two years."""
    today = clock.today()
    if not today < expires_on <= today + datetime.timedelta(days=MAX_VALID_DAYS):
        raise ApplicationError(
            _("The token must be valid after today and for at most %(days)s days.")
            % {"days": MAX_VALID_DAYS},
            code="expires_on",
        )


def api_networks_parse(text: str) -> list[str]:
    """Networks in CIDR form (one address allowed), separated by commas, spaces or lines; [] for none."""
    networks = []
    for item in re.split(r"[\s,，;；]+", text.strip()):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as error:
            raise ApplicationError(
                _("“%(item)s” is not an address or a network such as 10.1.2.0/24.") % {"item": item},
                code="networks",
            ) from error
    return networks


def api_client_create(
    *,
    code: str,
    name: str,
    scopes: list[str],
    expires_on: datetime.date,
    allowed_networks: list[str],
    created_by,
    request=None,
) -> tuple[ApiClient, str]:
    """A client with its own account (no password, no role until the security administrator grants one)
    and its token, returned here once and never again."""
    _check_may_manage(created_by)
    name = name.strip()
    api_client_rules_check(code=code, name=name, scopes=scopes, expires_on=expires_on)
    token = token_new()
    try:
        with transaction.atomic():
            account = get_user_model()(
                username=f"api.{code}", full_name=_("%(name)s (API client)") % {"name": name}, is_machine=True
            )
            account.set_unusable_password()
            account.save()
            client = ApiClient.objects.create(
                code=code,
                name=name,
                account=account,
                scopes=sorted(set(scopes)),
                allowed_networks=allowed_networks,
                expires_on=expires_on,
                token_prefix=token.prefix,
                token_sha256=token.secret_sha256,
                created_by=created_by,
            )
            security_event_record(
                SecurityEventKind.API_CLIENT_CREATED,
                request=request,
                actor=created_by,
                subject=account,
                client=client.code,
                scopes=client.scopes,
                expires_on=expires_on.isoformat(),
                networks=allowed_networks,
            )
    except IntegrityError as error:
        raise ApplicationError(
            _("A client or an account with this code or name already exists."), code="exists"
        ) from error
    return client, token.token


def _client_lock_unrevoked(client: ApiClient, *, expected_version: int | None) -> ApiClient:
    """The stored client, locked, as the page showed it (its version), and not revoked."""
    locked = row_lock(ApiClient, pk=client.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("client"))
    if locked.is_revoked:
        raise ApplicationError(_("This client was revoked; create a new one."), code="revoked")
    return locked


def api_token_renew(
    *, client: ApiClient, renewed_by, expires_on: datetime.date, expected_version: int | None, request=None
) -> str:
    """A new token for the client (the old one stops working at once), valid until `expires_on`."""
    _check_may_manage(renewed_by)
    api_expiry_check(expires_on)
    token = token_new()
    with transaction.atomic():
        locked = _client_lock_unrevoked(client, expected_version=expected_version)
        locked.token_prefix, locked.token_sha256, locked.expires_on = (
            token.prefix,
            token.secret_sha256,
            expires_on,
        )
        locked.version += 1
        locked.save(update_fields=["token_prefix", "token_sha256", "expires_on", "version"])
        security_event_record(
            SecurityEventKind.API_TOKEN_RENEWED,
            request=request,
            actor=renewed_by,
            subject=locked.account,
            client=locked.code,
        )
    return token.token


def api_client_scopes_change(
    *, client: ApiClient, changed_by, scopes: list[str], expected_version: int | None, request=None
) -> ApiClient:
    """The client may ask for these scopes from now on (its next call); its roles are unchanged. A webhook's
    events of a scope it no longer holds are no longer sent."""
    _check_may_manage(changed_by)
    api_scopes_check(scopes)
    scopes = [scope for scope in Scope.values if scope in scopes]  # in the order the pages list them
    with transaction.atomic():
        locked = _client_lock_unrevoked(client, expected_version=expected_version)
        if locked.scopes == scopes:
            raise ApplicationError(_("These are already the client's scopes."), code="unchanged")
        before, locked.scopes = locked.scopes, scopes
        locked.version += 1
        locked.save(update_fields=["scopes", "version"])
        security_event_record(
            SecurityEventKind.API_CLIENT_SCOPES_CHANGED,
            request=request,
            actor=changed_by,
            subject=locked.account,
            client=locked.code,
            **{"from": before, "to": scopes},
        )
    return locked


def api_client_revoke(
    *, client: ApiClient, revoked_by, reason: str, expected_version: int | None, request=None
) -> ApiClient:
    """The client's token stops working for good; the client, its account and its calls stay on record."""
    _check_may_manage(revoked_by)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Give the reason for revoking the client."), code="reason")
    with transaction.atomic():
        locked = row_lock(ApiClient, pk=client.pk)
        stale_check(record=locked, expected_version=expected_version, what=_("client"))
        if locked.is_revoked:
            raise ApplicationError(_("This client was already revoked."), code="unchanged")
        locked.revoked_at, locked.revoked_by, locked.revoke_reason = clock.now(), revoked_by, reason[:200]
        locked.version += 1
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "version"])
        security_event_record(
            SecurityEventKind.API_CLIENT_REVOKED,
            request=request,
            actor=revoked_by,
            subject=locked.account,
            client=locked.code,
            reason=locked.revoke_reason,
        )
    return locked


def api_call_record(
    *, client: ApiClient | None, token_prefix: str, method: str, path: str, status: int, duration_ms: int, ip
) -> ApiCall:
    return ApiCall.objects.create(
        client=client,
        token_prefix=token_prefix[:16],
        method=method[:8],
        path=path[:300],
        status=status,
        duration_ms=duration_ms,
        ip_address=ip,
    )
