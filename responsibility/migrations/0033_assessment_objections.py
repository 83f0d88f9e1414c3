"""Objections (异议) to published assessment results, and, on PostgreSQL, their protection: never deleted
or truncated, changed only with their version step, and an answered objection never changes again.
"""

import core.clock
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


POSTGRES_FORWARD = r"""
CREATE FUNCTION responsibility_objection_answered_final() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'objection % is answered: the answer is final', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER responsibility_objection_answered_final BEFORE UPDATE ON responsibility_objection
    FOR EACH ROW EXECUTE FUNCTION responsibility_objection_answered_final();
CREATE TRIGGER responsibility_objection_no_delete BEFORE DELETE ON responsibility_objection
    FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_delete();
CREATE TRIGGER responsibility_objection_version_step BEFORE UPDATE ON responsibility_objection
    FOR EACH ROW EXECUTE FUNCTION responsibility_version_step();
CREATE TRIGGER responsibility_objection_no_truncate BEFORE TRUNCATE ON responsibility_objection
    FOR EACH STATEMENT EXECUTE FUNCTION responsibility_refuse_truncate();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS responsibility_objection_answered_final ON responsibility_objection;
DROP TRIGGER IF EXISTS responsibility_objection_no_delete ON responsibility_objection;
DROP TRIGGER IF EXISTS responsibility_objection_version_step ON responsibility_objection;
DROP TRIGGER IF EXISTS responsibility_objection_no_truncate ON responsibility_objection;
DROP FUNCTION IF EXISTS responsibility_objection_answered_final();
"""

PROTECTED = ("responsibility_objection",)


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0032_assessment_rounds"),
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
                ],
                max_length=24,
                verbose_name="action",
            ),
        ),
        migrations.CreateModel(
            name="Objection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(max_length=2000, verbose_name="objection")),
                (
                    "lodged_at",
                    models.DateTimeField(default=core.clock.now, editable=False, verbose_name="lodged at"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting an answer"),
                            ("upheld", "Upheld"),
                            ("rejected", "Not upheld"),
                        ],
                        default="pending",
                        editable=False,
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("reply", models.TextField(blank=True, max_length=2000, verbose_name="answer")),
                (
                    "corrected_answer",
                    models.DecimalField(
                        decimal_places=2, max_digits=8, null=True, verbose_name="corrected answer"
                    ),
                ),
                (
                    "corrected_points",
                    models.DecimalField(
                        decimal_places=2, max_digits=6, null=True, verbose_name="corrected points"
                    ),
                ),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="answered at"),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lodged_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "score",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="objection",
                        to="responsibility.itemscore",
                    ),
                ),
                (
                    "unit_assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="objections",
                        to="responsibility.unitassessment",
                    ),
                ),
            ],
            options={
                "verbose_name": "objection",
                "verbose_name_plural": "objections",
                "ordering": ["unit_assessment", "lodged_at", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "upheld", "rejected"])),
                        name="objection_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("answered_at__isnull", True),
                                ("answered_by__isnull", True),
                                ("corrected_points__isnull", True),
                                ("status", "pending"),
                            ),
                            models.Q(
                                ("answered_at__isnull", False),
                                ("answered_by__isnull", False),
                                ("corrected_points__isnull", False),
                                ("status", "upheld"),
                            ),
                            models.Q(
                                ("answered_at__isnull", False),
                                ("answered_by__isnull", False),
                                ("corrected_points__isnull", True),
                                ("status", "rejected"),
                            ),
                            _connector="OR",
                        ),
                        name="objection_answer_matches_status",
                    ),
                ],
            },
        ),
        migrations.RunPython(protect, unprotect),
    ]
