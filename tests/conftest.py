"""Shared setup: a small organisation (Party Group, two committees with staff), roles and a campaign."""

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import OrgUnitKind, Post, PostKind, User
from accounts.roles import Role
from responsibility.letters.content import ClauseText
from responsibility.letters.models.letters import (
    Campaign,
    Letter,
    LetterTemplate,
    SignatureMethod,
    TemplateLevel,
)
from responsibility.letters.services.issuing import campaign_issue_letters, letter_issue_to_staff
from responsibility.letters.services.letters import SigningAttestation, letter_countersign, letter_sign
from responsibility.letters.signing import CONSENT_TEXT, SignatureMark
from tests.factories import CampaignFactory, LetterTemplateFactory, OrgUnitFactory, PostFactory, UserFactory
from tests.migrated_databases import databases_setup_from_template
from tests.responsibility.demo_helpers import seed_demo


@dataclass
class Organisation:
    secretary: User
    secretary_post: Post
    heads: list[User]
    head_posts: list[Post]
    staff: list[User]  # staff of the first committee
    staff_posts: list[Post]
    office_admin: User
    inspector: User
    outsider: User
    campaign: Campaign
    unit_template: LetterTemplate


# A test that opens no database (none of these fixtures, no django_db mark) cannot depend on its engine.
_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Every test that never opens the database is `engine_independent` (CI's PostgreSQL pass leaves it to
    the SQLite pass), unless it needs Redis or a browser, which only that pass provides."""
    for item in items:
        if any(item.get_closest_marker(name) for name in ("django_db", "redis", "browser")):
            continue
        if _DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engine_independent)


@pytest.fixture
def org(db) -> Organisation:
    return organisation_make()


def organisation_make() -> Organisation:
    """The Party Group and its secretary, two committees with heads, the first with a deputy and a
    section chief, the office and inspection team, an outsider, a campaign and a published unit template."""
    party_group = OrgUnitFactory(name="党组", code="PG", kind=OrgUnitKind.PARTY_GROUP)
    secretary_post = PostFactory(
        unit=party_group,
        title="党组书记",
        kind=PostKind.PARTY_SECRETARY,
        holder=UserFactory(full_name="王书记", roles=[Role.PARTY_GROUP]),
    )
    committees = [OrgUnitFactory(name=name) for name in ("法制工作委员会", "财政经济工作委员会")]
    head_posts = [PostFactory(unit=unit, title="主任", kind=PostKind.UNIT_HEAD) for unit in committees]
    section = OrgUnitFactory(name="法规处", kind=OrgUnitKind.SECTION, parent=committees[0])
    staff_posts = [
        PostFactory(unit=committees[0], title="副主任", kind=PostKind.DEPUTY_HEAD),
        PostFactory(unit=section, title="处长", kind=PostKind.SECTION_CHIEF),
    ]
    office_admin = UserFactory(full_name="李管理", roles=[Role.OFFICE_ADMIN])
    return Organisation(
        secretary=secretary_post.holder,
        secretary_post=secretary_post,
        heads=[post.holder for post in head_posts],
        head_posts=head_posts,
        staff=[post.holder for post in staff_posts],
        staff_posts=staff_posts,
        office_admin=office_admin,
        inspector=UserFactory(full_name="赵纪检", roles=[Role.INSPECTION_TEAM]),
        outsider=UserFactory(full_name="局外人"),
        campaign=CampaignFactory(created_by=office_admin),
        unit_template=LetterTemplateFactory(
            level=TemplateLevel.UNIT, published=True, created_by=office_admin
        ),
    )


def attestation_for(letter: Letter, *, name: str | None = None, confirmed_at=None) -> SigningAttestation:
    """What a signer who re-entered their password just now and typed their name would send."""
    return SigningAttestation(
        mark=SignatureMark(method=SignatureMethod.TYPED, typed_name=name or "签名"),
        consent_text=CONSENT_TEXT,
        content_hash_shown=letter.content_hash,
        reauthenticated_at=confirmed_at or timezone.now(),
        ip_address="127.0.0.1",
        user_agent="pytest",
    )


@pytest.fixture
def issued_letters(org) -> list[Letter]:
    """The campaign's letters to both committee heads, issued by the office in the secretary's name."""
    return campaign_issue_letters(
        campaign=org.campaign,
        issuer_post=org.secretary_post,
        signer_posts=org.head_posts,
        issued_by=org.office_admin,
    ).issued


@pytest.fixture
def issued_letter(issued_letters) -> Letter:
    return issued_letters[0]


@pytest.fixture
def signed_letter(issued_letter) -> Letter:
    return letter_sign(
        letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation_for(issued_letter)
    )


@pytest.fixture
def countersigned_letter(signed_letter) -> Letter:
    return letter_countersign(
        letter=signed_letter,
        countersigned_by=signed_letter.issuer,
        attestation=attestation_for(signed_letter),
    )


@pytest.fixture
def staff_letters(org, signed_letter) -> list[Letter]:
    return letter_issue_to_staff(
        parent=signed_letter,
        template=org.unit_template,
        signer_posts=org.staff_posts,
        issued_by=signed_letter.signer,
    ).issued


def clause_texts(letter: Letter) -> list[ClauseText]:
    return [ClauseText(c.number, c.category, c.text) for c in letter.clauses.all()]


@dataclass(frozen=True)
class SealFiles:
    pkcs12: Path
    password: str
    root_pem: Path
    organisation: str


@pytest.fixture(scope="session")
def seal_settings(tmp_path_factory) -> SealFiles:
    """A development seal (made once per test run) and the SEAL_* settings pointed at it, offline."""
    from core.pdf.seal import seal_certificate_create, seal_root_path

    pkcs12 = tmp_path_factory.mktemp("seal") / "organisation-seal.p12"
    seal = SealFiles(
        pkcs12=pkcs12,
        password="seal-test-password",
        root_pem=seal_root_path(pkcs12),
        organisation="测试市人大常委会机关",
    )
    seal_certificate_create(
        path=seal.pkcs12, password=seal.password, organisation=seal.organisation, days=3650
    )
    override = override_settings(
        SEAL_PKCS12_FILE=seal.pkcs12,
        SEAL_PKCS12_PASSWORD=seal.password,
        SEAL_TIMESTAMP_URL="",
        SEAL_TRUST_ROOTS_FILE="",
    )
    override.enable()
    yield seal
    override.disable()


@pytest.fixture(scope="session", autouse=True)
def pdf_fonts() -> Path | None:
    """The pre-subset PDF faces (manage.py prepare_pdf_fonts) in VAR_DIR/fonts, as set-up makes them.

    Making them takes about 45 s, so they are made once per machine in a cache folder (kept while
    up to date) and copied into this run's VAR_DIR. Without Noto Serif CJK SC there are none, and
    letters render on the slower path (the system check says so).
    """
    from core.pdf.fonts import PRESUBSET_FACES, presubset_fonts_dir, presubset_fonts_prepare

    cache = Path(tempfile.gettempdir()) / f"letters-test-pdf-fonts-{os.getuid()}"
    cache.mkdir(parents=True, exist_ok=True)
    # Parallel test workers share the cache: one makes or refreshes it while the others wait.
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            presubset_fonts_prepare(folder=cache)
        except FileNotFoundError:
            return None
    target = presubset_fonts_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in (name for face in PRESUBSET_FACES for name in face.files.values()):
        if not (cache / name).is_file():
            continue  # an optional face whose source is not installed (FandolFang)
        for path in (cache / name, (cache / name).with_suffix(".json")):  # the font and its stamp
            shutil.copyfile(path, target / path.name)
    return target


@pytest.fixture(scope="session", autouse=True)
def flush_passes_the_truncate_triggers():
    """Test-only: the flush after a transactional test (transactional_db, live_server) may empty the tables.

    On PostgreSQL that flush is one TRUNCATE of every table, which the database refuses on the evidence
    tables (migration 0013, accounts 0004). The test connection is a superuser, so the flush runs in
    replica mode, where triggers do not fire (SET LOCAL: for the flush's transaction only). The
    application's own database role can do neither (README, "Database roles").
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    execute_sql_flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush_past_triggers(self, sql_list):
        if self.connection.vendor != "postgresql":
            return execute_sql_flush(self, sql_list)
        with transaction.atomic(using=self.connection.alias):
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            return execute_sql_flush(self, sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush_past_triggers)
        yield


@pytest.fixture(autouse=True)
def site_language_restored():
    """Each test starts and ends in the site's language: a page requested in English (language cookie)
    leaves English active in the thread, which would leak into the next test's commands and emails."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def cache_emptied():
    """Each test starts with an empty cache: its database is rolled back afterwards, so figures kept
    under a version of the data (core.caching) or request counts must not reach the next test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def task_queue_empty():
    """The broker's task queue emptied of messages other tests left (core.requeue waits while it is not)."""
    from celery import current_app

    current_app.control.purge()


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's, with each worker's new test database a copy of one migrated once for these
    migrations (tests/migrated_databases.py) instead of migrated again: 22 s of a core a worker. A test
    database kept from an earlier run (`--reuse-db`, the default) is used as pytest-django does."""
    from django.test.utils import teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        config = databases_setup_from_template(
            verbosity=verbosity,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=django_db_keepdb and not django_db_createdb,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction open for a whole test module (per worker), rolled back when the module is done.

    What a module's fixtures make once inside it stays for each of its tests, which run in savepoints of
    it (the `db` fixture): a test's changes are gone for the next one. Such a fixture hands each test a
    deep copy of the instances it made, as Django's setUpTestData does, so that no test sees another's
    changes to them in memory either."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def seeded_once(module_transaction):
    """The demo organisation (seed_demo), loaded once per test module and worker: it takes seconds."""
    return seed_demo()


@pytest.fixture
def seeded(seeded_once, db) -> str:
    """What seed_demo printed; the database holds the demo it loaded. Each test runs in a savepoint of
    that load, so what it changes is gone for the next one."""
    return seeded_once


@pytest.fixture(params=[False, True], ids=["redis-without-persistence", "redis-append-only-file"])
def redis_server(request, tmp_path):
    """A Redis of the test's own (tests/faults.py), without persistence (a restart loses every message)
    and with the append-only file of docker-compose.yml (messages survive): each test runs on both."""
    from tests.faults import redis_server_started

    yield from redis_server_started(tmp_path, persistent=request.param)


@pytest.fixture
def workers(tmp_path, redis_server):
    """Real Celery worker processes on a queue of their own, on the test's own Redis (tests/faults.py),
    stopped at the end."""
    from tests.faults import workers_started

    yield from workers_started(tmp_path, broker_url=redis_server.url)


@pytest.fixture
def media_root(settings, tmp_path):
    """Stored files (sealed PDFs, batch prints) of this test only, in its own folder."""
    from tests.responsibility.archive_helpers import media_root_use

    return media_root_use(settings, tmp_path)


@pytest.fixture
def pending_document(countersigned_letter):
    """The countersigned letter's sealed PDF: requested by the countersignature, its task not run yet."""
    from responsibility.letters.models.documents import LetterDocument

    return LetterDocument.objects.get(letter=countersigned_letter)


@pytest.fixture
def archived(seal_settings, countersigned_letter):
    """A countersigned letter with its sealed PDF in the archive: (document, pdf bytes)."""
    from tests.responsibility.pdf.sealing import document_archive, sealed_pdf_for

    pdf = sealed_pdf_for(countersigned_letter)
    return document_archive(letter=countersigned_letter, pdf=pdf), pdf


TSA_START_TIMEOUT_SECONDS = 30


@pytest.fixture(scope="session")
def tsa_server(tmp_path_factory) -> dict[str, str]:
    """A real RFC 3161 authority on loopback (scripts/tsa-server: OpenSSL's `openssl ts -reply`), once per
    session: its DJANGO_ANCHOR_TIMESTAMP_URL and _CERTIFICATES (making its keys takes about 0.3 s)."""
    if shutil.which("openssl") is None:
        reason = "openssl is not installed (apt-get install openssl)"
        if os.environ.get("SSO_SERVERS_REQUIRED") == "1":
            pytest.fail(f"SSO_SERVERS_REQUIRED=1 but {reason}", pytrace=False)
        pytest.skip(f"time-stamping authority tests skipped: {reason}")
    directory = tmp_path_factory.mktemp("tsa-server")
    process = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve().parents[1] / "scripts" / "tsa-server"),
            "--dir",
            str(directory),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # A server that never says "ready" is killed, which ends the reading below.
    watchdog = threading.Timer(TSA_START_TIMEOUT_SECONDS, process.kill)
    watchdog.start()
    lines = []
    for line in process.stdout:
        lines.append(line.strip())
        if lines[-1] == "ready":
            break
    watchdog.cancel()
    if "ready" not in lines:
        process.kill()
        pytest.fail(f"scripts/tsa-server did not start: {lines}", pytrace=False)
    yield dict(line.split("=", 1) for line in lines if "=" in line)
    process.terminate()
    process.wait(timeout=10)
