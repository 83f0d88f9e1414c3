"""Two-step verification pages: the code after the password, setting up the app, recovery codes, turning
it off. Nothing that changes the second factor is open to a session not yet verified with it."""

import functools
from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts.security.lockout import LockedOut
from accounts.two_factor.forms import EnrolForm, PasswordConfirmForm, VerifyForm
from accounts.two_factor.selectors import (
    recovery_codes_remaining,
    second_factor_enrolled,
    second_factor_required,
)
from accounts.two_factor.services import (
    recovery_codes_regenerate,
    second_factor_remove,
    second_factor_verify,
    totp_enrolment_confirm,
    totp_enrolment_start,
)
from core.errors import ApplicationError
from core.http import as_attachment

# New recovery codes wait here until the person says they have kept them (shown, and downloadable, once).
_CODES_SESSION_KEY = "two_factor_recovery_codes"
_NEXT_SESSION_KEY = "two_factor_next"
RECOVERY_CODES_LOW = 3
QR_SCALE = 5


def _safe_next(request, url: str | None) -> str:
    """Where to go after the step: the page asked for if it is on this site, else the to-do list."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified_if_enrolled(view):
    """Changing the second factor needs a session verified with it (the middleware already sends such
    sessions to the code page; this holds even without it)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_verified() and second_factor_enrolled(user=request.user):
            next_query = urlencode({"next": reverse("accounts:two-factor")})
            return redirect(reverse("accounts:two-factor-verify") + "?" + next_query)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _locked_out(request):
    """Too many wrong codes or passwords: the session ends and the lockout page says for how long."""
    if request.user.is_authenticated:
        logout(request)
    return redirect("accounts:locked-out")


# -- the code after the password -------------------------------------------------------------------


@login_required
def verify_view(request):
    next_url = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    if request.user.is_verified() or not second_factor_enrolled(user=request.user):
        return redirect(_safe_next(request, next_url))
    form = VerifyForm(request.POST or None, initial={"next": next_url or ""})
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_verify(user=request.user, code=form.cleaned_data["code"], request=request)
        except LockedOut:
            return _locked_out(request)
        if device is not None:
            request.session.cycle_key()  # a session with more rights gets a new key
            otp_login(request, device)
            return redirect(_safe_next(request, form.cleaned_data["next"]))
        form.add_error("code", _("The code is not correct."))
    return render(
        request, "accounts/two_factor/verify.html", {"form": form}, status=400 if form.errors else 200
    )


# -- setting up the app ----------------------------------------------------------------------------


@_verified_if_enrolled
def enrol_view(request):
    user = request.user
    next_url = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    device = totp_enrolment_start(user=user)
    form = EnrolForm(request.POST or None, initial={"next": next_url or ""})
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = totp_enrolment_confirm(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except ApplicationError as error:
            form.add_error("code", str(error))
        else:
            request.session.cycle_key()
            otp_login(request, enrolment.device)  # the first code proved the app: this session is verified
            return _recovery_codes_show(request, enrolment.recovery_codes, next_url=form.cleaned_data["next"])
    qr = segno.make(device.config_url, error="m")
    width, _height = qr.symbol_size(scale=QR_SCALE)
    secret = b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "accounts/two_factor/enrol.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=QR_SCALE),
            "qr_size": width,
            "config_url": device.config_url,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "replacing": second_factor_enrolled(user=user),
            "required": second_factor_required(user=user),
        },
        status=400 if form.errors else 200,
    )


# -- recovery codes --------------------------------------------------------------------------------


def _recovery_codes_show(request, codes: list[str], *, next_url: str | None = None):
    request.session[_CODES_SESSION_KEY] = codes
    request.session[_NEXT_SESSION_KEY] = _safe_next(request, next_url) if next_url else ""
    return redirect("accounts:two-factor-recovery-codes")


@login_required
def recovery_codes_view(request):
    codes = request.session.get(_CODES_SESSION_KEY)
    if not codes:
        return redirect("accounts:two-factor")
    return render(request, "accounts/two_factor/recovery_codes.html", {"codes": codes})


@login_required
def recovery_codes_download_view(request):
    codes = request.session.get(_CODES_SESSION_KEY)
    if not codes:
        return redirect("accounts:two-factor")
    text = render_to_string(
        "accounts/two_factor/recovery_codes.txt", {"codes": codes, "user": request.user}, request=request
    )
    response = HttpResponse(text.replace("\n", "\r\n"), content_type="text/plain; charset=utf-8")
    return as_attachment(response, download_name=_("recovery-codes.txt"), fallback_name="recovery-codes.txt")


@login_required
@require_POST
def recovery_codes_done_view(request):
    request.session.pop(_CODES_SESSION_KEY, None)
    next_url = request.session.pop(_NEXT_SESSION_KEY, "")
    return redirect(next_url or "accounts:two-factor")


@_verified_if_enrolled
@require_POST
def recovery_codes_regenerate_view(request):
    form = PasswordConfirmForm(request.POST, request=request, auto_id="regenerate_%s")
    if not form.is_valid():
        if not request.user.is_authenticated:
            return _locked_out(request)
        return _security_page(request, regenerate_form=form, status=400)
    try:
        codes = recovery_codes_regenerate(user=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("accounts:two-factor")
    return _recovery_codes_show(request, codes)


# -- the overview, and turning it off --------------------------------------------------------------


def _security_page(request, *, regenerate_form=None, remove_form=None, status=200):
    user = request.user
    remaining = recovery_codes_remaining(user=user)
    return render(
        request,
        "accounts/two_factor/security.html",
        {
            "enrolled": second_factor_enrolled(user=user),
            "required": second_factor_required(user=user),
            "recovery_codes_remaining": remaining,
            "recovery_codes_low": remaining <= RECOVERY_CODES_LOW,
            "regenerate_form": regenerate_form
            or PasswordConfirmForm(request=request, auto_id="regenerate_%s"),
            "remove_form": remove_form or PasswordConfirmForm(request=request, auto_id="remove_%s"),
        },
        status=status,
    )


@_verified_if_enrolled
def security_view(request):
    return _security_page(request)


@_verified_if_enrolled
@require_POST
def remove_view(request):
    form = PasswordConfirmForm(request.POST, request=request, auto_id="remove_%s")
    if not form.is_valid():
        if not request.user.is_authenticated:
            return _locked_out(request)
        return _security_page(request, remove_form=form, status=400)
    try:
        second_factor_remove(user=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Two-step verification is turned off."))
    return redirect("accounts:two-factor")
