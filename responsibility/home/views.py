"""The to-do page: what is waiting for the signed-in user, across every subdomain."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core import clock
from responsibility.home.context_processors import unread_notifications_known
from responsibility.home.selectors import todo_of

# Rows shown per section; a section with more links to its full list (查看全部).
TODO_LIMIT = 20


# The duty task periods the to-do page lists: every overdue one, and those due within this many days.
DUTY_TODO_DAYS = 30


@login_required
def todo_view(request):
    today = clock.today()
    todo = todo_of(user=request.user, until=today + datetime.timedelta(days=DUTY_TODO_DAYS), limit=TODO_LIMIT)
    unread_notifications_known(request, todo.unread_notifications)  # the bell: read with the rest
    context = {
        **todo.sections,
        "more": todo.more,
        "countersign_total": todo.countersign_total,
        "todo_limit": TODO_LIMIT,
    }
    return render(request, "responsibility/letters/todo.html", context)
