"""What a cadre's 廉政档案 holds, read from the system's own records: the posts held, the letters signed, the
duty assignments and their task periods, the integrity talks received, the 述责述廉 reports and their
民主测评, the problems they answer for and their rectification, the assessment results of the units they
led, and the documents the inspection team added.

The file's page shows it; the 廉政意见回复 states, source by source, what it showed (`file_findings`).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _

from core import clock
from core.deadlines import TrafficLight, deadline_q
from responsibility.assessment.models import AssessmentRound, RoundStatus, UnitAssessment
from responsibility.assessment.results import final_totals
from responsibility.assessment.rules import grade_bands_of, grade_of, points_text
from responsibility.cadres.models import (
    FileDocument,
    FileDocumentKind,
    IntegrityReport,
    ReportStatus,
)
from responsibility.cadres.posts_held import PostHeld, posts_held_by
from responsibility.cadres.services import rating_result_readable, rating_result_rows
from responsibility.duties.models import DutyAssignment, Talk, TalkStatus, TaskOccurrence
from responsibility.letters.models.letters import LIVE_STATUSES, SIGNED_STATUSES, Letter, LetterStatus
from responsibility.supervision.models import Finding, RectificationStatus

# Talks the file lists: held and written down (a planned or cancelled talk says nothing of the cadre).
_TALKS_ON_FILE = (TalkStatus.RECORDED, TalkStatus.CONFIRMED, TalkStatus.DISPUTED)


@dataclass
class DutyYear:
    assignment: DutyAssignment
    periods: int
    done: int
    overdue: int  # past their due day and not done


@dataclass
class ReportYear:
    report: IntegrityReport
    favourable: str  # the share of 好 and 较好 in the last item (总体评价), "" when not shown
    ballots: int


@dataclass
class AssessmentLine:
    round: AssessmentRound
    unit_name: str
    points: Decimal
    grade: str

    @property
    def points_text(self) -> str:
        return points_text(self.points)


@dataclass
class IntegrityFileContents:
    cadre: object
    posts: list[PostHeld]
    letters: list[Letter]
    duties: list[DutyYear]
    talks: list[Talk]  # received: the cadre was talked to
    talks_held: int  # held by the cadre and confirmed
    reports: list[ReportYear]
    problems: list[Finding]
    assessments: list[AssessmentLine]
    documents: list[FileDocument]
    today: datetime.date = field(default_factory=clock.today)


def integrity_file_read(cadre) -> IntegrityFileContents:
    """The cadre's file as the records stand now (a fixed number of queries, about twenty)."""
    today = clock.today()
    posts = posts_held_by(cadre)
    return IntegrityFileContents(
        cadre=cadre,
        posts=posts,
        letters=list(
            Letter.objects.filter(signer=cadre, status__in=LIVE_STATUSES)
            .select_related("campaign", "issuer")
            .order_by("-campaign__year", "-pk")
        ),
        duties=_duty_years(cadre, today),
        talks=list(
            Talk.objects.filter(talked_to=cadre, status__in=_TALKS_ON_FILE)
            .select_related("kind", "talker")
            .order_by("-held_on", "-pk")
        ),
        talks_held=Talk.objects.filter(talker=cadre, status=TalkStatus.CONFIRMED).count(),
        reports=_report_years(cadre),
        problems=list(
            Finding.objects.filter(Q(responsible=cadre) | Q(rectification__owner=cadre))
            .select_related("batch", "plan", "unit", "rectification")
            .distinct()
            .order_by("-created_at", "-pk")
        ),
        assessments=_assessment_lines({held.unit_id for held in posts if held.leading}),
        documents=list(
            FileDocument.objects.filter(cadre=cadre)
            .select_related("added_by")
            .prefetch_related("evidence")
            .order_by("-dated", "-pk")
        ),
        today=today,
    )


def _duty_years(cadre, today: datetime.date) -> list[DutyYear]:
    assignments = DutyAssignment.objects.filter(leader=cadre).select_related("post__unit").order_by("-year")
    periods = {
        row["task__assignment"]: row
        for row in TaskOccurrence.objects.filter(
            task__assignment__leader=cadre, task__withdrawn_at__isnull=True
        )
        .values("task__assignment")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(done_at__isnull=False)),
            overdue=Count(
                "pk", filter=Q(done_at__isnull=True) & deadline_q("due_date", TrafficLight.RED, today=today)
            ),
        )
        .order_by()
    }
    return [
        DutyYear(
            assignment=assignment,
            periods=periods.get(assignment.pk, {}).get("total", 0),
            done=periods.get(assignment.pk, {}).get("done", 0),
            overdue=periods.get(assignment.pk, {}).get("overdue", 0),
        )
        for assignment in assignments
    ]


def _report_years(cadre) -> list[ReportYear]:
    years = []
    reports = (
        IntegrityReport.objects.filter(leader=cadre)
        .select_related("round", "rating_result")
        .order_by("-round__year")
    )
    for report in reports:
        favourable, ballots = "", 0
        if rating_result_readable(report):
            result = report.rating_result
            rows = rating_result_rows(items=report.round.rating_items, result=result)
            favourable, ballots = f"{rows[-1].favourable:.1f}%", result.ballots
        years.append(ReportYear(report=report, favourable=favourable, ballots=ballots))
    return years


def _assessment_lines(unit_ids: set[int]) -> list[AssessmentLine]:
    cards = list(
        UnitAssessment.objects.filter(unit_id__in=unit_ids, round__status=RoundStatus.APPROVED)
        .select_related("round__scheme", "unit")
        .order_by("-round__year", "round__pk", "unit__sort_order")
    )
    lines = []
    for round_pk in dict.fromkeys(card.round_id for card in cards):
        in_round = [card for card in cards if card.round_id == round_pk]
        assessment_round = in_round[0].round
        totals = final_totals(assessment_round=assessment_round, unit_ids=[card.pk for card in in_round])
        bands = grade_bands_of(assessment_round)
        for card in in_round:
            points = totals.get(card.pk, Decimal(0))
            lines.append(AssessmentLine(assessment_round, card.unit.name, points, grade_of(points, bands)))
    return lines


# --- What each source showed (the 廉政意见回复) ---------------------------------------------------------


def file_findings(contents: IntegrityFileContents) -> list[dict]:
    """Source by source, what the system checked and what it showed, in the site's language:
    ``{"source", "scope", "showed", "attention"}`` each (`attention`: something the conclusion must weigh)."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            _posts_finding(contents),
            _letters_finding(contents),
            _duties_finding(contents),
            _talks_finding(contents),
            _reports_finding(contents),
            _problems_finding(contents),
            _assessments_finding(contents),
            _documents_finding(contents),
        ]


def _finding(source: str, scope: str, showed: str, attention: bool = False) -> dict:
    return {"source": source, "scope": scope, "showed": showed, "attention": attention}


def _posts_finding(contents: IntegrityFileContents) -> dict:
    now = [held.title for held in contents.posts if held.current]
    before = [held.title for held in contents.posts if not held.current]
    parts = []
    if now:
        parts.append(_("Holds: %(posts)s.") % {"posts": "、".join(now)})
    if before:
        parts.append(_("Held before: %(posts)s.") % {"posts": "、".join(before)})
    return _finding(
        _("Posts held"),
        _("Posts, handovers, duty assignments and the posts of signed letters"),
        "".join(parts) or _("No post on record."),
    )


def _letters_finding(contents: IntegrityFileContents) -> dict:
    letters = contents.letters
    signed = sum(1 for letter in letters if letter.status in SIGNED_STATUSES)
    late = [
        letter
        for letter in letters
        if letter.status == LetterStatus.ISSUED and letter.campaign.deadline < contents.today
    ]
    showed = _("%(total)d responsibility letters issued to them, %(signed)d signed.") % {
        "total": len(letters),
        "signed": signed,
    }
    if late:
        showed += _("%(count)d not signed by their deadline.") % {"count": len(late)}
    return _finding(_("Responsibility letters signed"), _("Every letter issued to them"), showed, bool(late))


def _duties_finding(contents: IntegrityFileContents) -> dict:
    if not contents.duties:
        return _finding(
            _("One post, two responsibilities"), _("Duty assignments of every year"), _("No duty assignment.")
        )
    total = sum(year.periods for year in contents.duties)
    done = sum(year.done for year in contents.duties)
    overdue = sum(year.overdue for year in contents.duties)
    years = "、".join(str(year.assignment.year) for year in contents.duties)
    showed = _(
        "Duty assignments of %(years)s: %(total)d task periods, %(done)d done, %(overdue)d overdue."
    ) % {
        "years": years,
        "total": total,
        "done": done,
        "overdue": overdue,
    }
    return _finding(
        _("One post, two responsibilities"), _("Duty assignments of every year"), showed, overdue > 0
    )


def _talks_finding(contents: IntegrityFileContents) -> dict:
    kinds = Counter(talk.kind.name for talk in contents.talks)
    received = "、".join(f"{name}{count}次" for name, count in kinds.items())
    showed = (
        _("Talked to %(count)d times (%(kinds)s).") % {"count": len(contents.talks), "kinds": received}
        if contents.talks
        else _("Never talked to.")
    )
    showed += _("Held %(count)d talks with a confirmed record.") % {"count": contents.talks_held}
    disputed = any(talk.status == TalkStatus.DISPUTED for talk in contents.talks)
    return _finding(_("Integrity talks"), _("Talks held with them and by them"), showed, disputed)


def _reports_finding(contents: IntegrityFileContents) -> dict:
    if not contents.reports:
        return _finding(
            _("Responsibility and integrity reports"), _("Every year's report and rating"), _("No report.")
        )
    parts = []
    for year in contents.reports:
        report = year.report
        sentence = _("%(year)d: the report is %(status)s") % {
            "year": report.round.year,
            "status": report.get_status_display(),
        }
        if year.favourable:
            sentence += _(", %(share)s rated it good or fairly good overall (%(ballots)d ballots)") % {
                "share": year.favourable,
                "ballots": year.ballots,
            }
        parts.append(sentence + "。")
    attention = any(year.report.status == ReportStatus.RETURNED for year in contents.reports)
    return _finding(
        _("Responsibility and integrity reports"),
        _("Every year's report and rating"),
        "".join(parts),
        attention,
    )


def _problems_finding(contents: IntegrityFileContents) -> dict:
    problems = contents.problems
    rectifications = [finding.rectification for finding in problems if hasattr(finding, "rectification")]
    closed = sum(1 for rectification in rectifications if rectification.status == RectificationStatus.CLOSED)
    overdue = sum(
        1 for rectification in rectifications if rectification.light(contents.today) == TrafficLight.RED
    )
    showed = _("%(total)d problems they answer for, %(closed)d ticked off, %(overdue)d overdue.") % {
        "total": len(problems),
        "closed": closed,
        "overdue": overdue,
    }
    return _finding(
        _("Problems and rectification"),
        _("Problems of every source they answer for or rectify"),
        showed,
        overdue > 0,
    )


def _assessments_finding(contents: IntegrityFileContents) -> dict:
    lines = contents.assessments
    showed = (
        "".join(
            _("%(round)s, %(unit)s: %(points)s points, %(grade)s.")
            % {
                "round": line.round.name,
                "unit": line.unit_name,
                "points": line.points_text,
                "grade": line.grade,
            }
            for line in lines
        )
        if lines
        else _("No published assessment of a unit they led.")
    )
    return _finding(_("Assessment results"), _("Published assessments of the units they led"), showed)


def _documents_finding(contents: IntegrityFileContents) -> dict:
    kinds = Counter(document.get_kind_display() for document in contents.documents)
    showed = (
        _("%(count)d documents: %(kinds)s.")
        % {"count": len(contents.documents), "kinds": "、".join(f"{name}{n}份" for name, n in kinds.items())}
        if contents.documents
        else _("No document added.")
    )
    attention = any(
        document.kind in (FileDocumentKind.COMPLAINT, FileDocumentKind.MEASURE)
        for document in contents.documents
    )
    return _finding(_("Documents in the file"), _("Documents the inspection team added"), showed, attention)
