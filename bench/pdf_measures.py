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
TARGET_RENDER_SEAL_CPU_S = 0.15  # issue 13: median CPU time, one letter, warm worker
TARGET_SIZE_KB = 150.0  # a 4-page letter
TARGET_DOWNLOAD_MS = 20.0  # median
TARGET_BATCH_S = 10.0  # 500 letters, ZIP
# Issue 13, "A print volume that is small and numbered as printed": 500 letters merged.
TARGET_MERGED_S = 6.0
TARGET_MERGED_BYTES = 15_000_000


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
    cpu = Figure(
        name="  CPU time of this process (without the waits for a core)",
        unit="s",
        target=TARGET_RENDER_SEAL_CPU_S,
    )
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
    report.ours_seconds, report.ours_cpu_seconds, report.ours_bytes = total.median, cpu.median, len(sealed)
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
    """The batch print of `letters` archived letters, merged (issue 13's volume) and zipped.

    The batch repeats the demo's few real sealed PDFs (bench/pdf_data.py build_batch), and the volume
    embeds identical objects once: its size is the one of a batch of copies, smaller than the one of as
    many different letters. So the volumes of the different PDFs (all of them, and half of them) are
    measured too, and the size of `letters` different letters projected from them: the volume of all
    plus, for each further letter, what each letter of the second half added (its content, pictures
    and glyphs new to the volume; new glyphs only get rarer). It is held against the same 15 MB.
    """
    import pikepdf

    from accounts.models import User
    from accounts.roles import Role
    from responsibility.letters.models.documents import ExportFormat
    from responsibility.letters.selectors import archive_export_documents
    from responsibility.letters.services.exports import (
        archive_export_build,
        archive_export_request,
        archive_export_write,
    )

    merged = Figure(
        name=f"batch print of {letters} letters: merged PDF (cover + contents, numbered)",
        unit="s",
        target=TARGET_MERGED_S,
    )
    merged_size = Figure(
        name=f"  merged PDF size, {letters} letters", unit="KB", target=TARGET_MERGED_BYTES / 1024
    )
    distinct_size = Figure(
        name=f"  merged PDF of {letters} different letters, projected",
        unit="KB",
        target=TARGET_MERGED_BYTES / 1024,
    )
    zipped = Figure(name=f"batch print of {letters} letters: ZIP", unit="s", target=TARGET_BATCH_S)
    report.figures += [merged, merged_size, distinct_size, zipped]
    try:
        say(f"  {letters} archived letters with stored sealed PDFs …")
        campaign, sources = build_batch(letters=letters)
    except Exception as error:
        merged.error = merged_size.error = distinct_size.error = zipped.error = (
            f"building the data: {type(error).__name__}: {error}"
        )
        return
    office_admin = User.objects.filter(groups__name=Role.OFFICE_ADMIN).order_by("pk").first()
    for figure, export_format in ((merged, ExportFormat.MERGED_PDF), (zipped, ExportFormat.ZIP)):
        say(f"  {figure.name} …")
        try:
            export = archive_export_request(
                campaign=campaign, unit_ids=[], export_format=export_format, requested_by=office_admin
            )
            cpu_started = time.process_time()
            seconds, export = timed(archive_export_build, export=export)
            cpu = time.process_time() - cpu_started
            with export.file.open("rb") as stored:
                data = stored.read()
        except Exception as error:
            figure.error = f"{type(error).__name__}: {error}"
            if export_format == ExportFormat.MERGED_PDF:
                merged_size.error = figure.error
            continue
        figure.median, figure.samples = seconds, 1
        if export_format == ExportFormat.MERGED_PDF:
            with pikepdf.open(io.BytesIO(data)) as volume:
                pages = len(volume.pages)
                programs = len(
                    {
                        descriptor[key].objgen
                        for descriptor in volume.objects
                        if isinstance(descriptor, pikepdf.Dictionary)
                        and descriptor.get("/Type") == pikepdf.Name.FontDescriptor
                        for key in ("/FontFile", "/FontFile2", "/FontFile3")
                        if key in descriptor
                    }
                )
            figure.note = f"{pages:,} pages, {cpu:.2f} s CPU"
            merged_size.median, merged_size.samples = len(data) / 1024, 1
            merged_size.note = (
                f"{len(data) / 1e6:.2f} MB, {len(data) / letters / 1024:.1f} KB a letter, "
                f"{programs} font programs"
            )
        else:
            import zipfile

            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                entries = len(archive.namelist())
            figure.note = f"{entries} files, {len(data) / 1024 / 1024:.1f} MB"
        figure.note += f" (copies of {sources} real sealed PDFs, {export.progress_done} letters)"

    say(f"  merged PDF of the {sources} different letters, and of half of them …")
    try:
        distinct: dict[str, object] = {}
        for document in archive_export_documents(campaign=campaign, unit_ids=[]):
            distinct.setdefault(document.sha256, document)
        documents = list(distinct.values())
        half = len(documents) // 2
        sizes = []
        for count in (half, len(documents)):
            out = io.BytesIO()
            archive_export_write(
                campaign=campaign, documents=documents[:count], export_format=ExportFormat.MERGED_PDF, out=out
            )
            sizes.append(out.tell())
    except Exception as error:
        distinct_size.error = f"{type(error).__name__}: {error}"
        return
    # What each further different letter adds (its content, pictures, and the glyphs new to the volume),
    # measured over the second half: new glyphs only get rarer as letters are added.
    marginal = (sizes[1] - sizes[0]) / (len(documents) - half)
    projected = sizes[1] + (letters - len(documents)) * marginal
    distinct_size.median, distinct_size.samples = projected / 1024, 1
    distinct_size.note = (
        f"{sizes[1] / 1e6:.2f} MB for {len(documents)} letters, each further one adding "
        f"{marginal / 1024:.1f} KB: {projected / 1e6:.2f} MB for {letters}"
    )
