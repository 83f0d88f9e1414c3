"""A reminder kind of its own for the deadlines of rectification measures (整改措施): each open measure of a
rectification carried out as several reminds its owner (supervision.reminder_sources.MeasureDueSource)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0023_measures"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reminder",
            name="reminder_kind_valid",
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("letter_unsigned", "Letter awaiting signature"),
                    ("letter_awaiting_countersign", "Letters awaiting countersignature"),
                    ("daily_digest", "Daily digest"),
                    ("rectification_due", "Rectification deadline"),
                    ("measure_due", "Rectification measure deadline"),
                    ("duty_task_due", "Duty task due"),
                    ("letter_sealed", "Countersigned letter with its sealed PDF"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="reminder",
            name="kind",
            field=models.CharField(
                choices=[
                    ("letter_unsigned", "Letter awaiting signature"),
                    ("letter_awaiting_countersign", "Letters awaiting countersignature"),
                    ("daily_digest", "Daily digest"),
                    ("rectification_due", "Rectification deadline"),
                    ("measure_due", "Rectification measure deadline"),
                    ("duty_task_due", "Duty task due"),
                    ("letter_sealed", "Countersigned letter with its sealed PDF"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "letter_unsigned",
                            "letter_awaiting_countersign",
                            "daily_digest",
                            "rectification_due",
                            "measure_due",
                            "duty_task_due",
                            "letter_sealed",
                        ],
                    )
                ),
                name="reminder_kind_valid",
            ),
        ),
    ]
