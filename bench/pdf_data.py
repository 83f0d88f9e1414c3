"""The PDF benchmark's data: its own folder and database with the demo in it, the demo letter it
measures, and the archived letters with stored sealed PDFs that the batch print reads."""

import hashlib
import io
import math
import os
import shutil
from pathlib import Path

from bench.harness import say

BENCH_DIR = Path(os.environ.get("PDF_BENCH_DIR", "/tmp/letters-pdfbench"))  # one folder per run at a time
DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DIR / 'db.sqlite3'}"


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


# --- Database and demo ----------------------------------------------------------------------------


def pdf_fonts_prepare() -> None:
    """The pre-subset faces (manage.py prepare_pdf_fonts) in VAR_DIR/fonts. Making them takes minutes, so
    they are made in the per-machine cache folder the tests and CI share (made again only when out of
    date, one process at a time) and copied from there."""
    import fcntl
    import tempfile

    from core.pdf.fonts import presubset_fonts_dir, presubset_fonts_prepare

    cache = Path(tempfile.gettempdir()) / f"letters-test-pdf-fonts-{os.getuid()}"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        presubset_fonts_prepare(folder=cache)
        target = presubset_fonts_dir()
        target.mkdir(parents=True, exist_ok=True)
        for path in [*cache.glob("*.otf"), *cache.glob("*.json")]:
            shutil.copyfile(path, target / path.name)


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
    from tests.migrated_databases import database_migrate

    database_migrate()  # a new SQLite file: a copy of the migrated template
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
    pdf_fonts_prepare()
    seal_certificate_create(
        path=settings.SEAL_PKCS12_FILE,
        password=settings.SEAL_PKCS12_PASSWORD,
        organisation="基准测试单位",
        days=30,
    )


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
