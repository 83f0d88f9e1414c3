"""Problems of every source (ADR 0015 decisions 1 and 3): a problem need not come from an inspection.

- A finding's plan and inspection become optional: set together for an inspection's findings, neither for
  a list of another source (a check constraint says so). A number is unique within its list (a plan's
  numbering already was: each plan has exactly one list), and the ledger reads a unit's problems by list.
- A list has its year (年度): each plan's list takes the plan's year, with its version step as a service
  would (migration 0013's trigger refuses any other change of a list on PostgreSQL).
- A list's documents (the feedback, the meeting's list of problems) are evidence files; on PostgreSQL the
  evidence guard of migration 0013 covers the new owner column.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The evidence guard of migration 0013, with every owner column among the ones that never change.
EVIDENCE_GUARD = """
CREATE OR REPLACE FUNCTION responsibility_evidencefile_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'DELETE on % is refused: evidence files are never removed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.id, NEW.file, NEW.original_name, NEW.content_type, NEW.size, NEW.sha256, NEW.check_result_id,
        NEW.finding_id, NEW.rectification_id, NEW.measure_id, {batch}NEW.performance_record_id,
        NEW.uploaded_by_id, NEW.uploaded_at)
       IS DISTINCT FROM
       (OLD.id, OLD.file, OLD.original_name, OLD.content_type, OLD.size, OLD.sha256, OLD.check_result_id,
        OLD.finding_id, OLD.rectification_id, OLD.measure_id, {batch_old}OLD.performance_record_id,
        OLD.uploaded_by_id, OLD.uploaded_at)
    THEN
        RAISE EXCEPTION 'evidence file % cannot change: what was uploaded is permanent', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""


def plan_years(apps, schema_editor):
    """Every list so far is a plan's: it takes the plan's year."""
    ProblemBatch = apps.get_model("responsibility", "ProblemBatch")
    for batch in ProblemBatch.objects.select_related("plan").order_by("pk").iterator():
        ProblemBatch.objects.filter(pk=batch.pk).update(year=batch.plan.year, version=models.F("version") + 1)


def refuse_reverse(apps, schema_editor):
    """A problem of another source has no plan: going back would have nowhere to put it."""
    if apps.get_model("responsibility", "Finding").objects.filter(plan__isnull=True).exists():
        raise RuntimeError("Problems of other sources exist; this migration cannot be reversed.")


def guard_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            EVIDENCE_GUARD.format(batch="NEW.batch_id, ", batch_old="OLD.batch_id, "), params=None
        )


def guard_reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EVIDENCE_GUARD.format(batch="", batch_old=""), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_anchor_reason_document"),
        ("responsibility", "0026_rechecks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, refuse_reverse),
        migrations.AlterModelOptions(
            name="finding",
            options={
                "ordering": ["batch", "number"],
                "verbose_name": "finding",
                "verbose_name_plural": "findings",
            },
        ),
        migrations.RemoveConstraint(
            model_name="evidencefile",
            name="evidencefile_one_owner",
        ),
        migrations.RemoveConstraint(
            model_name="finding",
            name="finding_number_unique",
        ),
        migrations.RemoveIndex(
            model_name="finding",
            name="finding_unit_plan_idx",
        ),
        migrations.AddField(
            model_name="evidencefile",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="documents",
                to="responsibility.problembatch",
            ),
        ),
        migrations.AddField(
            model_name="problembatch",
            name="year",
            field=models.PositiveSmallIntegerField(default=2026, verbose_name="year"),
            preserve_default=False,
        ),
        migrations.RunPython(plan_years, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="finding",
            name="inspection",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="findings",
                to="responsibility.inspection",
            ),
        ),
        migrations.AlterField(
            model_name="finding",
            name="plan",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="findings",
                to="responsibility.inspectionplan",
            ),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["unit", "batch"], name="finding_unit_batch_idx"),
        ),
        migrations.AddConstraint(
            model_name="evidencefile",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", False),
                        ("finding__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", True),
                        ("finding__isnull", False),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", False),
                    ),
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("measure__isnull", False),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("batch__isnull", False),
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("batch__isnull", True),
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
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.UniqueConstraint(
                fields=("batch", "number"), name="finding_number_in_batch_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("check_result__isnull", True), ("inspection__isnull", True), ("plan__isnull", True)
                    ),
                    models.Q(("inspection__isnull", False), ("plan__isnull", False)),
                    _connector="OR",
                ),
                name="finding_inspection_with_plan",
            ),
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
                    ("batch_opened", "Problem list opened"),
                    ("batch_updated", "Problem list changed"),
                    ("finding_recorded", "Finding recorded"),
                    ("finding_updated", "Finding changed"),
                    ("evidence_added", "Evidence added"),
                    ("measure_added", "Measure added"),
                    ("measure_updated", "Measure changed"),
                    ("measure_reported", "Measure reported done"),
                    ("recheck_drawn", "Closed problems drawn for a re-check"),
                    ("rechecked", "Re-checked"),
                    ("submitted", "Rectification submitted"),
                    ("sent_back", "Sent back for more work"),
                    ("verified", "Rectification verified"),
                    ("closed", "Ticked off the ledger"),
                ],
                max_length=24,
                verbose_name="action",
            ),
        ),
        migrations.AddConstraint(
            model_name="problembatch",
            constraint=models.UniqueConstraint(
                fields=("source", "year", "title"), name="problembatch_title_unique"
            ),
        ),
        migrations.RunPython(guard_forward, guard_reverse),
    ]
