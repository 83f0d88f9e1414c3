"""Audit events get a structured payload and a chain format (core.audit).

Every event already stored is format 1: it hashes as it did, so every stored chain still verifies.
Events written from now on are format 2, whose hash also covers the payload. Adding columns is not
an UPDATE of rows, so the refusing triggers of 0002 and 0007 (which refuse every UPDATE and DELETE of
an event, whatever the column) allow it, and guard the two new columns as they guard the others.

Going back drops the payloads, which the hashes of format-2 events cover: it is refused once such an
event exists, rather than leaving chains that no longer verify.
"""

from django.db import migrations, models


def _refuse_to_drop_payloads(apps, schema_editor):
    for model in ("LetterEvent", "InspectionEvent"):
        if apps.get_model("responsibility", model).objects.filter(chain_format__gt=1).exists():
            raise RuntimeError(
                f"{model} rows of chain format 2 exist: their hashes cover the payload this would drop"
            )


def _payload():
    return models.JSONField(default=dict, editable=False, verbose_name="details")


def _chain_format(default: int):
    return models.PositiveSmallIntegerField(default=default, editable=False, verbose_name="chain format")


class Migration(migrations.Migration):
    dependencies = [("responsibility", "0010_clock_defaults")]

    operations = [
        migrations.AddField(model_name="letterevent", name="payload", field=_payload()),
        migrations.AddField(model_name="letterevent", name="chain_format", field=_chain_format(1)),
        migrations.AlterField(model_name="letterevent", name="chain_format", field=_chain_format(2)),
        migrations.AddField(model_name="inspectionevent", name="payload", field=_payload()),
        migrations.AddField(model_name="inspectionevent", name="chain_format", field=_chain_format(1)),
        migrations.AlterField(model_name="inspectionevent", name="chain_format", field=_chain_format(2)),
        migrations.RunPython(migrations.RunPython.noop, _refuse_to_drop_payloads),
    ]
