"""Rectification measures (整改措施, ADR 0015 decision 4): a problem's rectification is carried out as one or
more measures, each with its owner, deadline, report and evidence.

- Each existing rectification becomes a problem with one measure: its requirement, owner and deadline;
  reported (with the owner's report and time) when the rectification is past open. One chained
  `measure_added` event per measure says it was carried from the rectification's terms, so no measure
  exists that the inspection chain does not know. Its actor is whoever set those terms: the person who
  recorded the finding.
- Evidence files may belong to a measure; on PostgreSQL the evidence guard of migration 0013 covers the
  new column, and measures join 0013's protection (no TRUNCATE, no DELETE, a change only with its version
  step).
"""

import datetime
import hashlib
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.clock

BATCH_SIZE = 2000
GENESIS_HASH = "0" * 64

# The evidence guard of migration 0013, with the new owner column among the ones that never change.
EVIDENCE_GUARD = """
CREATE OR REPLACE FUNCTION responsibility_evidencefile_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'DELETE on % is refused: evidence files are never removed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.id, NEW.file, NEW.original_name, NEW.content_type, NEW.size, NEW.sha256, NEW.check_result_id,
        NEW.finding_id, NEW.rectification_id, NEW.{measure}performance_record_id, NEW.uploaded_by_id,
        NEW.uploaded_at)
       IS DISTINCT FROM
       (OLD.id, OLD.file, OLD.original_name, OLD.content_type, OLD.size, OLD.sha256, OLD.check_result_id,
        OLD.finding_id, OLD.rectification_id, OLD.{measure_old}performance_record_id, OLD.uploaded_by_id,
        OLD.uploaded_at)
    THEN
        RAISE EXCEPTION 'evidence file % cannot change: what was uploaded is permanent', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""

PROTECTED = ("responsibility_measure",)

POSTGRES_FORWARD = "\n".join(
    [
        EVIDENCE_GUARD.format(measure="measure_id, NEW.", measure_old="measure_id, OLD."),
        *(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION responsibility_refuse_truncate();"
            for table in PROTECTED
        ),
        *(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_delete();"
            for table in PROTECTED
        ),
        *(
            f"CREATE TRIGGER {table}_version_step BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION responsibility_version_step();"
            for table in PROTECTED
        ),
    ]
)

POSTGRES_REVERSE = "\n".join(
    [
        EVIDENCE_GUARD.format(measure="", measure_old=""),
        *(
            f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table};"
            for table in PROTECTED
            for suffix in ("no_truncate", "no_delete", "version_step")
        ),
    ]
)


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


def _digest(fields: dict) -> str:
    """core.audit's format-2 digest as it was written (frozen here: a migration does not follow the code)."""
    encoded = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def measures_from_rectifications(apps, schema_editor):
    """One measure per rectification, and its chained event, appended in finding order under the head's
    lock (the inspection chain's format 2, as supervision.audit hashes it)."""
    Rectification = apps.get_model("responsibility", "Rectification")
    Measure = apps.get_model("responsibility", "Measure")
    InspectionEvent = apps.get_model("responsibility", "InspectionEvent")
    InspectionAuditHead = apps.get_model("responsibility", "InspectionAuditHead")
    if not Rectification.objects.exists():
        return
    head = InspectionAuditHead.objects.select_for_update().get(pk=1)
    sequence, previous = head.last_sequence, head.last_hash
    now = datetime.datetime.now(datetime.UTC)
    rectifications = Rectification.objects.select_related("finding", "owner").order_by("finding_id")
    last_finding = 0
    while True:
        chunk = list(rectifications.filter(finding_id__gt=last_finding)[:BATCH_SIZE])
        if not chunk:
            break
        last_finding = chunk[-1].finding_id
        measures, events = [], []
        for rectification in chunk:
            finding = rectification.finding
            reported = rectification.status != "open"
            measures.append(
                Measure(
                    finding_id=finding.pk,
                    number=1,
                    action=rectification.requirement,
                    owner_id=rectification.owner_id,
                    deadline=rectification.deadline,
                    status="reported" if reported else "open",
                    report=rectification.measures[:2000] if reported else "",
                    reported_at=(rectification.submitted_at or now) if reported else None,
                    reported_by_id=(rectification.submitted_by_id or rectification.owner_id)
                    if reported
                    else None,
                    created_by_id=finding.created_by_id,
                    created_at=rectification.created_at,
                )
            )
            sequence += 1
            payload = {
                "measure": 1,
                "action": rectification.requirement,
                "owner": {
                    "id": rectification.owner_id,
                    "name": rectification.owner.full_name or rectification.owner.username,
                },
                "deadline": rectification.deadline.isoformat(),
                "status": "reported" if reported else "open",
                "carried_from_rectification": True,
            }
            fields = {
                "sequence": sequence,
                "plan": finding.plan_id,
                "subject": f"finding:{finding.pk}",
                "kind": "measure_added",
                "from": "",
                "to": "",
                "actor": finding.created_by_id,
                "note": "",
                "digest": "",
                "at": now.isoformat(timespec="microseconds"),
                "previous": previous,
            }
            previous = _digest({**fields, "format": 2, "payload": payload})
            events.append(
                InspectionEvent(
                    sequence=sequence,
                    plan_id=finding.plan_id,
                    subject=fields["subject"],
                    kind="measure_added",
                    actor_id=finding.created_by_id,
                    payload=payload,
                    chain_format=2,
                    created_at=now,
                    previous_hash=fields["previous"],
                    hash=previous,
                )
            )
        Measure.objects.bulk_create(measures)
        InspectionEvent.objects.bulk_create(events)
    head.last_sequence, head.last_hash = sequence, previous
    head.save(update_fields=["last_sequence", "last_hash"])


def refuse_reverse(apps, schema_editor):
    """The measures' events are in the chain: removing the measures would leave events about nothing."""
    InspectionEvent = apps.get_model("responsibility", "InspectionEvent")
    if InspectionEvent.objects.filter(
        kind__in=("measure_added", "measure_updated", "measure_reported")
    ).exists():
        raise RuntimeError(
            "Measures are in the inspection audit chain; this migration cannot be reversed once they exist."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0022_problem_batches"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Measure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField(verbose_name="number")),
                ("action", models.TextField(max_length=2000, verbose_name="measure")),
                ("deadline", models.DateField(verbose_name="deadline")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Being carried out"), ("reported", "Reported done")],
                        default="open",
                        editable=False,
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "report",
                    models.TextField(
                        blank=True, editable=False, max_length=2000, verbose_name="what was done"
                    ),
                ),
                (
                    "reported_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="reported at"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=core.clock.now, editable=False, verbose_name="created at"),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                "verbose_name": "rectification measure",
                "verbose_name_plural": "rectification measures",
                "ordering": ["finding", "number"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="evidencefile",
            name="evidencefile_one_owner",
        ),
        migrations.AlterField(
            model_name="inspectionevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("plan_created", "Plan created"),
                    ("plan_updated", "Plan changed"),
                    ("plan_closed", "Plan closed"),
                    ("drawn", "Units drawn"),
                    ("redrawn", "Units drawn again"),
                    ("result_recorded", "Result recorded"),
                    ("inspection_completed", "Inspection completed"),
                    ("finding_recorded", "Finding recorded"),
                    ("finding_updated", "Finding changed"),
                    ("evidence_added", "Evidence added"),
                    ("measure_added", "Measure added"),
                    ("measure_updated", "Measure changed"),
                    ("measure_reported", "Measure reported done"),
                    ("submitted", "Rectification submitted"),
                    ("sent_back", "Sent back for more work"),
                    ("verified", "Rectification verified"),
                    ("closed", "Ticked off the ledger"),
                ],
                max_length=24,
                verbose_name="action",
            ),
        ),
        migrations.AddField(
            model_name="measure",
            name="created_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="measure",
            name="finding",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="measures",
                to="responsibility.finding",
            ),
        ),
        migrations.AddField(
            model_name="measure",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="measures",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.AddField(
            model_name="measure",
            name="reported_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="evidencefile",
            name="measure",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evidence",
                to="responsibility.measure",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidencefile",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("check_result__isnull", False),
                        ("finding__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("check_result__isnull", True),
                        ("finding__isnull", False),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", False),
                    ),
                    models.Q(
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("measure__isnull", False),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", False),
                        ("rectification__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="evidencefile_one_owner",
            ),
        ),
        migrations.AddIndex(
            model_name="measure",
            index=models.Index(fields=["owner", "status"], name="measure_owner_idx"),
        ),
        migrations.AddConstraint(
            model_name="measure",
            constraint=models.UniqueConstraint(fields=("finding", "number"), name="measure_number_unique"),
        ),
        migrations.AddConstraint(
            model_name="measure",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "reported"])), name="measure_status_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="measure",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "open"), ("reported_at__isnull", False), _connector="OR"),
                name="measure_reported_has_time",
            ),
        ),
        migrations.RunPython(measures_from_rectifications, refuse_reverse, elidable=False),
        migrations.RunPython(protect, unprotect, elidable=False),
    ]
