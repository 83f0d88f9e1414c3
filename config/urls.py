from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# The administration is named like the rest of the system, not "Django" (its tabs, header and index).
admin.site.site_title = _("Integrity responsibility letters")
admin.site.site_header = _("Integrity responsibility letters · administration")
admin.site.index_title = _("Administration")

# Django 5.2's admin index names the hidden header cells of its tables with strings its own Chinese
# catalog lacks; listed here so that ours translates them (screen readers read them out).
ADMIN_STRINGS_TRANSLATED_HERE = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("responsibility.api.urls")),
    path("", include("responsibility.urls")),
]
