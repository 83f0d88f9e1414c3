"""Problems of every source (ADR 0015, first step): sources as data, batches (问题清单), and every
existing finding in its inspection plan's batch.

- The six sources every installation has, with their stable codes (models.ProblemSourceCode).
- One batch per inspection plan (source 监督检查, the plan's title, the day the plan was made), and each
  of the plan's findings put in it with its version step, as a service would (migration 0013's trigger
  refuses any other change of a finding on PostgreSQL; a form opened before the upgrade is refused as
  stale rather than overwriting).
- On PostgreSQL, the new tables join 0013's protection: no TRUNCATE, no DELETE, and a batch changes only
  with its version step.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import core.clock

# The sources every installation has: (code, name, order). The office may add others.
SOURCES = (
    ("democratic_life", "民主生活会", 10),
    ("inspection_tour", "巡视巡察", 20),
    ("audit", "审计", 30),
    ("assigned", "上级督办", 40),
    ("self_check", "自查", 50),
    ("supervision", "监督检查", 60),
)

PROTECTED = ("responsibility_problemsource", "responsibility_problembatch")

POSTGRES_FORWARD = "\n".join(
    [
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
        "CREATE TRIGGER responsibility_problembatch_version_step BEFORE UPDATE ON "
        "responsibility_problembatch FOR EACH ROW EXECUTE FUNCTION responsibility_version_step();",
    ]
)

POSTGRES_REVERSE = "\n".join(
    f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table};"
    for table in PROTECTED
    for suffix in ("no_truncate", "no_delete", "version_step")
)


def sources_and_plan_batches(apps, schema_editor):
    ProblemSource = apps.get_model("responsibility", "ProblemSource")
    ProblemBatch = apps.get_model("responsibility", "ProblemBatch")
    InspectionPlan = apps.get_model("responsibility", "InspectionPlan")
    Finding = apps.get_model("responsibility", "Finding")
    for code, name, order in SOURCES:
        ProblemSource.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    supervision = ProblemSource.objects.get(code="supervision")
    for plan in InspectionPlan.objects.order_by("pk").iterator():
        batch = ProblemBatch.objects.create(
            source=supervision,
            plan=plan,
            title=plan.title,
            raised_on=django.utils.timezone.localtime(plan.created_at).date(),
            created_by_id=plan.created_by_id,
            created_at=plan.created_at,
        )
        Finding.objects.filter(plan=plan).update(batch=batch, version=models.F("version") + 1)


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0021_rectification_to_verify_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProblemSource",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=32, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=40, unique=True, verbose_name="name")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
            ],
            options={
                "verbose_name": "problem source",
                "verbose_name_plural": "problem sources",
                "ordering": ["sort_order", "code"],
            },
        ),
        migrations.CreateModel(
            name="ProblemBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=100, verbose_name="title")),
                ("raised_on", models.DateField(verbose_name="raised on")),
                ("raised_by", models.CharField(blank=True, max_length=100, verbose_name="raised by")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Being rectified"), ("reconciled", "Reconciled")],
                        default="open",
                        editable=False,
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=core.clock.now, editable=False, verbose_name="created at"),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "plan",
                    models.OneToOneField(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="batch",
                        to="responsibility.inspectionplan",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="batches",
                        to="responsibility.problemsource",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "problem batch",
                "verbose_name_plural": "problem batches",
                "ordering": ["-raised_on", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="finding",
            name="batch",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="findings",
                to="responsibility.problembatch",
                verbose_name="problem list",
            ),
        ),
        migrations.AddConstraint(
            model_name="problembatch",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "reconciled"])), name="problembatch_status_valid"
            ),
        ),
        migrations.RunPython(sources_and_plan_batches, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="finding",
            name="batch",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="findings",
                to="responsibility.problembatch",
                verbose_name="problem list",
            ),
        ),
        migrations.RunPython(protect, unprotect),
    ]
