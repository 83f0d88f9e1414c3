"""Letter pages: the to-do list, the letter list, a letter, and every action on a letter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.reauth import reauthenticated_at
from accounts.reauth_form import reauthentication_remember
from core import clock
from core.errors import ApplicationError
from core.forms import form_problems_text
from core.http import client_ip, client_user_agent, object_or_404
from responsibility.letters.audit import letter_event_describe
from responsibility.letters.content import ClauseText
from responsibility.letters.forms.letters import (
    ClauseFormSet,
    CountersignBatchForm,
    IssueToStaffForm,
    ReasonForm,
    ReviseForm,
    SignForm,
)
from responsibility.letters.integrity import letter_integrity_problems
from responsibility.letters.models.letters import Letter, LetterStatus, SignatureRole
from responsibility.letters.permissions import LetterAction, letter_check_permission, letter_permissions_for
from responsibility.letters.selectors import (
    LetterFilters,
    campaign_list_visible_to,
    letter_children_rows,
    letter_history,
    letter_list_filtered,
    letter_list_rows,
    letter_list_to_countersign,
    letter_list_visible_to,
    letter_page_rows,
    letter_parent_visible,
    letter_posts_attach,
    post_ids_with_letter,
    post_list_staff_for,
    template_list_for_staff_letters,
)
from responsibility.letters.services.issuing import letter_issue_to_staff, letter_revise
from responsibility.letters.services.letters import (
    SigningAttestation,
    letter_archive,
    letter_countersign,
    letter_return,
    letter_sign,
    letter_void,
    letters_countersign,
)
from responsibility.letters.views.keyset import keyset_page

LIST_PAGE_SIZE = 50


@login_required
def letter_list_view(request):
    """The letters the user may see, newest first (keyset pages of 50: see views.keyset)."""
    campaigns = list(campaign_list_visible_to(user=request.user))
    filters = LetterFilters.from_query(request.GET)
    letters = letter_list_filtered(
        letters=letter_list_rows(letters=letter_list_visible_to(user=request.user)),
        filters=filters,
        today=clock.today(),
    )
    page = keyset_page(letters, query=request.GET, per_page=LIST_PAGE_SIZE)
    return render(
        request,
        "responsibility/letters/list.html",
        {
            "page": page,
            "letters": page.rows,
            "campaigns": campaigns,
            "statuses": LetterStatus.choices,
            "filters": filters,
        },
    )


def _visible_letter(request, pk: int) -> Letter:
    """A letter the user may see, or 404: an invisible letter does not exist for them."""
    return object_or_404(letter_list_visible_to(user=request.user).filter(pk=pk))


def _letter_page(request, pk: int, *, sign_form=None, return_form=None, void_form=None, status=200):
    """The letter's page, read afresh with everything it shows (after a refused action too), or 404."""
    letter = object_or_404(letter_page_rows(user=request.user).filter(pk=pk))
    letter_posts_attach(letter=letter)
    permissions = letter_permissions_for(user=request.user, letter=letter)
    signatures = {signature.role: signature for signature in letter.signatures.all()}
    parties = [
        {
            "label": letter.issuer_label,
            "name": letter.issuer,
            "post": letter.issuer_post,
            "signature": signatures.get(SignatureRole.ISSUER),
        },
        {
            "label": letter.signer_label,
            "name": letter.signer,
            "post": letter.signer_post,
            "signature": signatures.get(SignatureRole.SIGNER),
        },
    ]
    return render(
        request,
        "responsibility/letters/detail.html",
        {
            "letter": letter,
            "allowed": permissions,
            "parties": parties,
            "history": letter_history(letter=letter),
            "events": [
                {"event": event, "description": letter_event_describe(event)} for event in letter.events.all()
            ],
            "children": letter_children_rows(user=request.user, letter=letter),
            "parent": letter_parent_visible(user=request.user, letter=letter),
            "sign_form": sign_form
            or SignForm(user=request.user, request=request, initial={"content_hash": letter.content_hash}),
            "return_form": return_form or ReasonForm(),
            "void_form": void_form or ReasonForm(),
            # Where a confirmation at the identity platform returns to (accounts.sso.oidc_reauth).
            "reauth_return_to": reverse("responsibility:letter-detail", kwargs={"pk": letter.pk}),
            "is_overdue": letter.is_overdue(),
            "integrity_problems": letter_integrity_problems(letter),
        },
        status=status,
    )


@login_required
def letter_detail_view(request, pk: int):
    return _letter_page(request, pk)


def _attestation(
    request, form: SignForm | CountersignBatchForm, content_hash: str = ""
) -> SigningAttestation:
    return SigningAttestation(
        mark=form.mark,
        consent_text=form.consent_text,
        content_hash_shown=content_hash,
        reauthenticated_at=reauthenticated_at(request),
        ip_address=client_ip(request),
        user_agent=client_user_agent(request),
    )


def _signed_by(letter: Letter, *, role: SignatureRole, user) -> bool:
    """Whether `user` has signed `letter` in `role` already (a double tap, the back button)."""
    return letter.signatures.filter(role=role, signed_by=user).exists()


def _signing_action(request, pk: int, *, action: LetterAction, role: SignatureRole, sign):
    """`sign(letter, attestation)` calls the signing service in the signed-in user's name.

    Done, or done already (a double tap, the back button after signing): the completion page.
    Refused: the letter page again, opening at what is wrong, with the drawing, the typed name and the
    tick kept.
    """
    letter = _visible_letter(request, pk)
    if _signed_by(letter, role=role, user=request.user):
        messages.info(
            request, _("You have already signed letter %(reference)s.") % {"reference": letter.reference}
        )
        return redirect("responsibility:letter-signed", pk=letter.pk)
    # Refused before the form is read: nobody is asked to correct a form they may not submit.
    letter_check_permission(user=request.user, action=action, letter=letter)
    form = SignForm(request.POST, user=request.user, request=request)
    valid = form.is_valid()
    reauthentication_remember(request, form)
    if valid:
        try:
            sign(letter, _attestation(request, form, form.cleaned_data["content_hash"]))
        except ApplicationError as error:
            if _signed_by(letter, role=role, user=request.user):
                return redirect("responsibility:letter-signed", pk=letter.pk)  # a concurrent double tap
            form.add_error(None, str(error))
        else:
            return redirect("responsibility:letter-signed", pk=letter.pk)
    if form.session_ended:
        return redirect("accounts:locked-out")
    messages.error(
        request, _("Please correct, then sign: %(problems)s") % {"problems": form_problems_text(form)}
    )
    return _letter_page(request, letter.pk, sign_form=form, status=400)


@login_required
@require_POST
def letter_sign_view(request, pk: int):
    return _signing_action(
        request,
        pk,
        action=LetterAction.SIGN,
        role=SignatureRole.SIGNER,
        sign=lambda letter, attestation: letter_sign(
            letter=letter, signed_by=request.user, attestation=attestation
        ),
    )


@login_required
@require_POST
def letter_countersign_view(request, pk: int):
    return _signing_action(
        request,
        pk,
        action=LetterAction.COUNTERSIGN,
        role=SignatureRole.ISSUER,
        sign=lambda letter, attestation: letter_countersign(
            letter=letter, countersigned_by=request.user, attestation=attestation
        ),
    )


@login_required
def letter_signed_view(request, pk: int):
    """After signing or countersigning: what happens next, and the letter. Only for who signed it."""
    letter = get_object_or_404(
        letter_list_visible_to(user=request.user).select_related(
            "campaign", "issuer", "issuer_post__unit", "signer"
        ),
        pk=pk,
    )
    signature = letter.signatures.filter(signed_by=request.user).order_by("-signed_at").first()
    if signature is None:  # only who signed it has this page
        raise Http404
    return render(
        request,
        "responsibility/letters/signed.html",
        {
            "letter": letter,
            "signature": signature,
            "countersigned": signature.role == SignatureRole.ISSUER,
            "awaits_countersign": letter.status == LetterStatus.SIGNED,
        },
    )


@login_required
def letter_countersign_batch_view(request):
    letters = list(
        letter_list_to_countersign(user=request.user).order_by("signer_unit__sort_order", "number")
    )
    form = CountersignBatchForm(request.POST or None, user=request.user, request=request, letters=letters)
    valid = request.method == "POST" and form.is_valid()
    if request.method == "POST":
        reauthentication_remember(request, form)
    if valid:
        chosen = [form.letters_by_pk[pk] for pk in form.cleaned_data["letters"]]
        try:
            result = letters_countersign(
                letters=chosen,
                countersigned_by=request.user,
                attestation=_attestation(request, form),
                content_hashes_shown=form.content_hashes_shown(),
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            if result.countersigned:
                count = len(result.countersigned)
                messages.success(
                    request,
                    ngettext(
                        "You countersigned %(count)d letter.", "You countersigned %(count)d letters.", count
                    )
                    % {"count": count},
                )
            for letter, reason in result.refused:
                messages.error(request, f"{letter.reference}: {reason}")
            return redirect("responsibility:letter-countersign-batch")
    elif request.method == "POST":
        if form.session_ended:
            return redirect("accounts:locked-out")
        messages.error(
            request,
            _("Please correct, then countersign: %(problems)s") % {"problems": form_problems_text(form)},
        )
    return render(
        request,
        "responsibility/letters/countersign_batch.html",
        {
            "letters": letters,
            "form": form,
            "reauth_return_to": reverse("responsibility:letter-countersign-batch"),
        },
        status=400 if request.method == "POST" else 200,
    )


def _reason_action(request, pk: int, *, action: LetterAction, act, form_name: str, done_message: str):
    """`act(letter, reason)` calls the service in the signed-in user's name."""
    letter = _visible_letter(request, pk)
    letter_check_permission(user=request.user, action=action, letter=letter)  # 403 before a 400
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason (at most 500 characters)."))
        return _letter_page(request, letter.pk, status=400, **{form_name: form})
    try:
        act(letter, form.cleaned_data["reason"])
    except ApplicationError as error:
        messages.error(request, str(error))
        return _letter_page(request, letter.pk, status=400, **{form_name: form})
    messages.success(request, done_message % {"reference": letter.reference})
    return redirect("responsibility:letter-detail", pk=letter.pk)


@login_required
@require_POST
def letter_return_view(request, pk: int):
    return _reason_action(
        request,
        pk,
        action=LetterAction.SIGN,
        act=lambda letter, reason: letter_return(
            letter=letter, returned_by=request.user, reason=reason, ip_address=client_ip(request)
        ),
        form_name="return_form",
        done_message=_("You returned letter %(reference)s to its issuer."),
    )


@login_required
@require_POST
def letter_void_view(request, pk: int):
    return _reason_action(
        request,
        pk,
        action=LetterAction.VOID,
        act=lambda letter, reason: letter_void(
            letter=letter, voided_by=request.user, reason=reason, ip_address=client_ip(request)
        ),
        form_name="void_form",
        done_message=_("Letter %(reference)s is void. It stays on record."),
    )


@login_required
@require_POST
def letter_archive_view(request, pk: int):
    letter = _visible_letter(request, pk)
    try:
        letter_archive(letter=letter, archived_by=request.user, ip_address=client_ip(request))
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Letter %(reference)s is archived.") % {"reference": letter.reference})
    return redirect("responsibility:letter-detail", pk=letter.pk)


@login_required
def letter_revise_view(request, pk: int):
    letter = _visible_letter(request, pk)
    letter_check_permission(user=request.user, action=LetterAction.REVISE, letter=letter)
    if request.method == "POST":
        form = ReviseForm(request.POST)
        clauses = ClauseFormSet(request.POST, prefix="clauses")
        if form.is_valid() and clauses.is_valid():
            texts = [
                ClauseText(0, row["category"], row["text"])
                for row in clauses.cleaned_data
                if row and not row.get("DELETE")
            ]
            try:
                new = letter_revise(
                    letter=letter,
                    revised_by=request.user,
                    clauses=texts,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ApplicationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Revised letter %(reference)s has been issued to %(signer)s.")
                    % {"reference": new.reference, "signer": new.signer},
                )
                return redirect("responsibility:letter-detail", pk=new.pk)
        else:
            messages.error(
                request,
                _("Please correct, then revise: %(problems)s")
                % {"problems": form_problems_text(form, clauses)},
            )
        status = 400
    else:
        form = ReviseForm(
            initial={"title": letter.title, "preamble": letter.preamble, "closing": letter.closing}
        )
        clauses = ClauseFormSet(
            prefix="clauses",
            initial=[{"category": c.category, "text": c.text} for c in letter.clauses.all()],
        )
        status = 200
    return render(
        request,
        "responsibility/letters/revise.html",
        {"letter": letter, "form": form, "clauses": clauses},
        status=status,
    )


@login_required
def letter_issue_to_staff_view(request, pk: int):
    parent = _visible_letter(request, pk)
    letter_check_permission(user=request.user, action=LetterAction.ISSUE_TO_STAFF, letter=parent)
    posts = post_list_staff_for(parent=parent)
    taken = post_ids_with_letter(campaign=parent.campaign, posts=posts)
    form = IssueToStaffForm(
        request.POST or None,
        templates=template_list_for_staff_letters(parent=parent),
        posts=posts.exclude(pk__in=taken),
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = letter_issue_to_staff(
                parent=parent,
                template=form.cleaned_data["template"],
                signer_posts=form.cleaned_data["posts"],
                issued_by=request.user,
                ip_address=client_ip(request),
            )
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext("%(count)d letter was issued.", "%(count)d letters were issued.", len(result.issued))
                % {"count": len(result.issued)},
            )
            for post, reason in result.skipped:
                messages.warning(request, f"{post}: {reason}")
            return redirect("responsibility:letter-detail", pk=parent.pk)
    return render(
        request,
        "responsibility/letters/issue_to_staff.html",
        {
            "parent": parent,
            "form": form,
            "issued": list(posts.filter(pk__in=taken)),
        },
        status=400 if request.method == "POST" else 200,
    )
