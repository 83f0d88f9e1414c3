"""Matching the rows of the file to the units, users and posts they create or update, and writing them."""

from collections.abc import Iterator
from functools import cached_property

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, Post, User
from accounts.org_import.results import OrgImportCounts, OrgImportResult
from accounts.org_import.rows import ROLE_WORD, _PostRow, _UnitRow, _UserRow
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
        """The import writes people's names, and the email of new accounts only. Sign-in is the security
        administrator's (三员分立): roles and the email reset links go to are changed through
        accounts.security.services, which log and tell the person. No importer is exempt."""
        sheet = self.sheets["users"]
        by = self.imported_by
        for row in self.users:
            if not row.username:
                continue
            existing = self.users_by_username.get(row.username)
            if sheet.has("roles") and row.roles is not None:
                held = self.held_roles.get(existing.pk, set()) if existing is not None else set()
                if row.roles != held:
                    problems.add(sheet.title, row.row, self._roles_refusal(new=existing is None, held=held))
            if existing is None:
                continue
            if sheet.has("email") and row.email != existing.email:
                problems.add(
                    sheet.title,
                    row.row,
                    _(
                        "The email of an existing account, where its password reset links go, is changed "
                        "only by the security administrator on the 账号管理 page. The account's email now: "
                        "%(email)s; write the same or delete the “%(column)s” column."
                    )
                    % {"email": existing.email or _("(none)"), "column": sheet.headers["email"]},
                )
            if (
                by is not None
                and not by.is_superuser
                and existing.is_superuser
                and existing.full_name != row.full_name
            ):
                problems.add(
                    sheet.title, row.row, _("Only a superuser may change a superuser's account by import.")
                )

    def _roles_refusal(self, *, new: bool, held: set[str]) -> str:
        column = self.sheets["users"].headers["roles"]
        if new:
            return _(
                "Roles are granted by the security administrator on the 账号管理 page, not by import: a new "
                "account starts without roles, so leave “%(column)s” empty."
            ) % {"column": column}
        words = [ROLE_WORD[role] for role in Role if role.value in held]
        return _(
            "Roles are granted by the security administrator on the 账号管理 page, not by import: "
            "“%(column)s” must list the roles this account holds now (%(roles)s), or delete the column."
        ) % {"column": column, "roles": "、".join(words) or _("no roles")}

    @cached_property
    def held_roles(self) -> dict[int, set[str]]:
        """The roles each existing user named in the file holds, by user pk (one query per batch)."""
        Membership = User.groups.through
        held: dict[int, set[str]] = {}
        for chunk in _chunks([user.pk for user in self.users_by_username.values()]):
            for user_id, role in Membership.objects.filter(
                user_id__in=chunk, group__name__in=[role.value for role in Role]
            ).values_list("user_id", "group__name"):
                held.setdefault(user_id, set()).add(role)
        return held

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
        # New people get no usable password: they choose their own, by a reset link sent to their email or a
        # one-time code the security administrator starts. Existing people's sign-in is not touched.
        new = [
            User(
                username=row.username, full_name=row.full_name, email=row.email, password=make_password(None)
            )
            for row in self.users
            if row.username not in self.users_by_username
        ]
        User.objects.bulk_create(new, batch_size=_BATCH)

        changed = []
        for row in self.users:
            user = self.users_by_username.get(row.username)
            if user is not None and user.full_name != row.full_name:
                user.full_name = row.full_name
                changed.append(user)
        User.objects.bulk_update(changed, ["full_name"], batch_size=_BATCH)
        self.users_by_username.update({user.username: user for user in new})
        return OrgImportCounts(
            created=len(new), updated=len(changed), unchanged=len(self.users) - len(new) - len(changed)
        )

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
