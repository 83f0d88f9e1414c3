"""Request middleware of the project."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Speak Simplified Chinese unless the user chose another language (the switch sets a cookie).

    Django's own middleware would follow the browser's Accept-Language; an office PC set up in
    English would then show English to someone who never asked for it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# Browser features no page of the system uses, refused to every page and to anything it might embed.
# Signing draws on a <canvas> with pointer events, which needs no permission. Left out on purpose:
# fullscreen (the browser's own PDF viewer offers a presentation mode) and publickey-credentials-get
# (stays at the browser's default, this site only, so security keys remain possible for sign-in).
# Only features Chromium knows: it reports an unknown one on every page (tests/browser fail on that).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class BrowserPolicyMiddleware:
    """Tell the browser what our responses may do and keep: Permissions-Policy on every response, and
    nothing a signed-in user was shown (pages, PDFs, evidence files, the admin) stored in a cache.

    No kept library sends Permissions-Policy (django-csp sends the Content-Security-Policy), and one
    fixed header is not worth a dependency. Static files never get here: WhiteNoise, above this in
    MIDDLEWARE, answers them with its own long cache lifetime.

    Anonymous visitors: the verification pages are never cached either (their views say why); the
    other answers they get are the login page (never cached by Django), redirects to it and error pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)  # absent when a middleware above answered early
        if user is not None and user.is_authenticated:
            # no-store: not on disk, not in a shared proxy, not brought back by Back after signing out.
            add_never_cache_headers(response)
            patch_vary_headers(response, ("Cookie",))
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request body larger than settings.REQUEST_BODY_MAX_BYTES (or the view's own, smaller limit)
    with 413, before anything reads it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE counts a form's fields but not its files, so without this a
    200 MB upload is spooled to disk in full before the form refuses it. A declared Content-Length over
    the limit is refused unread. A body sent without one (chunked) is not read by Django at all (its
    WSGI request reads Content-Length bytes: none), so no upload handler ever sees it; whatever reads
    the raw input anyway reads through a cap, and past the limit the answer becomes this 413 too.

    The page stands alone, in Chinese and English: it is answered above the session, the language and
    the user, which are not looked at for a request refused unread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_BODY_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads nothing of a body whose length it cannot parse
        if declared > limit:
            return _request_too_large(limit)
        raw = request.META.get("wsgi.input")
        if not declared and raw is not None and request.META.get("HTTP_TRANSFER_ENCODING"):
            request.META["wsgi.input"] = _CappedInput(raw, limit=limit, request=request)
        response = self.get_response(request)
        if getattr(request, "body_limit_exceeded", False):
            return _request_too_large(limit)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A view may accept less (core.http.request_body_max: the public verification page takes one
        PDF, not ten evidence scans): its own limit, still before CSRF reads the body."""
        setting = getattr(view_func, "request_body_max_setting", None)
        if setting is None:
            return None
        limit = getattr(settings, setting)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        return _request_too_large(limit) if declared > limit else None


def _request_too_large(limit: int) -> HttpResponse:
    page = render_to_string("413.html", {"limit_mb": max(1, limit // (1024 * 1024))})
    return HttpResponse(page, status=413)


class _CappedInput:
    """A request's raw input that refuses to be read past `limit` bytes (RequestDataTooBig: Django
    answers 400, which RequestBodyLimitMiddleware turns into its 413)."""

    def __init__(self, stream, *, limit: int, request):
        self._stream = stream
        self._left = limit
        self._request = request

    def read(self, size=-1):
        return self._counted(self._stream.read(self._wanted(size)))

    def readline(self, size=-1):
        return self._counted(self._stream.readline(self._wanted(size)))

    def _wanted(self, size) -> int:
        return self._left + 1 if size is None or size < 0 else min(size, self._left + 1)

    def _counted(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            self._request.body_limit_exceeded = True
            raise RequestDataTooBig("The request body is larger than REQUEST_BODY_MAX_BYTES.")
        return data
