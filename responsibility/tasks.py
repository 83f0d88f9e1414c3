"""Celery's entry point for the app: the tasks that span subdomains, and every subdomain's tasks module.

Tasks are thin wrappers that call one service, scheduled from services (on commit) or by beat. Each
subdomain keeps its own (`letters.tasks`, `reminders.tasks`); importing them here registers them with
the worker, which looks for `responsibility.tasks`.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready

from responsibility.letters import tasks as letters_tasks
from responsibility.reminders import tasks as reminders_tasks

logger = logging.getLogger(__name__)

__all__ = ["letters_tasks", "reminders_tasks"]


@worker_ready.connect
def pdf_fast_path_warn(**kwargs) -> None:
    """The worker renders the PDFs: say loudly at start-up if it would take the slow path."""
    from core.pdf.fonts import pdf_fonts_check

    for warning in pdf_fonts_check():
        logger.warning("%s: %s %s", warning.id, warning.msg, warning.hint or "")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def audit_chain_check() -> bool:
    """Nightly: recompute every audit chain (letters, supervision, the security log); a break is logged
    and mailed to the administrators."""
    # Imported here: services may import this module to schedule tasks.
    from django.core.mail import mail_admins

    from core.audit import AUDIT_CHAINS, chain_verify

    intact = True
    for name, chain in AUDIT_CHAINS.items():
        broken = chain_verify(chain)
        if broken is None:
            logger.info("The %s audit chain is intact", name)
            continue
        intact = False
        logger.error(
            "The %s audit chain is broken at event #%s (id %s): %s",
            name,
            broken.sequence,
            broken.event_id,
            broken.reason,
        )
        mail_admins(
            "Audit chain broken",
            f"The {name} audit chain is broken at event #{broken.sequence} "
            f"(id {broken.event_id}): {broken.reason}.",
        )
    return intact
