"""Celery's entry point for the app: the tasks that span subdomains, and every subdomain's tasks module.

Tasks are thin wrappers that call one service, scheduled from services (on commit) or by beat. Each
subdomain keeps its own (`letters.tasks`, `reminders.tasks`); importing them here registers them with
the worker, which looks for `responsibility.tasks`.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready

from responsibility.assessment import tasks as assessment_tasks
from responsibility.letters import tasks as letters_tasks
from responsibility.reminders import tasks as reminders_tasks
from responsibility.webhooks import tasks as webhooks_tasks

logger = logging.getLogger(__name__)

__all__ = ["assessment_tasks", "letters_tasks", "reminders_tasks", "webhooks_tasks"]


@worker_ready.connect
def pdf_fast_path_warn(**kwargs) -> None:
    """The worker renders the PDFs: say loudly at start-up if it would take the slow path."""
    from core.pdf.fonts import pdf_fonts_check

    for warning in pdf_fonts_check():
        logger.warning("%s: %s %s", warning.id, warning.msg, warning.hint or "")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def audit_chains_anchor() -> int:
    """Daily: anchor every audit chain (timestamped, mailed to the audit administrators)."""
    from accounts.anchors.models import AnchorReason
    from accounts.anchors.services import chains_anchor

    return chains_anchor(reason=AnchorReason.SCHEDULED).number


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def audit_chain_check() -> bool:
    """Nightly: recompute every audit chain against its anchors and run the content checks; anything
    changed is logged and mailed to the administrators."""
    # Imported here: services may import this module to schedule tasks.
    from django.core.mail import mail_admins

    from accounts.anchors.verify import Severity, integrity_report

    report = integrity_report()
    for finding in report.findings:
        log = logger.error if finding.severity == Severity.BROKEN else logger.warning
        log("Integrity check: %s", finding)
    if report.intact:
        logger.info("Every audit chain and stored content is intact (%d anchors)", report.anchors)
        return True
    broken = [str(finding) for finding in report.findings if finding.severity == Severity.BROKEN]
    mail_admins("Integrity check failed", "\n".join(broken))
    return False


@shared_task
def stuck_work_requeue() -> dict[str, int]:
    """Every minute: queue again the work whose task message was lost (core.requeue)."""
    from core.requeue import stuck_work_requeue as requeue

    return requeue()


@shared_task
def database_statistics_refresh() -> bool:
    """Every hour: the query planner's statistics on SQLite (core.dbstats); nothing on PostgreSQL."""
    from core.dbstats import database_statistics_refresh as refresh

    return refresh()


@shared_task
def ledger_counts_refresh() -> int:
    """Just after midnight: the whole ledger's counts of the new day (supervision.ledger_counts), so that
    the first reader of the day finds them kept. Returns the findings counted."""
    from core import clock
    from responsibility.supervision.ledger_counts import whole_ledger_counts

    return whole_ledger_counts(today=clock.today()).summary().total
