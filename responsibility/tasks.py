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
    """Nightly: recompute both audit chains; a break is logged and mailed to the administrators."""
    # Imported here: services may import this module to schedule tasks.
    from django.core.mail import mail_admins

    from responsibility.letters.audit import audit_chain_verify
    from responsibility.supervision.audit import inspection_chain_verify

    intact = True
    for name, verify in (("letter", audit_chain_verify), ("inspection", inspection_chain_verify)):
        broken = verify()
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
