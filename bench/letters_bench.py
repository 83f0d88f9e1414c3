"""Benchmark at province scale (DESIGN.md §6): are the busiest pages and the bulk issue fast enough?

Builds, in a dedicated database, 2,000 units each with a head and staff, 20,000 users and 50,000
letters over three yearly campaigns (two archived, the current one half signed), with their clauses,
signatures, audit events and object permissions, written with bulk_create. Then measures, with
Django's test client:

- the to-do page (responsibility:todo) of a busy unit head and of the Party Group secretary,
- the campaign progress page (responsibility:campaign-detail) and the letter list of the office,
- the real services.issuing.campaign_issue_letters issuing 2,000 letters at once (inside a
  transaction that is then rolled back, so the data set stays the same from run to run).

Run it with bench/run (see there for the options).
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = Path("/tmp/letters-bench")

TARGET_PAGE_MS = 150.0  # median, per page
TARGET_ISSUE_S = 20.0  # 2,000 letters in one bulk issue

CLAUSES = [
    ("political", "坚决维护党中央权威和集中统一领导，严守政治纪律和政治规矩。"),
    ("principal", "切实履行本单位党风廉政建设主体责任，做到与业务工作同部署、同落实、同检查、同考核。"),
    ("dual_duty", "坚持一岗双责，对分管领域党风廉政建设负直接领导责任。"),
    ("work_style", "深入贯彻中央八项规定及其实施细则精神，持续纠治形式主义、官僚主义。"),
    ("rules", "健全完善内部管理制度，加强对权力运行的制约和监督。"),
    ("self_discipline", "严格遵守廉洁自律各项规定，管好家属子女和身边工作人员。"),
]


@dataclass
class Scale:
    units: int = 2000
    users: int = 20000
    letters: int = 50000


@dataclass
class PageResult:
    name: str
    user: str
    url: str
    status: int | None = None
    requests: int = 0
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    bytes: int | None = None
    target_ms: float = TARGET_PAGE_MS
    required: bool = True  # False: shown for information, does not fail the run
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.median_ms is not None and self.median_ms < self.target_ms


@dataclass
class Report:
    database: str
    scale: dict
    counts: dict = field(default_factory=dict)
    build_seconds: float | None = None
    pages: list[PageResult] = field(default_factory=list)
    issue_seconds: float | None = None
    issue_queries: int | None = None
    issue_letters: int | None = None
    issue_error: str | None = None


def say(message: str) -> None:
    print(message, flush=True)


# --- Database -------------------------------------------------------------------------------------


def prepare_database(*, reuse: bool, reset: bool) -> bool:
    """Point Django at the bench database and migrate it. True when the data set is already there."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE_DIR / 'db.sqlite3'}")
    os.environ.setdefault("DJANGO_VAR_DIR", str(SQLITE_DIR / "var"))
    url = os.environ["DATABASE_URL"]
    default_sqlite = url == f"sqlite:///{SQLITE_DIR / 'db.sqlite3'}"
    if default_sqlite and not reuse:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)  # our own folder: always start clean
    SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    Path(os.environ["DJANGO_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from responsibility.letters.models.letters import Campaign

    call_command("migrate", verbosity=0)
    built = Campaign.objects.filter(title=CURRENT_TITLE).exists()
    if reuse:
        if not built:
            raise SystemExit("bench: --reuse, but this database has no bench data; run without --reuse.")
        return True
    if User.objects.exists():
        if not reset:
            raise SystemExit(
                "bench: the database at DATABASE_URL is not empty. Use a dedicated database, and pass "
                "--reset to wipe it (or --reuse to measure on the data already built)."
            )
        say("Wiping the database (--reset)")
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)  # recreates the role groups and the audit chain head
    return False


def describe_database() -> str:
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite file {settings_dict['NAME']}"
    return (
        f"{connection.vendor} database {settings_dict['NAME']} on {settings_dict.get('HOST') or 'localhost'}"
    )


# --- Data set -------------------------------------------------------------------------------------

CURRENT_YEAR = 2026
CURRENT_TITLE = f"{CURRENT_YEAR}年度党风廉政建设责任书签订（基准测试）"


def build_data(scale: Scale) -> dict:
    """The whole organisation and three campaigns of letters, written with bulk_create."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
    from accounts.roles import Role
    from responsibility.letters.audit import letter_events_append
    from responsibility.letters.content import ClauseText
    from responsibility.letters.models.letters import (
        Campaign,
        CampaignStatus,
        Letter,
        LetterEvent,
        LetterEventKind,
        LetterStatus,
        LetterTemplate,
        LetterUserObjectPermission,
        Signature,
        SignatureMethod,
        SignatureRole,
        TemplateClause,
        TemplateLevel,
    )
    from responsibility.letters.services.issuing import (
        letter_build,
        letter_grant_permission_ids,
        letter_grants_build,
        letter_issued_event,
        letters_store,
    )
    from responsibility.letters.signing import CONSENT_TEXT

    tz = timezone.get_current_timezone()

    def at(year: int, month: int, day: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime(year, month, day, 9, 0, tzinfo=tz) + datetime.timedelta(minutes=minute)

    with transaction.atomic():
        # Organisation: the Party Group, the office, the inspection team and the working bodies.
        say(f"  {scale.units:,} units")
        party_group = OrgUnit.objects.create(code="PG", name="党组", kind=OrgUnitKind.PARTY_GROUP)
        office = OrgUnit.objects.create(
            code="OFFICE", name="机关党委（办公室）", kind=OrgUnitKind.PARTY_COMMITTEE, sort_order=1
        )
        team = OrgUnit.objects.create(
            code="JJZ", name="派驻纪检监察组", kind=OrgUnitKind.INSPECTION_TEAM, sort_order=2
        )
        units = OrgUnit.objects.bulk_create(
            OrgUnit(
                code=f"W{i:04d}", name=f"第{i + 1}委办室", kind=OrgUnitKind.WORKING_BODY, sort_order=10 + i
            )
            for i in range(scale.units)
        )

        say(f"  {scale.users:,} users and their posts")
        specials = 3  # secretary, office administrator, inspector
        staff_count = scale.users - specials - scale.units
        users = User.objects.bulk_create(
            User(username=f"u{n:05d}", full_name=f"干部{n:05d}", password="!", email=f"u{n:05d}@example.org")
            for n in range(scale.users)
        )
        secretary, office_admin, inspector = users[0], users[1], users[2]
        heads = users[specials : specials + scale.units]
        staff = users[specials + scale.units :]
        assert len(staff) == staff_count
        secretary.groups.add(Group.objects.get(name=Role.PARTY_GROUP))
        office_admin.groups.add(Group.objects.get(name=Role.OFFICE_ADMIN))
        inspector.groups.add(Group.objects.get(name=Role.INSPECTION_TEAM))

        posts = [
            Post(unit=party_group, title="党组书记", kind=PostKind.PARTY_SECRETARY, holder=secretary),
            Post(unit=office, title="主任", kind=PostKind.UNIT_HEAD, holder=office_admin),
            Post(unit=team, title="组长", kind=PostKind.INSPECTOR, holder=inspector),
        ]
        posts += [
            Post(unit=unit, title="主任", kind=PostKind.UNIT_HEAD, holder=head)
            for unit, head in zip(units, heads, strict=True)
        ]
        staff_posts_by_unit: dict[int, list[Post]] = {}
        for i, user in enumerate(staff):
            unit = units[i % scale.units]
            first = i < scale.units
            post = Post(
                unit=unit,
                title="副主任" if first else f"干部{i // scale.units}",
                kind=PostKind.DEPUTY_HEAD if first else PostKind.STAFF,
                holder=user,
                sort_order=i // scale.units,
            )
            posts.append(post)
            staff_posts_by_unit.setdefault(unit.pk, []).append(post)
        Post.objects.bulk_create(posts, batch_size=2000)
        secretary_post = posts[0]
        head_posts = posts[specials : specials + scale.units]

        # Templates: the organ-level letter and the unit-level letter to staff, six clauses each.
        published = at(CURRENT_YEAR - 2, 1, 5)
        templates = {}
        for level, code, title in (
            (TemplateLevel.ORGAN, "organ", "党风廉政建设责任书"),
            (TemplateLevel.UNIT, "unit", "党风廉政建设责任书（处室及干部）"),
        ):
            template = LetterTemplate.objects.create(
                code=code,
                name=title,
                level=level,
                title=title,
                preamble="为深入推进全面从严治党，落实党风廉政建设主体责任和监督责任，签订本责任书。",
                closing="本责任书一式两份，甲乙双方各执一份，自签订之日起生效。",
                issuer_label="甲方" if level == TemplateLevel.UNIT else "甲方（党组）",
                signer_label="乙方",
                is_published=True,
                published_at=published,
                created_by=office_admin,
            )
            TemplateClause.objects.bulk_create(
                TemplateClause(template=template, number=n, category=category, text=text)
                for n, (category, text) in enumerate(CLAUSES, start=1)
            )
            templates[level] = template
        clause_texts = [ClauseText(n, category, text) for n, (category, text) in enumerate(CLAUSES, start=1)]

        # Campaigns: two past years, all signed and filed, and the current one in progress.
        years = [CURRENT_YEAR - 2, CURRENT_YEAR - 1, CURRENT_YEAR]
        campaigns = {
            year: Campaign.objects.create(
                year=year,
                title=CURRENT_TITLE if year == CURRENT_YEAR else f"{year}年度党风廉政建设责任书签订",
                template=templates[TemplateLevel.ORGAN],
                deadline=datetime.date(year, 3, 31),
                reference_prefix="人常廉责",
                status=CampaignStatus.OPEN if year == CURRENT_YEAR else CampaignStatus.CLOSED,
                created_by=office_admin,
            )
            for year in years
        }
        per_full_year = scale.units + staff_count
        current_budget = scale.letters - 2 * per_full_year
        if current_budget < scale.units:
            raise SystemExit("bench: too few letters for two full past years; raise --letters.")

        letters: list[Letter] = []
        state_fields = ("status", "issued_at", "signed_at", "countersigned_at", "archived_at")

        def insert_as_drafts(batch: list[Letter]) -> None:
            """Letters go in as drafts with their clauses, through the issuing service's own bulk store, and
            get their state later (PostgreSQL's triggers refuse clauses for a letter that is no longer a
            draft)."""
            states = [[getattr(letter, name) for name in state_fields] for letter in batch]
            for letter in batch:
                letter.status = LetterStatus.DRAFT
                letter.issued_at = letter.signed_at = letter.countersigned_at = letter.archived_at = None
            letters_store(letters=batch, clauses=clause_texts)
            for letter, values in zip(batch, states, strict=True):
                for name, value in zip(state_fields, values, strict=True):
                    setattr(letter, name, value)

        def add_letter(*, campaign, number, template, issuer, issuer_post, signer_post, parent, status):
            letter = letter_build(
                campaign=campaign,
                number=number,
                template=template,
                issuer=issuer,
                issuer_post=issuer_post,
                signer_post=signer_post,
                parent=parent,
                clauses=clause_texts,
            )
            letter.status = status
            year = campaign.year
            letter.issued_at = at(year, 1, 10)
            if status in (LetterStatus.SIGNED, LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED):
                letter.signed_at = at(year, 1, 20)
            if status in (LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED):
                letter.countersigned_at = at(year, 2, 1)
            if status == LetterStatus.ARCHIVED:
                letter.archived_at = at(year, 3, 1)
            letters.append(letter)
            return letter

        say(f"  {scale.letters:,} letters over {len(years)} campaigns")
        for year in years:
            campaign = campaigns[year]
            current = year == CURRENT_YEAR
            number = 0
            head_letters = []
            for i, post in enumerate(head_posts):
                if current:  # 30 % waiting for the head, 30 % for the secretary, 40 % countersigned
                    status = (
                        LetterStatus.ISSUED
                        if i % 10 < 3
                        else LetterStatus.SIGNED
                        if i % 10 < 6
                        else LetterStatus.COUNTERSIGNED
                    )
                else:
                    status = LetterStatus.ARCHIVED
                number += 1
                head_letters.append(
                    add_letter(
                        campaign=campaign,
                        number=number,
                        template=templates[TemplateLevel.ORGAN],
                        issuer=secretary,
                        issuer_post=secretary_post,
                        signer_post=post,
                        parent=None,
                        status=status,
                    )
                )
            insert_as_drafts(letters[-len(head_letters) :])

            # 层层签订: heads who signed issue letters to their staff (this year, until the budget ends).
            budget = per_full_year - scale.units if not current else current_budget - scale.units
            start = len(letters)
            k = 0
            for round_ in range(max(len(p) for p in staff_posts_by_unit.values())):
                for unit, head_letter, head_post in zip(units, head_letters, head_posts, strict=True):
                    if k >= budget:
                        break
                    if head_letter.status == LetterStatus.ISSUED:
                        continue
                    unit_staff = staff_posts_by_unit.get(unit.pk, [])
                    if round_ >= len(unit_staff):
                        continue
                    k += 1
                    if current:  # 40 % waiting for the staff member, 30 % for the head, 30 % done
                        status = (
                            LetterStatus.ISSUED
                            if k % 10 < 4
                            else LetterStatus.SIGNED
                            if k % 10 < 7
                            else LetterStatus.COUNTERSIGNED
                        )
                    else:
                        status = LetterStatus.COUNTERSIGNED
                    number += 1
                    add_letter(
                        campaign=campaign,
                        number=number,
                        template=templates[TemplateLevel.UNIT],
                        issuer=head_post.holder,
                        issuer_post=head_post,
                        signer_post=unit_staff[round_],
                        parent=head_letter,
                        status=status,
                    )
            insert_as_drafts(letters[start:])
            Campaign.objects.filter(pk=campaign.pk).update(last_number=number)

        say("  signatures, audit events and object permissions")
        groups: dict[tuple, list[int]] = {}
        for letter in letters:
            groups.setdefault(tuple(getattr(letter, name) for name in state_fields), []).append(letter.pk)
        for values, ids in groups.items():
            for start in range(0, len(ids), 5000):
                Letter.objects.filter(pk__in=ids[start : start + 5000]).update(
                    **dict(zip(state_fields, values, strict=True))
                )
        signatures, events, grants = [], [], []
        permission_ids = letter_grant_permission_ids()
        signed = (LetterStatus.SIGNED, LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED)
        for letter in letters:
            common = {"letter": letter, "content_hash": letter.content_hash}
            events.append(
                letter_issued_event(
                    letter=letter,
                    actor=office_admin if letter.parent_id is None else letter.issuer,
                    ip_address=None,
                    at=letter.issued_at,
                )
            )
            if letter.status in signed:
                signatures.append(_signature(letter, SignatureRole.SIGNER, letter.signer, letter.signed_at))
                events.append(
                    LetterEvent(
                        kind=LetterEventKind.SIGNED,
                        from_status=LetterStatus.ISSUED,
                        to_status=LetterStatus.SIGNED,
                        actor=letter.signer,
                        created_at=letter.signed_at,
                        **common,
                    )
                )
            if letter.countersigned_at:
                signatures.append(
                    _signature(letter, SignatureRole.ISSUER, letter.issuer, letter.countersigned_at)
                )
                events.append(
                    LetterEvent(
                        kind=LetterEventKind.COUNTERSIGNED,
                        from_status=LetterStatus.SIGNED,
                        to_status=LetterStatus.COUNTERSIGNED,
                        actor=letter.issuer,
                        created_at=letter.countersigned_at,
                        **common,
                    )
                )
            if letter.archived_at:
                events.append(
                    LetterEvent(
                        kind=LetterEventKind.ARCHIVED,
                        from_status=LetterStatus.COUNTERSIGNED,
                        to_status=LetterStatus.ARCHIVED,
                        actor=office_admin,
                        created_at=letter.archived_at,
                        **common,
                    )
                )
            # The object grants issuing gives at issue time (the signer of the letter above oversees).
            overseers = [letter.parent.signer_id] if letter.parent_id else []
            grants += letter_grants_build(letter=letter, overseers=overseers, permission_ids=permission_ids)
        Signature.objects.bulk_create(
            (
                Signature(**fields, method=SignatureMethod.TYPED, consent_text=CONSENT_TEXT)
                for fields in signatures
            ),
            batch_size=2000,
        )
        events.sort(key=lambda event: (event.created_at, event.letter.pk))
        for start in range(0, len(events), 10000):
            letter_events_append(events=events[start : start + 10000])
        LetterUserObjectPermission.objects.bulk_create(grants, batch_size=5000)

    return {
        "secretary": secretary.pk,
        "office_admin": office_admin.pk,
        "inspector": inspector.pk,
        "current_campaign": campaigns[CURRENT_YEAR].pk,
    }


def _signature(letter, role, user, when) -> dict:
    return {
        "letter": letter,
        "role": role,
        "signed_by": user,
        "signed_at": when,
        "typed_name": user.full_name,
        "reauthenticated_at": when - datetime.timedelta(minutes=1),
        "ip_address": "10.0.0.1",
        "user_agent": "bench",
        "content_hash": letter.content_hash,
    }


def find_people() -> dict:
    """Who is measured: the secretary, the office, and the unit head with the most to do."""
    from django.db.models import Count, Q

    from accounts.models import Post, PostKind, User
    from accounts.roles import Role
    from responsibility.letters.models.letters import Campaign, Letter, LetterStatus

    campaign = Campaign.objects.get(title=CURRENT_TITLE)
    secretary = Post.objects.get(kind=PostKind.PARTY_SECRETARY).holder
    office_admin = User.objects.filter(groups__name=Role.OFFICE_ADMIN).order_by("pk").first()
    busiest = (
        Letter.objects.filter(campaign=campaign, parent__isnull=False)
        .values("issuer_id")
        .annotate(waiting=Count("pk", filter=Q(status=LetterStatus.SIGNED)), total=Count("pk"))
        .order_by("-waiting", "-total", "issuer_id")
        .first()
    )
    head = User.objects.get(pk=busiest["issuer_id"])
    return {"secretary": secretary, "office_admin": office_admin, "head": head, "campaign": campaign}


def count_rows() -> dict:
    from accounts.models import OrgUnit, Post, User
    from responsibility.letters.models.letters import (
        Letter,
        LetterClause,
        LetterEvent,
        LetterUserObjectPermission,
        Signature,
    )

    return {
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "posts": Post.objects.count(),
        "letters": Letter.objects.count(),
        "clauses": LetterClause.objects.count(),
        "signatures": Signature.objects.count(),
        "audit_events": LetterEvent.objects.count(),
        "object_permissions": LetterUserObjectPermission.objects.count(),
    }


# --- Measurements ---------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure_page(*, name: str, user, url_name: str, args=(), requests: int, warmup: int = 3) -> PageResult:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    result = PageResult(name=name, user=str(user), url=url_name)
    try:
        url = reverse(url_name, args=args)
    except NoReverseMatch as error:
        result.error = f"the URL name {url_name} does not exist yet ({error})"
        return result
    result.url = url
    client = Client()
    client.force_login(user)
    try:
        for _ in range(warmup):
            response = client.get(url)
        result.status = response.status_code
        if response.status_code != 200:
            result.error = f"HTTP {response.status_code} (the page may not be ready yet)"
            return result
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        result.queries = len(queries)
        result.bytes = len(response.content)
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
    except Exception as error:  # a page under construction must not stop the other measurements
        result.error = f"{type(error).__name__}: {error}"
        return result
    result.requests = requests
    result.median_ms = statistics.median(timings)
    result.p95_ms = percentile(timings, 0.95)
    return result


def measure_bulk_issue(report: Report, people: dict) -> None:
    """The real service, 2,000 letters in one call, in a new campaign; rolled back afterwards."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import OrgUnitKind, Post, PostKind
    from responsibility.letters.models.letters import Campaign
    from responsibility.letters.services.issuing import campaign_issue_letters

    class Rollback(Exception):
        pass

    campaign_template = people["campaign"].template
    signer_posts = list(
        Post.objects.filter(kind=PostKind.UNIT_HEAD, unit__kind=OrgUnitKind.WORKING_BODY).order_by("pk")
    )
    secretary_post = Post.objects.get(kind=PostKind.PARTY_SECRETARY)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                year=CURRENT_YEAR,
                title=f"{CURRENT_YEAR}年度补充签订（基准测试）",
                template=campaign_template,
                deadline=datetime.date(CURRENT_YEAR, 12, 31),
                reference_prefix="人常廉补",
                created_by=people["office_admin"],
            )
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = campaign_issue_letters(
                    campaign=campaign,
                    issuer_post=secretary_post,
                    signer_posts=signer_posts,
                    issued_by=people["office_admin"],
                    ip_address="127.0.0.1",
                )
                report.issue_seconds = time.perf_counter() - started
            report.issue_queries = len(queries)
            report.issue_letters = len(result.issued)
            raise Rollback
    except Rollback:
        pass
    except Exception as error:
        report.issue_error = f"{type(error).__name__}: {error}"


# --- Report ---------------------------------------------------------------------------------------


def print_report(report: Report) -> bool:
    say("")
    say(f"Database: {report.database}")
    say("Data: " + ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in report.counts.items()))
    if report.build_seconds is not None:
        say(f"Built in {report.build_seconds:.0f} s")
    say("")
    header = f"{'page':<38} {'median':>9} {'p95':>9} {'queries':>8} {'target':>8} {'ratio':>6}  result"
    say(header)
    say("-" * len(header))
    all_ok = True
    for page in report.pages:
        label = f"{page.name} ({page.user})"[:38]
        if page.error:
            say(
                f"{label:<38} {'':>9} {'':>9} {'':>8} {page.target_ms:>6.0f}ms {'':>6}  "
                f"NOT MEASURED: {page.error}"
            )
            all_ok &= not page.required
            continue
        ratio = page.median_ms / page.target_ms
        verdict = ("ok" if page.ok else "TOO SLOW") + ("" if page.required else " (information only)")
        all_ok &= page.ok or not page.required
        say(
            f"{label:<38} {page.median_ms:>7.1f}ms {page.p95_ms:>7.1f}ms {page.queries:>8} "
            f"{page.target_ms:>6.0f}ms {ratio:>6.2f}  {verdict}"
        )
    say("")
    if report.issue_error:
        say(f"Bulk issue: NOT MEASURED: {report.issue_error}")
        all_ok = False
    elif report.issue_seconds is not None:
        ok = report.issue_seconds < TARGET_ISSUE_S
        all_ok &= ok
        say(
            f"Bulk issue of {report.issue_letters:,} letters (campaign_issue_letters): "
            f"{report.issue_seconds:.2f} s, {report.issue_queries} queries; target {TARGET_ISSUE_S:.0f} s, "
            f"ratio {report.issue_seconds / TARGET_ISSUE_S:.2f}  {'ok' if ok else 'TOO SLOW'}"
        )
    say("")
    say("All targets met." if all_ok else "Some targets were missed or not measured.")
    return all_ok


def save_report(report: Report) -> Path:
    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    data = asdict(report)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="measure on the data built by the last run")
    parser.add_argument("--reset", action="store_true", help="wipe a non-empty DATABASE_URL database first")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--units", type=int, default=Scale.units)
    parser.add_argument("--users", type=int, default=Scale.users)
    parser.add_argument("--letters", type=int, default=Scale.letters)
    options = parser.parse_args(argv)
    scale = Scale(units=options.units, users=options.users, letters=options.letters)

    built = prepare_database(reuse=options.reuse, reset=options.reset)
    report = Report(database=describe_database(), scale=asdict(scale))
    if not built:
        say(f"Building the data set in {report.database}")
        started = time.perf_counter()
        build_data(scale)
        report.build_seconds = time.perf_counter() - started
    report.counts = count_rows()
    people = find_people()
    campaign = people["campaign"]

    pages = [
        ("to-do, busiest unit head", people["head"], "responsibility:todo", (), True),
        ("to-do, Party Group secretary", people["secretary"], "responsibility:todo", (), True),
        (
            "campaign progress, office",
            people["office_admin"],
            "responsibility:campaign-detail",
            (campaign.pk,),
            True,
        ),
        ("letter list, office", people["office_admin"], "responsibility:letter-list", (), False),
    ]
    for name, user, url_name, args, required in pages:
        say(f"Measuring {name} …")
        page = measure_page(name=name, user=user, url_name=url_name, args=args, requests=options.requests)
        page.required = required
        report.pages.append(page)
    say("Measuring the bulk issue of one letter to every unit head …")
    measure_bulk_issue(report, people)

    all_ok = print_report(report)
    say(f"Saved {save_report(report).relative_to(ROOT)}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
