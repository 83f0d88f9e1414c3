"""The rectification ledger as a PDF report (A4 landscape): the filters, the counts and the findings.

Pure, like `letters.pdf.letter_render_pdf`: it renders our own template with the core PDF engine
(core.pdf.engine.html_to_pdf: the locked-down fetcher, the shared font configuration, compact font
embedding) and returns bytes. User text reaches the HTML only through autoescaped template variables.
The report is in the reader's interface language.
"""

from core.pdf.engine import PdfRenderError, html_to_pdf
from core.pdf.fonts import font_template_context

TEMPLATE_NAME = "responsibility/pdf/ledger.html"


class LedgerRenderError(PdfRenderError):
    """The report could not be laid out (an asset is missing): nothing was produced."""


def ledger_render_pdf(*, context: dict) -> bytes:
    """`context`: title, generated (text), filters [(label, value)], summary, group_tables [(title,
    heading, groups)], rows."""
    return html_to_pdf(
        template_name=TEMPLATE_NAME,
        context={**context, **font_template_context()},
        language=None,  # a working report, in the reader's language: not an official document
        error=LedgerRenderError,
    )
