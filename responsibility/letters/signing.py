"""What makes a signature acceptable: consent and a real mark (a fresh re-authentication: accounts.reauth)."""

import base64
import binascii
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core.errors import ApplicationError
from responsibility.letters.models.letters import SignatureMethod

# The words the signer ticks. Stored with every signature exactly as shown.
CONSENT_TEXT = "我已阅读并同意以电子方式签署本责任书"

MAX_DRAWING_BYTES = 200 * 1024
MAX_DRAWING_SIDE = 2000
_DATA_URL_PREFIX = "data:image/png;base64,"
_PNG_END = b"IEND\xaeB`\x82"


def consent_check(consent_text: str) -> None:
    """A signature needs the consent ticked, in exactly the words shown (CONSENT_TEXT)."""
    if consent_text != CONSENT_TEXT:
        raise ApplicationError(_("Please tick the consent to sign electronically."), code="consent_missing")


@dataclass(frozen=True)
class SignatureMark:
    """The visible mark of a signature: a drawn PNG or a typed name."""

    method: SignatureMethod
    image_png: bytes | None = None
    typed_name: str = ""


def signature_mark_from_drawing(data_url: str) -> SignatureMark:
    """Accept a canvas PNG data URL only if it is a real, bounded, non-blank PNG image."""
    data_url = (data_url or "").strip()
    if not data_url:
        raise ApplicationError(_("Please draw your signature before signing."), code="signature_empty")
    if not data_url.startswith(_DATA_URL_PREFIX):
        raise ApplicationError(_("The signature drawing is not a PNG image."), code="signature_malformed")
    encoded = data_url[len(_DATA_URL_PREFIX) :]
    if len(encoded) > MAX_DRAWING_BYTES * 4 // 3 + 4:
        raise ApplicationError(_("The signature drawing is too large."), code="signature_too_large")
    try:
        png = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ApplicationError(_("The signature drawing is damaged."), code="signature_malformed") from None
    if len(png) > MAX_DRAWING_BYTES:
        raise ApplicationError(_("The signature drawing is too large."), code="signature_too_large")
    # A complete PNG ends with its IEND chunk. Checked here because Pillow's truncated-image
    # tolerance is a process-wide switch that WeasyPrint turns on when it is imported.
    if not png.endswith(_PNG_END):
        raise ApplicationError(_("The signature drawing is damaged."), code="signature_malformed")
    try:
        with Image.open(io.BytesIO(png)) as checked:
            checked.verify()  # chunk checksums
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG":
                raise ApplicationError(
                    _("The signature drawing is not a PNG image."), code="signature_malformed"
                )
            width, height = image.size
            if width > MAX_DRAWING_SIDE or height > MAX_DRAWING_SIDE or width < 10 or height < 10:
                raise ApplicationError(
                    _("The signature drawing has an unusable size."), code="signature_malformed"
                )
            image.load()
            has_ink = _has_ink(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ApplicationError(_("The signature drawing is damaged."), code="signature_malformed") from None
    if not has_ink:
        raise ApplicationError(_("Please draw your signature before signing."), code="signature_empty")
    return SignatureMark(method=SignatureMethod.DRAWN, image_png=png)


def _has_ink(image: Image.Image) -> bool:
    """A blank canvas is fully transparent (or one flat colour): nothing was drawn."""
    rgba = image.convert("RGBA")
    if rgba.getchannel("A").getbbox() is None:
        return False
    extrema = rgba.convert("L").getextrema()
    alpha_extrema = rgba.getchannel("A").getextrema()
    return extrema[0] != extrema[1] or alpha_extrema[0] != alpha_extrema[1]


def signature_mark_from_typed_name(typed_name: str, *, user) -> SignatureMark:
    """A typed signature must be the signer's registered name, exactly."""
    typed_name = " ".join((typed_name or "").split())
    if not typed_name:
        raise ApplicationError(_("Please type your name to sign."), code="signature_empty")
    if typed_name != user.get_full_name():
        raise ApplicationError(
            _("The typed name does not match the name on your account (%(name)s).")
            % {"name": user.get_full_name()},
            code="signature_name_mismatch",
        )
    return SignatureMark(method=SignatureMethod.TYPED, typed_name=typed_name)
