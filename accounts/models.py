"""People and the organisation they work in: users, the unit tree and the posts users hold."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: a cadre, an inspector or an office administrator."""

    full_name = models.CharField(_("full name"), max_length=64)
    # Set by a reset the person did not finish themselves (a one-time code): until they choose their own
    # password, every page leads to that form and nothing can be signed.
    password_must_change = models.BooleanField(_("must set a new password"), default=False)
    # The account of an API client (responsibility.api): it has no password, never signs in on a page and
    # is never reset; what it may read comes from the roles the security administrator grants it.
    is_machine = models.BooleanField(_("API client account"), default=False, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username


class OrgUnitKind(models.TextChoices):
    PARTY_GROUP = "party_group", _("Party Group")  # 党组: issues the organ-level letters
    WORKING_BODY = "working_body", _("Committee or office")  # 委办室: signs with the Party Group
    SECTION = "section", _("Section")  # 处室: a section inside a working body
    PARTY_COMMITTEE = "party_committee", _("Organ Party committee")  # 机关党委
    INSPECTION_TEAM = "inspection_team", _("Discipline inspection team")  # 派驻纪检监察组


class OrgUnit(models.Model):
    """A node of the organisation tree: the organ's Party Group, a committee, office or section."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=24, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(name="orgunit_kind_valid", condition=Q(kind__in=OrgUnitKind.values)),
            models.CheckConstraint(name="orgunit_not_own_parent", condition=~Q(parent=models.F("pk"))),
        ]

    def __str__(self) -> str:
        return self.name


class PostKind(models.TextChoices):
    PARTY_SECRETARY = "party_secretary", _("Party Group secretary")  # 党组书记
    PARTY_MEMBER = "party_member", _("Party Group member")  # 党组成员
    UNIT_HEAD = "unit_head", _("Principal head")  # 主要负责同志: signs with the Party Group
    DEPUTY_HEAD = "deputy_head", _("Deputy head")  # 副职
    SECTION_CHIEF = "section_chief", _("Section chief")  # 处室负责人
    STAFF = "staff", _("Staff member")  # 干部
    INSPECTOR = "inspector", _("Inspector")  # 纪检监察组成员


# Posts that lead: they answer for "one post, two responsibilities" in the units they oversee.
LEADING_POST_KINDS = frozenset(
    {PostKind.PARTY_SECRETARY, PostKind.PARTY_MEMBER, PostKind.UNIT_HEAD, PostKind.DEPUTY_HEAD}
)


class PostQuerySet(models.QuerySet):
    def held(self):
        return self.filter(holder__isnull=False, holder__is_active=True)

    def heads(self):
        return self.filter(kind=PostKind.UNIT_HEAD)


class Post(models.Model):
    """A position in a unit (主任, 处长, 党组成员 …), held by one user for a term."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(_("title"), max_length=64)
    kind = models.CharField(_("kind"), max_length=24, choices=PostKind.choices)
    holder = models.ForeignKey(
        User, verbose_name=_("holder"), on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    # 分管: the units whose business and integrity work this post leads.
    oversees = models.ManyToManyField(
        OrgUnit, verbose_name=_("oversees"), blank=True, related_name="overseen_by"
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["unit__sort_order", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(name="post_kind_valid", condition=Q(kind__in=PostKind.values)),
            models.CheckConstraint(
                name="post_term_in_order",
                condition=Q(term_start__isnull=True)
                | Q(term_end__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
            ),
            models.UniqueConstraint(
                fields=["unit", "title", "holder"], name="post_unique_title_holder_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.full_title

    @property
    def full_title(self) -> str:
        """The post as people name it: 法制工作委员会主任. A title that already names its body (党组书记、
        常委会主任 of 党组) is not preceded by the unit's name again."""
        return self.title if self.unit.name in self.title else f"{self.unit.name}{self.title}"

    @property
    def is_leading(self) -> bool:
        return self.kind in LEADING_POST_KINDS


# The chain anchors (链头存证) that hold every audit chain to what it was; the security log and one-time
# codes live with the rest of sign-in security.
from accounts.anchors.models import ChainAnchor  # noqa: E402,F401
from accounts.security.models import ResetCode, SecurityAuditHead, SecurityEvent  # noqa: E402,F401
