"""Celery tasks: thin wrappers that call one service. Scheduled from services (on commit) or by beat."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def audit_chain_check() -> bool:
    """Nightly: recompute the audit chain; a break is logged and mailed to the administrators."""
    # Imported here: services may import this module to schedule tasks.
    from django.core.mail import mail_admins

    from responsibility.services.audit import audit_chain_verify

    broken = audit_chain_verify()
    if broken is None:
        logger.info("Audit chain intact")
        return True
    logger.error(
        "Audit chain broken at event #%s (id %s): %s", broken.sequence, broken.event_id, broken.reason
    )
    mail_admins(
        "Audit chain broken",
        f"The letter audit chain is broken at event #{broken.sequence} "
        f"(id {broken.event_id}): {broken.reason}.",
    )
    return False
