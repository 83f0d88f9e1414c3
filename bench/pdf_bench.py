"""Benchmark of the sealed letter PDFs (issue 3, "Speed"): render and seal, download, batch print.

Builds the demo (migrate + seed_demo) in a dedicated database, makes a development seal, renders and
stores the demo's sealed PDFs with the real service (services.documents.letter_document_attach), then
measures, against the targets:

1. one 4-page demo letter rendered and sealed (pdf.render.letter_render_pdf + pdf.seal.pdf_seal) in a
   warm process: median and p95 over --runs runs, and the size of the sealed PDF;
2. the download of its stored PDF (responsibility:letter-pdf) through Django's test client;
3. a batch print of --batch archived letters assembled from stored sealed PDFs (copies of the demo's
   real 4-page ones, one stored file per letter), the merged PDF with cover and contents and the ZIP,
   each built by the export task's service (services.exports.archive_export_build);

and, for comparison, each as a ratio against our render + seal:

4. a plain WeasyPrint render of the same letter HTML (HTML(...).write_pdf() with default settings: the
   system fonts, a new FontConfiguration per document, no PDF/A, no font compaction, no seal);
   LibreOffice converting the same letter from a Word file (made with python-docx), one process per
   file and 20 files in one process, when it is installed; and whether WeasyPrint's fast font
   subsetting (libharfbuzz-subset) is active.

Run it with bench/run-pdf (see there for the options). Nothing leaves the machine: no timestamp
server is configured and the Celery tasks the services queue go to a broker folder nobody reads.
"""

import argparse
import datetime
import hashlib
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path("/tmp/letters-pdfbench")
DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DIR / 'db.sqlite3'}"

# Issue 3, "Speed".
TARGET_RENDER_SEAL_S = 0.2  # median, one letter, warm worker
TARGET_SIZE_KB = 150.0  # a 4-page letter
TARGET_DOWNLOAD_MS = 20.0  # median
TARGET_BATCH_S = 10.0  # 500 letters, merged PDF or ZIP

LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"
LIBREOFFICE_BATCH = 20

os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
# Everything the run writes stays in BENCH_DIR, whatever the shell or .env say: its files, its own
# development seal, no timestamp server, and a broker folder no worker reads (the services queue tasks).
os.environ["DJANGO_VAR_DIR"] = str(BENCH_DIR / "var")
os.environ["DJANGO_MEDIA_ROOT"] = str(BENCH_DIR / "media")
os.environ["DJANGO_SEAL_PKCS12_FILE"] = str(BENCH_DIR / "seal" / "organisation-seal.p12")
os.environ["DJANGO_SEAL_PKCS12_PASSWORD"] = ""
os.environ["DJANGO_SEAL_TIMESTAMP_URL"] = ""
os.environ["CELERY_BROKER_URL"] = "filesystem://"
sys.path.insert(0, str(ROOT))


@dataclass
class Figure:
    """One measured figure; with a target it decides the exit status, without one it is information."""

    name: str
    unit: str  # "s", "ms" or "KB"
    median: float | None = None
    p95: float | None = None
    samples: int = 0
    target: float | None = None
    note: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        if self.target is None:
            return self.error is None
        return self.error is None and self.median is not None and self.median < self.target


@dataclass
class Comparison:
    """Another way to make the same letter, per letter, against our render + seal."""

    name: str
    seconds: float | None = None  # median per letter
    runs: int = 0
    pages: int | None = None
    bytes: int | None = None
    note: str = ""
    error: str | None = None


@dataclass
class Report:
    database: str = ""
    machine: dict = field(default_factory=dict)
    letter: dict = field(default_factory=dict)
    fast_path: bool | None = None
    figures: list[Figure] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    ours_seconds: float | None = None
    ours_bytes: int | None = None


def say(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def rss_mb() -> float | None:
    """The process's resident memory now (Linux), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


# --- Database and demo ----------------------------------------------------------------------------


def prepare(*, reset: bool) -> None:
    """A fresh bench database with the demo in it, and a development seal."""
    shutil.rmtree(BENCH_DIR, ignore_errors=True)  # our own folder (files, seal, SQLite): start clean
    for folder in (BENCH_DIR, BENCH_DIR / "var" / "static", BENCH_DIR / "media"):
        folder.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import User
    from core.pdf.seal import seal_certificate_create

    call_command("migrate", verbosity=0)
    if User.objects.exists():
        if not reset:
            raise SystemExit(
                "bench: the database at DATABASE_URL is not empty. Use a dedicated database, and pass "
                "--reset to wipe it first."
            )
        say("Wiping the database (--reset)")
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)  # the role groups and the audit chain head again
    call_command("seed_demo", stdout=io.StringIO())
    say("Preparing the pre-subset PDF fonts (the fast path scripts/run sets up)")
    call_command("prepare_pdf_fonts", stdout=io.StringIO())
    seal_certificate_create(
        path=settings.SEAL_PKCS12_FILE,
        password=settings.SEAL_PKCS12_PASSWORD,
        organisation="基准测试单位",
        days=30,
    )


def describe_database() -> str:
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite file {settings_dict['NAME']}"
    return (
        f"{connection.vendor} database {settings_dict['NAME']} on {settings_dict.get('HOST') or 'localhost'}"
    )


def store_demo_documents(report: Report) -> None:
    """The demo's countersigned letters get their sealed PDFs, as the worker would (and it warms up)."""
    from responsibility.letters.models.documents import DocumentStatus, LetterDocument
    from responsibility.letters.services.documents import letter_document_attach

    documents = list(
        LetterDocument.objects.filter(status=DocumentStatus.PENDING).order_by(
            "letter__campaign__year", "letter__number"
        )
    )
    figure = Figure(name="render + seal + store, each demo letter (letter_document_attach)", unit="s")
    report.figures.append(figure)
    timings = []
    try:
        for document in documents:
            seconds, _document = timed(letter_document_attach, document=document)
            timings.append(seconds)
    except Exception as error:
        figure.error = f"{type(error).__name__}: {error}"
        return
    if not timings:
        figure.error = "the demo has no countersigned letter waiting for its PDF"
        return
    # The first one loads fonts, the seal and the templates: shown apart, not in the median.
    figure.note = f"{len(timings)} letters; the first (cold process) took {timings[0]:.2f} s"
    rest = timings[1:] or timings
    figure.median, figure.p95, figure.samples = statistics.median(rest), percentile(rest, 0.95), len(rest)


def demo_letter_document():
    """This year's first top-level letter of the demo (the office head's, drawn signatures, 4 pages)."""
    from responsibility.letters.models.documents import DocumentStatus, LetterDocument

    document = (
        LetterDocument.objects.filter(status=DocumentStatus.READY, letter__parent__isnull=True)
        .select_related("letter", "letter__signer")
        .order_by("-letter__campaign__year", "letter__number")
        .first()
    )
    if document is None:
        raise SystemExit("bench: no sealed PDF of a demo letter was stored; see the errors above.")
    return document


# --- 1. Render and seal ---------------------------------------------------------------------------


def measure_render_seal(report: Report, *, document, runs: int, warmup: int = 3) -> None:
    from core.pdf.seal import pdf_seal
    from responsibility.letters.pdf import letter_render_pdf

    letter, code = document.letter, document.verification_code
    total = Figure(
        name=f"render + seal one letter (warm process, {runs} runs)", unit="s", target=TARGET_RENDER_SEAL_S
    )
    render = Figure(name="  of which render (letter_render_pdf)", unit="s")
    seal = Figure(name="  of which seal (pdf_seal)", unit="s")
    cpu = Figure(name="  CPU time of this process (without the waits for a core)", unit="s")
    size = Figure(name="sealed PDF size", unit="KB", target=TARGET_SIZE_KB)
    memory = Figure(name="  resident memory growth over the runs", unit="MB")
    report.figures += [total, render, seal, cpu, size, memory]
    try:
        for _ in range(warmup):
            pdf_seal(pdf=letter_render_pdf(letter=letter, verification_code=code))
        before = rss_mb()
        totals, renders, seals, cpus = [], [], [], []
        for _ in range(runs):
            cpu_started = time.process_time()
            render_s, raw = timed(letter_render_pdf, letter=letter, verification_code=code)
            seal_s, sealed = timed(pdf_seal, pdf=raw)
            cpus.append(time.process_time() - cpu_started)
            renders.append(render_s)
            seals.append(seal_s)
            totals.append(render_s + seal_s)
        after = rss_mb()
    except Exception as error:
        total.error = render.error = seal.error = cpu.error = size.error = f"{type(error).__name__}: {error}"
        return
    for figure, values in ((total, totals), (render, renders), (seal, seals), (cpu, cpus)):
        figure.median, figure.p95, figure.samples = statistics.median(values), percentile(values, 0.95), runs
    pages = pdf_pages(sealed)
    size.median, size.samples = len(sealed) / 1024, 1
    size.note = f"{pages} pages; unsealed {len(raw) / 1024:.0f} KB"
    if before is not None and after is not None:
        memory.median, memory.samples = after - before, 1
        memory.note = f"{before:.0f} MB before, {after:.0f} MB after (one FontConfiguration per process)"
    report.ours_seconds, report.ours_bytes = total.median, len(sealed)
    report.letter.update(pages=pages, sealed_bytes=len(sealed))


# --- 2. Download ----------------------------------------------------------------------------------


def measure_download(report: Report, *, document, requests: int, warmup: int = 3) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from accounts.roles import Role

    figure = Figure(
        name=f"download an archived PDF ({requests} requests)", unit="ms", target=TARGET_DOWNLOAD_MS
    )
    report.figures.append(figure)
    office_admin = User.objects.filter(groups__name=Role.OFFICE_ADMIN).order_by("pk").first()
    client = Client()
    client.force_login(office_admin)
    url = reverse("responsibility:letter-pdf", args=[document.letter_id])

    def download() -> bytes:
        response = client.get(url)
        try:
            if response.status_code != 200 or not response.streaming:
                raise RuntimeError(f"HTTP {response.status_code} instead of the stored PDF")
            return b"".join(response.streaming_content)
        finally:
            response.close()

    try:
        for _ in range(warmup):
            body = download()
        if hashlib.sha256(body).hexdigest() != document.sha256:
            raise RuntimeError("the downloaded bytes are not the stored sealed PDF")
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            download()
        timings = [timed(download)[0] * 1000 for _ in range(requests)]
    except Exception as error:
        figure.error = f"{type(error).__name__}: {error}"
        return
    figure.median, figure.p95, figure.samples = (
        statistics.median(timings),
        percentile(timings, 0.95),
        requests,
    )
    figure.note = f"{len(queries)} SQL queries, {len(body) / 1024:.0f} KB, as {office_admin.username}"


# --- 3. Batch print -------------------------------------------------------------------------------


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = "建国志强秀英丽华海涛晓东文静明辉玉兰永昇俊杰雪梅春生"


def person_name(n: int) -> str:
    """A three-character name that varies with n (made-up long names would lengthen the contents)."""
    given = len(GIVEN_NAMES)
    return (
        SURNAMES[n % len(SURNAMES)] + GIVEN_NAMES[(n // len(SURNAMES)) % given] + GIVEN_NAMES[(n * 7) % given]
    )


def build_batch(*, letters: int):
    """A closed campaign of archived letters, each with a READY document and its own stored file.

    The files are copies of the demo's real sealed 4-page PDFs (the export reads stored bytes and checks
    their SHA-256; it never lays a letter out). Written with bulk_create: 20 signers per unit.
    """
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
    from responsibility.letters.models.documents import DocumentStatus, LetterDocument
    from responsibility.letters.models.letters import Campaign, CampaignStatus, Letter, LetterStatus
    from responsibility.letters.services.issuing import letter_reference

    sources = [
        document
        for document in LetterDocument.objects.filter(status=DocumentStatus.READY)
        .select_related("letter")
        .order_by("letter__campaign__year", "letter__number")
    ]
    stored = [(document, document.file.read()) for document in sources]
    for document, _data in stored:
        document.file.close()
    four_pages = [(document, data) for document, data in stored if pdf_pages(data) >= 4]
    stored = four_pages or stored
    model = stored[0][0].letter
    secretary_post = Post.objects.get(kind=PostKind.PARTY_SECRETARY)
    now = timezone.now()
    per_unit = 20
    with transaction.atomic():
        campaign = Campaign.objects.create(
            year=model.campaign.year,
            title=f"{model.campaign.year}年度党风廉政建设责任书签订（PDF基准测试）",
            template=model.template,
            deadline=now.date(),
            reference_prefix="人常廉基",
            status=CampaignStatus.CLOSED,
            created_by=model.campaign.created_by,
            last_number=letters,
        )
        units = OrgUnit.objects.bulk_create(
            OrgUnit(
                code=f"PDFB{i:03d}",
                name=f"基准测试第{i + 1}室",
                kind=OrgUnitKind.WORKING_BODY,
                sort_order=10_000 + i,
            )
            for i in range(math.ceil(letters / per_unit))
        )
        users = User.objects.bulk_create(
            User(
                username=f"pdfb{n:04d}",
                full_name=person_name(n),
                password="!",
                email=f"pdfb{n}@example.org",
            )
            for n in range(letters)
        )
        posts = Post.objects.bulk_create(
            Post(unit=units[n // per_unit], title="干部", kind=PostKind.STAFF, holder=user, sort_order=n)
            for n, user in enumerate(users)
        )
        rows = Letter.objects.bulk_create(
            Letter(
                campaign=campaign,
                number=n + 1,
                version=1,
                reference=letter_reference(campaign=campaign, number=n + 1, version=1),
                template=model.template,
                title=model.title,
                preamble=model.preamble,
                closing=model.closing,
                issuer_label=model.issuer_label,
                signer_label=model.signer_label,
                issuer=secretary_post.holder,
                issuer_post=secretary_post,
                signer=post.holder,
                signer_post=post,
                signer_unit=post.unit,
                content_hash=model.content_hash,
                status=LetterStatus.ARCHIVED,
                issued_at=now,
                signed_at=now,
                countersigned_at=now,
                archived_at=now,
            )
            for n, post in enumerate(posts)
        )
        documents = []
        for n, letter in enumerate(rows):
            _source, data = stored[n % len(stored)]
            name = default_storage.save(f"letters/pdf-bench/{letter.pk}.pdf", ContentFile(data))
            documents.append(
                LetterDocument(
                    letter=letter,
                    status=DocumentStatus.READY,
                    file=name,
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                    attempts=1,
                    rendered_at=now,
                )
            )
        LetterDocument.objects.bulk_create(documents, batch_size=500)
    return campaign, len(stored)


def measure_batch(report: Report, *, letters: int) -> None:
    from pypdf import PdfReader

    from accounts.models import User
    from accounts.roles import Role
    from responsibility.letters.models.documents import ExportFormat
    from responsibility.letters.services.exports import archive_export_build, archive_export_request

    merged = Figure(
        name=f"batch print of {letters} letters: merged PDF (cover + contents)",
        unit="s",
        target=TARGET_BATCH_S,
    )
    zipped = Figure(name=f"batch print of {letters} letters: ZIP", unit="s", target=TARGET_BATCH_S)
    report.figures += [merged, zipped]
    try:
        say(f"  {letters} archived letters with stored sealed PDFs …")
        campaign, sources = build_batch(letters=letters)
    except Exception as error:
        merged.error = zipped.error = f"building the data: {type(error).__name__}: {error}"
        return
    office_admin = User.objects.filter(groups__name=Role.OFFICE_ADMIN).order_by("pk").first()
    for figure, export_format in ((merged, ExportFormat.MERGED_PDF), (zipped, ExportFormat.ZIP)):
        say(f"  {figure.name} …")
        try:
            export = archive_export_request(
                campaign=campaign, unit_ids=[], export_format=export_format, requested_by=office_admin
            )
            seconds, export = timed(archive_export_build, export=export)
            with export.file.open("rb") as stored:
                data = stored.read()
        except Exception as error:
            figure.error = f"{type(error).__name__}: {error}"
            continue
        figure.median, figure.samples = seconds, 1
        if export_format == ExportFormat.MERGED_PDF:
            pages = len(PdfReader(io.BytesIO(data)).pages)
            figure.note = f"{pages:,} pages, {len(data) / 1024 / 1024:.1f} MB"
        else:
            import zipfile

            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                entries = len(archive.namelist())
            figure.note = f"{entries} files, {len(data) / 1024 / 1024:.1f} MB"
        figure.note += f" (copies of {sources} real sealed PDFs, {export.progress_done} letters)"


# --- 4. Comparisons -------------------------------------------------------------------------------


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
        timings, pdf = [], b""
        for _ in range(runs):
            seconds, pdf = timed(plain)
            timings.append(seconds)
        after = rss_mb()
    except Exception as error:
        comparison.error = f"{type(error).__name__}: {error}"
        return
    comparison.seconds, comparison.runs = statistics.median(timings), runs
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
        if event.note:
            paragraph(f"备注：{event.note}", indent=False, size=12)
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

    def convert(files: list[Path], out: Path) -> float:
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
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
        seconds = time.perf_counter() - started
        missing = [file for file in files if not (out / f"{file.stem}.pdf").exists()]
        if result.returncode != 0 or missing:
            raise RuntimeError(
                f"soffice exited {result.returncode}; no PDF for {len(missing)} file(s): "
                f"{(result.stderr or result.stdout).strip()[-200:]}"
            )
        return seconds

    try:
        _html, extra = letter_html(letter=document.letter, verification_code=document.verification_code)
        docx = folder / "letter.docx"
        letter_docx(context=extra["context"], resources=extra["resources"], path=docx)
        first = convert([docx], folder)  # creates the profile: a first start, shown apart
        timings = [convert([docx], folder) for _ in range(runs)]
        pdf = (folder / "letter.pdf").read_bytes()
    except Exception as error:
        single.error = batch.error = f"{type(error).__name__}: {error}"
        return
    single.seconds, single.runs = statistics.median(timings), runs
    single.pages, single.bytes = pdf_pages(pdf), len(pdf)
    single.note = f"first start with a new profile {first:.2f} s"
    try:
        files = []
        for n in range(LIBREOFFICE_BATCH):
            copy = folder / "batch" / f"letter-{n + 1:02d}.docx"
            shutil.copyfile(docx, copy)
            files.append(copy)
        seconds = convert(files, folder / "batch")
    except Exception as error:
        batch.error = f"{type(error).__name__}: {error}"
        return
    batch.seconds, batch.runs = seconds / LIBREOFFICE_BATCH, 1
    batch.pages, batch.bytes = single.pages, single.bytes
    batch.note = f"{seconds:.2f} s for {LIBREOFFICE_BATCH} files"


def fast_path_check(report: Report) -> None:
    from core.pdf.fonts import harfbuzz_subset_available

    report.fast_path = harfbuzz_subset_available()


# --- Report ---------------------------------------------------------------------------------------


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "s":
        return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.0f} {unit}"


def print_report(report: Report) -> bool:
    say("")
    say(f"Database: {report.database}")
    machine = report.machine
    say(
        f"Machine: {machine['cpus']} CPUs, load average {machine['load_average']} at the start; "
        f"WeasyPrint {machine['weasyprint']}, pyHanko {machine['pyhanko']}, Python {machine['python']}"
    )
    say(
        "Fast font subsetting (libharfbuzz-subset): "
        + (
            "active"
            if report.fast_path
            else "NOT ACTIVE: WeasyPrint subsets fonts with fontTools, ~50x slower; "
            "apt-get install libharfbuzz-subset0 (scripts/setup installs it)"
        )
    )
    letter = report.letter
    if letter:
        say(
            f"Letter: {letter.get('reference')} "
            f"({letter.get('pages', '?')} pages, {letter.get('signatures')})"
        )
    say("")
    header = f"{'measured':<66} {'median':>10} {'p95':>10} {'target':>9} {'ratio':>6}  result"
    say(header)
    say("-" * len(header))
    all_ok = True
    for figure in report.figures:
        target = _value(figure.target, figure.unit)
        if figure.error:
            say(f"{figure.name:<66} {'':>10} {'':>10} {target:>9} {'':>6}  NOT MEASURED: {figure.error}")
            all_ok = False
            continue
        if figure.target is None:
            ratio, verdict = "", "(information)"
        else:
            ratio = f"{figure.median / figure.target:.2f}"
            verdict = "ok" if figure.ok else ("TOO BIG" if figure.unit == "KB" else "TOO SLOW")
            all_ok &= figure.ok
        p95 = _value(figure.p95, figure.unit)
        say(
            f"{figure.name:<66} {_value(figure.median, figure.unit):>10} {p95:>10} {target:>9} "
            f"{ratio:>6}  {verdict}"
        )
        if figure.note:
            say(f"{'':<4}{figure.note}")
    say("")
    ours = report.ours_seconds
    say(
        "Comparisons, per letter, against our render + seal"
        + (
            f" ({ours:.3f} s, {report.ours_bytes / 1024:.0f} KB): × ours > 1 means ours is faster/smaller"
            if ours
            else ""
        )
    )
    name = "other way to make the same letter"
    header = f"{name:<86} {'per letter':>10} {'× ours':>7} {'size':>8} {'× ours':>7}"
    say(header)
    say("-" * len(header))
    for comparison in report.comparisons:
        if comparison.error:
            say(f"{comparison.name:<86} {comparison.error}")
            continue
        times = f"{comparison.seconds / ours:.2f}" if ours else ""
        size = f"{comparison.bytes / 1024:.0f} KB" if comparison.bytes else ""
        sizes = (
            f"{comparison.bytes / report.ours_bytes:.2f}" if comparison.bytes and report.ours_bytes else ""
        )
        say(f"{comparison.name:<86} {_value(comparison.seconds, 's'):>10} {times:>7} {size:>8} {sizes:>7}")
        details = [f"{comparison.runs} runs"] + ([f"{comparison.pages} pages"] if comparison.pages else [])
        say(f"{'':<4}{', '.join(details + ([comparison.note] if comparison.note else []))}")
    say("")
    say("All targets met." if all_ok else "Some targets were missed or not measured.")
    return all_ok


def save_report(report: Report) -> Path:
    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"pdf-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    data = asdict(report)
    for figure, row in zip(report.figures, data["figures"], strict=True):
        row["ok"] = figure.ok
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="wipe a non-empty DATABASE_URL database first")
    parser.add_argument("--runs", type=int, default=30, help="render + seal runs (default 30)")
    parser.add_argument("--downloads", type=int, default=50, help="timed downloads (default 50)")
    parser.add_argument("--batch", type=int, default=500, help="letters in the batch print (default 500)")
    parser.add_argument("--plain-runs", type=int, default=10, help="plain WeasyPrint runs (default 10)")
    parser.add_argument("--office-runs", type=int, default=5, help="LibreOffice one-file runs (default 5)")
    parser.add_argument("--no-libreoffice", action="store_true", help="skip the LibreOffice comparison")
    options = parser.parse_args(argv)

    say("Preparing the database: migrate, seed_demo, a development seal …")
    prepare(reset=options.reset)
    from importlib.metadata import version

    report = Report(
        database=describe_database(),
        machine={
            "cpus": os.cpu_count(),
            "load_average": " ".join(f"{value:.2f}" for value in os.getloadavg()),
            "weasyprint": version("weasyprint"),
            "pyhanko": version("pyhanko"),
            "python": platform.python_version(),
        },
    )
    fast_path_check(report)
    runs = options.runs
    if not report.fast_path:
        runs = min(runs, 3)
        say("WARNING: libharfbuzz-subset is missing; every render takes seconds. Measuring 3 runs only.")

    say("Rendering, sealing and storing the demo's PDFs (letter_document_attach) …")
    store_demo_documents(report)
    document = demo_letter_document()
    methods = sorted({signature.method for signature in document.letter.signatures.all()})
    report.letter = {
        "reference": document.letter.reference,
        "signer": document.letter.signer.full_name,
        "signatures": " and ".join(methods) + " signatures",
    }
    say(f"Render + seal of {document.letter.reference}, {runs} runs …")
    measure_render_seal(report, document=document, runs=runs)
    say(f"Download, {options.downloads} requests …")
    measure_download(report, document=document, requests=options.downloads)
    say(f"Batch print of {options.batch} letters …")
    measure_batch(report, letters=options.batch)

    say(f"Plain WeasyPrint render, {options.plain_runs} runs …")
    measure_plain_weasyprint(report, document=document, runs=min(options.plain_runs, runs))
    if options.no_libreoffice:
        report.comparisons.append(
            Comparison(name="LibreOffice from a Word file", error="skipped (--no-libreoffice)")
        )
    else:
        say(f"LibreOffice, {options.office_runs} conversions and a batch of {LIBREOFFICE_BATCH} …")
        measure_libreoffice(report, document=document, runs=options.office_runs)

    all_ok = print_report(report)
    say(f"Saved {save_report(report).relative_to(ROOT)}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
