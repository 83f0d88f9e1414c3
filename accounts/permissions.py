"""Who may change the organisation (the spreadsheet import), and what every rule above starts from: an
active account."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def org_user_can_import(*, user) -> bool:
    """The organisation (units, users, posts) is the office administrator's, or an API client's holding the
    organisation sync role (the personnel system): importing needs add_orgunit."""
    return user.is_authenticated and user.is_active and user.has_perm("accounts.add_orgunit")


def org_check_import_permission(*, user) -> None:
    if not org_user_can_import(user=user):
        raise PermissionDenied(_("Only the office administrator may import the organisation."))


def user_is_active(user) -> bool:
    """A signed-in, active account: what every rule of access starts from."""
    return user.is_authenticated and user.is_active
