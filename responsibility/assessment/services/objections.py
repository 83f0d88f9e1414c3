"""Objections (异议) to a unit's approved scores: once the team completed the unit's review (the scores
are fed back, 反馈), its head may lodge one per item, until the round's days for objections after the
Party Group's approval are over; the assessment team answers each, upholding it with the corrected score
or not, with its reasons. Each step is a chained event; an answer is final, and an item objected to is
no longer reviewed again: the answer decides it.

An upheld objection is the recorded re-assessment of its item: the approved scores stay as the Party
Group approved them, and the unit's result after objections (`assessment.results.final_totals`) counts
the corrected score.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock
from core.dates import date_text
from core.locks import row_lock
from core.versions import stale_check
from responsibility.assessment.audit import assessment_event_record
from responsibility.assessment.models import (
    AssessmentEventKind,
    ItemScore,
    Objection,
    ObjectionStatus,
    UnitAssessment,
)
from responsibility.assessment.permissions import (
    round_check_review_permission,
    unit_assessment_check_self_assess_permission,
)
from responsibility.assessment.rules import Rule, answer_parse, points_text, rule_points
from responsibility.assessment.services.rounds import MAX_TEXT_LENGTH, RoundRefused


def _text(text: str, *, missing: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise RoundRefused(missing, code="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise RoundRefused(
            _("The %(what)s may be at most %(max)d characters.") % {"what": what, "max": MAX_TEXT_LENGTH},
            code="too_long",
        )
    return text


def objection_lodge(*, score: ItemScore, text: str, lodged_by) -> Objection:
    """The unit head's objection to one item's approved score, from the unit's review to the end of the
    days for objections."""
    unit_assessment_check_self_assess_permission(user=lodged_by, unit_assessment=score.unit_assessment)
    text = _text(text, missing=_("Say what you object to and why."), what=_("objection"))
    with transaction.atomic():
        card = row_lock(UnitAssessment.objects.select_related("round", "unit"), pk=score.unit_assessment_id)
        assessment_round = card.round
        if not card.takes_objections():
            if not card.is_reviewed:
                raise RoundRefused(
                    _("Objections are lodged once the assessment team has completed the unit's review."),
                    code="not_reviewed",
                )
            raise RoundRefused(
                _("The days for objections ended on %(date)s.")
                % {"date": date_text(assessment_round.objections_until())},
                code="too_late",
            )
        score = ItemScore.objects.select_related("item").get(pk=score.pk)
        if Objection.objects.filter(score_id=score.pk).exists():
            raise RoundRefused(_("An objection to this item was already lodged."), code="duplicate")
        try:
            with transaction.atomic():
                objection = Objection.objects.create(
                    score_id=score.pk, unit_assessment=card, text=text, lodged_by=lodged_by
                )
        except IntegrityError:
            raise RoundRefused(_("An objection to this item was already lodged."), code="duplicate") from None
        assessment_event_record(
            round=assessment_round,
            subject=f"score:{score.pk}",
            kind=AssessmentEventKind.OBJECTION_LODGED,
            to_status=ObjectionStatus.PENDING,
            actor=lodged_by,
            note=text,
            payload={
                "unit": {"id": card.unit_id, "name": card.unit.name},
                "item": score.item.number,
                "points": points_text(score.approved_points),
                "objection": objection.pk,
            },
        )
    return objection


def objection_answer(
    *,
    objection: Objection,
    upheld: bool,
    answer,
    reply: str,
    expected_version: int | None = None,
    answered_by,
) -> Objection:
    """The team's answer: upheld, with the corrected answer (its points must differ from the approved
    ones), or not; with its reasons either way. Final once given."""
    round_check_review_permission(user=answered_by)
    reply = _text(reply, missing=_("Give the reasons for the answer."), what=_("answer"))
    item = objection.score.item
    if upheld and (answer is None or not str(answer).strip()):
        raise RoundRefused(_("To uphold the objection, give the corrected answer."), code="missing_answer")
    corrected = answer_parse(Rule.of(item), answer) if upheld else None
    with transaction.atomic():
        locked = row_lock(
            Objection.objects.select_related(
                "score__item", "unit_assessment__unit", "unit_assessment__round"
            ),
            pk=objection.pk,
        )
        stale_check(record=locked, expected_version=expected_version, what=_("objection"))
        if not locked.is_pending:
            raise RoundRefused(_("The objection is already answered."), code="answered")
        approved = locked.score.approved_points
        points = rule_points(Rule.of(item), corrected) if upheld else None
        if upheld and points == approved:
            raise RoundRefused(
                _("Upholding the objection changes the approved score: give the corrected answer."),
                code="unchanged",
            )
        locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        locked.reply = reply
        locked.corrected_answer, locked.corrected_points = corrected, points
        locked.answered_by, locked.answered_at = answered_by, clock.now()
        locked.version += 1
        locked.save(
            update_fields=[
                "status",
                "reply",
                "corrected_answer",
                "corrected_points",
                "answered_by",
                "answered_at",
                "version",
            ]
        )
        card = locked.unit_assessment
        assessment_event_record(
            round=card.round,
            subject=f"score:{locked.score_id}",
            kind=AssessmentEventKind.OBJECTION_ANSWERED,
            from_status=ObjectionStatus.PENDING,
            to_status=locked.status,
            actor=answered_by,
            note=reply,
            payload={
                "unit": {"id": card.unit_id, "name": card.unit.name},
                "item": item.number,
                "upheld": upheld,
                "points": points_text(approved),
                "corrected": None if points is None else points_text(points),
                "objection": locked.pk,
            },
        )
    return locked
