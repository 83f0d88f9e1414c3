"""Letter reads: letters, campaigns, templates, documents and the archive, filtered by who may see them.

Views never query these models without going through here."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from accounts.models import OrgUnit, Post
from accounts.org_tree import org_tree
from core.caching import version_cached
from core.counting import count_of
from responsibility.letters.models.documents import ArchiveExport, DocumentStatus, LetterDocument
from responsibility.letters.models.letters import (
    SIGNED_STATUSES,
    Campaign,
    CampaignStatus,
    Letter,
    LetterAuditHead,
    LetterEvent,
    LetterGroupObjectPermission,
    LetterStatus,
    LetterTemplate,
    LetterUserObjectPermission,
    Signature,
    TemplateLevel,
)
from responsibility.letters.models.reminder_policy import ReminderPolicy
from responsibility.letters.permissions import (
    ArchiveAction,
    CampaignAction,
    LetterAction,
    archive_user_can,
    campaign_user_can,
    letter_perm,
    letter_user_can_see_all,
)


def letter_list_visible_to(*, user) -> QuerySet[Letter]:
    """Letters the user may open: own, issued or overseen ones; all of them for the office and inspectors.

    Guardian's rule (get_objects_for_user with global permissions and superusers accepted), read as a
    UNION of the letters granted to the user and to their groups: guardian's OR of the two made
    PostgreSQL test every letter for a unit head who may open 27 of 50,000 (66 ms; 2 ms so). The grants
    name the permission by its id, found by a subquery: joined by its name instead, PostgreSQL guessed 66
    of the secretary's 6,000 grants and looked each one up (21 ms for the letters to countersign; 9 so).

    The query is built once per user instance, as Django keeps the user's permissions (`_perm_cache`),
    and each call gets a copy: a page asks it for every list it shows (four on the to-do page), and
    building it cost 0.9 ms a time. Its grants' UNION is compiled to SQL then, once (RawSQL of the ORM's
    own compilation): compiled again inside every query that names the visible letters, it cost 0.7 ms
    each time. Nothing is read until a copy runs, so the grants are always current.
    """
    built = getattr(user, "_letters_visible", None)
    if built is None:
        built = user._letters_visible = _letter_list_visible_build(user=user)
    return built.all()


def _letter_list_visible_build(*, user) -> QuerySet[Letter]:
    letters = Letter.objects.select_related("campaign", "signer", "issuer", "signer_unit", "signer_post")
    if not user.is_authenticated:
        return letters.none()
    if letter_user_can_see_all(user=user):
        return letters
    app_label, codename = letter_perm(LetterAction.VIEW).split(".", 1)
    view = Permission.objects.filter(content_type__app_label=app_label, codename=codename).values("pk")[:1]
    grant = {"permission_id": Subquery(view)}
    granted = (
        LetterUserObjectPermission.objects.filter(user=user, **grant)
        .order_by()
        .values("content_object_id")
        .union(
            LetterGroupObjectPermission.objects.filter(group__user=user, **grant)
            .order_by()
            .values("content_object_id")
        )
    )
    sql, params = granted.query.sql_with_params()
    return letters.filter(pk__in=RawSQL(sql, params))


def letter_page_rows(*, user) -> QuerySet[Letter]:
    """`letter_list_visible_to` with all a letter's page shows, each read once: its campaign, its parties
    and the signer's unit, its clauses, its signatures with their signers and its history with the people
    who acted. The posts come by `letter_posts_attach`, the letter it was issued under by
    `letter_parent_visible`: joined to this row too, PostgreSQL spent 3.2 ms choosing the join order of ten
    tables (1.0 ms for six) on every view of the page."""
    return (
        letter_list_visible_to(user=user)
        .select_related(None)
        .select_related("campaign", "signer", "issuer", "signer_unit")
        .prefetch_related(
            "clauses",
            Prefetch("signatures", queryset=Signature.objects.select_related("signed_by")),
            Prefetch("events", queryset=LetterEvent.objects.select_related("actor")),
        )
    )


def letter_posts_attach(*, letter: Letter) -> None:
    """The letter's issuer and signer posts, with their units (which name them), read in one query."""
    post_ids = {letter.issuer_post_id, letter.signer_post_id} - {None}
    posts = Post.objects.select_related("unit").in_bulk(post_ids)
    letter.issuer_post = posts.get(letter.issuer_post_id)
    letter.signer_post = posts.get(letter.signer_post_id)


def letter_parent_visible(*, user, letter: Letter) -> Letter | None:
    """The letter this one was issued under, when the user may open it (its number, for a link)."""
    if letter.parent_id is None:
        return None
    return (
        letter_list_visible_to(user=user)
        .select_related(None)
        .only("pk", "reference")
        .filter(pk=letter.parent_id)
        .first()
    )


def letter_children_rows(*, user, letter: Letter) -> QuerySet[Letter]:
    """The letters issued from `letter` that the user may open, by number, with what a child's line shows
    (its signer and unit): three joins fewer for PostgreSQL to plan (2.4 ms → 0.7)."""
    return (
        letter_list_visible_to(user=user)
        .filter(parent=letter)
        .select_related(None)
        .select_related("signer", "signer_unit")
        .order_by("number")
    )


# What a row of a letter list shows (the list and the archive templates): no clause or preamble text.
LETTER_ROW_FIELDS = (
    "reference",
    "status",
    "issued_at",
    "countersigned_at",
    "campaign",
    "signer__full_name",
    "signer__username",
    "signer_post__title",
    "signer_unit__name",
    "issuer__full_name",
    "issuer__username",
)


def letter_list_rows(*, letters: QuerySet[Letter]) -> QuerySet[Letter]:
    """`letters` (from letter_list_visible_to) narrowed to the columns a list row shows.

    The campaigns (a handful for thousands of letters; a row shows its deadline) come by a second query,
    not a join: with its statistics, SQLite read the tiny campaign table first and then sorted every
    letter of it instead of reading the newest letters from the index (70 ms at 50,000 letters, 18 so).
    """
    return (
        letters.select_related(None)
        .select_related("signer", "issuer", "signer_unit", "signer_post")
        .only(*LETTER_ROW_FIELDS)
        .prefetch_related(Prefetch("campaign", queryset=Campaign.objects.only("deadline")))
    )


def letter_list_to_sign(*, user) -> QuerySet[Letter]:
    return letter_list_visible_to(user=user).filter(signer=user, status=LetterStatus.ISSUED)


def letter_list_to_countersign(*, user) -> QuerySet[Letter]:
    return letter_list_visible_to(user=user).filter(issuer=user, status=LetterStatus.SIGNED)


def letter_list_to_revise(*, user) -> QuerySet[Letter]:
    """Returned letters the user issued that still wait for their revision."""
    return letter_list_visible_to(user=user).filter(
        issuer=user, status=LetterStatus.RETURNED, next_version__isnull=True
    )


def letter_children_issued_count():
    """The letters issued from a letter and not returned or voided (a correlated count of its children)."""
    return count_of(Letter.objects.filter(status__in=[*SIGNED_STATUSES, LetterStatus.ISSUED]), field="parent")


def letter_list_ready_to_cascade(*, user) -> QuerySet[Letter]:
    """The user's own signed letters in open campaigns, from which they issue letters to their staff;
    `children_count`: letter_children_issued_count."""
    return (
        letter_list_visible_to(user=user)
        .filter(signer=user, status__in=SIGNED_STATUSES, campaign__status=CampaignStatus.OPEN)
        .annotate(children_count=letter_children_issued_count())
    )


def letter_history(*, letter: Letter) -> list[Letter]:
    """All versions of a letter's number, oldest first (the returned ones are kept and shown). A first
    version is the only one until it is returned and revised: it is not looked for then."""
    if letter.version == 1 and letter.status != LetterStatus.RETURNED:
        return [letter]
    return list(
        Letter.objects.filter(campaign_id=letter.campaign_id, number=letter.number)
        .only("pk", "reference", "version", "status", "issued_at", "return_reason")
        .order_by("version")
    )


def campaign_list_visible_to(*, user) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("template")
    if campaign_user_can(user=user, action=CampaignAction.VIEW_PROGRESS):
        return campaigns
    return campaigns.filter(pk__in=letter_list_visible_to(user=user).values("campaign_id"))


@dataclass(frozen=True)
class UnitProgress:
    """Signing progress of one unit in a campaign."""

    unit_id: int
    unit_name: str
    total: int
    signed: int
    waiting: int
    overdue: int
    returned: int

    @property
    def percent(self) -> int:
        return round(100 * self.signed / self.total) if self.total else 0


def letters_version() -> tuple[int, str]:
    """Where the letter audit chain ends: every issue, signature, return, void and archiving moves it."""
    return LetterAuditHead.objects.values_list("last_sequence", "last_hash").first() or (0, "")


def campaign_progress_figures(*, user, campaign: Campaign, today: datetime.date) -> list[UnitProgress]:
    """`campaign_progress_by_unit` of the letters the user may open. Those who open every letter share it
    through the cache, kept under the letter audit chain's position, the campaign's deadline and the day
    (core.caching): a campaign of 10,000 letters is counted once per change, not once per opening."""

    def compute() -> list[UnitProgress]:
        return campaign_progress_by_unit(
            campaign=campaign, letters=letter_list_visible_to(user=user), today=today
        )

    if not letter_user_can_see_all(user=user):
        return compute()
    return version_cached(
        name="campaign-progress",
        version=letters_version(),
        parts=(campaign.pk, campaign.deadline, today),
        compute=compute,
    )


def campaign_progress_by_unit(
    *, campaign: Campaign, letters: QuerySet[Letter], today: datetime.date
) -> list[UnitProgress]:
    """Counts per signer unit in one aggregate query, whatever the number of letters."""
    overdue = campaign.deadline < today
    rows = (
        letters.filter(campaign=campaign)
        .exclude(status=LetterStatus.VOIDED)
        .exclude(status=LetterStatus.RETURNED, next_version__isnull=False)
        .order_by()
        .values("signer_unit_id", "signer_unit__name", "signer_unit__sort_order", "signer_unit__code")
        .annotate(
            total=Count("pk"),
            signed=Count("pk", filter=Q(status__in=SIGNED_STATUSES)),
            waiting=Count("pk", filter=Q(status=LetterStatus.ISSUED)),
            returned=Count("pk", filter=Q(status=LetterStatus.RETURNED)),
        )
        .order_by("signer_unit__sort_order", "signer_unit__code")
    )
    return [
        UnitProgress(
            unit_id=row["signer_unit_id"],
            unit_name=row["signer_unit__name"],
            total=row["total"],
            signed=row["signed"],
            waiting=row["waiting"],
            overdue=row["waiting"] if overdue else 0,
            returned=row["returned"],
        )
        for row in rows
    ]


def letter_tree_top(*, campaign: Campaign, letters: QuerySet[Letter]) -> QuerySet[Letter]:
    """The campaign's top-level letters in force or waiting, in unit order: page them, then give the page
    to letter_tree_children_counted."""
    return (
        letters.filter(campaign=campaign, parent__isnull=True)
        .exclude(status=LetterStatus.RETURNED, next_version__isnull=False)
        .only(*LETTER_ROW_FIELDS, "parent_id")
        .order_by("signer_unit__sort_order", "number", "version")
    )


def letter_tree_children_counted(*, nodes: list[Letter]) -> list[Letter]:
    """The `nodes` (a page of letter_tree_top), each with `.depth` 0 and `.children_count`, the letters
    issued below it (one query for the page)."""
    counts = dict(
        Letter.objects.filter(parent_id__in=[node.pk for node in nodes])
        .order_by()
        .values("parent_id")
        .annotate(count=Count("pk"))
        .values_list("parent_id", "count")
    )
    for node in nodes:
        node.depth = 0
        node.children_count = counts.get(node.pk, 0)
    return nodes


def letter_tree(*, campaign: Campaign, letters: QuerySet[Letter], root: Letter) -> list[Letter]:
    """The letter `root` and all below it in depth-first order, each with `.depth` (one query)."""
    qs = letters.filter(campaign=campaign).exclude(status=LetterStatus.RETURNED, next_version__isnull=False)
    nodes = list(qs.filter(Q(pk=root.pk) | Q(root=root.root_id or root.pk)).order_by("number", "version"))
    by_parent: dict[int | None, list[Letter]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    ordered: list[Letter] = []

    def walk(node: Letter, depth: int) -> None:
        node.depth = depth
        ordered.append(node)
        for child in by_parent.get(node.pk, []):
            walk(child, depth + 1)

    start = next((node for node in nodes if node.pk == root.pk), None)
    if start is not None:
        walk(start, 0)
    return ordered


def template_list(*, level: str | None = None) -> QuerySet[LetterTemplate]:
    templates = LetterTemplate.objects.select_related("owner_unit").annotate(clause_count=Count("clauses"))
    return templates.filter(level=level) if level else templates


def template_list_for_staff_letters(*, parent: Letter) -> QuerySet[LetterTemplate]:
    """Published unit-level templates a head may use: shared ones and their own unit's."""
    return LetterTemplate.objects.filter(level=TemplateLevel.UNIT, is_published=True).filter(
        Q(owner_unit__isnull=True) | Q(owner_unit_id=parent.signer_unit_id)
    )


def post_list_staff_for(*, parent: Letter) -> QuerySet[Post]:
    """Posts in the head's unit (and the sections below it) who could receive a letter from the head."""
    units = org_tree().subtree(parent.signer_unit_id)
    return (
        Post.objects.held()
        .filter(unit_id__in=units)
        .exclude(holder_id=parent.signer_id)
        .select_related("holder", "unit")
        .order_by("unit__sort_order", "sort_order", "pk")
    )


def post_list_signers(
    *, kinds: list[str] | None = None, units: list[OrgUnit] | None = None
) -> QuerySet[Post]:
    posts = Post.objects.held().select_related("holder", "unit")
    if kinds:
        posts = posts.filter(kind__in=kinds)
    if units:
        posts = posts.filter(unit__in=units)
    return posts


def post_ids_with_letter(*, campaign: Campaign, posts: QuerySet[Post]) -> set[int]:
    """Which of these posts already hold a letter in force in the campaign."""
    return set(
        Letter.objects.live()
        .filter(campaign=campaign, signer_post__in=posts)
        .values_list("signer_post_id", flat=True)
    )


@dataclass(frozen=True)
class CampaignProgress:
    """Signing progress of one campaign over the letters the user may see."""

    total: int = 0
    signed: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.signed / self.total) if self.total else 0


def campaign_progress_totals(
    *, campaign_ids: list[int], letters: QuerySet[Letter]
) -> dict[int, CampaignProgress]:
    """Signed and total letters for a page of campaigns in one aggregate query (same counting as by unit)."""
    rows = (
        letters.filter(campaign_id__in=campaign_ids)
        .exclude(status=LetterStatus.VOIDED)
        .exclude(status=LetterStatus.RETURNED, next_version__isnull=False)
        .order_by()
        .values("campaign_id")
        .annotate(total=Count("pk"), signed=Count("pk", filter=Q(status__in=SIGNED_STATUSES)))
    )
    return {row["campaign_id"]: CampaignProgress(total=row["total"], signed=row["signed"]) for row in rows}


# --- Letter PDFs and the archive -----------------------------------------------------------------

# The states in which a letter is in force or filed: the ones the archive shows and exports.
ARCHIVE_STATUSES = (LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED)
# The same letters, as the states they are not in. Most letters are in force: filtered this way (which no
# index serves) the archive's pages walk the newest letters first instead of sorting every one in force.
_NOT_IN_FORCE = tuple(status for status in LetterStatus.values if status not in ARCHIVE_STATUSES)


def letter_document_for(*, letter: Letter) -> LetterDocument | None:
    """The letter's sealed PDF record, if one was requested (from countersigning on)."""
    return LetterDocument.objects.filter(letter_id=letter.pk).first()


def letter_document_get_visible(*, user) -> QuerySet[LetterDocument]:
    """PDF records of the letters the user may open."""
    return LetterDocument.objects.select_related("letter").filter(
        letter__in=letter_list_visible_to(user=user).values("pk")
    )


def letter_list_archived(
    *,
    user,
    year: int | None = None,
    campaign_id: int | None = None,
    unit_id: int | None = None,
    q: str = "",
    state: str = "",
) -> QuerySet[Letter]:
    """Countersigned and archived letters whose sealed PDF is ready, for those who may browse the archive,
    as list rows (letter_list_rows and the PDF's size), unordered (the page orders them).

    A unit includes the sections below it; `q` searches the signer's name and the letter number.
    """
    if not archive_user_can(user=user, action=ArchiveAction.BROWSE):
        return Letter.objects.none()
    letters = (
        letter_list_rows(letters=letter_list_visible_to(user=user))
        .exclude(status__in=_NOT_IN_FORCE)
        # A subquery, not a join: the page is then read from the newest letter down, not from the PDFs.
        .filter(Exists(LetterDocument.objects.filter(letter=OuterRef("pk"), status=DocumentStatus.READY)))
        .select_related("document")
        .only(*LETTER_ROW_FIELDS, "document__size")
    )
    if year:
        letters = letters.filter(campaign__year=year)
    if campaign_id:
        letters = letters.filter(campaign_id=campaign_id)
    if unit_id:
        letters = letters.filter(signer_unit_id__in=org_tree().subtree(unit_id))
    if q:
        letters = letters.filter(Q(signer__full_name__icontains=q) | Q(reference__icontains=q))
    if state in ARCHIVE_STATUSES:
        letters = letters.filter(status=state)
    return letters


def archive_years(*, user) -> list[int]:
    """The campaign years the archive filter offers."""
    if not archive_user_can(user=user, action=ArchiveAction.BROWSE):
        return []
    return list(Campaign.objects.order_by("-year").values_list("year", flat=True).distinct())


def org_unit_list_for_archive() -> QuerySet[OrgUnit]:
    """Every unit, active or not: the archive keeps the letters of units that have since closed."""
    return OrgUnit.objects.order_by("sort_order", "code")


def letter_document_list_unfinished(*, user) -> QuerySet[LetterDocument]:
    """PDFs of letters in force that are not ready: failed ones first, for the office to retry."""
    if not archive_user_can(user=user, action=ArchiveAction.RETRY_DOCUMENT):
        return LetterDocument.objects.none()
    return (
        LetterDocument.objects.exclude(status=DocumentStatus.READY)  # letterdocument_unfinished_idx
        .exclude(letter__status__in=_NOT_IN_FORCE)
        .select_related("letter", "letter__signer", "letter__signer_unit")
        .order_by("status", "requested_at", "pk")  # "failed" sorts before "pending"
    )


def archive_export_list_visible_to(*, user) -> QuerySet[ArchiveExport]:
    """Batch prints are the office's: every office administrator sees all of them."""
    if not archive_user_can(user=user, action=ArchiveAction.EXPORT):
        return ArchiveExport.objects.none()
    return ArchiveExport.objects.select_related("campaign", "requested_by")


def campaign_list_with_ready_documents(*, campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """The campaigns a batch print can be made of: with at least one ready sealed PDF of a letter in
    force (what archive_export_documents reads)."""
    # The first letter in force with a ready PDF, asked campaign by campaign (a scalar subquery with LIMIT
    # 1, which PostgreSQL runs from the indexes and stops at the first): as EXISTS, PostgreSQL hashed every
    # ready PDF against every letter in force, once per campaign (45 ms at 50,000 letters).
    ready = LetterDocument.objects.filter(letter=OuterRef("pk"), status=DocumentStatus.READY)
    first = Letter.objects.filter(campaign=OuterRef("pk"), status__in=ARCHIVE_STATUSES).filter(Exists(ready))
    return campaigns.annotate(first_ready=Subquery(first.order_by().values("pk")[:1])).filter(
        first_ready__isnull=False
    )


def archive_export_documents(
    *, campaign: Campaign, unit_ids: list[int] | None = None
) -> QuerySet[LetterDocument]:
    """The ready sealed PDFs of a campaign's letters in force, in print order (unit, then number).

    Units include the sections below them. No permission filter: the export was checked when requested.
    """
    documents = LetterDocument.objects.filter(
        status=DocumentStatus.READY, letter__campaign=campaign, letter__status__in=ARCHIVE_STATUSES
    )
    if unit_ids:
        documents = documents.filter(letter__signer_unit_id__in=org_tree().subtree(*unit_ids))
    return documents.select_related("letter", "letter__signer", "letter__signer_unit").order_by(
        "letter__signer_unit__sort_order", "letter__signer_unit__code", "letter__number", "letter__version"
    )


def archive_export_missing_count(*, campaign: Campaign, unit_ids: list[int] | None = None) -> int:
    """Letters in force in the selection whose sealed PDF is not ready (an export leaves them out)."""
    letters = Letter.objects.filter(campaign=campaign, status__in=ARCHIVE_STATUSES).exclude(
        document__status=DocumentStatus.READY
    )
    if unit_ids:
        letters = letters.filter(signer_unit_id__in=org_tree().subtree(*unit_ids))
    return letters.count()


def reminder_policy_for(*, campaign: Campaign) -> ReminderPolicy:
    """The campaign's reminder rules; the defaults (unsaved) if it has none of its own."""
    return ReminderPolicy.objects.filter(campaign=campaign).first() or ReminderPolicy(campaign=campaign)


@dataclass(frozen=True)
class LetterFilters:
    """The letter list's filters, as the page's query string gives them (anything unknown is ignored)."""

    campaign: str = ""
    status: str = ""  # a LetterStatus, or "overdue"
    unit: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query) -> "LetterFilters":
        return cls(
            campaign=query.get("campaign", ""),
            status=query.get("status", ""),
            unit=query.get("unit", ""),
            q=query.get("q", "").strip()[:50],
        )


def letter_list_filtered(*, letters: QuerySet[Letter], filters: LetterFilters, today) -> QuerySet[Letter]:
    """The visible `letters` the filters select: campaign, status (or overdue on `today`), unit, text."""
    if filters.campaign.isdigit():
        letters = letters.filter(campaign_id=int(filters.campaign))
    if filters.status == "overdue":
        letters = letters.overdue(today)
    elif filters.status in LetterStatus.values:
        letters = letters.filter(status=filters.status)
    if filters.unit.isdigit():
        letters = letters.filter(signer_unit_id=int(filters.unit))
    if filters.q:
        letters = letters.filter(
            Q(reference__icontains=filters.q)
            | Q(signer__full_name__icontains=filters.q)
            | Q(signer_unit__name__icontains=filters.q)
        )
    return letters
