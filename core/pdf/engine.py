"""The PDF engine: one way from a trusted template to PDF bytes (`html_to_pdf`), with the fetcher that
may read only the PDF assets, the shared font configuration and the PDF/A variant of archived documents.

Every PDF the system makes goes through `html_to_pdf`; what a document shows is its subdomain's
`pdf.py`, how it is laid out into a PDF is decided here once.
"""

import atexit
import contextlib
import functools
import gc
import hashlib
import mimetypes
import shutil
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from core.bidi import bidi_controls_strip
from core.pdf import justify, subsetting
from core.pdf.fonts import pdf_fonts_compact, presubset_fonts_dir

# Chinese lines are justified by characters, not by stretching their few spaces (core/pdf/justify.py);
# fonts are subset in one pass, not two (core/pdf/subsetting.py).
justify.install()
subsetting.install()

ASSETS_DIR = (Path(__file__).resolve().parent / "assets").resolve()
ASSETS_URL = ASSETS_DIR.as_uri() + "/"


# PDF/A-3b: fit for long-term archiving; pyHanko seals it later as an incremental update. The sealed
# letters are written in it; working reports (the ledger, the duty report) are plain PDF.
PDF_VARIANT = "pdf/a-3b"


# The GB/T 9704 page (margins, grid, page numbers) of every template that extends pdf/base.html: pass it as
# html_to_pdf's stylesheets.
OFFICIAL_DOCUMENT_STYLESHEETS = ("letter.css",)

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
    stylesheets: Sequence[str] = (),
) -> bytes:
    """Our own template, laid out as PDF bytes, reading nothing but the PDF assets and the pre-subset fonts.

    - `context` is passed to the template as it is (user text must reach the HTML only through
      autoescaped variables); `fonts.font_template_context()` gives the font variables. Direction
      controls (core.bidi) are removed from the rendered HTML: no PDF shows text reversed.
    - `resources`: the data: URLs the caller generated with `resource_url` ({url: (mime type, bytes)}),
      e.g. a letter's QR code and signature drawings; any other data: URL stops the render.
    - `language`: the language the template is rendered in (official documents are Chinese whoever
      renders them); None keeps the active language, for a report in the reader's language.
    - `pdf_variant`: PDF_VARIANT for a document that is archived and sealed; None for a plain PDF.
    - `stylesheets`: names of stylesheets in the PDF assets, parsed once per process (see
      `asset_stylesheet`) and applied beneath the template's own <link> and <style> sheets.
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
        sheets = [asset_stylesheet(name) for name in stylesheets]
        with _cyclic_collection_paused(), subsetting.bare_cid_faces():
            return HTML(string=html, base_url=ASSETS_URL, url_fetcher=fetcher).write_pdf(
                stylesheets=sheets,
                pdf_variant=pdf_variant,
                font_config=font_configuration(),
                finisher=_pdf_finish,
            )
    except FatalURLFetchingError as refused:
        cause = refused.__cause__ or refused
        raise error(f"{subject}: {cause}" if subject else str(cause)) from refused


def _pdf_finish(document, pdf) -> None:
    """WeasyPrint's finisher: the fonts cut to the glyphs used, then every stream compressed once."""
    pdf_fonts_compact(document, pdf)
    pdf_streams_compress_once(pdf)


def pdf_streams_compress_once(pdf) -> None:
    """Deflate each stream pydyf would deflate, now, and store it deflated: the bytes written are the same.

    pydyf deflates a stream every time its bytes are asked for, and with a file identifier (PDF/A
    requires one) it asks twice: once to write the file and once for the identifier's MD5 over all
    objects. The second deflation of every font and page cost about 8 ms of a letter's 0.16 s
    of CPU (bench/run-pdf). Deflated here, with pydyf's own settings (zlib level 9) and its /Filter, each
    stream is compressed once and written byte for byte as before.
    """
    for pdf_object in pdf.objects:
        if not isinstance(pdf_object, pydyf.Stream) or not pdf_object.compress:
            continue
        if "Filter" in pdf_object.extra:  # already encoded (images): pydyf would not add a filter
            continue
        raw = b"\n".join(pydyf._to_bytes(item) for item in pdf_object.stream)
        compressor = zlib.compressobj(level=9)
        pdf_object.stream = [compressor.compress(raw) + compressor.flush()]
        pdf_object.extra["Filter"] = "/FlateDecode"
        pdf_object.compress = False


@contextlib.contextmanager
def _cyclic_collection_paused():
    """No cyclic garbage collection while a document is laid out and written.

    A render allocates some hundred thousand short-lived objects (boxes, styles, PDF objects), which
    triggers collections that each walk the whole heap of a worker (Django, fonts, the seal): about 8%
    of a letter's CPU time, measured with bench/run-pdf. The render's own cycles are collected at the
    next collection after it, as before.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# The data: URLs of generated resources name their content instead of carrying it (see resource_url).
RESOURCE_URL_PREFIX = "data:{mime_type};sha256="


def resource_url(mime_type: str, body: bytes, resources: dict[str, tuple[str, bytes]]) -> str:
    """A generated image (a QR code, a drawn signature) as a short data: URL, added to `resources`.

    The URL names the body by its SHA-256 (`data:image/png;sha256=<hex>,`) and the fetcher serves the
    body from `resources`. Carrying the bytes in base64 made a letter's HTML six times longer (40 KB
    of drawings), all of it escaped by the template, then parsed character by character by the HTML
    parser: about 2 ms of a letter's CPU. Anything but this fetcher reading the URL gets no content.
    """
    url = RESOURCE_URL_PREFIX.format(mime_type=mime_type) + hashlib.sha256(body).hexdigest() + ","
    resources[url] = (mime_type, body)
    return url


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


def asset_stylesheet(name: str) -> CSS:
    """A stylesheet of the PDF assets, parsed once per process and again when its file changes.

    Parsing letter.css anew for every letter cost about 5 ms of its 0.16 s. It is applied with the user
    origin: above the user-agent sheet, beneath the template's own sheets (the font stacks' <style>).
    """
    path = (ASSETS_DIR / name).resolve()
    if not path.is_relative_to(ASSETS_DIR) or not path.is_file():
        # What a missing <link>ed asset raises too: html_to_pdf turns it into its error.
        raise FatalURLFetchingError(f"No PDF stylesheet {name} in {ASSETS_DIR}")
    return _asset_stylesheet_parsed(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _asset_stylesheet_parsed(path: Path, _mtime_ns: int) -> CSS:
    fetcher = AssetsOnlyFetcher(fonts=presubset_fonts_dir())
    return CSS(filename=str(path), url_fetcher=fetcher, font_config=font_configuration())


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
