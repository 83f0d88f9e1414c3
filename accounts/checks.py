"""Deployment checks of sign-in security (manage.py check --deploy)."""

from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext as _


def superuser_active_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A superuser is for installation only: while one is active, the deployment check warns."""
    from accounts.models import User

    try:
        names = list(
            User.objects.filter(is_superuser=True, is_active=True).values_list("username", flat=True)
        )
    except DatabaseError:  # no database yet (a build step): nothing to check
        return []
    if not names:
        return []
    return [
        checks.Warning(
            _("An active superuser account exists (%(names)s): superusers are for installation only.")
            % {"names": ", ".join(names)},
            hint=_(
                "Grant the first security administrator with `manage.py grant_role`, then disable the "
                "superuser (`manage.py disable_superusers`, or the security administrator's Accounts page)."
            ),
            id="accounts.W001",
        )
    ]
