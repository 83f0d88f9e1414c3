"""Request middleware of the project."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
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
