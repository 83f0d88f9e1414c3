"""Letter templates: drafted, published (then frozen), and changed only as a new version."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
from responsibility.letters.content import ClauseText
from responsibility.letters.models.letters import ClauseCategory, LetterTemplate, TemplateClause
from responsibility.letters.permissions import CampaignAction, campaign_check_permission

TEMPLATE_TEXT_FIELDS = (
    "name",
    "level",
    "owner_unit",
    "title",
    "preamble",
    "closing",
    "issuer_label",
    "signer_label",
)


def _clauses_check(clauses: Sequence[ClauseText]) -> list[ClauseText]:
    cleaned = [
        ClauseText(i, c.category, c.text.strip()) for i, c in enumerate(clauses, start=1) if c.text.strip()
    ]
    if not cleaned:
        raise ApplicationError(_("A template needs at least one clause."))
    for clause in cleaned:
        if clause.category not in ClauseCategory.values:
            raise ApplicationError(_("Clause %(number)d has no valid category.") % {"number": clause.number})
    return cleaned


def _clauses_write(*, template: LetterTemplate, clauses: Sequence[ClauseText]) -> None:
    template.clauses.all().delete()
    TemplateClause.objects.bulk_create(
        [
            TemplateClause(template=template, number=c.number, category=c.category, text=c.text)
            for c in clauses
        ]
    )


@transaction.atomic
def template_create(*, code: str, clauses: Sequence[ClauseText], created_by, **fields) -> LetterTemplate:
    """A new template family, version 1, as a draft."""
    campaign_check_permission(user=created_by, action=CampaignAction.MANAGE_TEMPLATES)
    clauses = _clauses_check(clauses)
    template = LetterTemplate(code=code, version=1, created_by=created_by, **fields)
    template.full_clean()
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ApplicationError(_("A template with this code already exists.")) from None
    _clauses_write(template=template, clauses=clauses)
    return template


@transaction.atomic
def template_update(
    *, template: LetterTemplate, clauses: Sequence[ClauseText], updated_by, **fields
) -> LetterTemplate:
    """Edit a draft template. A published one is frozen: make a new version instead."""
    campaign_check_permission(user=updated_by, action=CampaignAction.MANAGE_TEMPLATES)
    locked = row_lock(LetterTemplate, pk=template.pk)
    if locked.is_published:
        raise ApplicationError(_("A published template cannot be changed; create a new version."))
    clauses = _clauses_check(clauses)
    for name, value in fields.items():
        if name not in TEMPLATE_TEXT_FIELDS:
            raise TypeError(name)
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    _clauses_write(template=locked, clauses=clauses)
    return locked


@transaction.atomic
def template_publish(*, template: LetterTemplate, published_by) -> LetterTemplate:
    """Freeze a draft template so that campaigns and heads can issue letters from it."""
    campaign_check_permission(user=published_by, action=CampaignAction.MANAGE_TEMPLATES)
    locked = row_lock(LetterTemplate, pk=template.pk)
    if locked.is_published:
        raise ApplicationError(_("This template is already published."))
    if not locked.clauses.exists():
        raise ApplicationError(_("A template needs at least one clause."))
    locked.is_published, locked.published_at = True, clock.now()
    locked.save(update_fields=["is_published", "published_at"])
    return locked


@transaction.atomic
def template_new_version(*, template: LetterTemplate, created_by) -> LetterTemplate:
    """Copy a template into the next draft version of the same family."""
    campaign_check_permission(user=created_by, action=CampaignAction.MANAGE_TEMPLATES)
    latest = LetterTemplate.objects.filter(code=template.code).aggregate(v=Max("version"))["v"]
    copy = LetterTemplate(
        code=template.code,
        version=latest + 1,
        created_by=created_by,
        **{name: getattr(template, name) for name in TEMPLATE_TEXT_FIELDS},
    )
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError:
        raise ApplicationError(
            _("Another new version was created at the same time; reload the page.")
        ) from None
    _clauses_write(
        template=copy,
        clauses=[ClauseText(c.number, c.category, c.text) for c in template.clauses.order_by("number")],
    )
    return copy
