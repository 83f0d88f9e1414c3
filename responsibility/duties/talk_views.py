"""Integrity talk (廉政谈话) pages: the talks a user held, was talked to in, or (the inspection team and the
Party Group) every talk; planning one; a talk's page with its record, the answer of the person talked to
and its history; and the actions on it: write the record, confirm it or disagree, cancel a planned talk.

Lookups go through `talk_list_visible_to` (a talk the user may not see is a 404); actions are decided by
permissions.py (a refusal is a 403, before any input is read) and carried out by services/talks.py (its
refusal is shown on the form).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.reauth import reauthenticated_at
from accounts.reauth_form import reauthentication_remember
from core import clock
from core.audit import event_history_rows
from core.errors import ApplicationError
from core.forms import form_error_show
from core.http import (
    client_ip,
    client_user_agent,
    form_data,
    form_status,
    form_submit,
    object_or_404,
    query_without_page,
)
from responsibility.duties.audit import duty_event_describe
from responsibility.duties.forms import TalkAnswerForm, TalkCancelForm, TalkPlanForm, TalkRecordForm
from responsibility.duties.models import Talk, TalkStatus
from responsibility.duties.permissions import (
    TalkAction,
    talk_check_permission,
    talk_user_can,
    talks_read_everything,
)
from responsibility.duties.selectors import (
    talk_event_list_of,
    talk_kind_list_active,
    talk_list_visible_to,
    talk_partner_list_for,
    talk_period_list_for,
)
from responsibility.duties.services.talks import (
    TalkAttestation,
    talk_answer,
    talk_cancel,
    talk_plan,
    talk_record,
)

TALKS_PER_PAGE = 30


def _detail(talk_id: int, anchor: str = ""):
    url = reverse("responsibility:talk-detail", kwargs={"pk": talk_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
def talk_list_view(request):
    """The talks the user may see, newest first, by status and by whom they concern."""
    user = request.user
    talks = talk_list_visible_to(user=user)
    reads_everything = talks_read_everything(user)
    scope = request.GET.get("scope", "")
    if scope == "held":
        talks = talks.filter(talker=user)
    elif scope == "received":
        talks = talks.filter(talked_to=user)
    else:
        scope = ""
    status = request.GET.get("status", "")
    if status in TalkStatus.values:
        talks = talks.filter(status=status)
    else:
        status = ""
    page = Paginator(talks.order_by("-planned_on", "-pk"), TALKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "responsibility/talks/list.html",
        {
            "page_obj": page,
            "talks": page.object_list,
            "query_without_page": query_without_page(request),
            "scope": scope,
            "status": status,
            "statuses": TalkStatus.choices,
            "reads_everything": reads_everything,
            "can_plan": talk_user_can(user=user, action=TalkAction.PLAN),
        },
    )


@login_required
def talk_plan_view(request):
    user = request.user
    talk_check_permission(user=user, action=TalkAction.PLAN)  # 403 before any input is read
    periods = list(talk_period_list_for(talker=user))
    initial = {"planned_on": clock.today()}
    asked = request.GET.get("period", "")
    if asked.isdigit() and any(period.pk == int(asked) for period in periods):
        initial["occurrence"] = int(asked)
    form = TalkPlanForm(
        form_data(request),
        kinds=talk_kind_list_active(),
        partners=talk_partner_list_for(talker=user),
        periods=periods,
        initial=initial,
    )

    def save():
        talk = talk_plan(talker=user, data=form.plan_input())
        messages.success(
            request,
            _("The %(kind)s with %(name)s is planned for %(date)s.")
            % {
                "kind": talk.kind.name,
                "name": talk.talked_to.get_full_name(),
                "date": talk.planned_on.isoformat(),
            },
        )
        return _detail(talk.pk)

    return form_submit(form, save) or render(
        request, "responsibility/talks/plan.html", {"form": form}, status=form_status(form)
    )


def _talk_page(request, pk: int, *, record_form=None, answer_form=None, cancel_form=None, status: int = 200):
    """The talk's page, read afresh (after a refused action too), or 404."""
    user = request.user
    talk = object_or_404(talk_list_visible_to(user=user).filter(pk=pk))
    can_record = talk.status in (TalkStatus.PLANNED, TalkStatus.DISPUTED) and talk_user_can(
        user=user, action=TalkAction.RECORD, talk=talk
    )
    can_answer = talk.status == TalkStatus.RECORDED and talk_user_can(
        user=user, action=TalkAction.ANSWER, talk=talk
    )
    can_cancel = talk.status == TalkStatus.PLANNED and talk_user_can(
        user=user, action=TalkAction.CANCEL, talk=talk
    )
    if can_record and record_form is None:
        initial = {"version": talk.version, "held_on": talk.held_on or min(talk.planned_on, clock.today())}
        if talk.status == TalkStatus.DISPUTED:  # written again from the record the other disagreed with
            initial.update(place=talk.place, points=talk.points, commitments=talk.commitments)
        record_form = TalkRecordForm(initial=initial)
    if can_answer and answer_form is None:
        answer_form = TalkAnswerForm(user=user, request=request, initial={"version": talk.version})
    if can_cancel and cancel_form is None:
        cancel_form = TalkCancelForm(initial={"version": talk.version})
    record = getattr(talk, "performance_record", None) if talk.status == TalkStatus.CONFIRMED else None
    return render(
        request,
        "responsibility/talks/detail.html",
        {
            "talk": talk,
            "record_form": record_form if can_record else None,
            "answer_form": answer_form if can_answer else None,
            "cancel_form": cancel_form if can_cancel else None,
            "period_record": record,
            "history": event_history_rows(
                talk_event_list_of(talk=talk),
                describe=duty_event_describe,
                status_labels=dict(TalkStatus.choices),
            ),
            "reauth_return_to": reverse("responsibility:talk-detail", kwargs={"pk": talk.pk}),
        },
        status=status,
    )


@login_required
def talk_detail_view(request, pk: int):
    return _talk_page(request, pk)


def _visible_talk(request, pk: int) -> Talk:
    return object_or_404(talk_list_visible_to(user=request.user).filter(pk=pk))


@login_required
@require_POST
def talk_record_view(request, pk: int):
    talk = _visible_talk(request, pk)
    talk_check_permission(user=request.user, action=TalkAction.RECORD, talk=talk)
    form = TalkRecordForm(request.POST)

    def save():
        talk_record(
            talk=talk,
            recorded_by=request.user,
            data=form.record_input(),
            expected_version=form.cleaned_data["version"],
        )
        messages.success(
            request,
            _("The record was kept. %(name)s is asked to confirm it.")
            % {"name": talk.talked_to.get_full_name()},
        )
        return _detail(talk.pk)

    return form_submit(form, save) or _talk_page(request, pk, record_form=form, status=400)


@login_required
@require_POST
def talk_answer_view(request, pk: int):
    talk = _visible_talk(request, pk)
    talk_check_permission(user=request.user, action=TalkAction.ANSWER, talk=talk)
    if talk.status in (TalkStatus.CONFIRMED, TalkStatus.DISPUTED):  # a double tap, the back button
        messages.info(
            request,
            _("You have already answered this record: %(status)s.") % {"status": talk.get_status_display()},
        )
        return _detail(talk.pk)
    form = TalkAnswerForm(request.POST, user=request.user, request=request)
    valid = form.is_valid()
    reauthentication_remember(request, form)
    if valid:
        try:
            answered = talk_answer(
                talk=talk,
                answered_by=request.user,
                confirm=form.confirm,
                disagreement=form.cleaned_data["disagreement"],
                attestation=TalkAttestation(
                    reauthenticated_at=reauthenticated_at(request),
                    ip_address=client_ip(request),
                    user_agent=client_user_agent(request),
                ),
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            form_error_show(form, error, fields={"disagreement": "disagreement"})
        else:
            if answered.status == TalkStatus.CONFIRMED:
                messages.success(request, _("You confirmed the record of the talk."))
            else:
                messages.success(
                    request, _("Your disagreement was recorded. The talker may write the record again.")
                )
            return _detail(talk.pk)
    if form.session_ended:  # the lockout limit was reached: the session is over
        return redirect("accounts:locked-out")
    return _talk_page(request, pk, answer_form=form, status=400)


@login_required
@require_POST
def talk_cancel_view(request, pk: int):
    talk = _visible_talk(request, pk)
    talk_check_permission(user=request.user, action=TalkAction.CANCEL, talk=talk)
    form = TalkCancelForm(request.POST)

    def save():
        talk_cancel(
            talk=talk,
            cancelled_by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
        messages.success(request, _("The talk was cancelled."))
        return _detail(talk.pk)

    return form_submit(form, save) or _talk_page(request, pk, cancel_form=form, status=400)
