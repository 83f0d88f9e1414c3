"""The PDF benchmark's measurements of this system against the targets of issue 3 ("Speed"): the
demo's PDFs stored by the service, render + seal of one letter, the download, the batch print."""

import hashlib
import io
import math
import statistics
import time
from pathlib import Path

from bench.harness import say
from bench.pdf_data import build_batch, pdf_pages
from bench.pdf_report import Figure, Report

# Issue 3, "Speed".
TARGET_RENDER_SEAL_S = 0.2  # median, one letter, warm worker
TARGET_SIZE_KB = 150.0  # a 4-page letter
TARGET_DOWNLOAD_MS = 20.0  # median
TARGET_BATCH_S = 10.0  # 500 letters, merged PDF or ZIP


# Not bench.harness.percentile: that one takes the next rank up when fraction × n is whole (n = 20);
# this one is kept so that the PDF figures stay comparable with the runs already saved.


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
