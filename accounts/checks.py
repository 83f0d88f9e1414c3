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


def database_role_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """On PostgreSQL the application runs as a role that owns nothing, or it could drop the triggers."""
    from accounts.database_roles import connected_role

    try:
        role = connected_role()
    except DatabaseError:  # no database yet (a build step): nothing to check
        return []
    if role is None or not (role.is_superuser or role.tables_owned):
        return []
    return [
        checks.Warning(
            _(
                "The application is connected to the database as %(role)s, which is a superuser or owns "
                "its tables: it could switch off or drop the triggers that keep the records permanent."
            )
            % {"role": role.name},
            hint=_(
                "Connect as the application role (DATABASE_URL), made by `manage.py grant_database_roles` "
                "run as the owner after migrate; the owner's URL is for migrations only."
            ),
            id="accounts.W002",
        )
    ]
