"""The PDF benchmark's comparisons: the same letter made the ways one would otherwise pick (plain
WeasyPrint, LibreOffice from a Word file), and whether WeasyPrint's fast font subsetting is active."""

import io
import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench.pdf_data import BENCH_DIR, pdf_pages
from bench.pdf_measures import rss_mb, timed
from bench.pdf_report import Comparison, Report

LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"
LIBREOFFICE_BATCH = 20


def letter_html(*, letter, verification_code: str) -> tuple[str, dict]:
    """The very HTML letter_render_pdf lays out, and the images (data: URLs) it generated."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from responsibility.letters import pdf as render

    resources: dict[str, tuple[str, bytes]] = {}
    with translation.override(render.DOCUMENT_LANGUAGE):
        context = render._letter_context(
            letter=letter, verification_code=verification_code, resources=resources
        )
        html = render_to_string(render.TEMPLATE_NAME, context)
    return html, {"context": context, "resources": resources}


def measure_plain_weasyprint(report: Report, *, document, runs: int) -> None:
    """The same letter HTML, WeasyPrint's defaults: what one gets without this project's tuning."""
    from weasyprint import HTML

    from core.pdf.engine import ASSETS_URL

    comparison = Comparison(
        name="plain WeasyPrint, same HTML (defaults, system font, no PDF/A, no compaction, no seal)"
    )
    report.comparisons.append(comparison)

    def plain() -> bytes:
        html, _extra = letter_html(letter=document.letter, verification_code=document.verification_code)
        return HTML(string=html, base_url=ASSETS_URL).write_pdf()

    try:
        plain()  # warm-up
        before = rss_mb()
        timings, cpus, pdf = [], [], b""
        for _ in range(runs):
            cpu_started = time.process_time()
            seconds, pdf = timed(plain)
            cpus.append(time.process_time() - cpu_started)
            timings.append(seconds)
        after = rss_mb()
    except Exception as error:
        comparison.error = f"{type(error).__name__}: {error}"
        return
    comparison.seconds, comparison.runs = statistics.median(timings), runs
    comparison.cpu_seconds = statistics.median(cpus)
    comparison.pages, comparison.bytes = pdf_pages(pdf), len(pdf)
    if before is not None and after is not None:
        comparison.note = f"resident memory {after - before:+.0f} MB over the runs (a FontConfiguration each)"


def letter_docx(*, context: dict, resources: dict, path: Path) -> None:
    """The same letter as a Word file laid out like the PDF (A4, GB/T 9704 margins, 16 pt on 28.95 pt)."""
    import segno
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from core.pdf.fonts import font_stack_parse, installed_cjk_families

    letter = context["letter"]
    installed = installed_cjk_families() or frozenset()

    def first_installed(setting: str) -> str:
        from django.conf import settings

        names = [name for name, generic in font_stack_parse(getattr(settings, setting)) if not generic]
        return next((name for name in names if name.casefold() in installed), "Noto Serif CJK SC")

    body_font, title_font = first_installed("PDF_FONT_BODY"), first_installed("PDF_FONT_TITLE")
    signature_font = first_installed("PDF_FONT_SIGNATURE")

    def set_font(run_or_style, name: str) -> None:
        run_or_style.font.name = name
        element = run_or_style.element
        properties = element.get_or_add_rPr()
        properties.get_or_add_rFonts().set(qn("w:eastAsia"), name)

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    normal = doc.styles["Normal"]
    set_font(normal, body_font)
    normal.font.size = Pt(16)
    spacing = normal.paragraph_format
    spacing.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    spacing.line_spacing = Pt(28.95)
    spacing.space_before = spacing.space_after = Pt(0)
    spacing.first_line_indent = Pt(32)
    spacing.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def paragraph(text="", *, indent=True, align=None, size=None, bold=False, font=None, into=None):
        """A body paragraph; without indent, left-aligned (hashes and URLs must not be spread out)."""
        p = (into or doc).add_paragraph()
        if not indent:
            p.paragraph_format.first_line_indent = Pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if align is not None:
            p.alignment = align
        if text:
            run = p.add_run(text)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
            if font:
                set_font(run, font)
        if size and size < 16:
            p.paragraph_format.line_spacing = Pt(size * 1.6)
        return p

    # Page numbers 「— 1 —」 in the footer.
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ").font.size = Pt(14)
    field_run = footer.add_run()
    field_run.font.size = Pt(14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.text = text
        field_run._r.append(element)
    footer.add_run(" —").font.size = Pt(14)

    title = paragraph(
        letter.title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=22, bold=True, font=title_font
    )
    title.paragraph_format.line_spacing = Pt(36)
    paragraph(letter.reference, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph()
    for text in letter.preamble:
        paragraph(text)
    for clause in letter.clauses:
        paragraph(clause.numeral + clause.text)
    for text in letter.closing:
        paragraph(text)
    paragraph()

    # Both parties side by side.
    table = doc.add_table(rows=1, cols=2)
    for cell, party in zip(table.rows[0].cells, (letter.issuer, letter.signer), strict=True):
        cell._tc.remove(cell.paragraphs[0]._p)
        paragraph(party.label, indent=False, into=cell)
        paragraph(party.post, indent=False, into=cell)
        mark = paragraph(party.name + " ", indent=False, into=cell)
        mark.paragraph_format.line_spacing = Pt(60)
        if party.image_url:
            mark.add_run().add_picture(io.BytesIO(resources[party.image_url][1]), height=Pt(45))
        elif party.typed_name:
            run = mark.add_run(party.typed_name)
            run.font.size = Pt(26)
            set_font(run, signature_font)
        paragraph(party.date or "　　年　月　日", indent=False, into=cell)

    # Verification block: the text, and the QR code on its right.
    paragraph()
    block = doc.add_table(rows=1, cols=2)
    text_cell, qr_cell = block.rows[0].cells
    block.autofit = False
    for column, width in zip(block.columns, (Mm(128), Mm(28)), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    text_cell._tc.remove(text_cell.paragraphs[0]._p)
    paragraph("电子文件验证信息", indent=False, size=12, bold=True, font=title_font, into=text_cell)
    for text in (
        f"文　　号：{letter.reference}",
        f"验 证 码：{letter.verification_code}",
        f"内容SHA-256：{letter.content_hash}",
        f"请用手机扫描二维码，或访问 {letter.verification_page} 输入验证码，核验本文件是否为存档的原件。",
    ):
        paragraph(text, indent=False, size=10.5, into=text_cell)
    qr = io.BytesIO()
    segno.make(letter.verification_url, error="m").save(qr, kind="png", scale=8, border=0)
    qr_paragraph = qr_cell.paragraphs[0]
    qr_paragraph.paragraph_format.first_line_indent = Pt(0)
    qr_paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    qr_paragraph.add_run().add_picture(io.BytesIO(qr.getvalue()), width=Mm(25))

    # Appendix 签署记录 on a new page.
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    paragraph("签署记录", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=22, bold=True, font=title_font)
    for text in (
        f"责任书：{letter.title}　{letter.reference}",
        f"验证码：{letter.verification_code}",
        f"内容SHA-256：{letter.content_hash}",
        f"时间为{letter.time_zone}。哈希均为SHA-256；审计事件的哈希显示前16位，可在系统中逐条核对审计链。",
    ):
        paragraph(text, indent=False, size=12)
    paragraph("一、签字", indent=False, size=14, bold=True, font=title_font)
    for signature in letter.signatures:
        paragraph(
            f"{signature.label}　{signature.name}　{signature.method}　IP：{signature.ip_address}",
            indent=False,
            size=12,
        )
        paragraph(
            f"签字时间：{signature.signed_at}　身份确认时间：{signature.reauthenticated_at}",
            indent=False,
            size=12,
        )
        paragraph(f"签字时所见内容SHA-256：{signature.content_hash}", indent=False, size=12)
    paragraph("二、操作记录", indent=False, size=14, bold=True, font=title_font)
    for event in letter.events:
        paragraph(
            f"{event.time}　{event.action}　{event.actor}　IP：{event.ip_address}　"
            f"{event.from_status} → {event.to_status}",
            indent=False,
            size=12,
        )
        if event.description:
            paragraph(event.description, indent=False, size=12)
        paragraph(
            f"审计链第{event.sequence}号　事件 {event.hash[:16]}…　前序 {event.previous_hash[:16]}…",
            indent=False,
            size=10.5,
        )
    doc.save(path)


def measure_libreoffice(report: Report, *, document, runs: int) -> None:
    """soffice --headless --convert-to pdf: one process per file, then LIBREOFFICE_BATCH files in one."""
    single = Comparison(name="LibreOffice from a Word file, one process per file")
    batch = Comparison(name=f"LibreOffice from a Word file, {LIBREOFFICE_BATCH} files in one process")
    report.comparisons += [single, batch]
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        single.error = batch.error = f"not installed — apt-get install {LIBREOFFICE_PACKAGE}"
        return
    folder = BENCH_DIR / "libreoffice"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "batch").mkdir(parents=True)
    profile = folder / "profile"  # its own profile: never the user's, never shared with a running office

    def convert(files: list[Path], out: Path) -> tuple[float, float]:
        """Wall and CPU seconds (LibreOffice's own processes: the children this one waited for)."""
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        missing = [file for file in files if not (out / f"{file.stem}.pdf").exists()]
        if result.returncode != 0 or missing:
            raise RuntimeError(
                f"soffice exited {result.returncode}; no PDF for {len(missing)} file(s): "
                f"{(result.stderr or result.stdout).strip()[-200:]}"
            )
        return seconds, cpu

    try:
        _html, extra = letter_html(letter=document.letter, verification_code=document.verification_code)
        docx = folder / "letter.docx"
        letter_docx(context=extra["context"], resources=extra["resources"], path=docx)
        first, _cpu = convert([docx], folder)  # creates the profile: a first start, shown apart
        measured = [convert([docx], folder) for _ in range(runs)]
        pdf = (folder / "letter.pdf").read_bytes()
    except Exception as error:
        single.error = batch.error = f"{type(error).__name__}: {error}"
        return
    single.seconds, single.runs = statistics.median(wall for wall, _cpu in measured), runs
    single.cpu_seconds = statistics.median(cpu for _wall, cpu in measured)
    single.pages, single.bytes = pdf_pages(pdf), len(pdf)
    single.note = f"first start with a new profile {first:.2f} s"
    try:
        files = []
        for n in range(LIBREOFFICE_BATCH):
            copy = folder / "batch" / f"letter-{n + 1:02d}.docx"
            shutil.copyfile(docx, copy)
            files.append(copy)
        seconds, cpu = convert(files, folder / "batch")
    except Exception as error:
        batch.error = f"{type(error).__name__}: {error}"
        return
    batch.seconds, batch.runs = seconds / LIBREOFFICE_BATCH, 1
    batch.cpu_seconds = cpu / LIBREOFFICE_BATCH
    batch.must_cost_more = True  # issue 13: ours must be cheaper per letter than this batch
    batch.pages, batch.bytes = single.pages, single.bytes
    batch.note = f"{seconds:.2f} s ({cpu:.2f} s CPU) for {LIBREOFFICE_BATCH} files"


def fast_path_check(report: Report) -> None:
    from core.pdf.fonts import harfbuzz_subset_available

    report.fast_path = harfbuzz_subset_available()
