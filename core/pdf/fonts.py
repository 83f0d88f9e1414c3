"""Fonts for letter PDFs: the configured font stacks as safe CSS, the start-up checks, compact embedding.

The font stacks come from settings (PDF_FONT_BODY, PDF_FONT_TITLE, PDF_FONT_SIGNATURE,
PDF_FONT_PAGE_NUMBER). They are configuration, not code, so they are parsed and re-serialised here into
CSS that cannot break out of a `font-family` declaration (or out of the <style> element that carries it).

Two things make a deployment render letters badly without any error, so the system checks warn:
- W001: WeasyPrint cannot load libharfbuzz-subset and falls back to fontTools, which subsets a
  26 MB CJK font for every document (about 50x slower).
- W002: none of the CJK fonts a stack names is installed, so the text falls back to whatever
  fontconfig picks (mixed styles, or boxes for missing glyphs).
A third warns of the slower path: W003, the pre-subset GBK faces (manage.py prepare_pdf_fonts) are
missing, so every letter embeds from the full 65,000-glyph Noto Serif CJK SC (or the full FandolFang).
A fourth, W004, of the wrong style: the body would be set in a 宋体 (Noto Serif CJK SC) because none of
the 仿宋 faces PDF_FONT_BODY names first is installed (scripts/install-fang-font installs FandolFang).

`pdf_fonts_compact` (a WeasyPrint finisher) keeps a letter small; see the notes above it.
"""

import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.checks import Warning

# CSS generic families: written without quotes they mean "any font of this kind".
GENERIC_FAMILIES = frozenset(
    {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math", "emoji", "fangsong"}
)
_CSS_WIDE_KEYWORDS = frozenset({"inherit", "initial", "unset", "revert", "revert-layer", "default"})
FALLBACK_STACK = '"Noto Serif CJK SC", serif'
# Song (宋体/明体) faces: a body set in one of these is not the 仿宋 GB/T 9704 asks for (W004).
_SERIF_FAMILIES = frozenset(
    {"noto serif cjk sc", "source han serif sc", "ar pl uming cn", "ar pl sungtil gb"}
)
_FONT_SETTINGS = ("PDF_FONT_BODY", "PDF_FONT_TITLE", "PDF_FONT_SIGNATURE", "PDF_FONT_PAGE_NUMBER")
# Characters written as they are in a CSS identifier; anything else is escaped as \hex.
_IDENT_SAFE = re.compile(r"[A-Za-z0-9_\-\u00a0-\U0010ffff]")


def font_stack_parse(value: str) -> list[tuple[str, bool]]:
    """Split a CSS font-family value into (family, is_generic), dropping empty or broken entries."""
    families: list[tuple[str, bool]] = []
    for entry in _split_outside_quotes(value or ""):
        entry = entry.strip()
        quoted = len(entry) >= 2 and entry[0] == entry[-1] and entry[0] in "\"'"
        name = entry[1:-1] if quoted else entry
        name = " ".join(name.split())  # no control characters, newlines or runs of spaces
        if not name or any(ord(char) < 0x20 or char in "\"'\\" for char in name):
            continue
        families.append((name, not quoted and name.lower() in GENERIC_FAMILIES))
    return families


def font_family_css(value: str) -> str:
    """The stack as a CSS font-family value made only of escaped identifiers, commas and spaces.

    The result contains none of < > & " ' / ; { }, so it is inert in a <style> element and in a
    declaration, and Django's autoescaping leaves it unchanged.
    """
    families = font_stack_parse(value) or font_stack_parse(FALLBACK_STACK)
    parts = []
    for name, is_generic in families:
        if is_generic:
            parts.append(name.lower())
        else:
            words = name.split(" ")
            # A one-word family named like a keyword ("serif", "inherit") must stay a family name.
            keyword = len(words) == 1 and name.lower() in GENERIC_FAMILIES | _CSS_WIDE_KEYWORDS
            parts.append(" ".join(_css_ident(word, escape_first=keyword) for word in words))
    return ", ".join(parts)


def _css_ident(word: str, *, escape_first: bool = False) -> str:
    escaped = "".join(char if _IDENT_SAFE.fullmatch(char) else f"\\{ord(char):x} " for char in word)
    # An identifier may not start with a digit, or with "-" and a digit.
    if escape_first or word[0].isdigit() or (word[0] == "-" and word[1:2].isdigit()):
        escaped = f"\\{ord(word[0]):x} " + escaped[1:]
    return escaped


def _split_outside_quotes(value: str) -> list[str]:
    entries, current, quote = [], [], ""
    for char in value:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
            current.append(char)
        elif char == ",":
            entries.append("".join(current))
            current = []
        else:
            current.append(char)
    entries.append("".join(current))
    return entries


# --- The fast path -----------------------------------------------------------------------------


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint subsets embedded fonts with HarfBuzz (fast) rather than fontTools (slow).

    WeasyPrint 70 (weasyprint/pdf/fonts.py, Font.subset) uses HarfBuzz when libharfbuzz-subset was
    loadable at import (weasyprint.text.ffi.harfbuzz_subset) and HarfBuzz is at least 4.1.0.
    """
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


@functools.lru_cache(maxsize=1)
def installed_cjk_families() -> frozenset[str] | None:
    """The family names of the installed fonts that cover Chinese, or None if fontconfig is missing."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    # One font per line; a font with several names lists them separated by commas.
    return frozenset(
        name.strip().casefold()
        for line in result.stdout.splitlines()
        for name in line.split(",")
        if name.strip()
    )


def pdf_fonts_check(app_configs=None, **kwargs) -> list[Warning]:
    """Warn loudly when letter PDFs would be slow to render or set in the wrong fonts.

    Registered in ResponsibilityConfig.ready().
    """
    warnings = []
    if not harfbuzz_subset_available():
        warnings.append(
            Warning(
                "PDF rendering will be ~50x slower: install libharfbuzz-subset0 (WeasyPrint cannot "
                "load libharfbuzz-subset and falls back to subsetting fonts with fontTools).",
                hint="On Debian or Ubuntu: apt-get install libharfbuzz-subset0 (scripts/setup installs it).",
                id="responsibility.W001",
            )
        )
    installed = installed_cjk_families()
    missing_faces = [
        face.family
        for face in PRESUBSET_FACES
        if presubset_face_paths(face) is None
        and (face.required or (installed is not None and face.source_family.casefold() in installed))
    ]
    if missing_faces:
        warnings.append(
            Warning(
                "Letter PDFs will render more slowly (the full CJK fonts are subset for every letter): the "
                f"pre-subset fonts ({', '.join(missing_faces)}) are missing from {presubset_fonts_dir()}.",
                hint="Run: manage.py prepare_pdf_fonts (scripts/run and the Docker build do).",
                id="responsibility.W003",
            )
        )
    for setting in _FONT_SETTINGS:
        value = getattr(settings, setting, "")
        wanted = [name for name, is_generic in font_stack_parse(value) if not is_generic]
        if installed is None:
            missing = True
            detail = "fontconfig's fc-list is not available, so no installed Chinese font can be found"
        else:
            missing = not any(name.casefold() in installed for name in wanted)
            detail = "none of these fonts with Chinese characters is installed: " + ", ".join(wanted or ["-"])
        if missing:
            warnings.append(
                Warning(
                    f"Letter PDFs will fall back to an arbitrary font for {setting}: {detail}.",
                    hint="Install fonts-noto-cjk (scripts/setup does) or add an installed font to "
                    f"DJANGO_{setting}.",
                    id="responsibility.W002",
                )
            )
    body_face = pdf_body_face()
    if installed is not None and body_face is not None and body_face.casefold() in _SERIF_FAMILIES:
        warnings.append(
            Warning(
                f"Letter bodies will be set in {body_face}, a 宋体, not in 仿宋 as GB/T 9704 asks: none "
                "of the faces named before it in PDF_FONT_BODY is installed.",
                hint="Run scripts/install-fang-font (scripts/setup does), or install a licensed 仿宋_GB2312.",
                id="responsibility.W004",
            )
        )
    return warnings


def pdf_body_face() -> str | None:
    """The family letter bodies are set in: the first family of PDF_FONT_BODY that is installed.

    None when none is, or fontconfig is missing.
    """
    installed = installed_cjk_families()
    if installed is None:
        return None
    for name, is_generic in font_stack_parse(settings.PDF_FONT_BODY):
        if not is_generic and name.casefold() in installed:
            return name
    return None


# --- Compact embedded CJK fonts ----------------------------------------------------------------
#
# WeasyPrint 70 subsets fonts with HarfBuzz but keeps every glyph id up to the highest one used
# ("retain gids"), so that the glyph ids in the page content stay valid. Noto CJK keeps its
# simplified-Chinese punctuation near glyph 63,000, so each embedded face would carry ~63,000 empty
# glyphs: about 110-150 KB compressed per face even when a title uses 20 characters. The CJK faces
# are CID-keyed CFF fonts whose glyphs are addressed by CID (= the original glyph id), and HarfBuzz
# keeps those CIDs in the subset's charset. So such a face is subset without retained glyph ids
# (core.pdf.subsetting), and its CFF program is embedded bare, as a CID-keyed CFF (FontFile3
# /CIDFontType0C, the form Acrobat itself writes for CJK text): a reader finds each glyph by its CID
# through the charset, and draws exactly the same glyphs at a fraction of the size. Wrapped in its
# OpenType table directory (FontFile3 /OpenType) the same subset would be read by glyph id and draw the
# wrong glyphs, so the finisher below must run whenever such a face is subset. Anything that does not fit
# that description is left as WeasyPrint wrote it.


def pdf_fonts_compact(document, pdf) -> None:
    """WeasyPrint finisher: embed each CID-keyed CFF face as its bare CFF program (found by CID)."""
    programs: set[int] = set()  # font program object numbers
    for pdf_object in pdf.objects:
        if not isinstance(pdf_object, dict) or pdf_object.get("Subtype") != "/CIDFontType0":
            continue
        descriptor = _pdf_object(pdf, pdf_object.get("FontDescriptor"))
        if descriptor is not None and "FontFile3" in descriptor:
            programs.add(_object_number(descriptor["FontFile3"]))
    for number in programs:
        stream = pdf.objects[number]
        if stream.extra.get("Subtype") != "/OpenType":
            continue
        program = b"".join(part if isinstance(part, bytes) else bytes(part) for part in stream.stream)
        cff = opentype_table(program, b"CFF ") if program[:4] == b"OTTO" else None
        if cff is not None and cff_is_cid_keyed(cff):
            stream.stream = [cff]
            stream.extra["Subtype"] = "/CIDFontType0C"


def opentype_table(font: bytes, tag: bytes) -> bytes | None:
    """The table `tag` of an OpenType font program (its table directory read as the spec lays it out)."""
    try:
        count = int.from_bytes(font[4:6], "big")
        for record in range(12, 12 + 16 * count, 16):
            if font[record : record + 4] == tag:
                offset = int.from_bytes(font[record + 8 : record + 12], "big")
                length = int.from_bytes(font[record + 12 : record + 16], "big")
                table = font[offset : offset + length]
                return table if len(table) == length else None
    except IndexError:
        return None
    return None


def _object_number(reference) -> int:
    if isinstance(reference, bytes):
        reference = reference.decode()
    return int(str(reference).split()[0])


def _pdf_object(pdf, reference):
    if reference is None:
        return None
    pdf_object = pdf.objects[_object_number(reference)]
    return pdf_object if isinstance(pdf_object, dict) else None


def cff_is_cid_keyed(cff: bytes) -> bool:
    """A CID-keyed CFF's top DICT starts with the ROS operator (12 30): glyphs are found by CID."""
    try:
        header_size = cff[2]
        index_count = int.from_bytes(cff[header_size : header_size + 2], "big")  # Name INDEX
        position = header_size + 2
        if index_count:
            offset_size = cff[position]
            last = int.from_bytes(
                cff[
                    position + 1 + index_count * offset_size : position + 1 + (index_count + 1) * offset_size
                ],
                "big",
            )
            position += 1 + (index_count + 1) * offset_size + last - 1
        count = int.from_bytes(cff[position : position + 2], "big")  # Top DICT INDEX
        offset_size = cff[position + 2]
        data_start = position + 3 + (count + 1) * offset_size
        top_dict = cff[data_start : data_start + 64]
    except IndexError:
        return False
    return _dict_first_operator(top_dict) == (12, 30)


def _dict_first_operator(data: bytes):
    position = 0
    while position < len(data):
        byte = data[position]
        if byte <= 21:
            return (12, data[position + 1]) if byte == 12 and position + 1 < len(data) else (byte,)
        if byte == 28:
            position += 3
        elif byte == 29:
            position += 5
        elif byte == 30:  # real number: nibbles until 0xf
            position += 1
            while position < len(data) and (data[position] & 0x0F) != 0x0F and (data[position] >> 4) != 0x0F:
                position += 1
            position += 1
        elif 32 <= byte <= 246:
            position += 1
        else:
            position += 2
    return None


# --- Pre-subset GB faces (the fast path of issue 3) ----------------------------------------------
#
# Most of a render's time goes into subsetting the embedded fonts: the system Noto Serif CJK SC
# holds 65,000 glyphs, and WeasyPrint keeps every glyph id up to the highest one used. At set-up
# time (manage.py prepare_pdf_fonts) we therefore cut the faces the letters use down to the characters
# of GBK (GB2312 and the 20,902 ideographs of U+4E00-9FA5, which hold the personal-name characters
# outside GB2312 such as 堃 喆 昇 祎 珺), ASCII, punctuation and the characters of our own templates,
# under a family name of our own declared with @font-face right before the source family in each stack:
# - "Letters Serif GB" Regular and Bold from Noto Serif CJK SC (宋体: titles, page numbers, fallback);
# - "Letters Fang GB" from FandolFang (仿宋: the body), when FandolFang is installed
#   (scripts/install-fang-font). FandolFang covers GB2312 only: a name character it lacks (镕 喆 堃 珺
#   玥) falls back per glyph to the serif face named after it in the body stack. It has no bold: the
#   templates set bold runs in the title's face (class font-title), since WeasyPrint would embed the
#   regular glyphs again under a "-Bold" name and draw them no bolder.
# GB2312 alone is not enough for the serif: one 昇 in a name embeds the full font again, and the letter
# is no faster. A character outside the set (Extension A/B, e.g. 䶮) falls back per glyph to the full
# system font named right after it. Without the files the @font-face rules are simply left out.
# Every letter is cut from the same files, so a glyph has the same id in every letter (the merged print
# volume relies on it).


@dataclass(frozen=True)
class PresubsetFace:
    """A face cut down at set-up time from an installed family, and the files it is written to."""

    family: str  # our family name, declared with @font-face
    source_family: str  # the installed family it is cut from, as fontconfig names it
    files: dict[str, str]  # CSS font-weight -> file name in VAR_DIR/fonts
    source_styles: dict[str, str]  # CSS font-weight -> the source's style name
    required: bool  # W003 without it; prepare fails without its source


PRESUBSET_SERIF = PresubsetFace(
    family="Letters Serif GB",
    source_family="Noto Serif CJK SC",
    files={"normal": "LettersSerifGB-Regular.otf", "bold": "LettersSerifGB-Bold.otf"},
    source_styles={"normal": "Regular", "bold": "Bold"},
    required=True,
)
PRESUBSET_FANG = PresubsetFace(
    family="Letters Fang GB",
    source_family="FandolFang",
    files={"normal": "LettersFangGB-Regular.otf"},
    source_styles={"normal": "Regular"},
    required=False,
)
PRESUBSET_FACES = (PRESUBSET_SERIF, PRESUBSET_FANG)
PRESUBSET_FAMILY = PRESUBSET_SERIF.family
PRESUBSET_SOURCE_FAMILY = PRESUBSET_SERIF.source_family
PRESUBSET_FILES = PRESUBSET_SERIF.files
# Bump when the character set or the subsetting options change: the files are then made again.
_PRESUBSET_VERSION = 4
# Glyph substitutions a horizontal Chinese letter needs; not locl/vert (they pull in thousands of
# Japanese, Korean, traditional and vertical forms).
_PRESUBSET_FEATURES = ["ccmp", "kern", "liga", "calt", "halt", "palt"]
_PRESUBSET_NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 16, 17]
_TEMPLATE_TEXT_FILES = (
    ("templates", "responsibility", "pdf"),
    ("core", "pdf", "assets"),
)


def presubset_fonts_dir() -> Path:
    return Path(settings.VAR_DIR) / "fonts"


def presubset_face_paths(face: PresubsetFace) -> dict[str, Path] | None:
    """{weight: path} of a pre-subset face, or None when one of its files is missing."""
    folder = presubset_fonts_dir()
    paths = {weight: folder / name for weight, name in face.files.items()}
    return paths if all(path.is_file() for path in paths.values()) else None


def presubset_font_paths() -> dict[str, Path] | None:
    """{weight: path} of the pre-subset serif faces (the ones W003 asks for), or None."""
    return presubset_face_paths(PRESUBSET_SERIF)


def presubset_font_face_css() -> str:
    """@font-face rules for the pre-subset faces that exist, or "" without them.

    The URLs are file: URIs percent-encoded by pathlib (no quotes, brackets, spaces, < > &), so the
    rules are inert in a <style> element and Django's autoescaping leaves them unchanged.
    """
    rules = []
    for face in PRESUBSET_FACES:
        paths = presubset_face_paths(face)
        if paths is None:
            continue
        family = font_family_css(f'"{face.family}"')
        rules += [
            f"@font-face {{ font-family: {family}; font-weight: {weight}; "
            f"src: url({path.resolve().as_uri()}); }}"
            for weight, path in paths.items()
        ]
    return "\n".join(rules)


def font_stack_with_presubset(value: str) -> str:
    """The stack with each pre-subset family right before its source family, when its files exist.

    Official faces named earlier in the stack (仿宋_GB2312 …) keep their precedence; a stack that names
    none of the source families is left as it is.
    """
    families = font_stack_parse(value) or font_stack_parse(FALLBACK_STACK)
    entries = [(f'"{name}"' if not is_generic else name, name.casefold()) for name, is_generic in families]
    changed = False
    for face in PRESUBSET_FACES:
        names = [name for _entry, name in entries]
        source = face.source_family.casefold()
        if source in names and face.family.casefold() not in names and presubset_face_paths(face):
            entries.insert(names.index(source), (f'"{face.family}"', face.family.casefold()))
            changed = True
    return ", ".join(entry for entry, _name in entries) if changed else value


def font_template_context() -> dict[str, str]:
    """The font variables of the PDF templates: the pre-subset @font-face rules and the four stacks.

    All inert under autoescaping (see presubset_font_face_css and font_family_css).
    """
    return {
        "font_faces": presubset_font_face_css(),
        "font_body": font_family_css(font_stack_with_presubset(settings.PDF_FONT_BODY)),
        "font_title": font_family_css(font_stack_with_presubset(settings.PDF_FONT_TITLE)),
        "font_signature": font_family_css(font_stack_with_presubset(settings.PDF_FONT_SIGNATURE)),
        "font_page_number": font_family_css(font_stack_with_presubset(settings.PDF_FONT_PAGE_NUMBER)),
    }


def gbk_characters() -> set[str]:
    """The 21,886 characters of GBK (GB 2312-80 and the rest of the CJK Unified Ideographs)."""
    characters = set()
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                characters.add(bytes((high, low)).decode("gbk"))
            except UnicodeDecodeError:
                continue
    return characters


def presubset_characters() -> str:
    """GBK, ASCII, CJK and general punctuation, full-width forms and our templates' characters."""
    characters = gbk_characters()
    for first, last in ((0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)):
        characters.update(chr(code) for code in range(first, last + 1))
    base = Path(settings.BASE_DIR)
    for parts in _TEMPLATE_TEXT_FILES:
        for path in sorted(base.joinpath(*parts).glob("*")):
            if path.suffix in (".html", ".css", ".txt"):
                characters.update(path.read_text(encoding="utf-8"))
    return "".join(sorted(char for char in characters if char.isprintable() or char == "\u3000"))


def presubset_source_fonts(face: PresubsetFace = PRESUBSET_SERIF) -> dict[str, tuple[Path, int]] | None:
    """{weight: (file, face index)} of the installed source of `face` in each of its styles, or None."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [fc_list, "-f", "%{file}|%{index}|%{style}\n", face.source_family],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found: dict[str, tuple[Path, int]] = {}
    for line in result.stdout.splitlines():
        file, _sep, rest = line.partition("|")
        index, _sep, styles = rest.partition("|")
        for weight, style in face.source_styles.items():
            if style in styles.split(",") and weight not in found and index.isdigit():
                found[weight] = (Path(file), int(index))
    return found if len(found) == len(face.source_styles) else None


def presubset_fonts_prepare(*, folder: Path | None = None, force: bool = False) -> list[Path]:
    """Make the pre-subset faces in `folder` (default VAR_DIR/fonts); return the files (re)written.

    Files that are up to date (same source font, characters and options, recorded in a stamp file)
    are kept. Raises FileNotFoundError when the system has no Noto Serif CJK SC Regular and Bold; a
    face whose source is optional (FandolFang) is skipped without it.
    """
    folder = Path(folder or presubset_fonts_dir())
    sources = {face.family: presubset_source_fonts(face) for face in PRESUBSET_FACES}
    for face in PRESUBSET_FACES:
        if face.required and sources[face.family] is None:
            raise FileNotFoundError(
                f"{face.source_family} {' and '.join(face.source_styles.values())} are not installed"
            )
    characters = presubset_characters()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for face in PRESUBSET_FACES:
        for weight, (source, index) in (sources[face.family] or {}).items():
            target = folder / face.files[weight]
            if _presubset_face_write(face, weight, source, index, characters, target, force=force):
                written.append(target)
    return written


def _presubset_face_write(
    face: PresubsetFace, weight: str, source: Path, index: int, characters: str, target: Path, *, force: bool
) -> bool:
    """Cut one style of `face` from `source` into `target` unless it is up to date; whether it was written.

    HarfBuzz cuts it (core.pdf.presubset_cut, a fraction of a second); fontTools names it ours and numbers
    its CIDs (about 15 s a face, most of it writing the CFF)."""
    from fontTools.ttLib import TTFont

    from core.pdf.presubset_cut import face_cut

    source_stat = source.stat()
    stamp = json.dumps(
        {
            "version": _PRESUBSET_VERSION,
            "source": str(source),
            "index": index,
            "size": source_stat.st_size,
            "mtime": source_stat.st_mtime_ns,
            "characters": hashlib.sha256(characters.encode()).hexdigest(),
        },
        sort_keys=True,
    )
    stamp_path = target.with_suffix(".json")
    if not force and target.is_file() and stamp_path.is_file() and stamp_path.read_text() == stamp:
        return False
    cut = face_cut(
        source,
        index=index,
        characters=characters,
        layout_features=_PRESUBSET_FEATURES,
        name_ids=_PRESUBSET_NAME_IDS,
    )
    font = TTFont(io.BytesIO(cut))
    _font_rename(font, family=face.family, style=face.source_styles[weight])
    _font_cids_sequential(font)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    font.save(partial)
    os.replace(partial, target)  # atomic: a worker never reads half a font
    stamp_path.write_text(stamp)
    return True


def _font_cids_sequential(font) -> None:
    """CID = glyph id again in `font`, as in the full Noto font (its charset is the identity).

    A cut keeps each glyph's original CID in its charset, but WeasyPrint writes glyph ids as CIDs and PDF
    readers find a CID-keyed CFF glyph by CID: with gaps, every character would draw the wrong glyph or
    none. The glyphs are renamed cid00001, cid00002, … in glyph id order; `font` is freshly read, so the
    other tables still refer to glyphs by id.
    """
    order = [".notdef"] + [f"cid{glyph_id:05d}" for glyph_id in range(1, font["maxp"].numGlyphs)]
    top = font["CFF "].cff.topDictIndex[0]
    rename = dict(zip(top.charset, order, strict=True))
    font.setGlyphOrder(order)
    top.CharStrings.charStrings = {rename[name]: index for name, index in top.CharStrings.charStrings.items()}
    top.charset = order


def _font_rename(font, *, family: str, style: str) -> None:
    """Our own family name, so the small face is never taken for the full Noto Serif CJK SC."""
    postscript = f"{family.replace(' ', '')}-{style}"
    names = {1: family, 2: style, 3: f"{postscript};v{_PRESUBSET_VERSION}", 4: f"{family} {style}"}
    names |= {6: postscript, 16: family, 17: style}
    font["name"].names = [record for record in font["name"].names if record.nameID not in names]
    for name_id, text in names.items():
        font["name"].setName(text, name_id, 3, 1, 0x409)
    cff = font["CFF "].cff
    cff.fontNames = [postscript]
    top = cff.topDictIndex[0]
    for key in ("FullName", "FamilyName"):
        if hasattr(top, key):
            setattr(top, key, names[4] if key == "FullName" else family)
