"""The rectification ledger as a PDF report (A4 landscape): the filters, the counts and the findings.

Pure, like `render.letter_render_pdf`: it renders our own template and returns bytes. It reuses the
letters' locked-down fetcher (only the PDF assets folder and the pre-subset fonts), their font
configuration and their compact font embedding. User text reaches the HTML only through
autoescaped template variables. The report is in the reader's interface language.
"""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from core.pdf.engine import ASSETS_URL, AssetsOnlyFetcher, font_configuration
from core.pdf.fonts import (
    font_family_css,
    font_stack_with_presubset,
    pdf_fonts_compact,
    presubset_font_face_css,
    presubset_fonts_dir,
)

TEMPLATE_NAME = "responsibility/pdf/ledger.html"


class LedgerRenderError(RuntimeError):
    """The report could not be laid out (an asset is missing): nothing was produced."""


def ledger_render_pdf(*, context: dict) -> bytes:
    """`context`: title, generated (text), filters [(label, value)], summary, by_plan, by_unit, rows."""
    html = render_to_string(
        TEMPLATE_NAME,
        {
            **context,
            "font_faces": presubset_font_face_css(),
            "font_body": font_family_css(font_stack_with_presubset(settings.PDF_FONT_BODY)),
            "font_title": font_family_css(font_stack_with_presubset(settings.PDF_FONT_TITLE)),
        },
    )
    fetcher = AssetsOnlyFetcher(fonts=presubset_fonts_dir())
    try:
        return HTML(string=html, base_url=ASSETS_URL, url_fetcher=fetcher).write_pdf(
            font_config=font_configuration(), finisher=pdf_fonts_compact
        )
    except FatalURLFetchingError as error:
        # A BaseException in WeasyPrint: turned into an ordinary error the view reports.
        raise LedgerRenderError(str(error.__cause__ or error)) from error
