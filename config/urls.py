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

# Django's own form messages that REST framework's Chinese catalog words differently (and, as an installed
# app, would put on every page): listed here so that ours keeps Django's wording, the pages' since year one.
DJANGO_STRINGS_KEPT_HERE = (
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Upload a valid image. The file you uploaded was either not an image or a corrupted image."),
    gettext_noop("Value must be valid JSON."),
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("responsibility.api.urls")),
    path("", include("responsibility.urls")),
]
