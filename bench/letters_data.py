"""The letters benchmark's data set: the organisation and three yearly campaigns of letters with their
clauses, signatures, audit events and object permissions, who is measured, and how much was built."""

import datetime
from dataclasses import dataclass

from bench.harness import say
from bench.organ import clause_texts, letter_template_create, organ_units_create

CURRENT_YEAR = 2026
CURRENT_TITLE = f"{CURRENT_YEAR}年度党风廉政建设责任书签订（基准测试）"


@dataclass
class Scale:
    units: int = 2000
    users: int = 20000
    letters: int = 50000


def workflow_path(target: str) -> list[str]:
    """The states a draft passes through to reach `target`, in order (the letters' transition table)."""
    from responsibility.letters.models.letters import LetterStatus
    from responsibility.letters.workflow import TRANSITIONS

    paths = {LetterStatus.DRAFT: []}
    queue = [LetterStatus.DRAFT]
    while queue:
        current = queue.pop(0)
        for following in sorted(TRANSITIONS[current]):
            if following not in paths:
                paths[following] = [*paths[current], following]
                queue.append(following)
    return [str(status) for status in paths[LetterStatus(target)]]


def build_data(scale: Scale) -> dict:
    """The whole organisation and three campaigns of letters, written with bulk_create."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
    from accounts.roles import Role
    from responsibility.letters.audit import letter_events_append
    from responsibility.letters.models.documents import DocumentStatus, LetterDocument
    from responsibility.letters.models.letters import (
        Campaign,
        CampaignStatus,
        Letter,
        LetterEvent,
        LetterEventKind,
        LetterStatus,
        LetterUserObjectPermission,
        Signature,
        SignatureMethod,
        SignatureRole,
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
        party_group, office, team = organ_units_create()
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
            templates[level] = letter_template_create(
                level=level, code=code, title=title, published_at=published, created_by=office_admin
            )
        texts = clause_texts()

        # Campaigns: up to two past years, signed and filed, and the current one in progress. Every year
        # gives each unit head a letter; the letters left go to staff (层层签订): the past years first, up
        # to every staff member, but the current year always has some (the to-do pages need them).
        plan = letter_plan(scale, staff_count)
        years = sorted(plan)
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
            letters_store(letters=batch, clauses=texts)
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
                clauses=texts,
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
            budget = plan[year]
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
            state = dict(zip(state_fields, values, strict=True))
            # Through each state of the workflow on the way: PostgreSQL's status guard refuses a jump.
            for status in workflow_path(state["status"]):
                for start in range(0, len(ids), 5000):
                    batch = Letter.objects.filter(pk__in=ids[start : start + 5000])
                    batch.update(**{**state, "status": status})
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
        # The sealed PDFs of the letters in force (the archive lists only those whose PDF is ready); the
        # file itself is not written: the pages only read its record.
        LetterDocument.objects.bulk_create(
            (
                LetterDocument(
                    letter=letter,
                    status=DocumentStatus.READY,
                    file=f"letters/{letter.campaign.year}/{letter.pk}.pdf",
                    sha256=letter.content_hash or "0" * 64,
                    size=100_000,
                    rendered_at=letter.countersigned_at,
                )
                for letter in letters
                if letter.status in (LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED)
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


def letter_plan(scale: Scale, staff_count: int) -> dict[int, int]:
    """Staff letters per campaign year. There are as many yearly campaigns (at most three) as rounds of
    unit heads' letters fit in `scale.letters`; the letters left go to staff, to the past years first (up
    to every staff member) but at least units // 2 of them to the current year.

    At 2,000 units: 50,000 letters are 2024 and 2025 (19,997 each) and 2026 (10,006, as before);
    5,000 letters are 2025 (2,000 heads) and 2026 (2,000 heads and 1,000 staff)."""
    years = min(3, scale.letters // scale.units)
    if years < 1:
        raise SystemExit("bench: fewer letters than units; raise --letters.")
    extra = scale.letters - years * scale.units
    current = max(extra - (years - 1) * staff_count, min(extra, scale.units // 2))
    past = extra - current
    plan = {CURRENT_YEAR: current}
    for i in range(1, years):
        plan[CURRENT_YEAR - i] = past // (years - 1) + (1 if i <= past % (years - 1) else 0)
    return plan


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
    letter = Letter.objects.get(campaign=campaign, signer=head, parent__isnull=True)
    inspector = User.objects.filter(groups__name=Role.INSPECTION_TEAM).order_by("pk").first()
    return {
        "secretary": secretary,
        "office_admin": office_admin,
        "inspector": inspector,
        "head": head,
        "letter": letter,
        "campaign": campaign,
    }


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
