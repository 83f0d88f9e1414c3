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

廉政档案 (a cadre's integrity file) and 廉政意见回复:
- a cadre reads their own file; the inspection team reads every file (view_integrityfile) and adds
  documents to it (add_filedocument); anyone else reads a file only through an access request (调阅) that
  was approved, from its first to its last day (the selector `integrity_file_reading`);
- anyone who does not read every file may ask for access to someone else's;
- an inspector (approve_fileaccessrequest) approves or refuses a request, unless it is their own or they
  must step aside (回避): they hold or held a post in a unit where the cadre holds or held one, or the
  file is their own;
- every opening of a file is logged; the log is read by the head of the inspection team (view_fileopening);
- the inspection team registers requests for an integrity opinion, drafts and issues the replies, and reads
  them (add_integrityopinion, view_integrityopinion); for everybody else they do not exist (404).
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.permissions import user_is_active
from responsibility.cadres.posts_held import units_held_by_each


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


class FileAction(StrEnum):
    ADD_DOCUMENT = "add_document"
    REQUEST_ACCESS = "request_access"
    DECIDE_ACCESS = "decide_access"
    READ_OPENINGS = "read_openings"
    MANAGE_OPINIONS = "manage_opinions"


def files_read_everything(user) -> bool:
    return user_is_active(user) and user.has_perm("responsibility.view_integrityfile")


def file_access_must_step_aside(*, approver, cadre) -> bool:
    """回避: the file is the approver's own, or they hold or held a post in a unit where the cadre holds or
    held one."""
    return _steps_aside(approver.pk, cadre.pk, units_held_by_each([approver.pk, cadre.pk]))


def file_access_requests_to_step_aside(*, approver, requests) -> set[int]:
    """Of these requests, those the approver must step aside from (the same rule, four queries in all)."""
    units = units_held_by_each({approver.pk, *(access.cadre_id for access in requests)})
    return {access.pk for access in requests if _steps_aside(approver.pk, access.cadre_id, units)}


def _steps_aside(approver_id: int, cadre_id: int, units: dict[int, set[int]]) -> bool:
    return approver_id == cadre_id or bool(units[approver_id] & units[cadre_id])


def file_user_can(*, user, action: FileAction, cadre=None, access_request=None) -> bool:
    if not user_is_active(user):
        return False
    if action == FileAction.ADD_DOCUMENT:
        return user.has_perm("responsibility.add_filedocument")
    if action == FileAction.REQUEST_ACCESS:
        return not files_read_everything(user) and (cadre is None or cadre.pk != user.pk)
    if action == FileAction.DECIDE_ACCESS:
        if not user.has_perm("responsibility.approve_fileaccessrequest"):
            return False
        if access_request is None:
            return True
        return access_request.requester_id != user.pk and not file_access_must_step_aside(
            approver=user, cadre=access_request.cadre
        )
    if action == FileAction.READ_OPENINGS:
        return user.has_perm("responsibility.view_fileopening")
    if action == FileAction.MANAGE_OPINIONS:
        return user.has_perm("responsibility.add_integrityopinion")
    return False


def file_check_permission(*, user, action: FileAction, cadre=None, access_request=None) -> None:
    if file_user_can(user=user, action=action, cadre=cadre, access_request=access_request):
        return
    if action == FileAction.DECIDE_ACCESS and access_request is not None and user_is_active(user):
        if access_request.requester_id == user.pk:
            raise PermissionDenied(_("A request for access is decided by someone other than its requester."))
        if user.has_perm("responsibility.approve_fileaccessrequest"):
            raise PermissionDenied(
                _(
                    "You hold or held a post in this cadre's unit: step aside (回避) and leave the decision "
                    "to another inspector."
                )
            )
    messages = {
        FileAction.REQUEST_ACCESS: _("You may already read this file: no request is needed."),
        FileAction.READ_OPENINGS: _("Only the head of the discipline inspection team reads this log."),
    }
    raise PermissionDenied(messages.get(action, _("Only the discipline inspection team may do this.")))
