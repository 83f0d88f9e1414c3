"""一岗双责 gets its own audit chain, and tasks are withdrawn instead of deleted.

DutyEvent (table responsibility_dutyevent) and DutyAuditHead (responsibility_dutyaudithead) are the duty
audit chain (duties.audit); the chain's head row is created after migrate (core.audit.audit_heads_ensure).
A DutyTask gets withdrawn_at, withdrawn_by and withdrawal_reason, set together or not at all.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0011_event_payloads"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DutyAuditHead",
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
                "verbose_name": "duty audit chain head",
            },
        ),
        migrations.CreateModel(
            name="DutyEvent",
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
                "verbose_name": "duty event",
                "verbose_name_plural": "duty events",
                "ordering": ["sequence"],
            },
        ),
        migrations.AddField(
            model_name="dutytask",
            name="withdrawal_reason",
            field=models.TextField(
                blank=True, editable=False, max_length=1000, verbose_name="reason withdrawn"
            ),
        ),
        migrations.AddField(
            model_name="dutytask",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="withdrawn at"),
        ),
        migrations.AddField(
            model_name="dutytask",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="withdrawn by",
            ),
        ),
        migrations.AddConstraint(
            model_name="dutytask",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("withdrawal_reason", ""),
                        ("withdrawn_at__isnull", True),
                        ("withdrawn_by__isnull", True),
                    ),
                    models.Q(
                        ("withdrawn_at__isnull", False),
                        ("withdrawn_by__isnull", False),
                        models.Q(("withdrawal_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="dutytask_withdrawal_complete",
            ),
        ),
        migrations.AddField(
            model_name="dutyevent",
            name="actor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="dutyevent",
            name="assignment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="responsibility.dutyassignment",
            ),
        ),
        migrations.AddIndex(
            model_name="dutyevent",
            index=models.Index(fields=["assignment", "sequence"], name="dutyevent_assignment_idx"),
        ),
    ]
