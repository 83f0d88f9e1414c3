"""The public verification page: anyone handed a sealed document (a responsibility letter, a year-end duty
report, …) checks whether it is authentic and whether it still stands.

No login: the people who need it (a unit's staff, an inspector, an auditor) often have no account.
Nothing is shown of a document for an unknown code, or for a file that is not exactly an archived one
(except, for a copy saved again by another program, which archived document has its pages).

Limited per client address (core.ratelimit; settings VERIFY_CHECKS_PER_MINUTE for the forms sent to
the page, VERIFY_LOOKUPS_PER_MINUTE for the code pages): beyond it, 429 with the time to wait. What a
file costs to check is bounded in responsibility.letters.verify.

Never cached, although public: a verdict must be the archive's answer now (a code scanned before its
PDF was stored reads "unknown", and must not keep saying so), and each page carries its own CSP nonce
and CSRF token, which a cached copy would hand out again.
"""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.http import request_body_max
from core.ratelimit import rate_limited
from core.verification import SealedRecord, sealed_record_by_code, verification_code_normalise
from responsibility.letters.forms.verification import VerifyCodeForm, VerifyUploadForm
from responsibility.letters.verify import pdf_verify, standing_headline, standing_rows, standing_tone

UPLOAD = "upload"
CODE = "code"


@login_not_required  # public: also open to a session still at the two-step verification
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("verify-check", per_minute="VERIFY_CHECKS_PER_MINUTE", methods=["POST"])
@request_body_max("VERIFY_REQUEST_MAX_BYTES")
def verify_view(request):
    upload_form, code_form = VerifyUploadForm(), VerifyCodeForm()
    if request.method == "POST":
        if request.POST.get("action") == CODE:
            code_form = VerifyCodeForm(request.POST)
            if code_form.is_valid():
                return redirect("responsibility:verify-code", code=code_form.cleaned_data["code"])
        else:
            upload_form = VerifyUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                result = pdf_verify(pdf=upload_form.cleaned_data["pdf"])
                shown = result.record if result.authentic else None  # nothing of a record the file is not
                context = {"result": result, **_record_context(shown)}
                if result.same_pages_as is not None:
                    context["original_url"] = _code_url(result.same_pages_as.verification_code)
                return render(request, "responsibility/verification/result.html", context)
    return render(
        request,
        "responsibility/verification/verify.html",
        {"upload_form": upload_form, "code_form": code_form, "UPLOAD": UPLOAD, "CODE": CODE},
        status=400 if request.method == "POST" else 200,
    )


@login_not_required
@never_cache
@require_GET
@rate_limited("verify-lookup", per_minute="VERIFY_LOOKUPS_PER_MINUTE", methods=["GET"])
def verify_code_view(request, code: str):
    normalised = verification_code_normalise(code)
    if normalised is not None and normalised != code:
        return redirect("responsibility:verify-code", code=normalised)  # one address per letter
    record = sealed_record_by_code(normalised) if normalised else None
    context = {
        "code": normalised or code[:40],
        "code_form": VerifyCodeForm(),
        "CODE": CODE,
        "headline": standing_headline(record),
        "tone": standing_tone(record),
        **_record_context(record),
    }
    return render(request, "responsibility/verification/code.html", context, status=200 if record else 404)


def _record_context(record: SealedRecord | None) -> dict:
    """What the pages show of an archived document: its rows, where it stands, the version in force."""
    if record is None:
        return {"record": None}
    return {
        "record": record,
        "standing_rows": standing_rows(record),
        "successor_url": _code_url(record.successor_code) if record.successor_code else "",
    }


def _code_url(code: str) -> str:
    return reverse("responsibility:verify-code", kwargs={"code": code})
