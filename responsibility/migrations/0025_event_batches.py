"""Inspection events name the problem list (问题清单) of the finding they are about, and hash it: chain
format 3 (ADR 0015 decision 5). Events already written keep their format and verify as they are; a plan's
own steps have no problem list, and the steps of a problem list of another source have no plan.

On PostgreSQL the events stay append-only (migration 0013's triggers): adding a column that every
existing row leaves empty updates no row. Reversing is refused once an event names a problem list: its
hash covers the column the reversal would drop (an event that names none hashes "batch": null, which
the column added again still gives).
"""

import django.db.models.deletion
from django.db import migrations, models


def refuse_reverse(apps, schema_editor):
    InspectionEvent = apps.get_model("responsibility", "InspectionEvent")
    if InspectionEvent.objects.filter(batch__isnull=False).exists():
        raise RuntimeError(
            "Inspection events name their problem lists in their hashes; this migration cannot be reversed."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0024_measure_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="inspectionevent",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="responsibility.problembatch",
            ),
        ),
        migrations.AlterField(
            model_name="inspectionevent",
            name="chain_format",
            field=models.PositiveSmallIntegerField(default=3, editable=False, verbose_name="chain format"),
        ),
        migrations.AlterField(
            model_name="inspectionevent",
            name="plan",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="responsibility.inspectionplan",
            ),
        ),
        # Last: reversed first, while the events still have the column.
        migrations.RunPython(migrations.RunPython.noop, refuse_reverse, elidable=False),
    ]
