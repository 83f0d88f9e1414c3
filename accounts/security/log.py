"""The security log's chain: what a `SecurityEvent` hashes, how one is recorded, and how it reads.

Payloads by kind (a person is ``{"id", "name"}`` as they were):

- login_succeeded: ``{"backend": "password" | "ldap" | "oidc" | …}``; login_failed: ``{}`` or
  ``{"reason"}`` (the name as typed is the event's username); locked_out: ``{"minutes"}`` (how long);
  session_expired: ``{"minutes"}`` (idle for); lock_lifted: ``{"attempts"}`` (failures forgotten);
- role_granted, role_removed: ``{"role"}``; email_changed: ``{"from", "to"}``;
- reset_started: ``{"method": "link" | "code"}``; reset_requested, reset_code_used, reset_completed: ``{}``;
- second-factor events: ``{"device": "totp" | "recovery"}`` where it applies;
- admin_action: ``{"model", "object_id", "object", "action": "added" | "changed" | "deleted",
  "message"}`` (Django admin's log entry);
- refused: ``{"action", "reason"}`` (an administrator tried what the rules forbid);
- api_client_created: ``{"client", "scopes", "expires_on", "networks"}``; api_token_renewed:
  ``{"client"}``; api_client_revoked: ``{"client", "reason"}`` (the subject is the client's account).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy

from accounts.security.models import SecurityAuditHead, SecurityEvent, SecurityEventKind
from core.audit import (
    AuditChain,
    ChainBreak,
    audit_chain_register,
    chain_append,
    chain_verify,
    event_time,
)
from core.http import client_ip, client_user_agent


def _security_event_fields(event: SecurityEvent) -> dict:
    return {
        "sequence": event.sequence,
        "kind": event.kind,
        "actor": event.actor_id,
        "subject": event.subject_id,
        "username": event.username,
        "ip": event.ip_address,
        "user_agent": event.user_agent,
        "at": event_time(event),
        "previous": event.previous_hash,
    }


SECURITY_CHAIN = audit_chain_register(
    AuditChain(
        "security",
        SecurityEvent,
        SecurityAuditHead,
        _security_event_fields,
        label=gettext_lazy("The security log"),
    )
)


def person(user) -> dict | None:
    """A person as a payload names them: id and name as they were."""
    return None if user is None else {"id": user.pk, "name": str(user)}


def security_event_record(
    kind: SecurityEventKind,
    *,
    request=None,
    actor=None,
    subject=None,
    username: str = "",
    **payload,
) -> SecurityEvent:
    """Append one event to the security log (in the caller's transaction, or its own).

    `actor` defaults to the signed-in user of `request`; `username` to the subject's.
    """
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if subject is not None and not username:
        username = subject.get_username()
    event = SecurityEvent(
        kind=kind,
        actor=actor,
        subject=subject,
        username=username[:150],
        ip_address=client_ip(request) if request is not None else None,
        user_agent=client_user_agent(request) if request is not None else "",
        payload=payload,
    )
    with transaction.atomic():
        chain_append(SECURITY_CHAIN, [event])
    return event


def security_chain_verify() -> ChainBreak | None:
    return chain_verify(SECURITY_CHAIN)


def security_event_details(event: SecurityEvent) -> str:
    """The event's facts as a short line for the log page and its export."""
    from django.utils.translation import gettext as _

    from accounts.roles import ROLE_LABELS, Role

    data = event.payload or {}
    if "role" in data and data["role"] in Role._value2member_map_:
        return str(ROLE_LABELS[Role(data["role"])])
    if event.kind == SecurityEventKind.LOGIN_SUCCEEDED:
        return {
            "password": _("password"),
            "ldap": _("directory (LDAP)"),
            "oidc": _("unified identity platform (OpenID Connect)"),
            "one_time_code": _("one-time code"),
        }.get(data.get("backend", ""), data.get("backend", ""))
    if event.kind == SecurityEventKind.RESET_STARTED:
        return _("link sent by email") if data.get("method") == "link" else _("one-time code handed over")
    if event.kind == SecurityEventKind.EMAIL_CHANGED:
        return f"{data.get('from') or '—'} → {data.get('to') or '—'}"
    if event.kind == SecurityEventKind.LOCKED_OUT:
        return _("for %(minutes)s minutes") % {"minutes": data.get("minutes", "?")}
    if event.kind == SecurityEventKind.ADMIN_ACTION:
        parts = (
            data.get("action", ""),
            data.get("model", ""),
            f"“{data.get('object', '')}”",
            data.get("message", ""),
        )
        return " ".join(part for part in parts if part)
    if event.kind == SecurityEventKind.REFUSED:
        return str(data.get("reason", ""))
    if event.kind == SecurityEventKind.API_CLIENT_CREATED:
        return _("%(count)s scopes, valid until %(date)s") % {
            "count": len(data.get("scopes", [])),
            "date": data.get("expires_on", "?"),
        }
    if event.kind == SecurityEventKind.API_CLIENT_REVOKED:
        return str(data.get("reason", ""))
    if event.kind == SecurityEventKind.API_CLIENT_SCOPES_CHANGED:
        return f"{'、'.join(data.get('from', [])) or '—'} → {'、'.join(data.get('to', [])) or '—'}"
    return ""
