"""A problem list's 整改情况报告 becomes a sealed document: RectificationReportDocument, one row per issued
version, and the inspection chain's `report_issued` event kind.

A row is written once, when the report has been rendered, sealed and stored, and never changed or deleted
(core.appendonly in the application). On PostgreSQL the database refuses the same, as 0015 does for the
year-end duty report: UPDATE and DELETE row by row (responsibility_refuse_change, migration 0002) and
TRUNCATE by a statement trigger (responsibility_refuse_truncate, migration 0013).
"""

import core.clock
import core.verification
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


TABLE = "responsibility_rectificationreportdocument"

POSTGRES_FORWARD = f"""
CREATE TRIGGER {TABLE}_permanent BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_change();
CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION responsibility_refuse_truncate();
"""

POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_permanent ON {TABLE};
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_anchor_reason_document"),
        ("responsibility", "0028_reconciliation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
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
                    ("batch_reconciled", "Problem list reconciled"),
                    ("report_issued", "Rectification report issued"),
                    ("carried_over", "Carried over"),
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
            name="RectificationReportDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(verbose_name="version")),
                (
                    "verification_code",
                    models.CharField(
                        default=core.verification.verification_code_new,
                        editable=False,
                        max_length=19,
                        unique=True,
                        verbose_name="verification code",
                    ),
                ),
                (
                    "sha256",
                    models.CharField(editable=False, max_length=64, unique=True, verbose_name="PDF SHA-256"),
                ),
                ("size", models.PositiveIntegerField(editable=False, verbose_name="size in bytes")),
                (
                    "content_sha256",
                    models.CharField(editable=False, max_length=64, verbose_name="content SHA-256"),
                ),
                (
                    "issued_at",
                    models.DateTimeField(
                        default=core.clock.now, editable=False, verbose_name="report issued at"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        editable=False, upload_to="rectification-reports/%Y/", verbose_name="PDF file"
                    ),
                ),
                (
                    "anchor",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.chainanchor",
                        verbose_name="chain anchor",
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="responsibility.problembatch",
                        verbose_name="problem list",
                    ),
                ),
                (
                    "issued_by",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="report issued by",
                    ),
                ),
            ],
            options={
                "verbose_name": "sealed rectification report",
                "verbose_name_plural": "sealed rectification reports",
                "ordering": ["batch", "-version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("batch", "version"), name="rectificationreport_one_per_version"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("version__gte", 1)), name="rectificationreport_version_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("file", ""), _negated=True), models.Q(("sha256", ""), _negated=True)
                        ),
                        name="rectificationreport_has_file",
                    ),
                ],
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
