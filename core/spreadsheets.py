"""What every export to a spreadsheet shares: text that Excel would read as a formula (OWASP "CSV
injection") stays text, and no cell carries a character that changes the direction of text."""

from core.bidi import bidi_controls_strip

# Characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value) -> str:
    """A cell's text as it may be written: without direction controls (core.bidi)."""
    return "" if value is None else bidi_controls_strip(str(value))


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return text.startswith(FORMULA_STARTS)


def csv_text(value) -> str:
    """A CSV cell that opens as the text it is: a formula character first gets Excel's quote prefix.

    Every CSV the system writes passes each of its cells through here (the ZIP manifest, the security
    log); the ledger workbook uses `spreadsheet_text` and `formula_like` for its typed cells.
    """
    text = spreadsheet_text(value)
    return "'" + text if formula_like(text) else text
