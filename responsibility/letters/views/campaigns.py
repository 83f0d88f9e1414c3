"""Campaign pages: the list with progress, the progress by unit, the bulk issue and the 层层签订 tree."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import PostKind
from accounts.selectors import org_unit_list_active
from core import clock
from core.errors import ApplicationError
from core.http import client_ip
from responsibility.letters.forms.campaigns import CampaignCreateForm, CampaignIssueForm, CampaignUpdateForm
from responsibility.letters.models.letters import TemplateLevel
from responsibility.letters.permissions import (
    CampaignAction,
    campaign_check_permission,
    campaign_permissions_for,
    campaign_user_can,
)
from responsibility.letters.selectors import (
    CampaignProgress,
    UnitProgress,
    campaign_list_visible_to,
    campaign_progress_figures,
    campaign_progress_totals,
    letter_list_visible_to,
    letter_tree,
    letter_tree_children_counted,
    letter_tree_top,
    post_ids_with_letter,
    post_list_signers,
    template_list,
)
from responsibility.letters.services.campaigns import campaign_close, campaign_create, campaign_update
from responsibility.letters.services.issuing import campaign_issue_letters

CAMPAIGNS_PER_PAGE = 25
UNITS_PER_PAGE = 50
TREE_LETTERS_PER_PAGE = 50
PREVIEW_POSTS_SHOWN = 100
SKIPPED_POSTS_LISTED = 50
ISSUER_POST_KINDS = [PostKind.PARTY_SECRETARY, PostKind.PARTY_MEMBER]


def _campaign_templates():
    return template_list(level=TemplateLevel.ORGAN).filter(is_published=True)


def _visible_campaign(request, pk: int):
    """The campaign, if the user may see it; otherwise 404."""
    return get_object_or_404(campaign_list_visible_to(user=request.user), pk=pk)


@login_required
def campaign_list_view(request):
    page_obj = Paginator(campaign_list_visible_to(user=request.user), CAMPAIGNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    campaigns = list(page_obj)
    progress = campaign_progress_totals(
        campaign_ids=[campaign.pk for campaign in campaigns],
        letters=letter_list_visible_to(user=request.user),
    )
    rows = [(campaign, progress.get(campaign.pk, CampaignProgress())) for campaign in campaigns]
    return render(
        request,
        "responsibility/campaigns/list.html",
        {
            "rows": rows,
            "page_obj": page_obj,
            "can_create": campaign_user_can(user=request.user, action=CampaignAction.CREATE),
        },
    )


@login_required
def campaign_create_view(request):
    campaign_check_permission(user=request.user, action=CampaignAction.CREATE)
    if request.method == "POST":
        form = CampaignCreateForm(request.POST, templates=_campaign_templates())
        if form.is_valid():
            try:
                campaign = campaign_create(**form.cleaned_data, created_by=request.user)
            except (ApplicationError, ValidationError) as error:
                form.add_error(None, _error_messages(error))
            else:
                messages.success(request, _("Campaign “%(title)s” created.") % {"title": campaign.title})
                return redirect("responsibility:campaign-detail", pk=campaign.pk)
    else:
        today = clock.today()
        form = CampaignCreateForm(
            templates=_campaign_templates(),
            initial={"year": today.year, "deadline": today.replace(month=12, day=31)},
        )
    return render(request, "responsibility/campaigns/form.html", {"form": form, "campaign": None})


@login_required
def campaign_update_view(request, pk: int):
    campaign = _visible_campaign(request, pk)
    campaign_check_permission(user=request.user, action=CampaignAction.MANAGE, campaign=campaign)
    if request.method == "POST":
        form = CampaignUpdateForm(request.POST, templates=_campaign_templates())
        if form.is_valid():
            try:
                campaign = campaign_update(campaign=campaign, **form.cleaned_data, updated_by=request.user)
            except (ApplicationError, ValidationError) as error:
                form.add_error(None, _error_messages(error))
            else:
                messages.success(request, _("Campaign “%(title)s” saved.") % {"title": campaign.title})
                return redirect("responsibility:campaign-detail", pk=campaign.pk)
    else:
        form = CampaignUpdateForm(
            templates=_campaign_templates(),
            initial={
                "title": campaign.title,
                "template": campaign.template_id,
                "deadline": campaign.deadline,
            },
        )
    return render(request, "responsibility/campaigns/form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail_view(request, pk: int):
    campaign = _visible_campaign(request, pk)
    units = campaign_progress_figures(user=request.user, campaign=campaign, today=clock.today())
    totals = UnitProgress(
        unit_id=0,
        unit_name=_("All units"),
        total=sum(unit.total for unit in units),
        signed=sum(unit.signed for unit in units),
        waiting=sum(unit.waiting for unit in units),
        overdue=sum(unit.overdue for unit in units),
        returned=sum(unit.returned for unit in units),
    )
    behind_first = request.GET.get("order") == "behind"
    if behind_first:  # the units furthest from done first: the ones to chase
        units = sorted(units, key=lambda unit: (unit.percent, -unit.waiting, unit.unit_name))
    page_obj = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    allowed = campaign_permissions_for(user=request.user, campaign=campaign)
    return render(
        request,
        "responsibility/campaigns/detail.html",
        {
            "campaign": campaign,
            "units": page_obj.object_list,
            "page_obj": page_obj,
            "behind_first": behind_first,
            "query_without_page": "order=behind&" if behind_first else "",
            "totals": totals,
            "can_issue": allowed.can_issue,
            "can_edit": allowed.can_edit,
            "can_close": allowed.can_close,
        },
    )


@login_required
def campaign_issue_view(request, pk: int):
    """Bulk issue: the form; a preview of the matching posts; the issue itself (idempotent per post)."""
    campaign = _visible_campaign(request, pk)
    campaign_check_permission(user=request.user, action=CampaignAction.ISSUE_LETTERS, campaign=campaign)
    form_kwargs = {
        "issuer_posts": post_list_signers(kinds=ISSUER_POST_KINDS),
        "units": org_unit_list_active(),
    }
    preview = None
    if request.method != "POST":
        form = CampaignIssueForm(**form_kwargs)
    elif "preview" in request.POST:  # show who would receive a letter; issue nothing
        form = CampaignIssueForm(request.POST, **form_kwargs)
        if form.is_valid():
            posts = _signer_posts(form)
            count = posts.count()
            preview = {
                "count": count,
                "posts": list(posts[:PREVIEW_POSTS_SHOWN]),
                "with_letter": post_ids_with_letter(campaign=campaign, posts=posts),
                "truncated": count > PREVIEW_POSTS_SHOWN,
            }
    else:
        form = CampaignIssueForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                result = campaign_issue_letters(
                    campaign=campaign,
                    issuer_post=form.cleaned_data["issuer_post"],
                    signer_posts=_signer_posts(form),
                    issued_by=request.user,
                    ip_address=client_ip(request),
                )
            except ApplicationError as error:
                messages.error(request, str(error))
            else:
                _issue_result_messages(request, result)
                return redirect("responsibility:campaign-detail", pk=campaign.pk)
    return render(
        request,
        "responsibility/campaigns/issue.html",
        {"campaign": campaign, "form": form, "preview": preview},
    )


def _signer_posts(form: CampaignIssueForm):
    return post_list_signers(
        kinds=form.cleaned_data["signer_kinds"], units=list(form.cleaned_data["units"]) or None
    )


def _issue_result_messages(request, result) -> None:
    issued = len(result.issued)
    messages.success(
        request,
        ngettext("%(count)d letter issued.", "%(count)d letters issued.", issued) % {"count": issued},
    )
    for post, reason in result.skipped[:SKIPPED_POSTS_LISTED]:
        messages.warning(
            request,
            _("Skipped %(post)s (%(holder)s): %(reason)s.")
            % {"post": post, "holder": post.holder or _("vacant"), "reason": reason},
        )
    hidden = len(result.skipped) - SKIPPED_POSTS_LISTED
    if hidden > 0:
        messages.warning(
            request,
            ngettext("%(count)d more post was skipped.", "%(count)d more posts were skipped.", hidden)
            % {"count": hidden},
        )


@login_required
@require_POST
def campaign_close_view(request, pk: int):
    campaign = _visible_campaign(request, pk)
    try:
        campaign = campaign_close(campaign=campaign, closed_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Campaign “%(title)s” closed.") % {"title": campaign.title})
    return redirect("responsibility:campaign-detail", pk=campaign.pk)


@login_required
def campaign_tree_view(request, pk: int):
    """层层签订: the top-level letters, or the subtree below one of them (?root=<pk>)."""
    campaign = _visible_campaign(request, pk)
    letters = letter_list_visible_to(user=request.user)
    root = None
    root_param = request.GET.get("root", "")
    if root_param:
        if not root_param.isdigit():
            raise Http404
        root = get_object_or_404(letters.filter(campaign=campaign), pk=int(root_param))
    page_obj = None
    if root is None:  # the top level: one letter per unit, in pages (2,000 units do not fit on one)
        page_obj = Paginator(letter_tree_top(campaign=campaign, letters=letters), TREE_LETTERS_PER_PAGE)
        page_obj = page_obj.get_page(request.GET.get("page"))
        nodes = letter_tree_children_counted(nodes=list(page_obj.object_list))
    else:
        nodes = letter_tree(campaign=campaign, letters=letters, root=root)
    return render(
        request,
        "responsibility/campaigns/tree.html",
        {"campaign": campaign, "root": root, "nodes": nodes, "page_obj": page_obj, "query_without_page": ""},
    )


def _error_messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]
