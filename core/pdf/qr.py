"""The QR code a sealed document prints beside its verification code: the verification page's address,
as an image the PDF engine's fetcher will serve (it serves only data: URLs the renderer generated).

Shared by every sealed document (letters, year-end reports). The code is a PNG of one pixel per module,
black on white: the PDF scales it to its printed size without interpolation (PDF/A forbids it; the CSS
sets image-rendering: crisp-edges), so every module prints as a sharp square. An SVG of the same code
cost the renderer a path of hundreds of squares to parse and draw in every document.
"""

import io

import segno

from core.pdf.engine import resource_url


def qr_png(url: str) -> bytes:
    """The URL as a QR code (error correction M): a 1-bit PNG, one pixel per module, no quiet zone."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="png", scale=1, border=0, dark="#000", light="#fff"
    )
    return buffer.getvalue()


def qr_data_url(url: str, resources: dict[str, tuple[str, bytes]]) -> str:
    """The QR code of `url` as a data: URL, added to `resources` (html_to_pdf's) so the fetcher serves it."""
    return resource_url("image/png", qr_png(url), resources)
