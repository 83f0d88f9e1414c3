"""回头看 (ADR 0015 decision 7): re-checks of closed problems and what each found, append-only like the
spot-check draws (on PostgreSQL: no UPDATE, no DELETE, no TRUNCATE), and the count of a rectification's
reopenings by a re-check.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PROTECTED = ("responsibility_recheck", "responsibility_recheckresult")

POSTGRES_FORWARD = "\n".join(
    [
        *(
            f"CREATE TRIGGER {table}_permanent BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_change();"
            for table in PROTECTED
        ),
        *(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION responsibility_refuse_truncate();"
            for table in PROTECTED
        ),
    ]
)

POSTGRES_REVERSE = "\n".join(
    f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table};"
    for table in PROTECTED
    for suffix in ("permanent", "no_truncate")
)


def refuse_reverse(apps, schema_editor):
    """A re-check's draw is in the inspection chain: dropping it would leave events about nothing."""
    if apps.get_model("responsibility", "Recheck").objects.exists():
        raise RuntimeError("Re-checks are in the inspection audit chain; this migration cannot be reversed.")


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0025_event_batches"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="rectification",
            name="times_reopened",
            field=models.PositiveSmallIntegerField(
                default=0, editable=False, verbose_name="times reopened by a re-check"
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
        migrations.CreateModel(
            name="Recheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(unique=True, verbose_name="number")),
                ("title", models.CharField(max_length=100, verbose_name="title")),
                ("algorithm", models.CharField(max_length=32, verbose_name="algorithm")),
                ("scope", models.JSONField(verbose_name="drawn from")),
                ("requested", models.PositiveIntegerField(verbose_name="how many")),
                ("public_value", models.CharField(max_length=64, verbose_name="public value")),
                ("drawn_at", models.DateTimeField(verbose_name="drawn at")),
                ("seed", models.CharField(max_length=64, verbose_name="seed")),
                ("population", models.JSONField(verbose_name="closed problems")),
                ("result", models.JSONField(verbose_name="result")),
                ("result_hash", models.CharField(max_length=64, verbose_name="record SHA-256")),
                (
                    "drawn_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "re-check",
                "verbose_name_plural": "re-checks",
                "ordering": ["-number"],
            },
        ),
        migrations.CreateModel(
            name="RecheckResult",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("confirmed", "Rectified as reported"),
                            ("inadequate", "Not rectified enough"),
                            ("false", "False rectification"),
                        ],
                        max_length=12,
                        verbose_name="outcome",
                    ),
                ),
                ("reason", models.TextField(blank=True, max_length=1000, verbose_name="reason")),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                (
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recheck_results",
                        to="responsibility.finding",
                    ),
                ),
                (
                    "recheck",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="results",
                        to="responsibility.recheck",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "re-check result",
                "verbose_name_plural": "re-check results",
                "ordering": ["recheck", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("recheck", "finding"), name="recheckresult_once_per_problem"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("outcome__in", ["confirmed", "inadequate", "false"])),
                        name="recheckresult_outcome_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("outcome", "confirmed"), models.Q(("reason", ""), _negated=True), _connector="OR"
                        ),
                        name="recheckresult_reopening_has_reason",
                    ),
                ],
            },
        ),
        migrations.RunPython(protect, unprotect, elidable=False),
        # Last: reversed first, while the re-checks still exist.
        migrations.RunPython(migrations.RunPython.noop, refuse_reverse, elidable=False),
    ]
