"""A structural check of PDF/A-3b (ISO 19005-3, level B): the rules that can be read from the file's objects.

veraPDF, the reference validator, cannot be installed here (it is in neither Debian, PyPI nor npm), so
the archive's promise is held by this check instead, with pikepdf. `pdfa_problems` returns every rule
broken, each as "<clause>: <what>", and an empty list for a conforming file.

Checked: the header and the catalogue's /Version (a PDF 1.7 profile; no PDF 2.0 claims), the binary
comment, the trailer's /ID, no encryption and nothing after the last %%EOF (6.1.2–6.1.3); the XMP
packet: a /Metadata /XML stream identifying PDF/A-3 level B and agreeing with every Info entry
(6.6.2–6.6.4); the output intent and its ICC profile (6.2.3); every font used by a page, a form or an
appearance embedded (6.2.11.4); no image interpolation, alternates or OPI (6.2.8); no transfer
functions or halftone overrides in graphics states (6.2.5); no JavaScript and no forbidden actions
(6.5–6.6.1); annotations printable, not hidden, with an appearance when they have an area
(6.3.2–6.3.3); no /NeedAppearances and no XFA (6.4.1–6.4.2); signatures of the PAdES kinds (6.4.3);
embedded files declared with their relationship and type (6.8).

Not checked (they need a renderer or a font parser): colour operators in content streams against the
output intent, glyph widths in font programs against /W, and the validity of every content stream.
"""

import io
import re
from collections.abc import Iterator
from xml.etree import ElementTree

import pikepdf

PDF_VERSION_MAX = (1, 7)  # PDF/A-3 is a profile of ISO 32000-1 (PDF 1.7)

_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
# Info entry → its XMP property (6.6.3: an entry present in Info must be in XMP with the same value).
_INFO_TO_XMP = {
    "/Title": "dc:title",
    "/Author": "dc:creator",
    "/Subject": "dc:description",
    "/Keywords": "pdf:Keywords",
    "/Creator": "xmp:CreatorTool",
    "/Producer": "pdf:Producer",
    "/CreationDate": "xmp:CreateDate",
    "/ModDate": "xmp:ModifyDate",
}
_FORBIDDEN_ACTIONS = frozenset(
    {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/JavaScript", "/Hide", "/SetOCGState",
     "/Rendition", "/Trans", "/GoTo3DView"}
)  # fmt: skip
_FORBIDDEN_ANNOTATIONS = frozenset({"/3D", "/Sound", "/Screen", "/Movie"})
_SIGNATURE_SUBFILTERS = frozenset({"/ETSI.CAdES.detached", "/ETSI.RFC3161", "/adbe.pkcs7.detached"})
_ANNOTATION_PRINT, _ANNOTATION_HIDDEN, _ANNOTATION_INVISIBLE, _ANNOTATION_NOVIEW = 4, 2, 1, 32
_ANNOTATION_TOGGLE_NOVIEW = 256
_HEADER = re.compile(rb"%PDF-(\d)\.(\d)\r?\n?")


def pdfa_problems(pdf: bytes) -> list[str]:
    """Every PDF/A-3b rule the file's structure breaks (see the module docstring for what is read)."""
    problems = _header_problems(pdf)
    try:
        document = pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as error:
        return [*problems, f"6.1: the file cannot be read as a PDF ({error})"]
    with document:
        problems += _catalogue_problems(document, header=_header_version(pdf))
        problems += _metadata_problems(document)
        problems += _output_intent_problems(document)
        for page_number, page in enumerate(document.pages, 1):
            problems += _page_problems(page, page_number)
        problems += _form_problems(document)
        problems += _embedded_file_problems(document)
    return problems


def _header_version(pdf: bytes) -> tuple[int, int] | None:
    match = _HEADER.match(pdf)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _header_problems(pdf: bytes) -> list[str]:
    version = _header_version(pdf)
    if version is None:
        return ["6.1.2: the file does not start with a %PDF-1.n header"]
    problems = []
    if version > PDF_VERSION_MAX:
        problems.append(f"6.1.2: the header says PDF {version[0]}.{version[1]}, above 1.7")
    if pdf.rstrip(b"\r\n")[-5:] != b"%%EOF" or len(pdf) - len(pdf.rstrip(b"\r\n")) > 2:
        problems.append("6.1.3: something follows the last end-of-file marker")
    second_line = pdf[_HEADER.match(pdf).end() :].split(b"\n", 1)[0]
    if not (second_line.startswith(b"%") and sum(byte > 127 for byte in second_line[1:5]) >= 4):
        problems.append("6.1.2: no comment of four binary bytes after the header")
    return problems


def _catalogue_problems(document: pikepdf.Pdf, *, header: tuple[int, int] | None) -> list[str]:
    problems = []
    root = document.Root
    if "/Version" in root:
        claimed = tuple(int(part) for part in str(root.Version).lstrip("/").split("."))
        if claimed > PDF_VERSION_MAX:
            problems.append(f"6.1.2: the catalogue claims PDF {str(root.Version).lstrip('/')}, above 1.7")
        elif header is not None and claimed < header:
            problems.append("6.1.2: the catalogue's /Version is below the header's")
    for name, extension in (root.get("/Extensions") or {}).items():
        base = str(extension.get("/BaseVersion", "/1.7")).lstrip("/")
        if tuple(int(part) for part in base.split(".")) > PDF_VERSION_MAX:
            problems.append(f"6.1.2: the extension {name} is based on PDF {base}")
    if "/Encrypt" in document.trailer:
        problems.append("6.1.3: the file is encrypted")
    if "/ID" not in document.trailer:
        problems.append("6.1.3: the trailer has no /ID")
    names = root.get("/Names") or {}
    if "/JavaScript" in names:
        problems.append("6.6.1: the document holds JavaScript")
    if "/AA" in root:
        problems.append("6.6.2: the catalogue has additional actions (/AA)")
    problems += _action_problems(root.get("/OpenAction"), where="the catalogue's /OpenAction")
    return problems


def _metadata_problems(document: pikepdf.Pdf) -> list[str]:
    stream = document.Root.get("/Metadata")
    if stream is None:
        return ["6.6.2.1: the catalogue has no XMP metadata stream"]
    problems = []
    if stream.get("/Type") != "/Metadata" or stream.get("/Subtype") != "/XML":
        problems.append("6.6.2.1: the metadata stream is not of /Type /Metadata, /Subtype /XML")
    try:
        tree = ElementTree.fromstring(stream.read_bytes())
    except ElementTree.ParseError as error:
        return [*problems, f"6.6.2.1: the XMP packet is not well-formed XML ({error})"]
    values = _xmp_values(tree)
    if values.get("pdfaid:part") != "3":
        problems.append(f"6.6.4: the XMP identifies PDF/A part {values.get('pdfaid:part')!r}, not 3")
    if (values.get("pdfaid:conformance") or "").upper() != "B":
        problems.append(f"6.6.4: the XMP identifies level {values.get('pdfaid:conformance')!r}, not B")
    info = document.trailer.get("/Info") or {}
    for key, xmp_name in _INFO_TO_XMP.items():
        if key not in info:
            continue
        expected = str(info[key])
        if key.endswith("Date"):
            expected = _pdf_date_as_xmp(expected)
            actual = values.get(xmp_name)
            actual = actual and actual.replace("Z", "+00:00")
        else:
            actual = values.get(xmp_name)
        if actual is None:
            problems.append(f"6.6.3: Info {key} has no XMP {xmp_name}")
        elif actual != expected:
            problems.append(f"6.6.3: Info {key} ({expected!r}) differs from XMP {xmp_name} ({actual!r})")
    return problems


def _xmp_values(tree: ElementTree.Element) -> dict[str, str]:
    """The simple properties of the XMP packet (as elements or as attributes), by prefixed name; for the
    language alternatives and lists (dc:title, dc:creator) the first item."""
    prefixes = {uri: prefix for prefix, uri in _NS.items()}
    values: dict[str, str] = {}
    for description in tree.iter(f"{{{_NS['rdf']}}}Description"):
        for attribute, value in description.attrib.items():
            uri, _, local = attribute[1:].partition("}")
            if uri in prefixes:
                values[f"{prefixes[uri]}:{local}"] = value
        for child in description:
            uri, _, local = child.tag[1:].partition("}")
            if uri not in prefixes:
                continue
            item = child.find(f".//{{{_NS['rdf']}}}li")
            text = (item.text if item is not None else child.text) or ""
            values[f"{prefixes[uri]}:{local}"] = text.strip()
    return values


def _pdf_date_as_xmp(value: str) -> str:
    """D:20261204120000+08'00' → 2026-12-04T12:00:00+08:00 (the form XMP dates take)."""
    match = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+\-])?(\d{2})?'?(\d{2})?", value)
    if not match:
        return value
    year, month, day, hour, minute, second, sign, tz_hour, tz_minute = match.groups()
    text = f"{year}-{month or '01'}-{day or '01'}T{hour or '00'}:{minute or '00'}:{second or '00'}"
    if sign in ("Z", "z") or (sign and tz_hour in (None, "00") and tz_minute in (None, "00") and sign == "Z"):
        return text + "+00:00"
    if sign:
        return f"{text}{sign}{tz_hour or '00'}:{tz_minute or '00'}"
    return text


def _output_intent_problems(document: pikepdf.Pdf) -> list[str]:
    intents = [
        intent for intent in document.Root.get("/OutputIntents") or [] if intent.get("/S") == "/GTS_PDFA1"
    ]
    if not intents:
        return ["6.2.3: no PDF/A output intent (GTS_PDFA1)"]
    problems = []
    profiles = {
        intent.get("/DestOutputProfile").objgen for intent in intents if "/DestOutputProfile" in intent
    }
    if not profiles:
        problems.append("6.2.3: the output intent has no ICC profile")
    elif len(profiles) > 1:
        problems.append("6.2.3: the output intents name different ICC profiles")
    for intent in intents:
        profile = intent.get("/DestOutputProfile")
        if profile is not None and int(profile.get("/N", 0)) not in (1, 3, 4):
            problems.append("6.2.3: the output intent's ICC profile has no valid /N")
    return problems


def _page_problems(page: pikepdf.Page, number: int) -> list[str]:
    where = f"page {number}"
    problems = []
    if "/AA" in page.obj:
        problems.append(f"6.6.2: {where} has additional actions (/AA)")
    problems += _resources_problems(page.obj.get("/Resources"), where=where, seen=set())
    for annotation in page.obj.get("/Annots") or []:
        problems += _annotation_problems(annotation, where=where)
    return problems


def _resources_problems(resources, *, where: str, seen: set) -> list[str]:
    """Fonts, images, graphics states and forms of a resource dictionary, forms followed once each."""
    if resources is None:
        return []
    problems = []
    for name, font in (resources.get("/Font") or {}).items():
        problems += [f"6.2.11.4: {where}: font {name} {problem}" for problem in _font_problems(font)]
    for name, state in (resources.get("/ExtGState") or {}).items():
        if "/TR" in state or state.get("/TR2", "/Default") != "/Default":
            problems.append(f"6.2.5: {where}: graphics state {name} sets a transfer function")
        if "/HTP" in state or "/HTO" in state:
            problems.append(f"6.2.5: {where}: graphics state {name} overrides the halftone")
    for name, xobject in (resources.get("/XObject") or {}).items():
        if xobject.objgen != (0, 0) and xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            if bool(xobject.get("/Interpolate", False)):
                problems.append(f"6.2.8: {where}: image {name} asks for interpolation")
            if "/Alternates" in xobject or "/OPI" in xobject:
                problems.append(f"6.2.8: {where}: image {name} has alternates or OPI")
        elif subtype == "/Form":
            if "/OPI" in xobject or "/PS" in xobject:
                problems.append(f"6.2.9: {where}: form {name} has OPI or PostScript")
            problems += _resources_problems(
                xobject.get("/Resources"), where=f"{where}, form {name}", seen=seen
            )
    return problems


def _font_problems(font) -> Iterator[str]:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return  # drawn by its own glyph procedures: nothing to embed
    descendants = [font.DescendantFonts[0]] if subtype == "/Type0" else [font]
    for descendant in descendants:
        descriptor = descendant.get("/FontDescriptor")
        if descriptor is None:
            yield "has no font descriptor"
        elif not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            yield f"({descriptor.get('/FontName')}) is not embedded"


def _annotation_problems(annotation, *, where: str) -> list[str]:
    subtype = annotation.get("/Subtype")
    problems = []
    if subtype in _FORBIDDEN_ANNOTATIONS:
        return [f"6.3.1: {where}: a {subtype} annotation"]
    if subtype != "/Popup":
        flags = int(annotation.get("/F", 0))
        if not flags & _ANNOTATION_PRINT:
            problems.append(f"6.3.2: {where}: a {subtype} annotation is not printable")
        if flags & (
            _ANNOTATION_HIDDEN | _ANNOTATION_INVISIBLE | _ANNOTATION_NOVIEW | _ANNOTATION_TOGGLE_NOVIEW
        ):
            problems.append(f"6.3.2: {where}: a {subtype} annotation is hidden")
    rect = [float(value) for value in annotation.get("/Rect", [0, 0, 0, 0])]
    has_area = len(rect) == 4 and rect[0] != rect[2] and rect[1] != rect[3]
    if has_area and subtype not in ("/Popup", "/Link"):
        appearance = annotation.get("/AP")
        if appearance is None or "/N" not in appearance:
            problems.append(f"6.3.3: {where}: a {subtype} annotation has no normal appearance")
        elif set(appearance.keys()) - {"/N"}:
            problems.append(f"6.3.3: {where}: a {subtype} annotation has appearances besides /N")
    normal = (annotation.get("/AP") or {}).get("/N")
    if isinstance(normal, pikepdf.Stream):
        problems += _resources_problems(
            normal.get("/Resources"), where=f"{where}, a {subtype} appearance", seen=set()
        )
    if "/AA" in annotation:
        problems.append(f"6.6.2: {where}: a {subtype} annotation has additional actions")
    problems += _action_problems(annotation.get("/A"), where=f"{where}, a {subtype} annotation")
    if subtype == "/Widget" and annotation.get("/FT") == "/Sig" and "/V" in annotation:
        problems += _signature_problems(annotation.V, where=where)
    return problems


def _action_problems(action, *, where: str) -> list[str]:
    if action is None or not isinstance(action, pikepdf.Dictionary):
        return []
    kind = action.get("/S")
    problems = [f"6.6.1: {where} runs a {kind} action"] if kind in _FORBIDDEN_ACTIONS else []
    following = action.get("/Next")
    for item in following if isinstance(following, pikepdf.Array) else [following] if following else []:
        problems += _action_problems(item, where=where)
    return problems


def _signature_problems(signature, *, where: str) -> list[str]:
    subfilter = signature.get("/SubFilter")
    if subfilter not in _SIGNATURE_SUBFILTERS:
        return [f"6.4.3: {where}: a signature of kind {subfilter}"]
    return []


def _form_problems(document: pikepdf.Pdf) -> list[str]:
    form = document.Root.get("/AcroForm")
    if form is None:
        return []
    problems = []
    if bool(form.get("/NeedAppearances", False)):
        problems.append("6.4.1: the form asks readers to make its appearances (/NeedAppearances)")
    if "/XFA" in form:
        problems.append("6.4.2: the form holds XFA")
    for field in form.get("/Fields") or []:
        if field.get("/FT") == "/Sig" and "/V" in field and "/Subtype" not in field:
            problems += _signature_problems(field.V, where="the form")
    return problems


def _embedded_file_problems(document: pikepdf.Pdf) -> list[str]:
    problems = []
    for name, filespec in document.attachments.items():
        if "/AFRelationship" not in filespec.obj:
            problems.append(f"6.8: the embedded file {name!r} has no /AFRelationship")
        embedded = filespec.obj.get("/EF", {}).get("/F")
        if embedded is None or "/Subtype" not in embedded:
            problems.append(f"6.8: the embedded file {name!r} has no MIME type (/Subtype)")
    return problems
