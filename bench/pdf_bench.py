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

This module sets the environment up and runs the steps; bench/pdf_data.py builds the data,
bench/pdf_measures.py measures against the targets, bench/pdf_comparisons.py makes the same letter the
other ways, and bench/pdf_report.py prints and saves the figures.
"""

import argparse
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, describe_database, say, smoke_verdict
from bench.pdf_comparisons import (
    LIBREOFFICE_BATCH,
    fast_path_check,
    measure_libreoffice,
    measure_plain_weasyprint,
)
from bench.pdf_data import BENCH_DIR, DEFAULT_DATABASE_URL, demo_letter_document, prepare
from bench.pdf_measures import measure_batch, measure_download, measure_render_seal, store_demo_documents
from bench.pdf_report import Comparison, Report, print_report, save_report, unmeasured

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="wipe a non-empty DATABASE_URL database first")
    parser.add_argument("--runs", type=int, default=30, help="render + seal runs (default 30)")
    parser.add_argument("--downloads", type=int, default=50, help="timed downloads (default 50)")
    parser.add_argument("--batch", type=int, default=500, help="letters in the batch print (default 500)")
    parser.add_argument("--plain-runs", type=int, default=10, help="plain WeasyPrint runs (default 10)")
    parser.add_argument("--office-runs", type=int, default=5, help="LibreOffice one-file runs (default 5)")
    parser.add_argument("--no-libreoffice", action="store_true", help="skip the LibreOffice comparison")
    parser.add_argument(
        "--ci",
        action="store_true",
        help="smoke run for CI: 5 renders, 10 downloads, a batch of 20, no LibreOffice; exit status 1 only "
        "when something could not be measured",
    )
    options = parser.parse_args(argv)
    if options.ci:
        options.runs, options.downloads, options.batch = min(options.runs, 5), min(options.downloads, 10), 20
        options.plain_runs, options.no_libreoffice = min(options.plain_runs, 3), True

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
    say(f"Saved {save_report(report, ci=options.ci).relative_to(ROOT)}")
    if options.ci:
        return smoke_verdict(unmeasured(report))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
