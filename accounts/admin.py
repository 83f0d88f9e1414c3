"""The organisation in Django's admin: users, the unit tree, posts, and the spreadsheet import page."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import OrgUnit, Post, User
from accounts.org_import import OrgImportError, org_import, org_import_template_workbook
from accounts.org_tree import org_tree
from accounts.permissions import org_user_can_import
from accounts.roles import ROLE_LABELS, Role
from core.http import XLSX_CONTENT_TYPE

# The import page lists this many problems at most; the message says how many there were.
MAX_ERRORS_SHOWN = 500


class UserAddForm(forms.ModelForm):
    """A new person: no password. They choose their own through a reset (a link to their email, or a
    one-time code the security administrator hands over)."""

    class Meta:
        model = User
        fields = ("username", "full_name", "email")

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


# What the administration pages never change, for anyone (superusers included): who signs in and with
# what rights. Roles, enabling, the sign-in name and the email are the security administrator's, through
# services that write the security log and tell the person (accounts.security); nobody sets a password.
USER_READONLY_FIELDS = (
    "username",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "roles",
    "password_must_change",
    "last_login",
    "date_joined",
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "full_name", "email")}),
        (
            gettext_lazy("Sign-in (changed by the security administrator)"),
            {"fields": ("is_active", "is_staff", "is_superuser", "roles", "password_must_change")},
        ),
        (gettext_lazy("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_form = UserAddForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "email")}),)
    list_display = ("username", "full_name", "email", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "full_name", "email")
    ordering = ("username",)
    filter_horizontal = ()

    def get_readonly_fields(self, request, obj=None):
        return USER_READONLY_FIELDS if obj is not None else ()

    @admin.display(description=gettext_lazy("roles"))
    def roles(self, user: User) -> str:
        labels = [
            str(ROLE_LABELS[Role(name)])
            for name in user.groups.values_list("name", flat=True)
            if name in Role._value2member_map_
        ]
        return "、".join(labels) or "—"

    def get_urls(self):
        # Django's "change password" page is not offered: nobody sets another person's password. Its
        # address answers 404 (rather than falling through to the change page's catch-all redirect).
        gone = path("<id>/password/", self.admin_site.admin_view(self.user_change_password))
        return [gone] + [url for url in super().get_urls() if "password" not in str(url.pattern)]

    def user_change_password(self, request, id, form_url=""):
        raise Http404

    def has_delete_permission(self, request, obj=None):
        # People leave by being disabled (their signatures and events keep naming them).
        return False


# Roles are declared in code (accounts.roles) and granted by the security administrator only; second
# factors and lockouts have their own pages. None of these is edited on the administration pages.
for _model in (Group, AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class OrgUnitAdminForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ("code", "name", "kind", "parent", "sort_order", "is_active")

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if (
            parent is not None
            and self.instance.pk is not None
            and parent.pk in org_tree().subtree(self.instance.pk)
        ):
            raise forms.ValidationError(_("A unit cannot be placed below itself or one of its own units."))
        return parent


class OrgImportForm(forms.Form):
    workbook = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx)"),
        help_text=gettext_lazy("An Excel workbook with the sheets 单位, 人员 and 岗位, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    form = OrgUnitAdminForm
    list_display = ("code", "name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="accounts_orgunit_import",
            ),
            path(
                "import/example.xlsx",
                self.admin_site.admin_view(self.import_template_view),
                name="accounts_orgunit_import_template",
            ),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": org_user_can_import(user=request.user)}
        return super().changelist_view(request, extra_context=extra_context)

    def import_view(self, request):
        """Upload a workbook: every row is imported, or nothing is and each problem is listed."""
        if not org_user_can_import(user=request.user):
            raise PermissionDenied
        error_message, errors = "", []
        if request.method == "POST":
            form = OrgImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = org_import(workbook_file=form.cleaned_data["workbook"], imported_by=request.user)
                except OrgImportError as error:
                    error_message, errors = str(error), error.errors
                else:
                    self.message_user(
                        request, _("The organisation was imported.") + " " + " ".join(result.summary())
                    )
                    return redirect("admin:accounts_orgunit_changelist")
        else:
            form = OrgImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import the organisation from a spreadsheet"),
            "form": form,
            "error_message": error_message,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "errors_not_shown": max(0, len(errors) - MAX_ERRORS_SHOWN),
            "template_url": reverse("admin:accounts_orgunit_import_template"),
        }
        return TemplateResponse(request, "admin/accounts/orgunit/import.html", context)

    def import_template_view(self, request):
        if not org_user_can_import(user=request.user):
            raise PermissionDenied
        response = HttpResponse(org_import_template_workbook(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="org-import-example.xlsx"'
        return response


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("unit", "title", "kind", "holder", "term", "sort_order")
    list_filter = ("kind", "unit__kind")
    search_fields = ("title", "unit__code", "unit__name", "holder__username", "holder__full_name")
    list_select_related = ("unit", "holder")
    autocomplete_fields = ("unit", "holder")
    filter_horizontal = ("oversees",)

    @admin.display(description=gettext_lazy("term"), ordering="term_start")
    def term(self, post: Post) -> str:
        if post.term_start is None and post.term_end is None:
            return "—"
        start = post.term_start.isoformat() if post.term_start else ""
        end = post.term_end.isoformat() if post.term_end else ""
        return f"{start} – {end}"
