"""Matching the rows of the file to the units, users and posts they create or update, and writing them."""

from collections.abc import Iterator
from functools import cached_property

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, Post, User
from accounts.org_import.results import OrgImportCounts, OrgImportResult
from accounts.org_import.rows import _PostRow, _UnitRow, _UserRow
from accounts.org_import.workbook import _Problems, _Sheet
from accounts.roles import Role

_BATCH = 500  # rows per bulk query: under SQLite's and PostgreSQL's bound-parameter limits


def _chunks(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _ImportPlan:
    """The rows of the file matched to the records they create or update."""

    def __init__(self, *, sheets, units, users, posts, imported_by):
        self.sheets: dict[str, _Sheet] = sheets
        self.units: list[_UnitRow] = units
        self.users: list[_UserRow] = users
        self.posts: list[_PostRow] = posts
        self.imported_by: User | None = imported_by
        self.units_by_code: dict[str, OrgUnit] = {}
        self.parent_code_by_pk: dict[int, str | None] = {}
        self.users_by_username: dict[str, User] = {}
        self.password_hashes: dict[str, str] = {}

    @classmethod
    def build(cls, **kwargs) -> "_ImportPlan":
        plan = cls(**kwargs)
        # Every unit (thousands at most): the whole tree is needed to find loops through existing units.
        all_units = list(OrgUnit.objects.all())
        code_by_pk = {unit.pk: unit.code for unit in all_units}
        plan.units_by_code = {unit.code: unit for unit in all_units}
        plan.parent_code_by_pk = {unit.pk: code_by_pk.get(unit.parent_id) for unit in all_units}
        usernames = list({row.username for row in plan.users} | {row.holder_username for row in plan.posts})
        for chunk in _chunks([name for name in usernames if name]):
            for user in User.objects.filter(username__in=chunk):
                plan.users_by_username[user.username] = user
        return plan

    # -- checks --

    def check(self, problems: _Problems) -> None:
        self._check_units(problems)
        self._check_users(problems)
        self._check_posts(problems)

    def _known_unit(self, code: str) -> bool:
        return code in self.units_by_code or code in self.file_unit_codes

    @cached_property
    def file_unit_codes(self) -> set[str]:
        return {row.code for row in self.units if row.code}

    def _check_units(self, problems: _Problems) -> None:
        title = self.sheets["units"].title
        parents: dict[str, str | None] = {
            code: self.parent_code_by_pk[unit.pk] for code, unit in self.units_by_code.items()
        }
        for row in self.units:
            if row.code and self.sheets["units"].has("parent"):
                parents[row.code] = row.parent_code or None
            elif row.code and row.code not in parents:
                parents[row.code] = None
        for row in self.units:
            if row.parent_code and not self._known_unit(row.parent_code):
                problems.add(
                    title,
                    row.row,
                    _("The parent code “%(code)s” is not a known unit.") % {"code": row.parent_code},
                )
        # A new loop always runs through a unit of the file (the stored tree has none), so each loop is
        # reported once, on the row of its first unit in the file.
        reported: set[frozenset[str]] = set()
        for row in self.units:
            if not row.code or row.parent_code == row.code:
                continue  # a unit naming itself as parent is reported when the row is read
            chain, current = [row.code], parents.get(row.code)
            while current is not None and current not in chain:
                chain.append(current)
                current = parents.get(current)
            if current != row.code:
                continue  # no loop, or a loop this unit only leads into
            loop = frozenset(chain)
            if loop not in reported:
                reported.add(loop)
                problems.add(
                    title,
                    row.row,
                    _("The parent units form a loop: %(loop)s.") % {"loop": " → ".join([*chain, row.code])},
                )

    def _check_users(self, problems: _Problems) -> None:
        sheet = self.sheets["users"]
        by = self.imported_by
        for row in self.users:
            if not row.username:
                continue
            existing = self.users_by_username.get(row.username)
            if existing is None:
                if not row.password:
                    problems.add(
                        sheet.title,
                        row.row,
                        _("A new user needs an initial password (column “%(column)s”).")
                        % {"column": sheet.headers.get("password", "初始密码")},
                    )
                else:
                    candidate = User(username=row.username, full_name=row.full_name, email=row.email)
                    try:
                        validate_password(row.password, user=candidate)
                    except ValidationError as error:
                        problems.add(sheet.title, row.row, " ".join(error.messages))
                continue
            if by is None or by.is_superuser:
                continue
            if existing.is_superuser and self._user_changes(existing, row):
                problems.add(
                    sheet.title, row.row, _("Only a superuser may change a superuser's account by import.")
                )
            if (
                existing.pk == by.pk
                and sheet.has("roles")
                and row.roles is not None
                and Role.OFFICE_ADMIN not in row.roles
                and Role.OFFICE_ADMIN in self._role_names(existing)
            ):
                problems.add(sheet.title, row.row, _("You cannot remove your own office administrator role."))

    def _check_posts(self, problems: _Problems) -> None:
        title = self.sheets["posts"].title
        file_usernames = {row.username for row in self.users if row.username}
        first_row: dict[tuple[str, str, str], int] = {}
        for row in self.posts:
            if row.unit_code and not self._known_unit(row.unit_code):
                problems.add(
                    title,
                    row.row,
                    _("The unit code “%(code)s” is not a known unit.") % {"code": row.unit_code},
                )
            if (
                row.holder_username
                and row.holder_username not in file_usernames
                and row.holder_username not in self.users_by_username
            ):
                problems.add(
                    title,
                    row.row,
                    _("The username “%(username)s” is not a known user.") % {"username": row.holder_username},
                )
            for code in row.oversees:
                if not self._known_unit(code):
                    problems.add(
                        title,
                        row.row,
                        _("The overseen unit code “%(code)s” is not a known unit.") % {"code": code},
                    )
            key = (row.unit_code, row.title, row.holder_username)
            if row.unit_code and row.title and key in first_row:
                problems.add(
                    title,
                    row.row,
                    _("The same post (unit, title and holder) appears more than once (first on row %(row)d).")
                    % {"row": first_row[key]},
                )
            first_row.setdefault(key, row.row)

    # -- helpers for both --

    @staticmethod
    def _role_names(user: User) -> set[str]:
        # One query per call: only the guards for superusers and the importing user call it.
        return set(user.groups.filter(name__in=[role.value for role in Role]).values_list("name", flat=True))

    def _user_changes(self, user: User, row: _UserRow) -> bool:
        sheet = self.sheets["users"]
        return (
            user.full_name != row.full_name
            or (sheet.has("email") and user.email != row.email)
            or (sheet.has("roles") and row.roles is not None and self._role_names(user) != row.roles)
        )

    def hash_passwords(self) -> None:
        """Hash new users' passwords before the transaction: hashing is slow on purpose."""
        for row in self.users:
            if row.username not in self.users_by_username:
                self.password_hashes[row.username] = make_password(row.password)

    # -- writing --

    def write(self) -> OrgImportResult:
        units = self._write_units()
        users = self._write_users()
        posts = self._write_posts()
        return OrgImportResult(units=units, users=users, posts=posts)

    def _write_units(self) -> OrgImportCounts:
        sheet = self.sheets["units"]
        new = [
            OrgUnit(code=row.code, name=row.name, kind=row.kind, sort_order=row.sort_order)
            for row in self.units
            if row.code not in self.units_by_code
        ]
        OrgUnit.objects.bulk_create(new, batch_size=_BATCH)
        created_codes = {unit.code for unit in new}
        self.units_by_code.update({unit.code: unit for unit in new})

        changed = []
        for row in self.units:
            unit = self.units_by_code[row.code]
            before = (unit.name, unit.kind, unit.parent_id, unit.sort_order)
            unit.name, unit.kind = row.name, row.kind
            if sheet.has("parent"):
                unit.parent = self.units_by_code[row.parent_code] if row.parent_code else None
            if sheet.has("sort_order"):
                unit.sort_order = row.sort_order
            if (
                unit.name,
                unit.kind,
                unit.parent_id,
                unit.sort_order,
            ) != before or unit.code in created_codes:
                changed.append(unit)
        OrgUnit.objects.bulk_update(changed, ["name", "kind", "parent", "sort_order"], batch_size=_BATCH)
        updated = sum(1 for unit in changed if unit.code not in created_codes)
        return OrgImportCounts(
            created=len(new), updated=updated, unchanged=len(self.units) - len(new) - updated
        )

    def _write_users(self) -> OrgImportCounts:
        sheet = self.sheets["users"]
        new = [
            User(
                username=row.username,
                full_name=row.full_name,
                email=row.email,
                password=self.password_hashes[row.username],
            )
            for row in self.users
            if row.username not in self.users_by_username
        ]
        User.objects.bulk_create(new, batch_size=_BATCH)
        created = {user.username for user in new}

        changed = {}
        for row in self.users:
            user = self.users_by_username.get(row.username)
            if user is None:
                continue
            before = (user.full_name, user.email)
            user.full_name = row.full_name
            if sheet.has("email"):
                user.email = row.email
            if (user.full_name, user.email) != before:
                changed[user.username] = user
        User.objects.bulk_update(list(changed.values()), ["full_name", "email"], batch_size=_BATCH)
        self.users_by_username.update({user.username: user for user in new})

        if sheet.has("roles"):
            changed_roles = self._write_roles()
            changed.update({name: None for name in changed_roles - created})
        return OrgImportCounts(
            created=len(new), updated=len(changed), unchanged=len(self.users) - len(new) - len(changed)
        )

    def _write_roles(self) -> set[str]:
        """Set the listed users' role groups to those in the file (others stay); return who changed."""
        groups = {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}
        role_by_group_pk = {group.pk: name for name, group in groups.items()}
        Membership = User.groups.through
        rows = [row for row in self.users if row.roles is not None]
        user_pks = [self.users_by_username[row.username].pk for row in rows]
        current: dict[int, dict[str, int]] = {}
        for chunk in _chunks(user_pks):
            for pk, user_id, group_id in Membership.objects.filter(
                user_id__in=chunk, group_id__in=role_by_group_pk
            ).values_list("pk", "user_id", "group_id"):
                current.setdefault(user_id, {})[role_by_group_pk[group_id]] = pk
        to_delete, to_add, changed = [], [], set()
        for row in rows:
            user = self.users_by_username[row.username]
            held = current.get(user.pk, {})
            for role, membership_pk in held.items():
                if role not in row.roles:
                    to_delete.append(membership_pk)
            to_add.extend(
                Membership(user_id=user.pk, group_id=groups[role].pk)
                for role in row.roles
                if role not in held
            )
            if set(held) != row.roles:
                changed.add(row.username)
        for chunk in _chunks(to_delete):
            Membership.objects.filter(pk__in=chunk).delete()
        Membership.objects.bulk_create(to_add, batch_size=_BATCH)
        return changed

    def _write_posts(self) -> OrgImportCounts:
        sheet = self.sheets["posts"]
        unit_pks = list({self.units_by_code[row.unit_code].pk for row in self.posts})
        existing: dict[tuple[int, str, int | None], Post] = {}
        for chunk in _chunks(unit_pks):
            for post in Post.objects.filter(unit_id__in=chunk).order_by("pk"):
                existing.setdefault((post.unit_id, post.title, post.holder_id), post)

        def key(row: _PostRow) -> tuple[int, str, int | None]:
            holder = self.users_by_username[row.holder_username] if row.holder_username else None
            return (self.units_by_code[row.unit_code].pk, row.title, holder.pk if holder else None)

        new, changed, matched = [], [], []
        for row in self.posts:
            post = existing.get(key(row))
            if post is None:
                unit_pk, title, holder_pk = key(row)
                post = Post(unit_id=unit_pk, title=title, holder_id=holder_pk)
                new.append(post)
            before = (post.kind, post.term_start, post.term_end, post.sort_order)
            post.kind = row.kind
            if sheet.has("term_start"):
                post.term_start = row.term_start
            if sheet.has("term_end"):
                post.term_end = row.term_end
            if sheet.has("sort_order"):
                post.sort_order = row.sort_order
            if post.pk is not None and (post.kind, post.term_start, post.term_end, post.sort_order) != before:
                changed.append(post)
            matched.append((row, post))
        Post.objects.bulk_create(new, batch_size=_BATCH)
        Post.objects.bulk_update(changed, ["kind", "term_start", "term_end", "sort_order"], batch_size=_BATCH)

        updated = {post.pk for post in changed}
        if sheet.has("oversees"):
            updated |= self._write_oversees(matched) - {post.pk for post in new}
        return OrgImportCounts(
            created=len(new), updated=len(updated), unchanged=len(self.posts) - len(new) - len(updated)
        )

    def _write_oversees(self, matched: list[tuple[_PostRow, Post]]) -> set[int]:
        """Make each post's overseen units exactly those listed. Returns the pks of posts that changed."""
        Oversees = Post.oversees.through
        post_pks = [post.pk for _row, post in matched]
        current: dict[int, dict[int, int]] = {}
        for chunk in _chunks(post_pks):
            for pk, post_id, unit_id in Oversees.objects.filter(post_id__in=chunk).values_list(
                "pk", "post_id", "orgunit_id"
            ):
                current.setdefault(post_id, {})[unit_id] = pk
        to_delete, to_add, changed = [], [], set()
        for row, post in matched:
            wanted = {self.units_by_code[code].pk for code in row.oversees}
            held = current.get(post.pk, {})
            to_delete.extend(pk for unit_pk, pk in held.items() if unit_pk not in wanted)
            to_add.extend(Oversees(post_id=post.pk, orgunit_id=unit_pk) for unit_pk in wanted - set(held))
            if set(held) != wanted:
                changed.add(post.pk)
        for chunk in _chunks(to_delete):
            Oversees.objects.filter(pk__in=chunk).delete()
        Oversees.objects.bulk_create(to_add, batch_size=_BATCH)
        return changed
