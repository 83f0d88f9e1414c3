"""A batch print may start every letter on an odd page, for double-sided printing (issue 13, item 4)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0013_protection_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="archiveexport",
            name="duplex",
            field=models.BooleanField(default=False, verbose_name="double-sided printing"),
        ),
    ]
