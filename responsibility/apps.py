from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    name = "responsibility"
    verbose_name = _("Responsibility letters")

    def ready(self) -> None:
        from responsibility.pdf.fonts import pdf_fonts_check
        from responsibility.services.audit import audit_head_ensure

        # Letter PDFs: warn at start-up when WeasyPrint would take the slow path or miss the CJK fonts.
        checks.register(pdf_fonts_check, "responsibility")

        # The audit chain's head row exists before the first event is appended (no insert race).
        post_migrate.connect(audit_head_ensure, sender=self, dispatch_uid="responsibility.audit_head_ensure")
