"""Reads of the organisation."""

from accounts.models import OrgUnit


def org_unit_list_active():
    return OrgUnit.objects.filter(is_active=True)
