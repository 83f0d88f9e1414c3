"""Letters in Django's admin, for looking only.

Letters, their clauses, signatures and audit events change only through responsibility.services (which
check permissions, lock rows and append to the audit chain); templates and campaigns are managed on the
application's own pages. So every registration here is read-only: no add, change or delete, for
superusers too.
"""

from django.contrib import admin

from responsibility.letters.models.letters import (
    Campaign,
    Letter,
    LetterClause,
    LetterEvent,
    LetterTemplate,
    Signature,
    TemplateClause,
)


class ReadOnlyAdminMixin:
    """Every field shown, none editable; nothing added or deleted."""

    hidden_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        # Non-editable fields (status, timestamps) are shown too: list them all explicitly.
        return [
            f.name for f in self.model._meta.fields if f.name != "id" and f.name not in self.hidden_fields
        ]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    show_full_result_count = False  # no second COUNT(*) over hundreds of thousands of rows


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


class LetterClauseInline(ReadOnlyTabularInline):
    model = LetterClause
    hidden_fields = ("letter",)


class SignatureInline(ReadOnlyTabularInline):
    model = Signature
    hidden_fields = ("letter", "image_png", "user_agent", "consent_text")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("signed_by").defer("image_png")


class LetterEventInline(ReadOnlyTabularInline):
    model = LetterEvent
    hidden_fields = ("letter", "previous_hash", "hash", "content_hash")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor").order_by("sequence")


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "signer",
        "signer_unit",
        "status",
        "issued_at",
        "signed_at",
        "countersigned_at",
    )
    list_filter = ("campaign", "status")
    search_fields = ("reference", "signer__full_name", "signer__username")
    list_select_related = ("signer", "signer_unit")
    inlines = (LetterClauseInline, SignatureInline, LetterEventInline)


@admin.register(LetterEvent)
class LetterEventAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "letter", "kind", "from_status", "to_status", "actor", "created_at")
    list_filter = ("kind",)
    search_fields = ("letter__reference",)
    list_select_related = ("letter", "actor")
    ordering = ("sequence",)


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    # The drawn image is binary: not rendered here (the letter's own page shows it).
    hidden_fields = ("image_png",)
    list_display = ("letter", "role", "signed_by", "signed_at", "method")
    list_filter = ("role", "method")
    search_fields = ("letter__reference", "signed_by__full_name", "signed_by__username")
    list_select_related = ("letter", "signed_by")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("image_png")


class TemplateClauseInline(ReadOnlyTabularInline):
    model = TemplateClause
    hidden_fields = ("template",)


@admin.register(LetterTemplate)
class LetterTemplateAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "name", "level", "owner_unit", "is_published", "published_at")
    list_filter = ("level", "is_published")
    search_fields = ("code", "name", "title")
    list_select_related = ("owner_unit",)
    inlines = (TemplateClauseInline,)


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("year", "title", "status", "deadline", "template", "reference_prefix")
    list_filter = ("year", "status")
    search_fields = ("title",)
    list_select_related = ("template",)
