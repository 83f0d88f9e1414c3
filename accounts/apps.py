from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisation and accounts")

    def ready(self) -> None:
        from accounts import sessions  # noqa: F401 (a sign-in starts the idle-session clock)
        from accounts.checks import database_role_check, superuser_active_check
        from accounts.roles import roles_sync
        from accounts.security import log as security_log  # noqa: F401 (registers its chain)
        from accounts.security import signals  # noqa: F401 (sign-ins and admin actions into the log)
        from accounts.sso import checks as sso_checks  # noqa: F401 (registers the single sign-on checks)
        from core import lookups  # noqa: F401 (an id no column can hold matches nothing, on every database)
        from core.audit import audit_heads_ensure
        from core.checks import site_url_check
        from core.forms import text_fields_guard_install

        # Every form's text fields refuse characters that change the direction of text (core.bidi).
        text_fields_guard_install()

        # After every migrate (and every test-database flush) the role groups match accounts.roles.
        post_migrate.connect(roles_sync, dispatch_uid="accounts.roles_sync")
        checks.register(superuser_active_check, "security", deploy=True)
        checks.register(database_role_check, "security", deploy=True)
        # Sealed PDFs, QR codes and emails print the site address: production needs the real one.
        checks.register(site_url_check, "security", deploy=True)
        # The security log's chain head exists before the first event (no insert race).
        post_migrate.connect(audit_heads_ensure, sender=self, dispatch_uid="accounts.audit_head_ensure")
