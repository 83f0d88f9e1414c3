"""Reads of assessment, already narrowed to what the user may see."""

from django.db.models import Prefetch, QuerySet

from accounts.permissions import user_is_active
from responsibility.assessment.models import AssessmentScheme, SchemeArea, SchemeItem, SchemeStatus
from responsibility.assessment.permissions import scheme_user_can_read_drafts


def scheme_list_visible_to(*, user) -> QuerySet[AssessmentScheme]:
    """The schemes the user may read: every version for those who may read drafts, the published ones
    for anyone else signed in, none for an inactive account."""
    schemes = AssessmentScheme.objects.all()
    if not user_is_active(user):
        return schemes.none()
    if not scheme_user_can_read_drafts(user=user):
        schemes = schemes.filter(status=SchemeStatus.PUBLISHED)
    return schemes


def scheme_with_items(schemes: QuerySet[AssessmentScheme]) -> QuerySet[AssessmentScheme]:
    """Schemes with their areas and each area's items, in order (three queries in all)."""
    return schemes.prefetch_related(
        Prefetch(
            "areas",
            queryset=SchemeArea.objects.order_by("number").prefetch_related(
                Prefetch("items", queryset=SchemeItem.objects.order_by("order"))
            ),
        )
    )
