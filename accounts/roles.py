"""The roles of the system, as Django groups. Their permissions are granted in migrations."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    PARTY_GROUP = "party_group"  # 党组: issues and countersigns organ-level letters
    INSPECTION_TEAM = "inspection_team"  # 纪检监察组: reads every letter; plans and carries out checks
    OFFICE_ADMIN = "office_admin"  # 机关党委/办公室: runs campaigns, templates, the organisation


ROLE_LABELS = {
    Role.PARTY_GROUP: _("Party Group"),
    Role.INSPECTION_TEAM: _("Discipline inspection team"),
    Role.OFFICE_ADMIN: _("Office administrator"),
}

# Model-level permissions each role's group holds. Object grants are made by the services.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.PARTY_GROUP: (
        "responsibility.view_campaign",
        "responsibility.view_inspectionplan",
        "responsibility.view_finding",
        "responsibility.view_dutyassignment",
    ),
    Role.INSPECTION_TEAM: (
        "responsibility.view_letter",
        "responsibility.view_campaign",
        "responsibility.add_inspectionplan",
        "responsibility.view_inspectionplan",
        "responsibility.view_finding",
        "responsibility.verify_rectification",
        "responsibility.view_dutyassignment",
        "responsibility.review_performancerecord",
    ),
    Role.OFFICE_ADMIN: (
        "responsibility.view_letter",
        "responsibility.issue_letter",
        "responsibility.void_letter",
        "responsibility.archive_letter",
        "responsibility.view_campaign",
        "responsibility.add_campaign",
        "responsibility.change_campaign",
        "responsibility.view_lettertemplate",
        "responsibility.add_lettertemplate",
        "responsibility.change_lettertemplate",
        "responsibility.view_reminder",
        "responsibility.resend_reminder",
        "responsibility.view_inspectionplan",
        "responsibility.view_finding",
        "responsibility.view_dutyassignment",
        "responsibility.add_dutyassignment",
        "responsibility.change_dutyassignment",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_orgunit",
        "accounts.add_orgunit",
        "accounts.change_orgunit",
        "accounts.view_post",
        "accounts.add_post",
        "accounts.change_post",
    ),
}


def user_has_role(user, role: Role) -> bool:
    """Whether the user belongs to the role's group (uses the groups prefetched on the user, if any)."""
    return user.is_authenticated and any(group.name == role for group in user.groups.all())


def roles_sync(**kwargs) -> None:
    """Make each role's group hold exactly its declared model-level permissions (run after migrate)."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
