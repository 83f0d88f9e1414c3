from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisation and accounts")

    def ready(self) -> None:
        from accounts.roles import roles_sync

        # After every migrate (and every test-database flush) the role groups match accounts.roles.
        post_migrate.connect(roles_sync, dispatch_uid="accounts.roles_sync")
