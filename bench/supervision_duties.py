"""The supervision benchmark's 一岗双责 tasks: duty tasks on every assignment, their periods, and the
performance records (and evidence rows) of the periods already done."""

import datetime
import hashlib

from bench.supervision_organisation import INSPECTORS, World, spread

# The duty tasks of every assignment: (title, recurrence, times a year, due (month, day) when once).
TASKS_SMALL = [
    ("专题研究党风廉政建设工作", "quarterly", None, None),
    ("年度述责述廉", "yearly", None, None),
]
TASKS_BIG_EXTRA = [
    ("开展廉政谈话", "times_a_year", 12, None),
    ("检查分管领域廉政风险防控", "times_a_year", 12, None),
    ("督促分管科室落实整改", "times_a_year", 12, None),
    ("讲授廉政党课或专题学习", "times_a_year", 6, None),
    ("听取分管单位党风廉政建设汇报", "half_yearly", None, None),
    ("签订分管领域责任书", "once", None, (6, 30)),
]


def add_tasks(world: World, specs: list) -> None:
    """Duty tasks of every assignment, one occurrence per period (as duty_task_create); the periods due
    before today are done in 85 % of cases, each with its performance record (a quarter awaiting review,
    the rest accepted) and, for half the records, an evidence file row."""
    from django.db import transaction

    from responsibility.duties.models import DutyTask, PerformanceRecord, ReviewStatus, TaskOccurrence
    from responsibility.duties.recurrence import periods_of
    from responsibility.evidence.models import EvidenceFile

    today, year = world.today, world.today.year
    with transaction.atomic():
        tasks = []
        for assignment in world.assignments:
            clause = world.clauses.get(assignment.post_id, {}).get("dual_duty")
            for s, (title, recurrence, times, due) in enumerate(specs):
                tasks.append(
                    DutyTask(
                        assignment=assignment,
                        title=title,
                        description=f"按要求{title}，并留存会议记录、谈话记录等佐证材料。",
                        recurrence=recurrence,
                        times_a_year=times,
                        due_date=datetime.date(year, *due) if due else None,
                        clause=clause if s % 2 == 0 else None,
                        sort_order=10 * world.task_sets + s,
                    )
                )
        DutyTask.objects.bulk_create(tasks, batch_size=2000)
        world.task_sets += 1

        occurrences, done = [], []
        for task in tasks:
            leader_id = task.assignment.leader_id
            for period in periods_of(
                recurrence=task.recurrence, year=year, times_a_year=task.times_a_year, due_date=task.due_date
            ):
                occurrence = TaskOccurrence(
                    task=task,
                    sequence=period.sequence,
                    period_start=period.start,
                    due_date=period.due,
                    responsible_id=leader_id,
                )
                n = task.pk * 100 + period.sequence
                if period.due < today and spread(n, 100) < 85:
                    performed = max(period.due - datetime.timedelta(days=1 + spread(n, 5)), period.start)
                    occurrence.done_at = world.at(performed, 17)
                    done.append((occurrence, performed, n))
                occurrences.append(occurrence)
        TaskOccurrence.objects.bulk_create(occurrences, batch_size=5000)

        records = []
        for occurrence, performed, n in done:
            pending = spread(n, 4) == 0
            records.append(
                PerformanceRecord(
                    occurrence=occurrence,
                    performed_on=performed,
                    summary=f"{occurrence.task.title}：召开专题会议，传达学习上级精神，研究部署分管领域工作。",
                    participants="分管科室负责同志",
                    recorded_by_id=occurrence.responsible_id,
                    recorded_at=occurrence.done_at,
                    review_status=ReviewStatus.PENDING if pending else ReviewStatus.ACCEPTED,
                    reviewed_by=None if pending else world.inspectors[spread(n, INSPECTORS)],
                    reviewed_at=None if pending else occurrence.done_at + datetime.timedelta(days=2),
                )
            )
        PerformanceRecord.objects.bulk_create(records, batch_size=5000)
        EvidenceFile.objects.bulk_create(
            (
                EvidenceFile(
                    file=f"evidence/{year}/bench/{record.pk}.pdf",
                    original_name="会议记录.pdf",
                    content_type="application/pdf",
                    size=120_000,
                    sha256=hashlib.sha256(str(record.pk).encode()).hexdigest(),
                    performance_record=record,
                    uploaded_by_id=record.recorded_by_id,
                    uploaded_at=record.recorded_at,
                )
                for record in records
                if record.pk % 2 == 0
            ),
            batch_size=5000,
        )
