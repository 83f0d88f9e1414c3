"""The first draft of a leader's 述责述廉 report, written from the system's own records of their year: the
duty assignment and its task periods, the integrity talks they held, and the problems of the units they
oversee. The leader rewrites it in their own words; it only saves them gathering the facts."""

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.org_tree import org_tree
from responsibility.duties.models import DutyAssignment, Talk, TalkStatus, TaskOccurrence
from responsibility.supervision.models import Finding, RectificationStatus


def report_prefill(assignment: DutyAssignment) -> str:
    """How the responsibilities were carried out: the draft's facts, one a line. (How integrity was kept is
    the leader's own account: the draft leaves it empty.)"""
    year = assignment.year
    periods = TaskOccurrence.objects.filter(
        task__assignment=assignment, task__withdrawn_at__isnull=True
    ).aggregate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
    talks = Talk.objects.filter(
        talker_id=assignment.leader_id, status=TalkStatus.CONFIRMED, held_on__year=year
    )
    units = set(assignment.oversees.values_list("pk", flat=True)) or {assignment.post.unit_id}
    findings = (
        Finding.objects.filter(unit_id__in=org_tree().subtree(*units))
        .annotate(year_of=Coalesce("plan__year", "batch__year"))
        .filter(year_of=year)
        .aggregate(
            total=Count("pk"), closed=Count("pk", filter=Q(rectification__status=RectificationStatus.CLOSED))
        )
    )
    with translation.override(settings.LANGUAGE_CODE):  # the report's text, in the site's language
        duties = "\n".join(
            [
                _("My duties this year: %(duties)s") % {"duties": assignment.integrity_duties.strip() or "—"},
                _("Of the %(total)d periods of my duty tasks, %(done)d are done.") % periods,
                _("I held %(count)d integrity talks whose record the person talked to confirmed.")
                % {"count": talks.count()},
                _(
                    "The units I oversee had %(total)d problems found this year, of which %(closed)d are "
                    "rectified and ticked off."
                )
                % findings,
            ]
        )
    return duties
