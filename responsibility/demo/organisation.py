"""The demo organisation: the units of a city People's Congress standing committee's organs, and an
account for every role with the post it holds (all demo accounts share DEMO_PASSWORD)."""

import datetime
from dataclasses import dataclass

from accounts.models import OrgUnitKind, PostKind
from accounts.roles import Role

# One password for every demo account (it passes Django's password validators).
DEMO_PASSWORD = "Demo-2026!"
DEMO_EMAIL_DOMAIN = "demo.invalid"
# The demo's own Party Group unit: when it exists, the demo has been loaded.
DEMO_MARKER_UNIT = "RD-DZ"
TERM_START = datetime.date(2022, 1, 15)  # the current term of the standing committee

K = OrgUnitKind
P = PostKind


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    kind: str = OrgUnitKind.WORKING_BODY
    parent: str | None = None


DEMO_UNITS = (
    DemoUnit("RD-DZ", "党组", K.PARTY_GROUP),
    DemoUnit("RD-BGS", "办公室"),
    DemoUnit("RD-BGS-MS", "秘书处", K.SECTION, "RD-BGS"),
    DemoUnit("RD-BGS-ZH", "综合处", K.SECTION, "RD-BGS"),
    DemoUnit("RD-YJS", "研究室"),
    DemoUnit("RD-FGW", "法制工作委员会"),
    DemoUnit("RD-FGW-FG", "法规处", K.SECTION, "RD-FGW"),
    DemoUnit("RD-CJW", "财政经济工作委员会"),
    DemoUnit("RD-JKW", "教育科学文化卫生工作委员会"),
    DemoUnit("RD-NNW", "农业农村工作委员会"),
    DemoUnit("RD-CHW", "城乡建设环境保护工作委员会"),
    DemoUnit("RD-SJW", "社会建设工作委员会"),
    DemoUnit("RD-RXW", "人事代表选举工作委员会"),
    DemoUnit("RD-JGDW", "机关党委", K.PARTY_COMMITTEE),
    DemoUnit("RD-JJZ", "派驻纪检监察组", K.INSPECTION_TEAM),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    unit: str | None = None  # unit code of the post; None: no post
    title: str = ""
    kind: str = ""
    roles: tuple[Role, ...] = ()
    oversees: tuple[str, ...] = ()  # 分管: unit codes
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"


PG = (Role.PARTY_GROUP,)

# Names with 昇 堃 喆 祎 珺 lie outside GB2312: they test fonts and PDFs.
DEMO_ACCOUNTS = (
    DemoAccount("shuji", "陈永昇", "RD-DZ", "党组书记、常委会主任", P.PARTY_SECRETARY, PG),
    DemoAccount(
        "dangzu1",
        "林晓堃",
        "RD-DZ",
        "党组成员、常委会副主任",
        P.PARTY_MEMBER,
        PG,
        oversees=("RD-FGW", "RD-SJW", "RD-RXW"),
    ),
    DemoAccount(
        "dangzu2",
        "王喆",
        "RD-DZ",
        "党组成员、常委会副主任",
        P.PARTY_MEMBER,
        PG,
        oversees=("RD-CJW", "RD-JKW", "RD-NNW", "RD-CHW"),
    ),
    DemoAccount(
        "dangzu3",
        "孙立群",
        "RD-DZ",
        "党组成员、秘书长",
        P.PARTY_MEMBER,
        PG,
        oversees=("RD-BGS", "RD-YJS", "RD-JGDW"),
    ),
    DemoAccount("bgs_zhuren", "郑海涛", "RD-BGS", "主任", P.UNIT_HEAD),
    DemoAccount("bgs_fuzhuren", "钱宏伟", "RD-BGS", "副主任", P.DEPUTY_HEAD),
    DemoAccount("mishu_chuzhang", "冯雪梅", "RD-BGS-MS", "处长", P.SECTION_CHIEF),
    DemoAccount("mishu_ganbu", "罗思远", "RD-BGS-MS", "一级主任科员", P.STAFF),
    DemoAccount("zonghe_chuzhang", "邓宇航", "RD-BGS-ZH", "处长", P.SECTION_CHIEF),
    DemoAccount("zonghe_ganbu", "曹嘉怡", "RD-BGS-ZH", "二级主任科员", P.STAFF),
    DemoAccount(
        "bangongshi_admin",
        "唐晓燕",
        "RD-BGS-ZH",
        "一级主任科员",
        P.STAFF,
        (Role.OFFICE_ADMIN,),
        is_staff=True,
    ),
    DemoAccount("yjs_zhuren", "何文静", "RD-YJS", "主任", P.UNIT_HEAD),
    DemoAccount("fzw_zhuren", "张祎", "RD-FGW", "主任", P.UNIT_HEAD),
    DemoAccount("fzw_fuzhuren", "韩立新", "RD-FGW", "副主任", P.DEPUTY_HEAD),
    DemoAccount("fagui_chuzhang", "彭晓东", "RD-FGW-FG", "处长", P.SECTION_CHIEF),
    DemoAccount("fagui_ganbu1", "蒋文博", "RD-FGW-FG", "一级主任科员", P.STAFF),
    DemoAccount("fagui_ganbu2", "沈佳琪", "RD-FGW-FG", "四级主任科员", P.STAFF),
    DemoAccount("cjw_zhuren", "李振华", "RD-CJW", "主任", P.UNIT_HEAD),
    DemoAccount("cjw_fuzhuren", "许国栋", "RD-CJW", "副主任", P.DEPUTY_HEAD),
    DemoAccount("jkw_zhuren", "吴敏", "RD-JKW", "主任", P.UNIT_HEAD),
    DemoAccount("nnw_zhuren", "黄志刚", "RD-NNW", "主任", P.UNIT_HEAD),
    DemoAccount("chw_zhuren", "马俊", "RD-CHW", "主任", P.UNIT_HEAD),
    DemoAccount("sjw_zhuren", "杨丽萍", "RD-SJW", "主任", P.UNIT_HEAD),
    DemoAccount("rxw_zhuren", "徐卫东", "RD-RXW", "主任", P.UNIT_HEAD),
    DemoAccount("jgdw_shuji", "胡雅珺", "RD-JGDW", "专职副书记", P.UNIT_HEAD),
    DemoAccount(
        "jijian1", "魏正清", "RD-JJZ", "组长", P.INSPECTOR, (Role.INSPECTION_TEAM, Role.INSPECTION_HEAD)
    ),
    DemoAccount("jijian2", "袁明", "RD-JJZ", "副组长", P.INSPECTOR, (Role.INSPECTION_TEAM,)),
    # 三员分立: the security and audit administrators (the system administrator is bangongshi_admin).
    DemoAccount("anquan_admin", "陆安平", "RD-BGS-ZH", "三级主任科员", P.STAFF, (Role.SECURITY_ADMIN,)),
    DemoAccount("shenji_admin", "秦审之", "RD-BGS-ZH", "四级主任科员", P.STAFF, (Role.AUDIT_ADMIN,)),
    # For installation only: production disables it (manage.py disable_superusers; check --deploy warns).
    DemoAccount("admin", "安装管理员", is_staff=True, is_superuser=True),
)

# The unit heads who sign with the Party Group, in the order of the units.
HEAD_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS if a.kind == P.UNIT_HEAD)
