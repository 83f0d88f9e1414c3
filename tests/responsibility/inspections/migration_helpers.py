"""Migrating the app back and forward in a test, and writing rows as an earlier version of the app did.

Rows written by today's services carry what later migrations added (events that name their problem
list, measures), which those migrations refuse to drop; a test of a data migration therefore goes back
first, on the fixtures' plan, draw and inspection, and writes the rows it migrates with the models of
that point in history."""

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def migrate_to(target: tuple[str, str] | None):
    """Migrate to `target` (None: the latest); returns the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = [target] if target else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def finding_written_before(
    apps, *, inspection, recorded_by, owner, submitted: bool = False, number: int = 1, **extra
):
    """A finding and its rectification as the app wrote them before (`extra`: columns of that time)."""
    Finding = apps.get_model("responsibility", "Finding")
    Rectification = apps.get_model("responsibility", "Rectification")
    finding = Finding.objects.create(
        plan_id=inspection.plan_id,
        inspection_id=inspection.pk,
        number=number,
        unit_id=inspection.unit_id,
        responsible_id=owner.pk,
        category="principal",
        severity="moderate",
        title="党组会议未专题研究党风廉政建设",
        description="2026年上半年未召开专题会议。",
        created_by_id=recorded_by.pk,
        **extra,
    )
    now = timezone.now()
    Rectification.objects.create(
        finding=finding,
        owner_id=owner.pk,
        requirement="召开专题会议研究部署，形成会议纪要。",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        status="submitted" if submitted else "open",
        measures="已召开专题会议。" if submitted else "",
        submitted_at=now if submitted else None,
        submitted_by_id=owner.pk if submitted else None,
    )
    return finding
