"""对账销号 (ADR 0015 decision 6): a problem list is reconciled once every problem is ticked off or carried
over (结转) with a reason and a new deadline; who reconciled it and when, and each rectification's carrying
over. Columns added with their defaults only: no row changes, so 0013's version-step triggers see none.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0027_problems_of_every_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="problembatch",
            name="reconciled_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="reconciled at"),
        ),
        migrations.AddField(
            model_name="problembatch",
            name="reconciled_by",
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
            model_name="rectification",
            name="carried_over_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="carried over at"),
        ),
        migrations.AddField(
            model_name="rectification",
            name="carried_over_reason",
            field=models.TextField(
                blank=True, editable=False, max_length=1000, verbose_name="reason carried over"
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
                    ("batch_reconciled", "Problem list reconciled"),
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
        migrations.AddConstraint(
            model_name="problembatch",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "reconciled"), _negated=True),
                    ("reconciled_at__isnull", False),
                    _connector="OR",
                ),
                name="problembatch_reconciled_has_time",
            ),
        ),
    ]
