"""The PDF engine: one way from a trusted template to PDF bytes (`html_to_pdf`), with the fetcher that
may read only the PDF assets, the shared font configuration and the PDF/A variant of archived documents.

Every PDF the system makes goes through `html_to_pdf`; what a document shows is its subdomain's
`pdf.py`, how it is laid out into a PDF is decided here once.
"""

import atexit
import contextlib
import functools
import mimetypes
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from core.bidi import bidi_controls_strip
from core.pdf import justify
from core.pdf.fonts import pdf_fonts_compact, presubset_fonts_dir

# Chinese lines are justified by characters, not by stretching their few spaces (core/pdf/justify.py).
justify.install()

ASSETS_DIR = (Path(__file__).resolve().parent / "assets").resolve()
ASSETS_URL = ASSETS_DIR.as_uri() + "/"


# PDF/A-3b: fit for long-term archiving; pyHanko seals it later as an incremental update. The sealed
# letters are written in it; working reports (the ledger, the duty report) are plain PDF.
PDF_VARIANT = "pdf/a-3b"


# An official document is Chinese whoever triggers the render.
DOCUMENT_LANGUAGE = "zh-hans"


class PdfRenderError(RuntimeError):
    """A document could not be laid out (an asset is missing, a URL was refused): nothing was produced."""


def html_to_pdf(
    *,
    template_name: str,
    context: Mapping[str, Any],
    resources: Mapping[str, tuple[str, bytes]] | None = None,
    language: str | None = DOCUMENT_LANGUAGE,
    pdf_variant: str | None = None,
    error: type[Exception] = PdfRenderError,
    subject: str = "",
) -> bytes:
    """Our own template, laid out as PDF bytes, reading nothing but the PDF assets and the pre-subset fonts.

    - `context` is passed to the template as it is (user text must reach the HTML only through
      autoescaped variables); `fonts.font_template_context()` gives the font variables. Direction
      controls (core.bidi) are removed from the rendered HTML: no PDF shows text reversed.
    - `resources`: the data: URLs the caller generated ({url: (mime type, bytes)}), e.g. a letter's
      QR code and signature drawings; any other data: URL stops the render.
    - `language`: the language the template is rendered in (official documents are Chinese whoever
      renders them); None keeps the active language, for a report in the reader's language.
    - `pdf_variant`: PDF_VARIANT for a document that is archived and sealed; None for a plain PDF.
    - A refused or missing resource stops the render and raises `error`, an ordinary exception
      (WeasyPrint's FatalURLFetchingError is a BaseException that tasks and views would not catch),
      whose message is "<subject>: <cause>", or the cause alone without a subject.
    """
    with translation.override(language) if language else contextlib.nullcontext():
        html = render_to_string(template_name, dict(context))
    # The last line of defence: text stored before forms refused them cannot reverse a document.
    html = bidi_controls_strip(html)
    fetcher = AssetsOnlyFetcher(fonts=presubset_fonts_dir(), resources=resources)
    try:
        return HTML(string=html, base_url=ASSETS_URL, url_fetcher=fetcher).write_pdf(
            pdf_variant=pdf_variant, font_config=font_configuration(), finisher=pdf_fonts_compact
        )
    except FatalURLFetchingError as refused:
        cause = refused.__cause__ or refused
        raise error(f"{subject}: {cause}" if subject else str(cause)) from refused


class AssetsOnlyFetcher(URLFetcher):
    """Loads only files under `root` (and `fonts`) and the data: URLs the renderer generated itself.

    `fonts` is the folder of the pre-subset faces (VAR_DIR/fonts, see fonts.presubset_fonts_dir).

    Everything else (http, https, ftp, file outside the folder, ../ traversal, a symlink leading out,
    a data: URL from anywhere else) raises FatalURLFetchingError, which stops the render: a letter
    must not go out missing part of its content, and it must never reach the network.
    """

    def __init__(
        self,
        *,
        root: Path = ASSETS_DIR,
        fonts: Path | None = None,
        resources: Mapping[str, tuple[str, bytes]] | None = None,
    ):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True)
        self.root = Path(root).resolve()
        self.roots = (self.root,) if fonts is None else (self.root, Path(fonts).resolve())
        self.resources = dict(resources or {})

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            if url not in self.resources:
                raise FatalURLFetchingError(
                    f"Letter PDF may not load a data URL it did not generate: {url[:60]}"
                )
            mime_type, body = self.resources[url]
            return URLFetcherResponse(url, body, headers={"Content-Type": mime_type})
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FatalURLFetchingError(f"Letter PDF may not load {url}")
        path = Path(url2pathname(parts.path)).resolve()  # resolves ../ and symlinks
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise FatalURLFetchingError(f"Letter PDF may not load {url}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers={"Content-Type": mime_type})


@functools.lru_cache(maxsize=1)
def font_configuration() -> FontConfiguration:
    """One per process: a new FontConfiguration per document makes a worker's memory grow."""
    config = FontConfiguration()
    atexit.register(_font_configuration_clean, config)
    return config


def _font_configuration_clean(config: FontConfiguration) -> None:
    """Remove the copies of the @font-face fonts WeasyPrint keeps in a temporary folder.

    WeasyPrint removes it in FontConfiguration.__del__, which for a process-wide configuration runs
    too late at interpreter exit (shutil is gone) and leaves ~15 MB in /tmp per process.
    """
    folder, config._folder = config._folder, None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
