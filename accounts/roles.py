"""The roles of the system, as Django groups. Their permissions are granted in migrations."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    PARTY_GROUP = "party_group"  # 党组: issues and countersigns organ-level letters
    INSPECTION_TEAM = "inspection_team"  # 纪检监察组: reads every letter; plans and carries out checks
    INSPECTION_HEAD = "inspection_head"  # 纪检监察组组长: also reads who opened which 廉政档案
    # The three separated administrator duties (三员分立); nobody holds two of them.
    OFFICE_ADMIN = "office_admin"  # 系统管理员 (机关党委/办公室): the organisation, templates, campaigns
    SECURITY_ADMIN = "security_admin"  # 安全管理员: accounts, roles, locks, starting resets
    AUDIT_ADMIN = "audit_admin"  # 审计管理员: reads and exports the security log; changes nothing
    # A machine's only (an API client's account): the personnel system that imports the organisation.
    ORG_SYNC = "org_sync"  # 组织机构同步（接口）


ROLE_LABELS = {
    Role.PARTY_GROUP: _("Party Group"),
    Role.INSPECTION_TEAM: _("Discipline inspection team"),
    Role.INSPECTION_HEAD: _("Head of the discipline inspection team"),
    Role.OFFICE_ADMIN: _("System administrator"),
    Role.SECURITY_ADMIN: _("Security administrator"),
    Role.AUDIT_ADMIN: _("Audit administrator"),
    Role.ORG_SYNC: _("Organisation sync (API client)"),
}

# 三员分立: an account holds at most one of these, and none of them may be granted by its own holder.
ADMINISTRATOR_DUTIES = frozenset({Role.OFFICE_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles granted to an API client's account only, never to a person: the organisation's import through the
# API. A person who imports the organisation is the system administrator (an administrator duty, which a
# machine never holds).
MACHINE_ROLES = frozenset({Role.ORG_SYNC})
# Roles that open Django's administration pages (is_staff follows them).
STAFF_ROLES = frozenset({Role.OFFICE_ADMIN})

# The organisation: units, people's names and posts (what accounts.org_import writes). People's sign-in
# (account name, email, roles, passwords) is the security administrator's, read-only on the administration
# pages.
ORGANISATION_PERMISSIONS = (
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_orgunit",
    "accounts.add_orgunit",
    "accounts.change_orgunit",
    "accounts.view_post",
    "accounts.add_post",
    "accounts.change_post",
)
# Model-level permissions each role's group holds. Object grants are made by the services.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.PARTY_GROUP: (
        "responsibility.view_campaign",
        "responsibility.view_inspectionplan",
        "responsibility.view_finding",
        "responsibility.view_dutyassignment",
        "responsibility.view_talk",
        "responsibility.add_talk",
        "responsibility.view_reportround",
        "responsibility.view_assessmentscheme",
        "responsibility.view_assessmentround",
        "responsibility.approve_assessmentround",
    ),
    Role.INSPECTION_TEAM: (
        "responsibility.view_letter",
        "responsibility.view_campaign",
        "responsibility.add_inspectionplan",
        "responsibility.view_inspectionplan",
        "responsibility.view_finding",
        "responsibility.add_problembatch",
        "responsibility.verify_rectification",
        "responsibility.view_dutyassignment",
        "responsibility.review_performancerecord",
        "responsibility.view_talk",
        "responsibility.add_talk",
        "responsibility.view_reportround",
        "responsibility.review_integrityreport",
        "responsibility.view_assessmentscheme",
        "responsibility.view_assessmentround",
        "responsibility.review_assessmentround",
        "responsibility.view_integrityfile",
        "responsibility.add_filedocument",
        "responsibility.approve_fileaccessrequest",
        "responsibility.view_integrityopinion",
        "responsibility.add_integrityopinion",
    ),
    # Held with the inspection team's role by its head.
    Role.INSPECTION_HEAD: ("responsibility.view_fileopening",),
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
        # Where anybody receives reminders on 企业微信, 钉钉 and SMS (reminders.channel_services).
        "responsibility.change_channeladdress",
        "responsibility.view_inspectionplan",
        "responsibility.view_finding",
        "responsibility.add_problembatch",
        "responsibility.view_dutyassignment",
        "responsibility.add_dutyassignment",
        "responsibility.change_dutyassignment",
        "responsibility.view_reportround",
        "responsibility.add_reportround",
        "responsibility.view_assessmentscheme",
        "responsibility.add_assessmentscheme",
        "responsibility.view_assessmentround",
        "responsibility.add_assessmentround",
        "responsibility.review_assessmentround",
        # API clients (responsibility.api): created and revoked here; their accounts' roles are the
        # security administrator's to grant.
        "responsibility.view_apiclient",
        "responsibility.add_apiclient",
        *ORGANISATION_PERMISSIONS,
    ),
    # The security and audit administrators work on their own pages (accounts.security.permissions);
    # they hold no model permission, so nothing of the domain is theirs to change.
    Role.SECURITY_ADMIN: (),
    Role.AUDIT_ADMIN: (),
    Role.ORG_SYNC: ORGANISATION_PERMISSIONS,
}


def roles_held(user) -> set[str]:
    """The roles the account holds (one query)."""
    return set(user.groups.filter(name__in=[role.value for role in Role]).values_list("name", flat=True))


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
