"""Integrity talks (廉政谈话): their kinds as data (the four every organ holds), the talks, the reminders of
planned talks and of records to confirm, and the performance record a confirmed talk keeps for its duty
task period. On PostgreSQL the database itself holds a talk:

- it is never deleted (nor TRUNCATEd) and changes only with its version step (the services' optimistic
  lock), so no row changes silently;
- once confirmed or cancelled, it never changes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.clock

KINDS = (
    ("任职廉政谈话", "新任职领导干部的廉政谈话"),
    ("日常廉政谈话", "对分管单位负责同志的经常性廉政谈话"),
    ("提醒谈话", "发现苗头性、倾向性问题时的提醒谈话"),
    ("约谈", "对党风廉政建设责任落实不力的约谈"),
)

POSTGRES_FORWARD = r"""
CREATE FUNCTION responsibility_talk_settled_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN ('confirmed', 'cancelled') THEN
        RAISE EXCEPTION 'talk % is %: it never changes', OLD.id, OLD.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER responsibility_talk_no_truncate BEFORE TRUNCATE ON responsibility_talk
    FOR EACH STATEMENT EXECUTE FUNCTION responsibility_refuse_truncate();
CREATE TRIGGER responsibility_talk_no_delete BEFORE DELETE ON responsibility_talk
    FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_delete();
CREATE TRIGGER responsibility_talk_version_step BEFORE UPDATE ON responsibility_talk
    FOR EACH ROW EXECUTE FUNCTION responsibility_version_step();
CREATE TRIGGER responsibility_talk_settled_frozen BEFORE UPDATE ON responsibility_talk
    FOR EACH ROW EXECUTE FUNCTION responsibility_talk_settled_frozen();
"""
POSTGRES_REVERSE = r"""
DROP TRIGGER IF EXISTS responsibility_talk_settled_frozen ON responsibility_talk;
DROP TRIGGER IF EXISTS responsibility_talk_version_step ON responsibility_talk;
DROP TRIGGER IF EXISTS responsibility_talk_no_delete ON responsibility_talk;
DROP TRIGGER IF EXISTS responsibility_talk_no_truncate ON responsibility_talk;
DROP FUNCTION IF EXISTS responsibility_talk_settled_frozen();
"""


def kinds_create(apps, schema_editor):
    TalkKind = apps.get_model("responsibility", "TalkKind")
    for order, (name, description) in enumerate(KINDS, start=1):
        TalkKind.objects.get_or_create(name=name, defaults={"description": description, "sort_order": order})


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("responsibility", "0037_schemeitem_indicator_of_a_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Talk",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("planned_on", models.DateField(verbose_name="planned date")),
                ("purpose", models.CharField(blank=True, max_length=500, verbose_name="purpose")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("recorded", "Awaiting confirmation"),
                            ("confirmed", "Confirmed"),
                            ("disputed", "Disagreement recorded"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        editable=False,
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "held_on",
                    models.DateField(blank=True, editable=False, null=True, verbose_name="date held"),
                ),
                ("place", models.CharField(blank=True, editable=False, max_length=100, verbose_name="place")),
                (
                    "points",
                    models.TextField(
                        blank=True, editable=False, max_length=4000, verbose_name="points raised"
                    ),
                ),
                (
                    "commitments",
                    models.TextField(
                        blank=True, editable=False, max_length=4000, verbose_name="commitments made"
                    ),
                ),
                (
                    "recorded_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="recorded at"),
                ),
                (
                    "answer_due",
                    models.DateField(blank=True, editable=False, null=True, verbose_name="answer due"),
                ),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="answered at"),
                ),
                (
                    "disagreement",
                    models.TextField(
                        blank=True, editable=False, max_length=2000, verbose_name="disagreement"
                    ),
                ),
                (
                    "reauthenticated_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="identity confirmed at"
                    ),
                ),
                (
                    "ip_address",
                    models.GenericIPAddressField(
                        blank=True, editable=False, null=True, verbose_name="IP address"
                    ),
                ),
                (
                    "user_agent",
                    models.CharField(blank=True, editable=False, max_length=300, verbose_name="browser"),
                ),
                (
                    "cancel_reason",
                    models.CharField(
                        blank=True, editable=False, max_length=500, verbose_name="reason cancelled"
                    ),
                ),
                ("created_at", models.DateTimeField(default=core.clock.now, verbose_name="created at")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                "verbose_name": "integrity talk",
                "verbose_name_plural": "integrity talks",
                "ordering": ["-planned_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="TalkKind",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40, unique=True, verbose_name="name")),
                ("description", models.CharField(blank=True, max_length=200, verbose_name="description")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="sort order")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "kind of talk",
                "verbose_name_plural": "kinds of talk",
                "ordering": ["sort_order", "pk"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="reminder",
            name="reminder_kind_valid",
        ),
        migrations.AlterField(
            model_name="dutyevent",
            name="kind",
            field=models.CharField(
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
                    ("report_issued", "Year-end report issued"),
                    ("talk_planned", "Talk planned"),
                    ("talk_recorded", "Talk recorded"),
                    ("talk_confirmed", "Talk record confirmed"),
                    ("talk_disputed", "Disagreement with a talk record"),
                    ("talk_cancelled", "Talk cancelled"),
                ],
                max_length=24,
                verbose_name="action",
            ),
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
                    ("talk_planned", "Planned integrity talk"),
                    ("talk_to_answer", "Talk record to confirm"),
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
                    ("talk_planned", "Planned integrity talk"),
                    ("talk_to_answer", "Talk record to confirm"),
                    ("letter_sealed", "Countersigned letter with its sealed PDF"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AddIndex(
            model_name="dutyevent",
            index=models.Index(fields=["subject", "sequence"], name="dutyevent_subject_idx"),
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
                            "talk_planned",
                            "talk_to_answer",
                            "letter_sealed",
                        ],
                    )
                ),
                name="reminder_kind_valid",
            ),
        ),
        migrations.AddField(
            model_name="talk",
            name="created_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="talk",
            name="occurrence",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="talks",
                to="responsibility.taskoccurrence",
                verbose_name="duty task period",
            ),
        ),
        migrations.AddField(
            model_name="talk",
            name="talked_to",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="talks_received",
                to=settings.AUTH_USER_MODEL,
                verbose_name="person talked to",
            ),
        ),
        migrations.AddField(
            model_name="talk",
            name="talker",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="talks_held",
                to=settings.AUTH_USER_MODEL,
                verbose_name="talker",
            ),
        ),
        migrations.AddField(
            model_name="performancerecord",
            name="talk",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="performance_record",
                to="responsibility.talk",
                verbose_name="integrity talk",
            ),
        ),
        migrations.AddField(
            model_name="talk",
            name="kind",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="talks",
                to="responsibility.talkkind",
                verbose_name="kind",
            ),
        ),
        migrations.AddIndex(
            model_name="talk",
            index=models.Index(fields=["talker", "-planned_on"], name="talk_talker_idx"),
        ),
        migrations.AddIndex(
            model_name="talk",
            index=models.Index(fields=["talked_to", "status"], name="talk_talked_to_idx"),
        ),
        migrations.AddConstraint(
            model_name="talk",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["planned", "recorded", "confirmed", "disputed", "cancelled"])
                ),
                name="talk_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="talk",
            constraint=models.CheckConstraint(
                condition=models.Q(("talker", models.F("talked_to")), _negated=True),
                name="talk_not_with_oneself",
            ),
        ),
        migrations.AddConstraint(
            model_name="talk",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["planned", "cancelled"]),
                    models.Q(
                        ("held_on__isnull", False),
                        ("recorded_at__isnull", False),
                        models.Q(("points", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="talk_recorded_has_record",
            ),
        ),
        migrations.AddConstraint(
            model_name="talk",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["confirmed", "disputed"]), _negated=True),
                    models.Q(("answered_at__isnull", False), ("reauthenticated_at__isnull", False)),
                    _connector="OR",
                ),
                name="talk_answered_has_answer",
            ),
        ),
        migrations.RunPython(kinds_create, migrations.RunPython.noop),
        migrations.RunPython(protect, unprotect),
    ]
