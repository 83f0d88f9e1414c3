"""The year-end duty report becomes a sealed document: DutyReportDocument, one row per issued version.

A row is written once, when the report has been rendered, sealed and stored, and never changed or deleted
(core.appendonly in the application). On PostgreSQL the database refuses the same, as 0013 does for the
other evidence tables: UPDATE and DELETE row by row (responsibility_refuse_change, migration 0002) and
TRUNCATE by a statement trigger (responsibility_refuse_truncate, migration 0013). The duty audit chain gets
its `report_issued` event kind.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.clock
import core.verification

TABLE = "responsibility_dutyreportdocument"

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
        ("accounts", "0005_chain_anchors"),
        ("responsibility", "0014_archive_export_duplex"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="dutyevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("assignment_generated", "Assignment generated"),
                    ("assignment_updated", "Assignment changed"),
                    ("assignment_confirmed", "Assignment confirmed"),
                    ("task_created", "Task added"),
                    ("task_withdrawn", "Task withdrawn"),
                    ("record_created", "Performance record kept"),
                    ("evidence_added", "Evidence added"),
                    ("record_accepted", "Performance record accepted"),
                    ("record_returned", "Performance record returned"),
                    ("handed_over", "Post handed over"),
                    ("report_issued", "Year-end report issued"),
                ],
                max_length=24,
                verbose_name="action",
            ),
        ),
        migrations.CreateModel(
            name="DutyReportDocument",
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
                    "file",
                    models.FileField(editable=False, upload_to="duty-reports/%Y/", verbose_name="PDF file"),
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
                    "assignment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="report_documents",
                        to="responsibility.dutyassignment",
                        verbose_name="assignment",
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
                "verbose_name": "sealed year-end report",
                "verbose_name_plural": "sealed year-end reports",
                "ordering": ["assignment", "-version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("assignment", "version"), name="dutyreportdocument_one_per_version"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("version__gte", 1)), name="dutyreportdocument_version_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("file", ""), _negated=True), models.Q(("sha256", ""), _negated=True)
                        ),
                        name="dutyreportdocument_has_file",
                    ),
                ],
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
