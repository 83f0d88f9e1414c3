"""The PDF engine: WeasyPrint with the fetcher that may read only the PDF assets, the shared font
configuration, and the PDF/A variant every document is written in."""

import atexit
import functools
import mimetypes
import shutil
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

ASSETS_DIR = (Path(__file__).resolve().parent / "assets").resolve()
ASSETS_URL = ASSETS_DIR.as_uri() + "/"


# PDF/A-3b: fit for long-term archiving; pyHanko seals it later as an incremental update.
PDF_VARIANT = "pdf/a-3b"


# The sealed document is a Chinese official document whoever triggers the render.
DOCUMENT_LANGUAGE = "zh-hans"


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
        resources: dict[str, tuple[str, bytes]] | None = None,
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
