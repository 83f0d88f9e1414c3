"""What every export to a spreadsheet shares: text that Excel would read as a formula (OWASP "CSV
injection") stays text."""

# Characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value) -> str:
    """A CSV cell that opens as the text it is: a formula character first gets Excel's quote prefix."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
