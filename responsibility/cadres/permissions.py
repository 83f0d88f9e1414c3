"""Who may read and act on 述责述廉 reports and their 民主测评. The only place these rules are written.

- the office opens the year's round, names each accepted report's raters and opens and closes the rating
  (add_reportround);
- a leader writes their own report while it is a draft or returned, and submits it;
- the inspection team accepts a submitted report or returns it with a reason (review_integrityreport);
- the Party Group, the inspection team and the office read every report (view_reportround); a leader
  reads their own; a named rater reads the accepted report they rate, while the rating is open;
- a named rater casts their ballot once, while the rating is open;
- the results (counts per item and grade, the comments) are read by the Party Group, the inspection team,
  the office and the leader rated, once the rating closed with enough ballots; a rater never reads them;
- everybody else: the report does not exist for them (404). That rule is the selector
  (`integrity_report_list_visible_to`).
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.permissions import user_is_active


class CadreAction(StrEnum):
    OPEN_ROUND = "open_round"
    WRITE = "write"  # save or submit one's own report
    REVIEW = "review"  # accept or return a submitted report
    MANAGE_RATING = "manage_rating"  # name the raters, open and close the rating


def cadres_read_everything(user) -> bool:
    return user_is_active(user) and user.has_perm("responsibility.view_reportround")


def cadre_reads_results(*, user, report) -> bool:
    """Turnout, results, history and the sealed report: the readers of every report and the leader rated."""
    return cadres_read_everything(user) or (user_is_active(user) and report.leader_id == user.pk)


def cadre_sees_voters(user) -> bool:
    """Who voted and when: the office, the inspection team and the Party Group, never the leader rated."""
    return cadres_read_everything(user)


def cadre_user_can(*, user, action: CadreAction, report=None) -> bool:
    if not user_is_active(user):
        return False
    if action in (CadreAction.OPEN_ROUND, CadreAction.MANAGE_RATING):
        return user.has_perm("responsibility.add_reportround")
    if action == CadreAction.REVIEW:
        return user.has_perm("responsibility.review_integrityreport")
    if action == CadreAction.WRITE:
        return report is not None and report.leader_id == user.pk
    return False


def cadre_check_permission(*, user, action: CadreAction, report=None) -> None:
    if not cadre_user_can(user=user, action=action, report=report):
        messages = {
            CadreAction.WRITE: _("Only the leader whose report it is may write it."),
            CadreAction.REVIEW: _("Only the discipline inspection team reviews these reports."),
        }
        raise PermissionDenied(messages.get(action, _("Only the office administrator may do this.")))
