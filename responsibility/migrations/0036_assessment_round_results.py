"""A round's sealed 考核结果通报: AssessmentRoundResultDocument, one row per issued version, and the
assessment chain's `round_result_issued` event kind. A row is written once and never changed or deleted;
on PostgreSQL the database refuses the same (as 0034 for a unit's result).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.clock
import core.verification

TABLE = "responsibility_assessmentroundresultdocument"
PROTECTED = (TABLE,)

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
        ("responsibility", "0035_assessment_counts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessmentevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("round_opened", "Assessment opened"),
                    ("indicators_counted", "Indicators counted"),
                    ("item_self_assessed", "Item self-assessed"),
                    ("evidence_added", "Evidence added"),
                    ("submitted", "Self-assessment submitted"),
                    ("item_reviewed", "Approved score set"),
                    ("review_completed", "Review completed"),
                    ("round_approved", "Results approved"),
                    ("objection_lodged", "Objection lodged"),
                    ("objection_answered", "Objection answered"),
                    ("result_issued", "Sealed result issued"),
                    ("round_result_issued", "Sealed results of the round issued"),
                ],
                max_length=24,
                verbose_name="action",
            ),
        ),
        migrations.CreateModel(
            name="AssessmentRoundResultDocument",
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
                        editable=False, upload_to="assessment-round-results/%Y/", verbose_name="PDF file"
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
                    "issued_by",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="report issued by",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="result_documents",
                        to="responsibility.assessmentround",
                        verbose_name="assessment round",
                    ),
                ),
            ],
            options={
                "verbose_name": "sealed results of a round",
                "verbose_name_plural": "sealed results of rounds",
                "ordering": ["round", "-version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("round", "version"), name="assessmentroundresultdocument_one_per_version"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("version__gte", 1)),
                        name="assessmentroundresultdocument_version_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("file", ""), _negated=True), models.Q(("sha256", ""), _negated=True)
                        ),
                        name="assessmentroundresultdocument_has_file",
                    ),
                ],
            },
        ),
        migrations.RunPython(forward, reverse),
    ]
