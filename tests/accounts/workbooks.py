"""Organisation workbooks for the import tests, built with openpyxl (no binary fixtures committed)."""

import datetime
import io

from django.contrib.auth.models import Group
from openpyxl import Workbook

from accounts.models import OrgUnit, Post, User

UNIT_HEADER = ["编码", "名称", "上级编码", "类型", "排序"]
USER_HEADER = ["用户名", "姓名", "邮箱"]
# The users sheet of workbooks made before passwords and roles stopped being imported.
OLD_USER_HEADER = ["用户名", "姓名", "邮箱", "初始密码", "角色"]
POST_HEADER = ["单位编码", "职务", "类别", "任职人用户名", "任期开始", "任期结束", "分管单位编码", "排序"]
PASSWORD = "Sign-2026-import"  # what an old workbook put in 初始密码


def good_rows() -> dict[str, list[list]]:
    """A Party Group, a committee with a section, an inspection team, three people and four posts."""
    return {
        "单位": [
            ["PG", "党组", None, "党组", 1],
            ["FGW", "法制工作委员会", None, "委办室", 2],
            ["FGW-FGC", "法规处", "FGW", "处室", 3],
            ["JJZ", "派驻纪检监察组", None, "inspection_team", 4],
        ],
        "人员": [
            ["wangsj", "王书记", "wang@example.org"],
            ["zhangzr", "张主任", None],
            ["lichz", "李处长", "li@example.org"],
        ],
        "岗位": [
            ["PG", "党组书记", "党组书记", "wangsj", datetime.date(2023, 1, 1), None, "FGW", 1],
            ["FGW", "主任", "主要负责人", "zhangzr", "2023-02-01", "2028-01-31", "FGW, FGW-FGC", 1],
            ["FGW-FGC", "处长", "处室负责人", "lichz", None, None, None, 2],
            ["FGW-FGC", "干部", "干部", None, None, None, None, 3],
        ],
    }


HEADERS = {"单位": UNIT_HEADER, "人员": USER_HEADER, "岗位": POST_HEADER}


def workbook_bytes(sheets: dict[str, list[list]], headers: dict[str, list] | None = None) -> bytes:
    """An .xlsx with one sheet per entry: the header row (the standard one unless given), then the rows."""
    headers = {**HEADERS, **(headers or {})}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        worksheet.append(headers.get(name, []))
        for row in rows:
            worksheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def org_counts() -> dict[str, int]:
    """What an import may change, and the roles it may not, counted: a refused file must change none."""
    return {
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "posts": Post.objects.count(),
        "groups": Group.objects.count(),
        "memberships": User.groups.through.objects.count(),
        "oversees": Post.oversees.through.objects.count(),
    }
