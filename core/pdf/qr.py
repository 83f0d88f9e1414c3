"""The QR code a sealed document prints beside its verification code: the verification page's address,
as an SVG the PDF engine's fetcher will serve (it serves only data: URLs the renderer generated).

Shared by every sealed document (letters, year-end reports).
"""

import base64
import io

import segno


def qr_svg(url: str) -> bytes:
    """The URL as a QR code (error correction M), black on transparent, sized by its viewBox."""
    buffer = io.BytesIO()
    # omitsize: a viewBox instead of a fixed size, so the CSS width scales the code.
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", border=0, dark="#000", light=None, xmldecl=False, omitsize=True
    )
    return buffer.getvalue()


def qr_data_url(url: str, resources: dict[str, tuple[str, bytes]]) -> str:
    """The QR code of `url` as a data: URL, added to `resources` (html_to_pdf's) so the fetcher serves it."""
    body = qr_svg(url)
    data_url = f"data:image/svg+xml;base64,{base64.b64encode(body).decode('ascii')}"
    resources[data_url] = ("image/svg+xml", body)
    return data_url
