from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisation and accounts")

    def ready(self) -> None:
        from accounts import sessions  # noqa: F401 (a sign-in starts the idle-session clock)
        from accounts.checks import superuser_active_check
        from accounts.roles import roles_sync
        from accounts.security import log as security_log  # noqa: F401 (registers its chain)
        from accounts.security import signals  # noqa: F401 (sign-ins and admin actions into the log)
        from accounts.sso import checks as sso_checks  # noqa: F401 (registers the single sign-on checks)
        from core.audit import audit_heads_ensure

        # After every migrate (and every test-database flush) the role groups match accounts.roles.
        post_migrate.connect(roles_sync, dispatch_uid="accounts.roles_sync")
        checks.register(superuser_active_check, "security", deploy=True)
        # The security log's chain head exists before the first event (no insert race).
        post_migrate.connect(audit_heads_ensure, sender=self, dispatch_uid="accounts.audit_head_ensure")
