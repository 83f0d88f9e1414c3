"""The demo's 一岗双责, built by `demo_duties_create`: this year's assignments of every leading post,
the office's adjustments, the leaders' confirmations, and performance records with evidence, accepted,
awaiting review and returned."""

import datetime
import functools
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import OrgUnit, Post, PostKind, User
from core import clock
from responsibility.demo.duties_scenario import (
    BRIEFING_TASK,
    BRIEFING_TASK_DUE_IN_DAYS,
    DUTIES_GENERATED_DAYS_AGO,
    DUTIES_MEETING_DAYS_AGO,
    DUTY_BUSINESS,
    DUTY_CONFIRMED,
    DUTY_EARLY,
    DUTY_INTEGRITY,
    DUTY_LATEST_MISSED,
    DUTY_MEETING_EVIDENCE,
    DUTY_MEETING_MINUTES,
    DUTY_MEETING_MISSED,
    DUTY_MEETING_PENDING,
    DUTY_OFFICE,
    DUTY_OVERSEES,
    DUTY_RESUBMITTED,
    DUTY_RETURNED,
    DUTY_SILENT,
    DUTY_TASK_TEMPLATES,
    HALVES,
    MEETING_TASK,
    MEETING_TASK_DAYS_AFTER_MEETING,
    QUARTERS,
)
from responsibility.demo.evidence import DemoEvidence, chinese_date, demo_uploads
from responsibility.demo.supervision import SUPERVISION_TEAM
from responsibility.duties.models import (
    DutyAssignment,
    DutyTaskTemplate,
    PerformanceRecord,
    Recurrence,
    TaskOccurrence,
)
from responsibility.duties.services.assignments import (
    AssignmentInput,
    RecordInput,
    TaskInput,
    duty_assignment_confirm,
    duty_assignment_update,
    duty_assignments_generate,
    duty_task_create,
    performance_record_create,
    performance_record_review,
)

P = PostKind

# The day after the work-style meeting the office generates this year's assignments for every leading
# post (the Party Group, the unit heads and the deputies: 17), with the common tasks of the year,
# rewrites each one's duties in its own words, and adds two tasks of the moment: passing the meeting on
# to the units overseen (due a week after the meeting) and, for the Party Group, hearing the inspection
# team's report on its round of checks (due in five days). Most leaders confirm their assignment; then
# they record what they did (履责纪实), periods already past entered afterwards (补录) with the date
# they did it, and the inspection team accepts or returns the records. Every step runs through the
# services, by the person who would do it, at a moment of the last three weeks, in time order.
#
# The periods fall due on fixed days (month ends; the annual report on 20 December), so what is
# overdue depends on the day the demo is loaded. The states are there on any day but two:
# - on 1 January nothing can be overdue yet (nothing of the year was due before today): the meeting
#   task is due that day (clamped into the year), so its open periods show as due soon instead;
# - from 24 December nothing is "not yet due": every period of the year falls due within seven days.


@dataclass
class DemoDuties:
    """What the 一岗双责 demo created, for the command's report."""

    year: int
    assignments: list[DutyAssignment]
    records: list[PerformanceRecord]


def demo_duties_create(
    *, today: datetime.date, users: dict[str, User], units: dict[str, OrgUnit], posts: dict[str, Post]
) -> DemoDuties:
    """This year's 一岗双责: the common tasks, 分管, the assignments, confirmations and records."""
    return _Duties(today=today, users=users, units=units, posts=posts).run()


class _Duties:
    def __init__(
        self,
        *,
        today: datetime.date,
        users: dict[str, User],
        units: dict[str, OrgUnit],
        posts: dict[str, Post],
    ):
        self.today = today
        self.year = today.year
        self.first_day = datetime.date(self.year, 1, 1)
        self.users = users
        self.units = units
        self.posts = posts
        self.office = users[DUTY_OFFICE]
        self.meeting = today - datetime.timedelta(days=DUTIES_MEETING_DAYS_AGO)
        self.generated = self.at(today - datetime.timedelta(days=DUTIES_GENERATED_DAYS_AGO), 9, 30)
        self.agenda: list[tuple[datetime.datetime, int, functools.partial]] = []
        self.records: dict[int, PerformanceRecord] = {}  # occurrence id → its latest record

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def after(self, moment: datetime.datetime, *, days: int, hour: int) -> datetime.datetime:
        """`days` later at `hour`, but not after today's working day, and always after `moment`."""
        wanted = min(
            self.at(moment.date() + datetime.timedelta(days=days), hour), self.at(self.today, 17, 45)
        )
        return wanted if wanted > moment else moment + datetime.timedelta(minutes=20)

    def in_year(self, day: datetime.date) -> datetime.date:
        return min(max(day, self.first_day), datetime.date(self.year, 12, 31))

    def run(self) -> DemoDuties:
        for index, spec in enumerate(DUTY_TASK_TEMPLATES):
            DutyTaskTemplate.objects.get_or_create(
                title=spec.title,
                defaults={
                    "description": spec.description,
                    "recurrence": spec.recurrence,
                    "times_a_year": spec.times_a_year,
                    "due_month": spec.due_month,
                    "due_day": spec.due_day,
                    "sort_order": (index + 1) * 10,
                },
            )
        for username, codes in DUTY_OVERSEES.items():
            post = self.posts[username]
            if not post.oversees.exists():
                post.oversees.set([self.units[code] for code in codes])

        with clock.at(self.generated):
            created = duty_assignments_generate(year=self.year, generated_by=self.office).created
        assignments = list(
            DutyAssignment.objects.filter(pk__in=[a.pk for a in created])
            .select_related("post", "leader")
            .prefetch_related("oversees")
            .order_by("post__unit__sort_order", "post__sort_order", "pk")
        )
        with clock.at(self.generated + datetime.timedelta(minutes=40)):
            for assignment in assignments:
                self._adjust(assignment)
        for index, assignment in enumerate(assignments):
            self._schedule(index, assignment)
        for moment, _order, step in sorted(self.agenda, key=lambda entry: entry[:2]):
            with clock.at(moment):
                step()
        return DemoDuties(
            year=self.year,
            assignments=list(DutyAssignment.objects.filter(year=self.year).select_related("post", "leader")),
            records=list(PerformanceRecord.objects.filter(occurrence__task__assignment__year=self.year)),
        )

    # The office's part ------------------------------------------------------------------------------

    def _areas(self, assignment: DutyAssignment) -> str:
        if assignment.post.kind == P.PARTY_SECRETARY:
            return "机关各委办室"
        return "、".join(unit.name for unit in assignment.oversees.all())

    def _adjust(self, assignment: DutyAssignment) -> None:
        """The office rewrites the generated wording for the post, and adds the tasks of the moment."""
        areas = self._areas(assignment)
        assignment = duty_assignment_update(
            assignment=assignment,
            data=AssignmentInput(
                business_areas=DUTY_BUSINESS[assignment.post.kind].format(areas=areas),
                integrity_duties=DUTY_INTEGRITY[assignment.post.kind].format(areas=areas),
                oversees=list(assignment.oversees.all()),
                clauses=list(assignment.clauses.all()),
            ),
            updated_by=self.office,
            expected_version=assignment.version,
        )
        due = self.in_year(self.meeting + datetime.timedelta(days=MEETING_TASK_DAYS_AFTER_MEETING))
        tasks = [(MEETING_TASK, due)]
        if assignment.post.kind in (P.PARTY_SECRETARY, P.PARTY_MEMBER):
            tasks.append(
                (BRIEFING_TASK, self.in_year(self.today + datetime.timedelta(days=BRIEFING_TASK_DUE_IN_DAYS)))
            )
        for spec, due_date in tasks:
            duty_task_create(
                assignment=assignment,
                data=TaskInput(
                    title=spec.title,
                    description=spec.description,
                    recurrence=spec.recurrence,
                    due_date=due_date,
                ),
                created_by=self.office,
            )

    # The leaders' and the team's part ---------------------------------------------------------------

    def _later(self, moment: datetime.datetime, function, /, **kwargs) -> None:
        self.agenda.append((moment, len(self.agenda), functools.partial(function, **kwargs)))

    def _schedule(self, index: int, assignment: DutyAssignment) -> None:
        username = assignment.leader.username
        reviewer = self.users[SUPERVISION_TEAM[index % len(SUPERVISION_TEAM)]]
        if username in DUTY_CONFIRMED:
            self._later(
                self.at(self.generated.date() + datetime.timedelta(days=1 + index % 5), 9, 5 * index % 60),
                self._confirm,
                assignment=assignment,
            )
        if username == DUTY_SILENT:
            return
        occurrences = list(
            TaskOccurrence.objects.filter(task__assignment=assignment)
            .select_related("task")
            .order_by("due_date", "task__sort_order", "sequence")
        )
        common = {spec.title for spec in DUTY_TASK_TEMPLATES}
        past = [o for o in occurrences if o.task.title in common and o.due_date < self.today]
        if username == DUTY_LATEST_MISSED and past:
            past.pop()
        for number, occurrence in enumerate(past):
            # Entered afterwards (补录), dated the day it was done, within its period.
            done_on = max(
                occurrence.period_start,
                occurrence.due_date - datetime.timedelta(days=4 + (index + number) % 9),
            )
            self._record_later(
                assignment, occurrence, done_on, stagger=index + number, reviewer=reviewer, review="accept"
            )
        meeting = next(o for o in occurrences if o.task.title == MEETING_TASK.title)
        if username != DUTY_MEETING_MISSED:
            done_on = self.in_year(self.meeting + datetime.timedelta(days=2 + index % 4))
            done_on = min(done_on, meeting.due_date, self.today)
            review = "pending" if username in DUTY_MEETING_PENDING else "accept"
            reason = ""
            if username == DUTY_RETURNED[0]:
                review, reason = "return", DUTY_RETURNED[1]
            elif username == DUTY_RESUBMITTED[0]:
                review, reason = "resubmit", DUTY_RESUBMITTED[1]
            self._record_later(
                assignment,
                meeting,
                done_on,
                stagger=index + len(past),
                reviewer=reviewer,
                review=review,
                reason=reason,
                evidence=DUTY_MEETING_EVIDENCE.get(username, ()),
            )
        early = DUTY_EARLY.get(username)
        if early is not None:
            current = next(
                (
                    o
                    for o in occurrences
                    if o.task.title == early.task and o.period_start <= self.today <= o.due_date
                ),
                None,
            )
            if current is not None:
                done_on = max(current.period_start, self.today - datetime.timedelta(days=2 + index % 3))
                self._record_later(
                    assignment,
                    current,
                    done_on,
                    stagger=index + len(past) + 1,
                    reviewer=reviewer,
                    review="pending",
                    evidence=early.evidence,
                )

    def _record_later(
        self,
        assignment: DutyAssignment,
        occurrence: TaskOccurrence,
        done_on: datetime.date,
        *,
        stagger: int,
        reviewer: User,
        review: str,
        reason: str = "",
        evidence: tuple[DemoEvidence, ...] = (),
    ) -> None:
        """A record and what the team does with it: "accept", "return", "resubmit" (returned, then
        recorded again properly) or "pending" (not reviewed yet). `stagger` spreads the leaders' records
        over the days and hours."""
        # Recorded that afternoon, or (for periods before the assignments existed) just after generation.
        day = max(done_on, self.generated.date() + datetime.timedelta(days=1 + stagger % 3))
        recorded = self.at(day, 14 + stagger % 3, (7 * stagger) % 60)
        if recorded.date() == self.today:  # keep today's steps early in the day
            recorded = self.at(self.today, 8, (7 * stagger) % 30)
        sloppy = review in ("return", "resubmit")  # a line, no one named, no minutes
        self._later(
            recorded,
            self._record,
            assignment=assignment,
            occurrence=occurrence,
            done_on=done_on,
            evidence=() if sloppy else evidence,
            sloppy=sloppy,
        )
        if review == "pending":
            return
        reviewed = self.after(recorded, days=1 + stagger % 2, hour=10 + stagger % 6)
        self._later(
            reviewed,
            self._review,
            occurrence=occurrence,
            reviewer=reviewer,
            accept=review == "accept",
            reason=reason,
        )
        if review == "resubmit":
            self._later(
                self.after(reviewed, days=1, hour=15),
                self._record,
                assignment=assignment,
                occurrence=occurrence,
                done_on=done_on,
                evidence=(DUTY_MEETING_MINUTES,),
                sloppy=False,
            )

    # Steps ----------------------------------------------------------------------------------------

    def _confirm(self, *, assignment: DutyAssignment) -> None:
        assignment = DutyAssignment.objects.get(pk=assignment.pk)  # as the leader's page loads it
        duty_assignment_confirm(
            assignment=assignment, confirmed_by=assignment.leader, expected_version=assignment.version
        )

    def _context(
        self, assignment: DutyAssignment, occurrence: TaskOccurrence, done_on: datetime.date
    ) -> dict:
        task = occurrence.task
        if task.recurrence == Recurrence.QUARTERLY:
            period = QUARTERS[occurrence.sequence - 1]
        elif task.recurrence == Recurrence.HALF_YEARLY or (
            task.recurrence == Recurrence.TIMES_A_YEAR and task.times_a_year == 2
        ):
            period = HALVES[occurrence.sequence - 1]
        else:
            period = "本年度"
        return {
            "areas": self._areas(assignment),
            "period": period,
            "leader": assignment.leader.full_name,
            "date": chinese_date(done_on),
        }

    def _record(
        self,
        *,
        assignment: DutyAssignment,
        occurrence: TaskOccurrence,
        done_on: datetime.date,
        evidence: tuple[DemoEvidence, ...],
        sloppy: bool,
    ) -> None:
        spec = next(
            spec for spec in (*DUTY_TASK_TEMPLATES, MEETING_TASK) if spec.title == occurrence.task.title
        )
        context = self._context(assignment, occurrence, done_on)
        context["participants"] = spec.participants.format(**context)
        self.records[occurrence.pk] = performance_record_create(
            occurrence=TaskOccurrence.objects.get(pk=occurrence.pk),  # as the leader's page loads it
            data=RecordInput(
                performed_on=done_on,
                summary="已传达。" if sloppy else spec.summary.format(**context),
                participants="" if sloppy else context["participants"],
                files=demo_uploads(evidence, context),
            ),
            recorded_by=assignment.leader,
        )

    def _review(self, *, occurrence: TaskOccurrence, reviewer: User, accept: bool, reason: str) -> None:
        record = PerformanceRecord.objects.get(pk=self.records[occurrence.pk].pk)  # the page the team opens
        performance_record_review(
            record=record, reviewed_by=reviewer, accept=accept, reason=reason, expected_version=record.version
        )
