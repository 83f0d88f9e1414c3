"""The to-do page: what is waiting for the signed-in user, across every subdomain."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core import clock
from responsibility.duties.selectors import (
    duty_assignment_list_to_confirm,
    occurrence_list_due_for,
    performance_record_list_to_review,
)
from responsibility.letters.selectors import (
    letter_list_ready_to_cascade,
    letter_list_to_countersign,
    letter_list_to_revise,
    letter_list_to_sign,
)
from responsibility.supervision.selectors import (
    inspection_list_assigned_to,
    rectification_list_awaiting,
    rectification_list_to_verify,
)

TODO_LIMIT = 50


# The duty task periods the to-do page lists: every overdue one, and those due within this many days.
DUTY_TODO_DAYS = 30


@login_required
def todo_view(request):
    user = request.user
    today = clock.today()
    sections = {
        "to_sign": letter_list_to_sign(user=user).order_by("campaign__deadline", "pk"),
        "to_countersign": letter_list_to_countersign(user=user).order_by("signed_at", "pk"),
        "to_revise": letter_list_to_revise(user=user).order_by("returned_at", "pk"),
        "to_cascade": letter_list_ready_to_cascade(user=user).order_by("-signed_at", "pk"),
        # Supervision: rectifications to report, rectifications to verify, inspections to carry out.
        "to_rectify": rectification_list_awaiting(user=user),
        "to_verify": rectification_list_to_verify(user=user),
        "to_inspect": inspection_list_assigned_to(user=user)
        .prefetch_related(None)  # the page shows neither inspectors nor teams
        .order_by("plan__period_end", "position", "pk"),
        # 一岗双责: periods due within DUTY_TODO_DAYS (and every overdue one), records to review,
        # assignments waiting for the leader's confirmation.
        "duty_due": occurrence_list_due_for(user=user, until=today + datetime.timedelta(days=DUTY_TODO_DAYS)),
        "to_review": performance_record_list_to_review(user=user),
        "to_confirm": duty_assignment_list_to_confirm(user=user),
    }
    context = {name: list(letters[:TODO_LIMIT]) for name, letters in sections.items()}
    context["countersign_total"] = (
        len(context["to_countersign"])
        if len(context["to_countersign"]) < TODO_LIMIT
        else sections["to_countersign"].count()
    )
    context["todo_limit"] = TODO_LIMIT
    return render(request, "responsibility/letters/todo.html", context)
