"""The to-do page's read: the first rows of every section the user has, in one query.

Each section is the permission-filtered selector of its subdomain (letters to sign, rectifications to
verify, periods due …), cut to its first rows in that selector's order. The sections are read together as
one UNION ALL of rows of the same shape, then turned back into the models the page shows (unsaved
instances holding just the fields shown, so that the models' own rules, such as a light or a reference,
still say how they read). Sections a role cannot have (inspections to carry out, rectifications to
verify, records to review) are left out without a query.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from accounts.models import OrgUnit, Post, User
from responsibility.cadres.models import FileAccessRequest, IntegrityReport, ReportRound
from responsibility.cadres.selectors import (
    ballot_list_open_for,
    file_access_requests_pending,
    integrity_report_list_to_review,
    integrity_report_list_to_write,
)
from responsibility.duties.models import (
    DutyAssignment,
    DutyTask,
    PerformanceRecord,
    Talk,
    TalkKind,
    TaskOccurrence,
)
from responsibility.duties.selectors import (
    duty_assignment_list_to_confirm,
    occurrence_list_due_for,
    performance_record_list_to_review,
    talk_list_to_answer,
    talk_list_to_hold,
)
from responsibility.letters.models.letters import Campaign, Letter
from responsibility.letters.selectors import (
    letter_children_issued_count,
    letter_list_ready_to_cascade,
    letter_list_to_countersign,
    letter_list_to_revise,
    letter_list_to_sign,
)
from responsibility.reminders.selectors import notification_list_for
from responsibility.supervision.models import (
    Finding,
    Inspection,
    InspectionPlan,
    Measure,
    MeasureStatus,
    ProblemBatch,
    Rectification,
)
from responsibility.supervision.selectors import (
    inspection_list_assigned_to,
    rectification_list_awaiting,
    rectification_list_to_verify,
)

# The columns every section's rows share; each section says which of them it fills, and with what.
_COLUMNS = {
    "t_section": CharField(),
    "t_pk": BigIntegerField(),
    "t_int1": BigIntegerField(),
    "t_int2": BigIntegerField(),
    "t_int3": BigIntegerField(),
    "t_int4": BigIntegerField(),
    "t_text1": TextField(),
    "t_text2": TextField(),
    "t_text3": TextField(),
    "t_text4": TextField(),
    "t_text5": TextField(),
    "t_day": DateField(),
    "t_moment": DateTimeField(),
}


@dataclass(frozen=True)
class _Section:
    name: str
    rows: QuerySet  # the selector, in its order
    columns: dict  # column name -> expression on the selector's model
    build: Callable[[dict], object]  # a row -> the model instance the page shows
    order: Callable[[object], tuple]  # the selector's order again, on the built instances


def _user(full_name: str | None, username: str | None) -> User:
    return User(full_name=full_name or "", username=username or "")


# The UNION's columns take their types from its first part, the row of figures, whose empty columns are
# NULLs cast to the column's type; a section's empty columns are plain NULLs, which take the type found
# (each further Cast was one more expression to copy and resolve on every request: 130 of them).
_TYPED_EMPTY = {name: Cast(Value(None), output_field=field) for name, field in _COLUMNS.items()}
_EMPTY = {name: Value(None, output_field=field) for name, field in _COLUMNS.items()}


def _part(section: _Section, *, limit: int) -> QuerySet:
    """The section's first `limit` rows (by its selector's order) in the shared shape."""
    model = section.rows.model
    first = section.rows.values("pk")[:limit]
    values = (
        _EMPTY
        | {"t_section": Value(section.name, output_field=CharField())}
        | {"t_pk": F("pk")}
        | section.columns
    )
    return model.objects.filter(pk__in=first).order_by().annotate(**values).values(*_COLUMNS)


# --- Building the page's models back from the rows ----------------------------------------------------


def _letter_to_sign(row: dict) -> Letter:
    return Letter(
        pk=row["t_pk"],
        title=row["t_text1"],
        reference=row["t_text2"],
        status=row["t_text5"],
        issuer=_user(row["t_text3"], row["t_text4"]),
        campaign=Campaign(pk=row["t_int1"], deadline=row["t_day"]),
    )


def _letter_to_countersign(row: dict) -> Letter:
    return Letter(
        pk=row["t_pk"],
        reference=row["t_text2"],
        signer_unit=OrgUnit(name=row["t_text1"] or ""),
        signer=_user(row["t_text3"], row["t_text4"]),
        signed_at=row["t_moment"],
    )


def _letter_to_revise(row: dict) -> Letter:
    return Letter(
        pk=row["t_pk"],
        reference=row["t_text2"],
        signer=_user(row["t_text3"], row["t_text4"]),
        returned_at=row["t_moment"],
        return_reason=row["t_text5"] or "",
    )


def _letter_to_cascade(row: dict) -> Letter:
    letter = Letter(pk=row["t_pk"], signed_at=row["t_moment"], campaign=Campaign(title=row["t_text1"]))
    letter.children_count = row["t_int1"] or 0
    return letter


def _finding(row: dict) -> Finding:
    return Finding(
        pk=row["t_pk"],
        number=row["t_int1"],
        title=row["t_text1"],
        # Its number reads the plan's year, or the list's for a problem of another source.
        plan=InspectionPlan(pk=row["t_int2"], year=row["t_int3"]) if row["t_int2"] else None,
        batch=ProblemBatch(pk=row["t_int4"], year=row["t_int3"]),
        unit=OrgUnit(name=row["t_text2"]),
    )


def _finding_to_rectify(row: dict) -> Finding:
    finding = _finding(row)
    finding.rectification = Rectification(
        status=row["t_text5"], deadline=row["t_day"], rejection_reason=row["t_text3"] or ""
    )
    return finding


def _finding_to_verify(row: dict) -> Finding:
    finding = _finding(row)
    finding.rectification = Rectification(
        status=row["t_text5"], submitted_at=row["t_moment"], owner=_user(row["t_text3"], row["t_text4"])
    )
    return finding


def _inspection(row: dict) -> Inspection:
    return Inspection(
        pk=row["t_pk"],
        position=row["t_int1"],
        status=row["t_text3"],
        unit=OrgUnit(name=row["t_text1"]),
        plan=InspectionPlan(pk=row["t_int2"], title=row["t_text2"], period_end=row["t_day"]),
    )


def _occurrence(row: dict) -> TaskOccurrence:
    assignment = DutyAssignment(pk=row["t_int2"], year=row["t_int3"])
    task = DutyTask(pk=row["t_int4"], title=row["t_text1"], assignment=assignment)
    return TaskOccurrence(pk=row["t_pk"], sequence=row["t_int1"], due_date=row["t_day"], task=task)


def _record(row: dict) -> PerformanceRecord:
    assignment = DutyAssignment(
        pk=row["t_int2"],
        leader=_user(row["t_text3"], row["t_text4"]),
        post=Post(unit=OrgUnit(name=row["t_text2"])),
    )
    task = DutyTask(title=row["t_text1"], assignment=assignment)
    return PerformanceRecord(
        pk=row["t_pk"],
        performed_on=row["t_day"],
        recorded_at=row["t_moment"],
        occurrence=TaskOccurrence(task=task),
    )


def _assignment(row: dict) -> DutyAssignment:
    return DutyAssignment(
        pk=row["t_pk"], year=row["t_int3"], post=Post(title=row["t_text1"], unit=OrgUnit(name=row["t_text2"]))
    )


def _talk(row: dict) -> Talk:
    """A talk of the to-do: its kind, the other party (talker or person talked to) and its day."""
    partner = _user(row["t_text3"], row["t_text4"])
    return Talk(
        pk=row["t_pk"],
        kind=TalkKind(name=row["t_text1"]),
        status=row["t_text5"],
        planned_on=row["t_day"],
        answer_due=row["t_day"],
        talker=partner,
        talked_to=partner,
    )


def _integrity_report(row: dict) -> IntegrityReport:
    """A 述责述廉 report of the to-do (to write, to review, or to rate: then `t_int1` is the report)."""
    report = IntegrityReport(
        pk=row["t_int1"] or row["t_pk"],
        status=row["t_text5"] or "",
        submitted_at=row["t_moment"],
        rating_closes_on=row["t_day"],
        round=ReportRound(title=row["t_text1"], deadline=row["t_day"]),
    )
    report.leader = _user(row["t_text3"], row["t_text4"])
    return report


def _access_request(row: dict) -> FileAccessRequest:
    """A request to read a cadre's 廉政档案, awaiting the inspection team's decision."""
    access = FileAccessRequest(pk=row["t_pk"], valid_from=row["t_day"], created_at=row["t_moment"])
    access.cadre = _user(row["t_text1"], row["t_text2"])
    access.requester = _user(row["t_text3"], row["t_text4"])
    return access


def _own_deadline(user):
    """The day a rectification is due for this user: its deadline for its owner (and a unit head who owns
    no measure of it), the earliest of their own open measures' for the owner of a measure."""
    own_measure = (
        Measure.objects.filter(finding=OuterRef("pk"), owner=user, status=MeasureStatus.OPEN)
        .order_by("deadline")
        .values("deadline")[:1]
    )
    return Case(
        When(rectification__owner=user, then=F("rectification__deadline")),
        default=Coalesce(Subquery(own_measure, output_field=DateField()), F("rectification__deadline")),
        output_field=DateField(),
    )


def _sections(*, user, until: datetime.date) -> list[_Section]:
    """Every section the user's roles can have, with its selector, columns and order."""
    finding_ids = {
        "t_int1": F("number"),
        "t_int2": F("plan_id"),
        "t_int3": Coalesce("plan__year", "batch__year"),
        "t_int4": F("batch_id"),
    }
    sections = [
        _Section(
            "to_sign",
            letter_list_to_sign(user=user).order_by("campaign__deadline", "pk"),
            {
                "t_int1": F("campaign_id"),
                "t_text1": F("title"),
                "t_text2": F("reference"),
                "t_text3": F("issuer__full_name"),
                "t_text4": F("issuer__username"),
                "t_text5": F("status"),
                "t_day": F("campaign__deadline"),
            },
            _letter_to_sign,
            lambda letter: (letter.campaign.deadline, letter.pk),
        ),
        _Section(
            "to_countersign",
            letter_list_to_countersign(user=user).order_by("signed_at", "pk"),
            {
                "t_text1": F("signer_unit__name"),
                "t_text2": F("reference"),
                "t_text3": F("signer__full_name"),
                "t_text4": F("signer__username"),
                "t_moment": F("signed_at"),
            },
            _letter_to_countersign,
            lambda letter: (letter.signed_at, letter.pk),
        ),
        _Section(
            "to_revise",
            letter_list_to_revise(user=user).order_by("returned_at", "pk"),
            {
                "t_text2": F("reference"),
                "t_text3": F("signer__full_name"),
                "t_text4": F("signer__username"),
                "t_text5": F("return_reason"),
                "t_moment": F("returned_at"),
            },
            _letter_to_revise,
            lambda letter: (letter.returned_at, letter.pk),
        ),
        _Section(
            "to_cascade",
            letter_list_ready_to_cascade(user=user).order_by("-signed_at", "pk"),
            {
                "t_text1": F("campaign__title"),
                "t_int1": letter_children_issued_count(),  # as the selector counts them
                "t_moment": F("signed_at"),
            },
            _letter_to_cascade,
            lambda letter: (-letter.signed_at.timestamp(), letter.pk),
        ),
        _Section(
            "to_rectify",
            rectification_list_awaiting(user=user),
            {
                **finding_ids,
                "t_text1": F("title"),
                "t_text2": F("unit__name"),
                "t_text3": F("rectification__rejection_reason"),
                "t_text5": F("rectification__status"),
                "t_day": _own_deadline(user),
            },
            _finding_to_rectify,
            lambda finding: (finding.rectification.deadline, finding.pk),
        ),
        _Section(
            "duty_due",
            occurrence_list_due_for(user=user, until=until),
            {
                "t_int1": F("sequence"),
                "t_int2": F("task__assignment_id"),
                "t_int3": F("task__assignment__year"),
                "t_int4": F("task_id"),
                "t_text1": F("task__title"),
                "t_day": F("due_date"),
            },
            _occurrence,
            lambda occurrence: (occurrence.due_date, occurrence.pk),
        ),
        _Section(
            "talk_to_answer",
            talk_list_to_answer(user=user),
            {
                "t_text1": F("kind__name"),
                "t_text3": F("talker__full_name"),
                "t_text4": F("talker__username"),
                "t_text5": F("status"),
                "t_day": F("answer_due"),
                "t_moment": F("recorded_at"),
            },
            _talk,
            lambda talk: (talk.answer_due, talk.pk),
        ),
        _Section(
            "talk_to_hold",
            talk_list_to_hold(user=user),
            {
                "t_text1": F("kind__name"),
                "t_text3": F("talked_to__full_name"),
                "t_text4": F("talked_to__username"),
                "t_text5": F("status"),
                "t_day": F("planned_on"),
            },
            _talk,
            lambda talk: (talk.planned_on, talk.pk),
        ),
        _Section(
            "report_to_write",
            integrity_report_list_to_write(user=user),
            {"t_text1": F("round__title"), "t_text5": F("status"), "t_day": F("round__deadline")},
            _integrity_report,
            lambda report: (report.round.deadline, report.pk),
        ),
        _Section(
            "ballot_to_cast",
            ballot_list_open_for(user=user),
            {
                "t_int1": F("report_id"),
                "t_text1": F("report__round__title"),
                "t_text3": F("report__leader__full_name"),
                "t_text4": F("report__leader__username"),
                "t_day": F("report__rating_closes_on"),
            },
            _integrity_report,
            lambda report: (report.rating_closes_on, report.pk),
        ),
        _Section(
            "to_confirm",
            duty_assignment_list_to_confirm(user=user),
            {"t_int3": F("year"), "t_text1": F("post__title"), "t_text2": F("post__unit__name")},
            _assignment,
            lambda assignment: (-assignment.year, assignment.pk),
        ),
    ]
    # Only the inspection role carries out inspections and verifies rectifications (permissions.py:
    # recording and verifying need it), and only the review grant reviews records: without them a section
    # would list what the user cannot act on, and is not asked for.
    if user.has_perm("responsibility.verify_rectification"):
        sections.append(
            _Section(
                "to_verify",
                rectification_list_to_verify(user=user),
                {
                    **finding_ids,
                    "t_text1": F("title"),
                    "t_text2": F("unit__name"),
                    "t_text3": F("rectification__owner__full_name"),
                    "t_text4": F("rectification__owner__username"),
                    "t_text5": F("rectification__status"),
                    "t_moment": F("rectification__submitted_at"),
                },
                _finding_to_verify,
                lambda finding: (finding.rectification.submitted_at, finding.pk),
            )
        )
    if user.has_perm("responsibility.add_inspectionplan"):
        sections.append(
            _Section(
                "to_inspect",
                inspection_list_assigned_to(user=user).order_by("plan__period_end", "position", "pk"),
                {
                    "t_int1": F("position"),
                    "t_int2": F("plan_id"),
                    "t_text1": F("unit__name"),
                    "t_text2": F("plan__title"),
                    "t_text3": F("status"),
                    "t_day": F("plan__period_end"),
                },
                _inspection,
                lambda inspection: (inspection.plan.period_end, inspection.position, inspection.pk),
            )
        )
    sections.append(
        _Section(
            "report_to_review",
            integrity_report_list_to_review(user=user),
            {
                "t_text1": F("round__title"),
                "t_text3": F("leader__full_name"),
                "t_text4": F("leader__username"),
                "t_moment": F("submitted_at"),
            },
            _integrity_report,
            lambda report: (report.submitted_at, report.pk),
        )
    )
    if user.has_perm("responsibility.approve_fileaccessrequest"):
        sections.append(
            _Section(
                "access_to_decide",
                file_access_requests_pending(user=user),
                {
                    "t_text1": F("cadre__full_name"),
                    "t_text2": F("cadre__username"),
                    "t_text3": F("requester__full_name"),
                    "t_text4": F("requester__username"),
                    "t_day": F("valid_from"),
                    "t_moment": F("created_at"),
                },
                _access_request,
                lambda access: (access.created_at, access.pk),
            )
        )
    sections.append(
        _Section(
            "to_review",
            performance_record_list_to_review(user=user),
            {
                "t_int2": F("occurrence__task__assignment_id"),
                "t_text1": F("occurrence__task__title"),
                "t_text2": F("occurrence__task__assignment__post__unit__name"),
                "t_text3": F("occurrence__task__assignment__leader__full_name"),
                "t_text4": F("occurrence__task__assignment__leader__username"),
                "t_day": F("performed_on"),
                "t_moment": F("recorded_at"),
            },
            _record,
            lambda record: (record.recorded_at, record.pk),
        )
    )
    return sections


SECTIONS = (
    "to_sign",
    "to_countersign",
    "to_revise",
    "to_cascade",
    "to_rectify",
    "to_verify",
    "to_inspect",
    "duty_due",
    "talk_to_answer",
    "talk_to_hold",
    "ballot_to_cast",
    "report_to_write",
    "report_to_review",
    "access_to_decide",
    "to_review",
    "to_confirm",
)


@dataclass(frozen=True)
class Todo:
    """What waits for the user: each section's first rows (at most the limit), whether it has more, and
    how many letters wait for the countersignature in all (the batch page's figure)."""

    sections: dict[str, list]
    more: dict[str, bool]
    countersign_total: int
    unread_notifications: int  # the bell's figure, read with the rest


def _figures_part(*, user, to_countersign: QuerySet) -> QuerySet:
    """One row of figures: the letters waiting for the countersignature in all (the batch page's figure,
    counted on the section's own selector) and the user's unread messages (the bell's)."""

    def count(queryset: QuerySet):
        counted = queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*")).values("n")
        return Cast(Coalesce(Subquery(counted, output_field=IntegerField()), 0), BigIntegerField())

    figures = _TYPED_EMPTY | {
        "t_section": Value("figures", output_field=CharField()),
        "t_int1": count(to_countersign),
        "t_int2": count(notification_list_for(user=user).filter(read_at__isnull=True)),
    }
    return User.objects.filter(pk=user.pk).order_by().annotate(**figures).values(*_COLUMNS)


def todo_of(*, user, until: datetime.date, limit: int) -> Todo:
    """Every section's first `limit` rows, in its selector's order; periods due up to `until` (one query)."""
    every = {section.name: section for section in _sections(user=user, until=until)}
    sections = {name: section for name, section in every.items() if not section.rows.query.is_empty()}
    figures_part = _figures_part(user=user, to_countersign=every["to_countersign"].rows)
    parts = [_part(section, limit=limit + 1) for section in sections.values()]
    rows = list(figures_part.union(*parts, all=True))
    found: dict[str, list] = {name: [] for name in SECTIONS}
    figures = {}
    for row in rows:
        name = row["t_section"]
        if name == "figures":
            figures = row
        else:
            found[name].append(sections[name].build(row))
    more = {}
    for name, items in found.items():
        if name in sections:
            items.sort(key=sections[name].order)
        more[name] = len(items) > limit
        del items[limit:]
    return Todo(
        sections=found,
        more=more,
        countersign_total=figures.get("t_int1") or 0,
        unread_notifications=figures.get("t_int2") or 0,
    )
