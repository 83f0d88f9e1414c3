"""Assessment rounds (考核): rounds, each unit's assessment and item scores, the assessment audit chain, and
evidence files that belong to an item's self-assessment. On PostgreSQL the database itself holds them:

- assessment events are append-only, the chain's head moves only forward, and TRUNCATE is refused on
  every new table;
- rounds, unit assessments and item scores are never deleted and change only with their version step
  (the services' optimistic lock), so no row changes silently;
- once the Party Group approved a round, nothing of it changes: the round, its units and their scores;
- an evidence file's owner columns, the new one included, never change (0013's guard, with item_score).
"""

import core.clock
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLES = (
    "responsibility_assessmentround",
    "responsibility_unitassessment",
    "responsibility_itemscore",
)
# Every table of a round's record: TRUNCATE is refused on all of them.
PROTECTED = (*TABLES, "responsibility_assessmentevent", "responsibility_assessmentaudithead")

POSTGRES_FORWARD = (
    r"""
CREATE OR REPLACE FUNCTION responsibility_evidencefile_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'DELETE on % is refused: evidence files are never removed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.id, NEW.file, NEW.original_name, NEW.content_type, NEW.size, NEW.sha256, NEW.check_result_id,
        NEW.finding_id, NEW.rectification_id, NEW.measure_id, NEW.batch_id, NEW.performance_record_id,
        NEW.item_score_id, NEW.uploaded_by_id, NEW.uploaded_at)
       IS DISTINCT FROM
       (OLD.id, OLD.file, OLD.original_name, OLD.content_type, OLD.size, OLD.sha256, OLD.check_result_id,
        OLD.finding_id, OLD.rectification_id, OLD.measure_id, OLD.batch_id, OLD.performance_record_id,
        OLD.item_score_id, OLD.uploaded_by_id, OLD.uploaded_at)
    THEN
        RAISE EXCEPTION 'evidence file % cannot change: what was uploaded is permanent', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION responsibility_assessment_approved_frozen() RETURNS trigger AS $$
DECLARE
    approved boolean;
BEGIN
    IF TG_TABLE_NAME = 'responsibility_assessmentround' THEN
        approved := OLD.status = 'approved';
    ELSIF TG_TABLE_NAME = 'responsibility_unitassessment' THEN
        approved := EXISTS (SELECT 1 FROM responsibility_assessmentround
                            WHERE id = OLD.round_id AND status = 'approved');
    ELSE
        approved := EXISTS (SELECT 1 FROM responsibility_unitassessment u
                            JOIN responsibility_assessmentround r ON r.id = u.round_id
                            WHERE u.id = OLD.unit_assessment_id AND r.status = 'approved');
    END IF;
    IF approved THEN
        RAISE EXCEPTION '% row % belongs to an approved assessment round: it never changes', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER responsibility_assessmentevent_permanent BEFORE UPDATE OR DELETE ON responsibility_assessmentevent
    FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_change();
CREATE TRIGGER responsibility_assessmentaudithead_forward_only
    BEFORE UPDATE OR DELETE ON responsibility_assessmentaudithead
    FOR EACH ROW EXECUTE FUNCTION responsibility_chain_head_guard();
"""
    + "".join(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION responsibility_refuse_truncate();\n"
        for table in PROTECTED
    )
    + "".join(
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_delete();\n"
        f"CREATE TRIGGER {table}_version_step BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION responsibility_version_step();\n"
        f"CREATE TRIGGER {table}_approved_frozen BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION responsibility_assessment_approved_frozen();\n"
        for table in TABLES
    )
)

POSTGRES_REVERSE = (
    "".join(
        f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table};\n"
        for table in TABLES
        for suffix in ("no_truncate", "no_delete", "version_step", "approved_frozen")
    )
    + r"""
DROP TRIGGER IF EXISTS responsibility_assessmentevent_no_truncate ON responsibility_assessmentevent;
DROP TRIGGER IF EXISTS responsibility_assessmentaudithead_no_truncate ON responsibility_assessmentaudithead;
DROP TRIGGER IF EXISTS responsibility_assessmentevent_permanent ON responsibility_assessmentevent;
DROP TRIGGER IF EXISTS responsibility_assessmentaudithead_forward_only ON responsibility_assessmentaudithead;
DROP FUNCTION IF EXISTS responsibility_assessment_approved_frozen();
CREATE OR REPLACE FUNCTION responsibility_evidencefile_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'DELETE on % is refused: evidence files are never removed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.id, NEW.file, NEW.original_name, NEW.content_type, NEW.size, NEW.sha256, NEW.check_result_id,
        NEW.finding_id, NEW.rectification_id, NEW.measure_id, NEW.batch_id, NEW.performance_record_id,
        NEW.uploaded_by_id, NEW.uploaded_at)
       IS DISTINCT FROM
       (OLD.id, OLD.file, OLD.original_name, OLD.content_type, OLD.size, OLD.sha256, OLD.check_result_id,
        OLD.finding_id, OLD.rectification_id, OLD.measure_id, OLD.batch_id, OLD.performance_record_id,
        OLD.uploaded_by_id, OLD.uploaded_at)
    THEN
        RAISE EXCEPTION 'evidence file % cannot change: what was uploaded is permanent', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""
)


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_anchor_reason_document"),
        ("responsibility", "0031_assessment_schemes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AssessmentAuditHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_sequence", models.PositiveBigIntegerField(default=0)),
                ("last_hash", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "assessment audit chain head",
            },
        ),
        migrations.CreateModel(
            name="AssessmentEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(unique=True)),
                ("subject", models.CharField(max_length=40, verbose_name="about")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("round_opened", "Assessment opened"),
                            ("indicators_counted", "Indicators counted"),
                            ("item_self_assessed", "Item self-assessed"),
                            ("evidence_added", "Evidence added"),
                            ("submitted", "Self-assessment submitted"),
                            ("item_reviewed", "Approved score set"),
                            ("review_completed", "Review completed"),
                            ("round_approved", "Results approved"),
                        ],
                        max_length=24,
                        verbose_name="action",
                    ),
                ),
                ("from_status", models.CharField(blank=True, max_length=16, verbose_name="from")),
                ("to_status", models.CharField(blank=True, max_length=16, verbose_name="to")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("payload", models.JSONField(default=dict, editable=False, verbose_name="details")),
                (
                    "chain_format",
                    models.PositiveSmallIntegerField(default=2, editable=False, verbose_name="chain format"),
                ),
                ("digest", models.CharField(blank=True, max_length=64, verbose_name="SHA-256")),
                ("created_at", models.DateTimeField(verbose_name="time")),
                ("previous_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64, unique=True)),
            ],
            options={
                "verbose_name": "assessment event",
                "verbose_name_plural": "assessment events",
                "ordering": ["sequence"],
            },
        ),
        migrations.CreateModel(
            name="AssessmentRound",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(2000),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                        verbose_name="year",
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("deadline", models.DateField(verbose_name="self-assessment deadline")),
                (
                    "objection_days",
                    models.PositiveSmallIntegerField(
                        default=5,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(30),
                        ],
                        verbose_name="days for objections",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("approved", "Results approved")],
                        default="open",
                        editable=False,
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "opened_at",
                    models.DateTimeField(default=core.clock.now, editable=False, verbose_name="opened at"),
                ),
                (
                    "counted_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="indicators counted at"
                    ),
                ),
                (
                    "approved_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="approved at"),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                "verbose_name": "assessment round",
                "verbose_name_plural": "assessment rounds",
                "ordering": ["-year", "-opened_at"],
                "permissions": [
                    ("review_assessmentround", "Can set approved scores in assessment rounds"),
                    ("approve_assessmentround", "Can approve the results of assessment rounds"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ItemScore",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "self_answer",
                    models.DecimalField(
                        decimal_places=2, max_digits=8, null=True, verbose_name="self-assessed answer"
                    ),
                ),
                (
                    "self_points",
                    models.DecimalField(
                        decimal_places=2, max_digits=6, null=True, verbose_name="self-assessed points"
                    ),
                ),
                ("explanation", models.TextField(blank=True, max_length=2000, verbose_name="explanation")),
                ("self_at", models.DateTimeField(blank=True, null=True, verbose_name="answered at")),
                ("counted", models.JSONField(blank=True, default=dict, verbose_name="counted")),
                (
                    "approved_answer",
                    models.DecimalField(
                        decimal_places=2, max_digits=8, null=True, verbose_name="approved answer"
                    ),
                ),
                (
                    "approved_points",
                    models.DecimalField(
                        decimal_places=2, max_digits=6, null=True, verbose_name="approved points"
                    ),
                ),
                ("reason", models.TextField(blank=True, max_length=2000, verbose_name="reason")),
                ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="reviewed at")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                "verbose_name": "item score",
                "verbose_name_plural": "item scores",
                "ordering": ["unit_assessment", "item__area__number", "item__order"],
            },
        ),
        migrations.CreateModel(
            name="UnitAssessment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("not_started", "Not started"),
                            ("drafting", "Self-assessing"),
                            ("submitted", "Submitted for review"),
                            ("reviewed", "Reviewed"),
                        ],
                        default="not_started",
                        editable=False,
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "self_points",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=7, verbose_name="self-assessed points"
                    ),
                ),
                (
                    "approved_points",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=7, null=True, verbose_name="approved points"
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="submitted at"),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="reviewed at"),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                "verbose_name": "unit assessment",
                "verbose_name_plural": "unit assessments",
                "ordering": ["round", "unit__sort_order", "unit__code"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="evidencefile",
            name="evidencefile_one_owner",
        ),
        migrations.AddField(
            model_name="assessmentevent",
            name="actor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="assessmentround",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="assessmentround",
            name="opened_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="assessmentround",
            name="scheme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rounds",
                to="responsibility.assessmentscheme",
                verbose_name="scheme",
            ),
        ),
        migrations.AddField(
            model_name="assessmentevent",
            name="round",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="responsibility.assessmentround",
            ),
        ),
        migrations.AddField(
            model_name="itemscore",
            name="item",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="responsibility.schemeitem",
                verbose_name="item",
            ),
        ),
        migrations.AddField(
            model_name="itemscore",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="itemscore",
            name="self_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="evidencefile",
            name="item_score",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evidence",
                to="responsibility.itemscore",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidencefile",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", False),
                        ("finding__isnull", True),
                        ("item_score__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", True),
                        ("finding__isnull", False),
                        ("item_score__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("item_score__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", False),
                    ),
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("item_score__isnull", True),
                        ("measure__isnull", False),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("batch__isnull", False),
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("item_score__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("item_score__isnull", True),
                        ("measure__isnull", True),
                        ("performance_record__isnull", False),
                        ("rectification__isnull", True),
                    ),
                    models.Q(
                        ("batch__isnull", True),
                        ("check_result__isnull", True),
                        ("finding__isnull", True),
                        ("item_score__isnull", False),
                        ("measure__isnull", True),
                        ("performance_record__isnull", True),
                        ("rectification__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="evidencefile_one_owner",
            ),
        ),
        migrations.AddField(
            model_name="unitassessment",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="unitassessment",
            name="round",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="units",
                to="responsibility.assessmentround",
            ),
        ),
        migrations.AddField(
            model_name="unitassessment",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="unitassessment",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.orgunit",
                verbose_name="unit",
            ),
        ),
        migrations.AddField(
            model_name="itemscore",
            name="unit_assessment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scores",
                to="responsibility.unitassessment",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessmentround",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "approved"])), name="assessmentround_status_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="assessmentround",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("approved_at__isnull", True), ("approved_by__isnull", True), ("status", "open")
                    ),
                    models.Q(
                        ("approved_at__isnull", False), ("approved_by__isnull", False), ("status", "approved")
                    ),
                    _connector="OR",
                ),
                name="assessmentround_approved_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessmentround",
            constraint=models.CheckConstraint(
                condition=models.Q(("objection_days__gte", 1), ("objection_days__lte", 30)),
                name="assessmentround_objection_days",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessmentround",
            constraint=models.UniqueConstraint(
                fields=("scheme", "year"), name="assessmentround_scheme_year_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="assessmentevent",
            index=models.Index(fields=["round", "sequence"], name="assessmentevent_round_idx"),
        ),
        migrations.AddIndex(
            model_name="assessmentevent",
            index=models.Index(fields=["subject", "sequence"], name="assessmentevent_subject_idx"),
        ),
        migrations.AddConstraint(
            model_name="unitassessment",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["not_started", "drafting", "submitted", "reviewed"])),
                name="unitassessment_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="unitassessment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "reviewed"), _negated=True),
                    models.Q(
                        ("approved_points__isnull", False),
                        ("reviewed_at__isnull", False),
                        ("reviewed_by__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="unitassessment_reviewed_has_points",
            ),
        ),
        migrations.AddConstraint(
            model_name="unitassessment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("submitted_at__isnull", True), ("submitted_by__isnull", True)),
                    models.Q(("submitted_at__isnull", False), ("submitted_by__isnull", False)),
                    _connector="OR",
                ),
                name="unitassessment_submitted_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="unitassessment",
            constraint=models.UniqueConstraint(fields=("round", "unit"), name="unitassessment_one_per_unit"),
        ),
        migrations.AddConstraint(
            model_name="itemscore",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("self_answer__isnull", True), ("self_points__isnull", True)),
                    models.Q(("self_answer__isnull", False), ("self_points__isnull", False)),
                    _connector="OR",
                ),
                name="itemscore_answer_has_points",
            ),
        ),
        migrations.AddConstraint(
            model_name="itemscore",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("approved_points__isnull", True),
                        ("reviewed_at__isnull", True),
                        ("reviewed_by__isnull", True),
                    ),
                    models.Q(
                        ("approved_points__isnull", False),
                        ("reviewed_at__isnull", False),
                        ("reviewed_by__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="itemscore_review_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="itemscore",
            constraint=models.UniqueConstraint(
                fields=("unit_assessment", "item"), name="itemscore_one_per_item"
            ),
        ),
        migrations.AddField(
            model_name="assessmentround",
            name="grade_bands",
            field=models.JSONField(default=list, editable=False, verbose_name="grades"),
        ),
        migrations.RunPython(protect, unprotect),
    ]
