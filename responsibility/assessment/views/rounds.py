"""The assessment round pages: the rounds, a round's units, a unit's score card and one item of it."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import event_history_rows
from core.errors import ApplicationError
from core.http import (
    XLSX_CONTENT_TYPE,
    as_attachment,
    form_data,
    form_files,
    form_status,
    form_submit,
    query_without_page,
)
from core.sealed_reports import report_file_response, report_issue_tell
from responsibility.assessment.audit import assessment_event_describe
from responsibility.assessment.counted import counted_rows
from responsibility.assessment.forms import (
    ObjectionAnswerForm,
    ObjectionForm,
    ReviewForm,
    RoundOpenForm,
    SelfAssessForm,
)
from responsibility.assessment.indicators import INDICATORS
from responsibility.assessment.models import (
    ItemScore,
    Objection,
    ObjectionStatus,
    RoundStatus,
    UnitAssessment,
    UnitAssessmentStatus,
)
from responsibility.assessment.permissions import (
    card_actions,
    round_check_open_permission,
    round_check_review_permission,
    round_reads_everything,
    round_user_can_approve,
    round_user_can_open,
    unit_assessment_check_self_assess_permission,
)
from responsibility.assessment.results import final_totals, round_summary
from responsibility.assessment.results_workbook import round_results_workbook
from responsibility.assessment.rules import (
    Rule,
    grade_bands_of,
    grade_bands_text,
    grade_of,
    ranks,
    rule_sentence,
)
from responsibility.assessment.selectors import (
    assessment_event_list_of,
    item_score_list_visible_to,
    objection_list_visible_to,
    round_list_visible_to,
    unit_assessment_list_visible_to,
    unit_assessment_scores,
)
from responsibility.assessment.services.counts import round_indicators_count
from responsibility.assessment.services.objections import objection_answer, objection_lodge
from responsibility.assessment.services.results import assessment_result_issue, round_result_issue
from responsibility.assessment.services.rounds import (
    item_review,
    item_self_assess,
    round_approve,
    round_open,
    unit_review_complete,
    unit_self_assessment_submit,
)

# A round's page lists so many units at a time (a province has 2,000).
UNITS_PER_PAGE = 50

STATUS_LABELS = {
    **dict(UnitAssessmentStatus.choices),
    **dict(RoundStatus.choices),
    **dict(ObjectionStatus.choices),
}


@login_required
def round_list_view(request):
    """The rounds the user may open: every one for the office, the team and the Party Group, with how
    far its units are; a unit head's own units' cards."""
    rounds = list(round_list_visible_to(user=request.user))
    reads_everything = round_reads_everything(request.user)
    progress: dict[int, dict[str, int]] = {}
    if reads_everything:
        rows = (
            UnitAssessment.objects.filter(round__in=rounds)
            .values("round_id", "status")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for row in rows:
            progress.setdefault(row["round_id"], {})[row["status"]] = row["count"]
    cards = {}
    if not reads_everything:
        for card in unit_assessment_list_visible_to(user=request.user).filter(round__in=rounds):
            cards.setdefault(card.round_id, []).append(card)
    return render(
        request,
        "responsibility/assessment/rounds/list.html",
        {
            "rounds": [
                {
                    "round": assessment_round,
                    "progress": [
                        (label, progress.get(assessment_round.pk, {}).get(status, 0))
                        for status, label in UnitAssessmentStatus.choices
                    ],
                    "cards": cards.get(assessment_round.pk, []),
                }
                for assessment_round in rounds
            ],
            "reads_everything": reads_everything,
            "can_open": round_user_can_open(user=request.user),
        },
    )


@login_required
def round_open_view(request):
    round_check_open_permission(user=request.user)  # 403 before anything is read
    form = RoundOpenForm(form_data(request), initial=RoundOpenForm.initial_for_today())

    def save():
        assessment_round = round_open(data=form.round_input(), opened_by=request.user)
        messages.success(
            request,
            _("“%(name)s” is open: %(units)d units self-assess until %(deadline)s.")
            % {
                "name": assessment_round.name,
                "units": assessment_round.units.count(),
                "deadline": assessment_round.deadline.strftime("%Y-%m-%d"),
            },
        )
        return redirect("responsibility:round-detail", pk=assessment_round.pk)

    return form_submit(form, save) or render(
        request, "responsibility/assessment/rounds/open.html", {"form": form}, status=form_status(form)
    )


def _grade(points, bands) -> str:
    """A unit's grade by its points (after objections, once published), once it has them."""
    return grade_of(points, bands) if points is not None and bands else ""


@login_required
def round_detail_view(request, pk: int):
    """A round's units a page at a time, with their status and totals (ranked once approved), the
    summary of every unit the user sees, and the round's own history: a fixed number of queries."""
    assessment_round = get_object_or_404(round_list_visible_to(user=request.user), pk=pk)
    visible = unit_assessment_list_visible_to(user=request.user).filter(round=assessment_round)
    approved = assessment_round.status == RoundStatus.APPROVED
    bands = grade_bands_of(assessment_round)
    by_status = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    total = sum(by_status.values())
    finals: dict = {}
    places: dict[int, int] = {}
    if approved:
        # Ranked by the final points of every unit the user sees; the page shows its share.
        finals = final_totals(
            assessment_round=assessment_round, unit_ids=visible.values_list("pk", flat=True)
        )
        order = sorted(finals, key=lambda card_pk: -finals[card_pk])
        places = dict(zip(order, ranks([finals[card_pk] for card_pk in order]), strict=True))
        page_obj = Paginator(order, UNITS_PER_PAGE).get_page(request.GET.get("page"))
        shown = {card.pk: card for card in visible.filter(pk__in=list(page_obj))}
        cards = [shown[card_pk] for card_pk in page_obj]
    else:
        page_obj = Paginator(visible.order_by("unit__sort_order", "unit__code"), UNITS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        cards = list(page_obj)
    # Each unit's objections, and of them those the team has still to answer.
    objections = {
        unit_id: (lodged, pending)
        for unit_id, lodged, pending in Objection.objects.filter(
            unit_assessment__in=[card.pk for card in cards]
        )
        .values_list("unit_assessment_id")
        .annotate(lodged=Count("pk"), pending=Count("pk", filter=Q(status=ObjectionStatus.PENDING)))
        .order_by()
    }
    reads_everything = round_reads_everything(request.user)
    history = (
        event_history_rows(
            assessment_event_list_of(
                assessment_round=assessment_round, subjects=[f"round:{assessment_round.pk}"]
            ),
            describe=assessment_event_describe,
            status_labels=STATUS_LABELS,
        )
        if reads_everything
        else []
    )
    return render(
        request,
        "responsibility/assessment/rounds/detail.html",
        {
            "round": assessment_round,
            "rows": [
                {
                    "card": card,
                    "rank": places.get(card.pk),
                    "final": finals.get(card.pk),
                    "grade": _grade(finals.get(card.pk, card.approved_points), bands),
                    "objections": objections.get(card.pk, (0, 0))[0],
                    "objections_pending": objections.get(card.pk, (0, 0))[1],
                }
                for card in cards
            ],
            "page_obj": page_obj,
            "query_without_page": query_without_page(request),
            "grades": grade_bands_text(bands),
            "approved": approved,
            "counts": [(label, by_status.get(status, 0)) for status, label in UnitAssessmentStatus.choices],
            "all_reviewed": bool(total) and by_status.get(UnitAssessmentStatus.REVIEWED, 0) == total,
            "reads_everything": reads_everything,
            "can_recount": assessment_round.is_open
            and not assessment_round.is_counting
            and round_user_can_open(user=request.user),
            "can_approve": assessment_round.is_open and round_user_can_approve(user=request.user),
            "history": history,
            "round_results": list(
                assessment_round.result_documents.select_related("issued_by").order_by("-version")
            )
            if approved and reads_everything
            else [],
            "can_issue_round_result": approved and round_user_can_open(user=request.user),
            "summary": round_summary(
                assessment_round=assessment_round, cards=visible, shown=cards, finals=finals
            )
            if reads_everything and total
            else None,
        },
    )


@login_required
def round_export_view(request, pk: int):
    """The round's results as a workbook: the units the user may see, ranked once approved, and every
    item of each; before the approval, the working state (工作稿)."""
    assessment_round = get_object_or_404(round_list_visible_to(user=request.user), pk=pk)
    cards = list(
        unit_assessment_list_visible_to(user=request.user)
        .filter(round=assessment_round)
        .order_by("unit__sort_order", "unit__code")
    )
    suffix, finals = _("results"), None
    if assessment_round.status == RoundStatus.APPROVED:
        finals = final_totals(assessment_round=assessment_round, unit_ids=[card.pk for card in cards])
        cards.sort(key=lambda card: -finals[card.pk])
    else:
        suffix = _("working copy")
    return as_attachment(
        HttpResponse(round_results_workbook(assessment_round, cards, finals), content_type=XLSX_CONTENT_TYPE),
        download_name=f"{assessment_round.name}（{suffix}）.xlsx",
        fallback_name="assessment-results.xlsx",
    )


@login_required
@require_POST
def round_recount_view(request, pk: int):
    assessment_round = get_object_or_404(round_list_visible_to(user=request.user), pk=pk)
    try:
        round_indicators_count(assessment_round=assessment_round, counted_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The system's items are being counted again from the records as they stand.")
        )
    return redirect("responsibility:round-detail", pk=pk)


@login_required
def round_count_status_view(request, pk: int):
    """How far the round's count is, for the page's progress bar (poll-status.js)."""
    assessment_round = get_object_or_404(round_list_visible_to(user=request.user), pk=pk)
    counting = assessment_round.is_counting
    return JsonResponse(
        {
            "status": "counting" if counting else "done",
            "status_label": _("Counting") if counting else _("Counted"),
            "percent": assessment_round.count_progress if counting else 100,
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_POST
def round_approve_view(request, pk: int):
    assessment_round = get_object_or_404(round_list_visible_to(user=request.user), pk=pk)
    try:
        round_approve(assessment_round=assessment_round, approved_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The results are approved and published to the units."))
    return redirect("responsibility:round-detail", pk=pk)


# --- A unit's score card ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    score: ItemScore
    rule: str
    indicator_name: str
    objection: Objection | None = None


@dataclass(frozen=True)
class AreaScores:
    area: object
    rows: list[ScoreRow]


def _score_rows(scores: list[ItemScore], objections: dict[int, Objection]) -> list[AreaScores]:
    areas: list[AreaScores] = []
    for score in scores:
        item = score.item
        if not areas or areas[-1].area.pk != item.area_id:
            areas.append(AreaScores(area=item.area, rows=[]))
        indicator = INDICATORS.get(item.indicator)
        areas[-1].rows.append(
            ScoreRow(
                score=score,
                rule=rule_sentence(Rule.of(item)),
                indicator_name=str(indicator.name) if indicator else "",
                objection=objections.get(score.pk),
            )
        )
    return areas


@login_required
def card_detail_view(request, pk: int):
    """A unit's score card (考核评分表): every item with its self-assessed and approved score."""
    card = get_object_or_404(unit_assessment_list_visible_to(user=request.user), pk=pk)
    scores = unit_assessment_scores(unit_assessment=card)
    subjects = [f"unit:{card.pk}", *(f"score:{score.pk}" for score in scores)]
    unanswered = [score.item.number for score in scores if not score.is_answered]
    final = (
        final_totals(assessment_round=card.round, unit_ids=[card.pk])[card.pk] if card.is_reviewed else None
    )
    return render(
        request,
        "responsibility/assessment/rounds/card.html",
        {
            "card": card,
            "round": card.round,
            "final": final,
            "grade": _grade(final if final is not None else card.approved_points, grade_bands_of(card.round)),
            "areas": _score_rows(
                scores, {objection.score_id: objection for objection in card.objections.all()}
            ),
            "unanswered": unanswered,
            "actions": card_actions(user=request.user, unit_assessment=card),
            "results": list(card.result_documents.select_related("issued_by").order_by("-version"))
            if not card.round.is_open
            else [],
            "can_issue_result": not card.round.is_open and round_user_can_open(user=request.user),
            "history": event_history_rows(
                assessment_event_list_of(assessment_round=card.round, subjects=subjects),
                describe=assessment_event_describe,
                status_labels=STATUS_LABELS,
            ),
        },
    )


@login_required
@require_POST
def card_submit_view(request, pk: int):
    card = get_object_or_404(unit_assessment_list_visible_to(user=request.user), pk=pk)
    unit_assessment_check_self_assess_permission(user=request.user, unit_assessment=card)
    try:
        unit_self_assessment_submit(unit_assessment=card, submitted_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The self-assessment is submitted to the assessment team."))
    return redirect("responsibility:card-detail", pk=pk)


@login_required
@require_POST
def card_review_complete_view(request, pk: int):
    card = get_object_or_404(unit_assessment_list_visible_to(user=request.user), pk=pk)
    round_check_review_permission(user=request.user)
    try:
        reviewed = unit_review_complete(unit_assessment=card, reviewed_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The review of %(unit)s is completed: %(points)s points approved.")
            % {"unit": card.unit.name, "points": reviewed.approved_points.normalize()},
        )
    return redirect("responsibility:card-detail", pk=pk)


# --- One item of a score card ---------------------------------------------------------------------------


def _answer_initial(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _score_page(
    request,
    score: ItemScore,
    *,
    self_form=None,
    review_form=None,
    objection_form=None,
    answer_form=None,
    status: int = 200,
):
    card = score.unit_assessment
    item = score.item
    actions = card_actions(user=request.user, unit_assessment=card)
    indicator = INDICATORS.get(item.indicator)
    if actions.self_assess and not item.indicator and self_form is None:
        self_form = SelfAssessForm(
            rule=item.rule,
            initial={
                "answer": _answer_initial(score.self_answer),
                "explanation": score.explanation,
                "version": score.version,
            },
        )
    objection = objection_list_visible_to(user=request.user).filter(score=score).first()
    # An item objected to is decided by the answer to the objection, not reviewed again.
    if actions.review and objection is None and review_form is None:
        answer = score.approved_answer if score.approved_points is not None else score.self_answer
        review_form = ReviewForm(
            rule=item.rule,
            initial={"answer": _answer_initial(answer), "reason": score.reason, "version": score.version},
        )
    if actions.object and objection is None and objection_form is None:
        objection_form = ObjectionForm()
    if actions.answer_objections and objection is not None and objection.is_pending and answer_form is None:
        answer_form = ObjectionAnswerForm(rule=item.rule, initial={"version": objection.version})
    records, records_total = (
        counted_rows(indicator_code=item.indicator, unit_id=card.unit_id, year=card.round.year)
        if indicator
        else ([], 0)
    )
    return render(
        request,
        "responsibility/assessment/rounds/score.html",
        {
            "score": score,
            "item": item,
            "card": card,
            "round": card.round,
            "rule": rule_sentence(Rule.of(item)),
            "indicator": indicator,
            "records": records,
            "records_total": records_total,
            "evidence": list(score.evidence.all()),
            # A form sent back shows its refusal even when the action is no longer open (the deadline passed).
            "self_form": self_form,
            "review_form": review_form,
            "objection": objection,
            "objection_form": objection_form,
            "answer_form": answer_form,
            "objections_until": card.round.objections_until(),
            "history": event_history_rows(
                assessment_event_list_of(assessment_round=card.round, subjects=[f"score:{score.pk}"]),
                describe=assessment_event_describe,
                status_labels=STATUS_LABELS,
            ),
        },
        status=status,
    )


def _visible_score(request, pk: int) -> ItemScore:
    return get_object_or_404(item_score_list_visible_to(user=request.user), pk=pk)


@login_required
def score_detail_view(request, pk: int):
    """One item of a score card: its rule, the answer with its explanation, evidence or counted records,
    the approved score, and the forms of those who may act on it now."""
    return _score_page(request, _visible_score(request, pk))


@login_required
@require_POST
def score_self_assess_view(request, pk: int):
    score = _visible_score(request, pk)
    unit_assessment_check_self_assess_permission(user=request.user, unit_assessment=score.unit_assessment)
    form = SelfAssessForm(form_data(request), form_files(request), rule=score.item.rule)

    def save():
        item_self_assess(
            score=score,
            answer=form.cleaned_data["answer"],
            explanation=form.cleaned_data["explanation"],
            files=form.cleaned_data["files"],
            expected_version=form.cleaned_data["version"],
            answered_by=request.user,
        )
        messages.success(request, _("Item %(number)s is self-assessed.") % {"number": score.item.number})
        return redirect("responsibility:card-detail", pk=score.unit_assessment_id)

    return form_submit(form, save) or _score_page(request, score, self_form=form, status=400)


@login_required
@require_POST
def score_review_view(request, pk: int):
    score = _visible_score(request, pk)
    round_check_review_permission(user=request.user)
    form = ReviewForm(form_data(request), rule=score.item.rule)

    def save():
        item_review(
            score=score,
            answer=form.cleaned_data["answer"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            reviewed_by=request.user,
        )
        messages.success(
            request, _("The approved score of item %(number)s is set.") % {"number": score.item.number}
        )
        return redirect("responsibility:card-detail", pk=score.unit_assessment_id)

    return form_submit(form, save) or _score_page(request, score, review_form=form, status=400)


# --- Objections -------------------------------------------------------------------------------------------


@login_required
@require_POST
def score_object_view(request, pk: int):
    score = _visible_score(request, pk)
    unit_assessment_check_self_assess_permission(user=request.user, unit_assessment=score.unit_assessment)
    form = ObjectionForm(form_data(request))

    def save():
        objection_lodge(score=score, text=form.cleaned_data["text"], lodged_by=request.user)
        messages.success(
            request,
            _("Your objection to item %(number)s is lodged; the assessment team will answer it.")
            % {"number": score.item.number},
        )
        return redirect("responsibility:score-detail", pk=score.pk)

    return form_submit(form, save) or _score_page(request, score, objection_form=form, status=400)


@login_required
@require_POST
def objection_answer_view(request, pk: int):
    objection = get_object_or_404(objection_list_visible_to(user=request.user), pk=pk)
    round_check_review_permission(user=request.user)
    score = objection.score
    form = ObjectionAnswerForm(form_data(request), rule=score.item.rule)

    def save():
        objection_answer(
            objection=objection,
            upheld=form.upheld,
            answer=form.cleaned_data["answer"],
            reply=form.cleaned_data["reply"],
            expected_version=form.cleaned_data["version"],
            answered_by=request.user,
        )
        messages.success(request, _("The objection is answered."))
        return redirect("responsibility:score-detail", pk=score.pk)

    return form_submit(form, save) or _score_page(request, score, answer_form=form, status=400)


# --- The sealed result ---------------------------------------------------------------------------------


@login_required
@require_POST
def card_result_issue_view(request, pk: int):
    """出具考核结果: seal and archive the unit's published result as its next version (the office)."""
    card = get_object_or_404(unit_assessment_list_visible_to(user=request.user), pk=pk)
    try:
        result = assessment_result_issue(
            unit_assessment=card, issued_by=request.user
        )  # PermissionDenied: 403
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        report_issue_tell(
            request,
            result,
            issued=_(
                "Version %(version)d of the result was issued and sealed. Its verification code is %(code)s."
            ),
        )
    return redirect(reverse("responsibility:card-detail", args=[card.pk]) + "#result")


@login_required
def card_result_document_view(request, pk: int, version: int):
    """A sealed version of the unit's result: the stored bytes, as sealed (never rendered again)."""
    card = get_object_or_404(unit_assessment_list_visible_to(user=request.user), pk=pk)
    document = get_object_or_404(card.result_documents.all(), version=version)
    response = report_file_response(
        request,
        document,
        download_name=_("Assessment result_%(year)s_%(unit)s_version %(version)d.pdf")
        % {"year": card.round.year, "unit": card.unit.name, "version": document.version},
        fallback_name=f"assessment-result-{card.round.year}-{card.pk}-v{document.version}.pdf",
    )
    return response or redirect(reverse("responsibility:card-detail", args=[card.pk]) + "#result")


@login_required
@require_POST
def round_result_issue_view(request, pk: int):
    """出具考核结果通报: seal and archive the round's results, every unit ranked (the office)."""
    assessment_round = get_object_or_404(round_list_visible_to(user=request.user), pk=pk)
    try:
        result = round_result_issue(assessment_round=assessment_round, issued_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        report_issue_tell(
            request,
            result,
            issued=_(
                "Version %(version)d of the round's results was issued and sealed. Its verification code is "
                "%(code)s."
            ),
        )
    return redirect(reverse("responsibility:round-detail", args=[pk]) + "#round-result")


@login_required
def round_result_document_view(request, pk: int, version: int):
    """A sealed version of the round's results: only for those who read every unit's card."""
    assessment_round = get_object_or_404(round_list_visible_to(user=request.user), pk=pk)
    if not round_reads_everything(request.user):
        raise Http404
    document = get_object_or_404(assessment_round.result_documents.all(), version=version)
    response = report_file_response(
        request,
        document,
        download_name=_("Assessment results_%(year)s_version %(version)d.pdf")
        % {"year": assessment_round.year, "version": document.version},
        fallback_name=f"assessment-results-{assessment_round.year}-{assessment_round.pk}-v{document.version}.pdf",
    )
    return response or redirect(reverse("responsibility:round-detail", args=[pk]) + "#round-result")
