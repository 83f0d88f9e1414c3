from importlib import import_module

from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    name = "responsibility"
    verbose_name = _("Responsibility letters")

    def ready(self) -> None:
        from core.audit import audit_heads_ensure
        from core.pdf.fonts import pdf_fonts_check
        from responsibility.assessment import audit as assessment_audit  # noqa: F401 (registers its chain)
        from responsibility.assessment import requeue as assessment_requeue  # noqa: F401 (counts queued again)
        from responsibility.assessment import selectors as assessment_selectors  # noqa: F401 (its evidence)
        from responsibility.cadres import audit as cadres_audit  # noqa: F401 (registers its chain)
        from responsibility.cadres import integrity as cadres_integrity  # noqa: F401 (reports and results)
        from responsibility.cadres import reminder_sources as cadres_sources  # noqa: F401
        from responsibility.duties import audit as duties_audit  # noqa: F401 (registers its chain)
        from responsibility.duties import integrity as duty_integrity  # noqa: F401 (sealed reports' check)
        from responsibility.duties import reminder_sources as duty_sources  # noqa: F401

        # Each subdomain registers the reminder sources of its deadlines and who may see its evidence.
        from responsibility.duties import selectors as duty_selectors  # noqa: F401
        from responsibility.duties import verification as duty_verification  # noqa: F401 (its sealed kind)
        from responsibility.duties.services.talks import talk_kinds_ensure
        from responsibility.evidence import integrity as evidence_integrity  # noqa: F401 (its content check)
        from responsibility.letters import audit as letters_audit  # noqa: F401 (registers its chain)
        from responsibility.letters import integrity as letters_integrity  # noqa: F401 (content checks)
        from responsibility.letters import requeue as letters_requeue  # noqa: F401 (work queued again)
        from responsibility.letters import sealed as letters_sealed  # noqa: F401 (a sealed document kind)
        from responsibility.reminders import requeue as reminders_requeue  # noqa: F401 (sends queued again)
        from responsibility.reminders import security_notices  # noqa: F401 (notices in the bell too)
        from responsibility.reminders import sources as letter_sources  # noqa: F401
        from responsibility.supervision import audit as supervision_audit  # noqa: F401 (registers its chain)
        from responsibility.supervision import integrity as supervision_integrity  # noqa: F401 (its reports)
        from responsibility.supervision import reminder_sources as supervision_sources  # noqa: F401
        from responsibility.supervision import selectors as supervision_selectors  # noqa: F401
        from responsibility.supervision import verification as supervision_verification  # noqa: F401 (a kind)
        from responsibility.supervision.services.problems import problem_sources_ensure
        from responsibility.webhooks import requeue as webhooks_requeue  # noqa: F401 (deliveries queued again)
        from responsibility.webhooks import services as webhooks_services  # noqa: F401 (hears announcements)

        # Assessment's and 述责述廉's sealed kinds register after the letters': a letter's code, the common
        # case, is then found by the verification's first queries.
        import_module("responsibility.assessment.verification")
        import_module("responsibility.cadres.verification")

        # Letter PDFs: warn at start-up when WeasyPrint would take the slow path or miss the CJK fonts.
        checks.register(pdf_fonts_check, "responsibility")

        # The audit chain's head row exists before the first event is appended (no insert race).
        post_migrate.connect(audit_heads_ensure, sender=self, dispatch_uid="responsibility.audit_head_ensure")
        # So do the problem sources every installation has (seeded by migration 0022 too).
        post_migrate.connect(
            problem_sources_ensure, sender=self, dispatch_uid="responsibility.problem_sources_ensure"
        )
        # And the kinds of integrity talk (seeded by migration 0038 too).
        post_migrate.connect(talk_kinds_ensure, sender=self, dispatch_uid="responsibility.talk_kinds_ensure")
