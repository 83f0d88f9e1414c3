"""Assessment rounds: opening one, the system's count of its items, each unit's self-assessment (自评), the
team's approved scores (核准分) and the Party Group's approval. One service per step, each under the rows'
locks and writing its chained event; nothing of a round changes after its approval.

Lock order, everywhere: the round, then the unit's assessment, then the item's score.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from core import clock
from core.announcements import AnnouncementKind, announce
from core.dates import date_text
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.assessment.audit import assessment_event_record, assessment_events_append
from responsibility.assessment.models import (
    AnsweredBy,
    AssessmentEvent,
    AssessmentEventKind,
    AssessmentRound,
    AssessmentScheme,
    ItemScore,
    Objection,
    RoundStatus,
    UnitAssessment,
    UnitAssessmentStatus,
)
from responsibility.assessment.models.rounds import MAX_OBJECTION_DAYS
from responsibility.assessment.permissions import (
    round_check_approve_permission,
    round_check_open_permission,
    round_check_review_permission,
    unit_assessment_check_self_assess_permission,
)
from responsibility.assessment.results import scheme_bonus_cap, unit_totals
from responsibility.assessment.rules import (
    DEFAULT_GRADE_BANDS,
    Rule,
    answer_parse,
    grade_bands_of,
    grade_bands_parse,
    grade_of,
    points_text,
    rule_points,
)
from responsibility.evidence.rules import evidence_check_all
from responsibility.evidence.services import evidence_store

MAX_NAME_LENGTH = 100
MAX_TEXT_LENGTH = 2000
# Item scores written a statement at a time when a round is opened or counted.
BATCH_SIZE = 2000
# How many missing items or units a refusal names before "…".
NAMED_AT_MOST = 10


class RoundRefused(ApplicationError):
    """The step is not one the round allows now; nothing was changed."""


@dataclass(frozen=True)
class RoundInput:
    scheme: AssessmentScheme
    year: int
    name: str
    deadline: datetime.date
    objection_days: int
    units: list[OrgUnit]
    grade_bands: str = DEFAULT_GRADE_BANDS  # as the office writes them: 「好 90；较好 80；一般 60；差 0」


def _unit_payload(unit_assessment: UnitAssessment) -> dict:
    return {"id": unit_assessment.unit_id, "name": unit_assessment.unit.name}


def _points(value: Decimal | None) -> str | None:
    return None if value is None else points_text(value)


def _named(numbers: list[str]) -> str:
    shown = "、".join(numbers[:NAMED_AT_MOST])
    return shown + ("……" if len(numbers) > NAMED_AT_MOST else "")


def _text_check(text: str, *, what: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise RoundRefused(
            _("The %(what)s may be at most %(max)d characters.") % {"what": what, "max": MAX_TEXT_LENGTH},
            code="too_long",
        )
    return text


# --- Totals -------------------------------------------------------------------------------------------


def _unit_totals_save(unit_assessment: UnitAssessment, *, approved: bool = False) -> None:
    """Keep the unit's totals (its row is locked by the caller); the approved one once it is reviewed."""
    self_total, approved_total = unit_totals(
        assessment_round=unit_assessment.round, unit_ids=[unit_assessment.pk]
    )[unit_assessment.pk]
    unit_assessment.self_points = self_total
    if approved:
        unit_assessment.approved_points = approved_total


# --- Opening a round and counting its indicators ----------------------------------------------------


def round_open(*, data: RoundInput, opened_by) -> AssessmentRound:
    """Open a round: every unit named gets a score card of every item of the scheme, and a task counts
    the items bound to an indicator from the system's own records (`services.counts`)."""
    # Imported here: the counts module imports this one.
    from responsibility.assessment.services.counts import indicators_count_request

    round_check_open_permission(user=opened_by)
    name = (data.name or "").strip()
    if not name:
        raise RoundRefused(_("Give the assessment a name."), code="name")
    if len(name) > MAX_NAME_LENGTH:
        raise RoundRefused(
            _("The name may be at most %(max)d characters.") % {"max": MAX_NAME_LENGTH}, code="name"
        )
    if data.deadline < clock.today():
        raise RoundRefused(_("The self-assessment deadline cannot be in the past."), code="deadline")
    if not 1 <= data.objection_days <= MAX_OBJECTION_DAYS:
        raise RoundRefused(
            _("Objections may be lodged for 1 to %(max)d days.") % {"max": MAX_OBJECTION_DAYS},
            code="objection_days",
        )
    unit_ids = sorted({unit.pk for unit in data.units})
    if not unit_ids:
        raise RoundRefused(_("Choose the units to assess."), code="units")
    units = {unit.pk: unit for unit in OrgUnit.objects.filter(pk__in=unit_ids, is_active=True)}
    if len(units) != len(unit_ids):
        raise RoundRefused(_("Only active units can be assessed."), code="units")
    with transaction.atomic():
        scheme = row_lock(AssessmentScheme, pk=data.scheme.pk)
        if not scheme.is_published:
            raise RoundRefused(_("Only a published scheme can be used for an assessment."), code="draft")
        bands = grade_bands_parse(data.grade_bands, highest=scheme.total_points + scheme_bonus_cap(scheme))
        if AssessmentRound.objects.filter(scheme=scheme, year=data.year).exists():
            raise RoundRefused(
                _("An assessment of %(year)s with this scheme is already open.") % {"year": data.year},
                code="duplicate",
            )
        try:
            with transaction.atomic():
                assessment_round = AssessmentRound.objects.create(
                    scheme=scheme,
                    year=data.year,
                    name=name,
                    deadline=data.deadline,
                    objection_days=data.objection_days,
                    grade_bands=[[band.name, str(band.lowest)] for band in bands],
                    opened_by=opened_by,
                )
        except IntegrityError:
            raise RoundRefused(
                _("An assessment of %(year)s with this scheme is already open.") % {"year": data.year},
                code="duplicate",
            ) from None
        cards = UnitAssessment.objects.bulk_create(
            [UnitAssessment(round=assessment_round, unit_id=unit_id) for unit_id in unit_ids]
        )
        items = list(scheme.items.all())
        ItemScore.objects.bulk_create(
            (ItemScore(unit_assessment=card, item=item) for card in cards for item in items),
            batch_size=BATCH_SIZE,
        )
        assessment_event_record(
            round=assessment_round,
            subject=f"round:{assessment_round.pk}",
            kind=AssessmentEventKind.ROUND_OPENED,
            to_status=RoundStatus.OPEN,
            actor=opened_by,
            payload={
                "name": name,
                "year": data.year,
                "scheme": {"id": scheme.pk, "name": scheme.name, "version": scheme.version},
                "deadline": data.deadline.isoformat(),
                "objection_days": data.objection_days,
                "grades": [[band.name, points_text(band.lowest)] for band in bands],
                "units": unit_ids,
            },
        )
        indicators_count_request(assessment_round, requested_by=opened_by)
    return assessment_round


# --- Self-assessment (自评) ---------------------------------------------------------------------------


def _entries_open_check(assessment_round: AssessmentRound, unit_assessment: UnitAssessment) -> None:
    if unit_assessment.takes_entries():
        return
    if not assessment_round.is_open:
        raise RoundRefused(_("The results are approved: nothing in them changes."), code="approved")
    if not unit_assessment.is_self_assessing:
        raise RoundRefused(
            _("The unit's self-assessment is submitted: it cannot be changed."), code="submitted"
        )
    raise RoundRefused(
        _(
            "Self-assessment closed at the end of %(deadline)s: nothing can be entered now, and an "
            "item not answered counts as unanswered."
        )
        % {"deadline": date_text(assessment_round.deadline)},
        code="deadline",
    )


def item_self_assess(
    *, score: ItemScore, answer, explanation: str, files=(), expected_version: int | None = None, answered_by
) -> ItemScore:
    """The unit head's answer to one item, with an explanation and evidence, until the deadline."""
    unit_assessment_check_self_assess_permission(user=answered_by, unit_assessment=score.unit_assessment)
    item = score.item
    if item.answered_by == AnsweredBy.SYSTEM:
        raise RoundRefused(
            _("The system answers this item from its own records: it is not self-assessed."), code="system"
        )
    explanation = _text_check(explanation, what=_("explanation"))
    if not explanation:
        raise RoundRefused(
            _("Explain the answer: what was done, and where it is recorded."), code="explanation"
        )
    value = answer_parse(Rule.of(item), answer)
    checked = evidence_check_all(files)
    with transaction.atomic():
        unit_assessment = row_lock(
            UnitAssessment.objects.select_related("round__scheme", "unit"), pk=score.unit_assessment_id
        )
        _entries_open_check(unit_assessment.round, unit_assessment)
        locked = row_lock(ItemScore.objects.select_related("item"), pk=score.pk)
        stale_check(record=locked, expected_version=expected_version, what=_("item"))
        if item.evidence_required and not checked and not locked.evidence.exists():
            raise RoundRefused(_("This item requires evidence: attach at least one file."), code="evidence")
        before = (
            {"answer": _points(locked.self_answer), "points": _points(locked.self_points)}
            if locked.is_answered
            else None
        )
        locked.self_answer = value
        locked.self_points = rule_points(Rule.of(item), value)
        locked.explanation = explanation
        locked.self_by = answered_by
        locked.self_at = clock.now()
        locked.version += 1
        locked.save(
            update_fields=["self_answer", "self_points", "explanation", "self_by", "self_at", "version"]
        )
        stored = evidence_store(files=checked, uploaded_by=answered_by, item_score=locked)
        # The card's status, in the event only when the first answer starts the self-assessment.
        started = unit_assessment.status != UnitAssessmentStatus.DRAFTING
        from_status = unit_assessment.status if started else ""
        unit_assessment.status = UnitAssessmentStatus.DRAFTING
        _unit_totals_save(unit_assessment)
        unit_assessment.version += 1
        unit_assessment.save(update_fields=["status", "self_points", "version"])
        subject = f"score:{locked.pk}"
        assessment_events_append(
            events=[
                AssessmentEvent(
                    round=unit_assessment.round,
                    subject=subject,
                    kind=AssessmentEventKind.ITEM_SELF_ASSESSED,
                    from_status=from_status,
                    to_status=unit_assessment.status if started else "",
                    actor=answered_by,
                    note=explanation,
                    payload={
                        "unit": _unit_payload(unit_assessment),
                        "item": item.number,
                        "answer": _points(value),
                        "points": _points(locked.self_points),
                        "from": before,
                    },
                ),
                *(
                    AssessmentEvent(
                        round=unit_assessment.round,
                        subject=subject,
                        kind=AssessmentEventKind.EVIDENCE_ADDED,
                        actor=answered_by,
                        digest=evidence.sha256,
                        payload={"evidence": evidence.pk, "file": evidence.original_name},
                    )
                    for evidence in stored
                ),
            ]
        )
    return locked


def unit_self_assessment_submit(*, unit_assessment: UnitAssessment, submitted_by) -> UnitAssessment:
    """Submit the unit's self-assessment to the team: every item the unit answers must be answered."""
    unit_assessment_check_self_assess_permission(user=submitted_by, unit_assessment=unit_assessment)
    with transaction.atomic():
        locked = row_lock(
            UnitAssessment.objects.select_related("round__scheme", "unit"), pk=unit_assessment.pk
        )
        _entries_open_check(locked.round, locked)
        scores = list(locked.scores.select_related("item").order_by("item__area__number", "item__order"))
        missing = [score.item.number for score in scores if not score.is_answered]
        if missing:
            raise RoundRefused(
                _("%(count)d items are not answered yet: %(items)s.")
                % {"count": len(missing), "items": _named(missing)},
                code="unanswered",
            )
        from_status = locked.status
        locked.status = UnitAssessmentStatus.SUBMITTED
        locked.submitted_by, locked.submitted_at = submitted_by, clock.now()
        _unit_totals_save(locked)
        locked.version += 1
        locked.save(update_fields=["status", "submitted_by", "submitted_at", "self_points", "version"])
        assessment_event_record(
            round=locked.round,
            subject=f"unit:{locked.pk}",
            kind=AssessmentEventKind.SELF_ASSESSMENT_SUBMITTED,
            from_status=from_status,
            to_status=locked.status,
            actor=submitted_by,
            payload={
                "unit": _unit_payload(locked),
                "points": _points(locked.self_points),
                "answered": len(scores) - len(missing),
                "items": len(scores),
            },
        )
    return locked


# --- Review (核准) and approval -------------------------------------------------------------------------


def _reviewable_check(assessment_round: AssessmentRound, unit_assessment: UnitAssessment) -> None:
    """The team reviews a unit once it submitted, or once self-assessment closed, until the approval."""
    if unit_assessment.takes_review():
        return
    if not assessment_round.is_open:
        raise RoundRefused(_("The results are approved: nothing in them changes."), code="approved")
    raise RoundRefused(
        _(
            "The unit has not submitted its self-assessment: it can be reviewed once it does, or "
            "after the deadline (%(deadline)s)."
        )
        % {"deadline": date_text(assessment_round.deadline)},
        code="not_submitted",
    )


def item_review(
    *, score: ItemScore, answer, reason: str, expected_version: int | None = None, reviewed_by
) -> ItemScore:
    """Set one item's approved score (核准分); a reason is required wherever it differs from the
    self-assessed points (an unanswered item has none, so any approved score needs one)."""
    round_check_review_permission(user=reviewed_by)
    item = score.item
    reason = _text_check(reason, what=_("reason"))
    value = answer_parse(Rule.of(item), answer)
    with transaction.atomic():
        unit_assessment = row_lock(
            UnitAssessment.objects.select_related("round__scheme", "unit"), pk=score.unit_assessment_id
        )
        _reviewable_check(unit_assessment.round, unit_assessment)
        locked = row_lock(ItemScore.objects.select_related("item"), pk=score.pk)
        stale_check(record=locked, expected_version=expected_version, what=_("item"))
        if Objection.objects.filter(score_id=locked.pk).exists():
            raise RoundRefused(
                _("The unit objected to this item's approved score: the answer to the objection decides it."),
                code="objected",
            )
        points = rule_points(Rule.of(item), value)
        if points != locked.self_points and not reason:
            raise RoundRefused(
                _("The approved score differs from the self-assessed one: give the reason."), code="reason"
            )
        before = (
            {"answer": _points(locked.approved_answer), "points": _points(locked.approved_points)}
            if locked.approved_points is not None
            else None
        )
        locked.approved_answer, locked.approved_points, locked.reason = value, points, reason
        locked.reviewed_by, locked.reviewed_at = reviewed_by, clock.now()
        locked.version += 1
        locked.save(
            update_fields=[
                "approved_answer",
                "approved_points",
                "reason",
                "reviewed_by",
                "reviewed_at",
                "version",
            ]
        )
        if unit_assessment.status == UnitAssessmentStatus.REVIEWED:
            _unit_totals_save(unit_assessment, approved=True)
            unit_assessment.version += 1
            unit_assessment.save(update_fields=["self_points", "approved_points", "version"])
        assessment_event_record(
            round=unit_assessment.round,
            subject=f"score:{locked.pk}",
            kind=AssessmentEventKind.ITEM_REVIEWED,
            actor=reviewed_by,
            note=reason,
            payload={
                "unit": _unit_payload(unit_assessment),
                "item": item.number,
                "answer": _points(value),
                "points": _points(points),
                "self_points": _points(locked.self_points),
                "from": before,
            },
        )
    return locked


def unit_review_complete(*, unit_assessment: UnitAssessment, reviewed_by) -> UnitAssessment:
    """Complete a unit's review: every item the team left as it was is approved as self-assessed (an
    unanswered one at no points), and the unit's approved total is kept."""
    round_check_review_permission(user=reviewed_by)
    with transaction.atomic():
        locked = row_lock(
            UnitAssessment.objects.select_related("round__scheme", "unit"), pk=unit_assessment.pk
        )
        _reviewable_check(locked.round, locked)
        if locked.status == UnitAssessmentStatus.REVIEWED:
            raise RoundRefused(_("The unit's review is already completed."), code="reviewed")
        now = clock.now()
        adopted = list(locked.scores.filter(reviewed_at__isnull=True).select_for_update())
        for score in adopted:
            score.approved_answer = score.self_answer
            score.approved_points = score.self_points if score.self_points is not None else Decimal("0.00")
            score.reviewed_by, score.reviewed_at = reviewed_by, now
            score.version += 1
        ItemScore.objects.bulk_update(
            adopted, ["approved_answer", "approved_points", "reviewed_by", "reviewed_at", "version"]
        )
        from_status = locked.status
        locked.status = UnitAssessmentStatus.REVIEWED
        locked.reviewed_by, locked.reviewed_at = reviewed_by, now
        _unit_totals_save(locked, approved=True)
        locked.version += 1
        locked.save(
            update_fields=[
                "status",
                "reviewed_by",
                "reviewed_at",
                "self_points",
                "approved_points",
                "version",
            ]
        )
        assessment_event_record(
            round=locked.round,
            subject=f"unit:{locked.pk}",
            kind=AssessmentEventKind.REVIEW_COMPLETED,
            from_status=from_status,
            to_status=locked.status,
            actor=reviewed_by,
            payload={
                "unit": _unit_payload(locked),
                "self_points": _points(locked.self_points),
                "points": _points(locked.approved_points),
                "adopted": len(adopted),
            },
        )
    return locked


def round_approve(*, assessment_round: AssessmentRound, approved_by) -> AssessmentRound:
    """The Party Group approves the results once every unit is reviewed: they are published, and nothing
    in the round changes after."""
    round_check_approve_permission(user=approved_by)
    with transaction.atomic():
        locked = row_lock(AssessmentRound, pk=assessment_round.pk)
        if not locked.is_open:
            raise RoundRefused(_("The results are already approved."), code="approved")
        if locked.is_counting:
            raise RoundRefused(
                _("The system's items are being counted: approve the results once the count is done."),
                code="counting",
            )
        cards = list(
            locked.units.select_related("unit")
            .select_for_update(of=("self",))
            .order_by("unit__sort_order", "unit__code")
        )
        waiting = [card.unit.name for card in cards if card.status != UnitAssessmentStatus.REVIEWED]
        if waiting:
            raise RoundRefused(
                _("%(count)d units are not reviewed yet: %(units)s.")
                % {"count": len(waiting), "units": _named(waiting)},
                code="not_reviewed",
            )
        bands = grade_bands_of(locked)
        scores = ItemScore.objects.filter(unit_assessment__round=locked).order_by(
            "unit_assessment__unit_id", "item_id"
        )
        figures = list(scores.values_list("unit_assessment__unit_id", "item_id", "approved_points"))
        encoded = json.dumps(
            [[unit, item, str(points)] for unit, item, points in figures], separators=(",", ":")
        )
        locked.status = RoundStatus.APPROVED
        locked.approved_by, locked.approved_at = approved_by, clock.now()
        locked.version += 1
        locked.save(update_fields=["status", "approved_by", "approved_at", "version"])
        announce(  # the results are published: other systems hear of it (e.g. their webhooks)
            kind=AnnouncementKind.ASSESSMENT_PUBLISHED,
            subject=f"round:{locked.pk}",
            occasion=locked.approved_at.isoformat(),
            occurred_at=locked.approved_at,
        )
        assessment_event_record(
            round=locked,
            subject=f"round:{locked.pk}",
            kind=AssessmentEventKind.ROUND_APPROVED,
            from_status=RoundStatus.OPEN,
            to_status=RoundStatus.APPROVED,
            actor=approved_by,
            digest=hashlib.sha256(encoded.encode()).hexdigest(),
            payload={
                "units": [
                    [card.unit_id, _points(card.approved_points), grade_of(card.approved_points, bands)]
                    for card in cards
                ]
            },
        )
    return locked
