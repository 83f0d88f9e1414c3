"""Where things are on a rendered PDF page, read back from the PDF: poppler's word boxes and the ink.

Positions are in PDF points from the top-left corner of the page (as pdftotext -bbox-layout gives them).
The GB/T 9704 text block of an A4 letter runs from 37 mm to 262 mm from the top, 28 mm to 184 mm
from the left.
"""

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass

from PIL import Image

MM = 72 / 25.4  # points per millimetre
TEXT_BLOCK_TOP = 37 * MM
TEXT_BLOCK_BOTTOM = (297 - 35) * MM
TEXT_BLOCK_LEFT = 28 * MM
TEXT_BLOCK_RIGHT = (210 - 26) * MM


@dataclass(frozen=True)
class Word:
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    text: str


@dataclass(frozen=True)
class Line:
    page: int
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return "".join(word.text for word in self.words)

    @property
    def x_min(self) -> float:
        return min(word.x_min for word in self.words)

    @property
    def x_max(self) -> float:
        return max(word.x_max for word in self.words)

    @property
    def y_min(self) -> float:
        return min(word.y_min for word in self.words)

    def widest_gap(self) -> float:
        """The widest white space between two neighbouring words of the line, in points."""
        ordered = sorted(self.words, key=lambda word: word.x_min)
        pairs = zip(ordered, ordered[1:], strict=False)
        return max((right.x_min - left.x_max for left, right in pairs), default=0.0)


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def pdf_lines(pdf: bytes) -> list[Line]:
    """Every line of text of every page, top to bottom: the words that stand on the same baseline.

    Words are grouped by their position, not as poppler groups them: poppler splits a line whose words
    stand far apart into columns, and such a line is just what the typography tests look for.
    """
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        layout = subprocess.run(
            ["pdftotext", "-bbox-layout", file.name, "-"], capture_output=True, check=True, timeout=30
        ).stdout.decode()
    lines = []
    for number, page in enumerate(layout.split("<page ")[1:], start=1):
        words = sorted(
            (
                Word(float(x0), float(y0), float(x1), float(y1), text.replace("&amp;", "&"))
                for x0, y0, x1, y1, text in _WORD.findall(page)
            ),
            key=lambda word: (word.y_max, word.x_min),
        )
        row: list[Word] = []
        for word in words:
            if row and abs(word.y_max - row[0].y_max) > 2:  # a new baseline (the boxes' bottoms differ)
                lines.append(Line(page=number, words=tuple(sorted(row, key=lambda word: word.x_min))))
                row = []
            row.append(word)
        if row:
            lines.append(Line(page=number, words=tuple(sorted(row, key=lambda word: word.x_min))))
    return lines


def body_lines(pdf: bytes, *, page: int | None = None) -> list[Line]:
    """The lines inside the text block (not the page numbers below it)."""
    return [
        line
        for line in pdf_lines(pdf)
        if (page is None or line.page == page) and TEXT_BLOCK_TOP - 5 < line.y_min < TEXT_BLOCK_BOTTOM
    ]


def page_number_dash_tops_mm(pdf: bytes, *, dpi: int = 600) -> list[float]:
    """For each page, how far below the text block the top edge of the page number's first dash is inked (mm).

    The dash's box comes from poppler's word boxes (the word 「—」 below the text block); its ink is found on
    the page rendered at `dpi` (1 pixel = 0.04 mm at 600 dpi): the first row of dark pixels in that box.
    """
    scale = dpi / 72
    tops = []
    for line in pdf_lines(pdf):
        if line.y_min < TEXT_BLOCK_BOTTOM or line.words[0].text != "—":
            continue
        dash = line.words[0]
        left, top = int(dash.x_min * scale), int(TEXT_BLOCK_BOTTOM * scale)
        with tempfile.TemporaryDirectory() as folder:
            source = os.path.join(folder, "page.pdf")
            with open(source, "wb") as file:
                file.write(pdf)
            subprocess.run(
                ["pdftoppm", "-f", str(line.page), "-l", str(line.page), "-r", str(dpi), "-gray", "-png"]
                + ["-x", str(left), "-y", str(top), "-W", str(int((dash.x_max - dash.x_min) * scale))]
                + ["-H", str(int(20 * MM * scale)), source, os.path.join(folder, "crop")],
                check=True,
                timeout=60,
            )
            (name,) = [name for name in os.listdir(folder) if name.endswith(".png")]
            image = Image.open(os.path.join(folder, name)).convert("L")
        pixels = image.tobytes()  # one byte a pixel, row after row
        dark_rows = [
            row
            for row in range(image.height)
            if min(pixels[row * image.width : (row + 1) * image.width]) < 128
        ]
        tops.append((top + dark_rows[0]) / scale / MM - TEXT_BLOCK_BOTTOM / MM)
    return tops
