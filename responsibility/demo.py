"""Demo data: a city People's Congress standing committee's organs, with letters in every state.

`demo_data_create()` builds, in one transaction, what a new user needs to try every part of the
system: the unit tree, an account for every role, templates (published and draft), last year's closed
campaign (all letters archived) and this year's open one, where letters are issued, signed, returned,
revised, voided, countersigned, archived and cascaded to staff. Every letter state is reached through
the services, by the person who would really do it. The services read the clock, so each step runs
at a plausible moment in the past (`_clock`): the history carries last year's dates and this year's
letters were handed over at the work-style meeting three weeks ago.

All demo accounts share DEMO_PASSWORD. Never load the demo into a production database: the command
refuses a database that already holds an organisation.
"""

import base64
import datetime
import functools
import hashlib
import io
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
from accounts.roles import Role
from responsibility.content import ClauseText
from responsibility.errors import ApplicationError
from responsibility.models import (
    Campaign,
    ClauseCategory,
    Letter,
    LetterStatus,
    LetterTemplate,
    TemplateLevel,
)
from responsibility.services.campaigns import campaign_close, campaign_create
from responsibility.services.issuing import campaign_issue_letters, letter_issue_to_staff, letter_revise
from responsibility.services.letters import (
    SigningAttestation,
    letter_archive,
    letter_countersign,
    letter_return,
    letter_sign,
    letter_void,
    letters_countersign,
)
from responsibility.services.reminders import reminder_policy_update
from responsibility.services.templates import (
    template_create,
    template_new_version,
    template_publish,
    template_update,
)
from responsibility.signing import CONSENT_TEXT, signature_mark_from_drawing, signature_mark_from_typed_name

# One password for every demo account (it passes Django's password validators).
DEMO_PASSWORD = "Demo-2026!"
DEMO_EMAIL_DOMAIN = "demo.invalid"
# The demo's own Party Group unit: when it exists, the demo has been loaded.
DEMO_MARKER_UNIT = "RD-DZ"
DEMO_REFERENCE_PREFIX = "人常廉责"
# This year's campaign reminds 14, 7, 3 and 1 days before its deadline (the default is 7, 3, 1).
DEMO_REMINDER_DAYS_BEFORE = (14, 7, 3, 1)
TERM_START = datetime.date(2022, 1, 15)  # the current term of the standing committee

K = OrgUnitKind
P = PostKind
C = ClauseCategory


# --- The organisation --------------------------------------------------------------------------


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
    DemoAccount("jijian1", "魏正清", "RD-JJZ", "组长", P.INSPECTOR, (Role.INSPECTION_TEAM,)),
    DemoAccount("jijian2", "袁明", "RD-JJZ", "副组长", P.INSPECTOR, (Role.INSPECTION_TEAM,)),
    DemoAccount("admin", "系统管理员", is_staff=True, is_superuser=True),
)

# The unit heads who sign with the Party Group, in the order of the units.
HEAD_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS if a.kind == P.UNIT_HEAD)


# --- Templates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoTemplate:
    code: str
    name: str
    level: str
    title: str
    preamble: str
    closing: str
    issuer_label: str
    signer_label: str
    clauses: tuple[tuple[str, str], ...]
    owner_unit: str | None = None

    def fields(self, year: int) -> dict:
        return {
            "name": self.name.format(year=year),
            "level": self.level,
            "title": self.title.format(year=year),
            "preamble": self.preamble.format(year=year),
            "closing": self.closing.format(year=year),
            "issuer_label": self.issuer_label,
            "signer_label": self.signer_label,
        }

    def clause_texts(self) -> list[ClauseText]:
        return [ClauseText(i, cat, text) for i, (cat, text) in enumerate(self.clauses, start=1)]


ORGAN_TEMPLATE_CODE = "dflz-organ"
ORGAN_ISSUER_LABEL = "甲方（党组）"
ORGAN_SIGNER_LABEL = "乙方（委办室主要负责同志）"

# Last year's organ-level text (version 1 of the family).
ORGAN_TEMPLATE_PREVIOUS = DemoTemplate(
    code=ORGAN_TEMPLATE_CODE,
    name="{year}年度党风廉政建设责任书（党组—委办室）",
    level=TemplateLevel.ORGAN,
    title="{year}年度党风廉政建设责任书",
    preamble=(
        "为落实党风廉政建设责任制，推动全面从严治党向纵深发展，市人大常委会党组（甲方）与各委办室"
        "主要负责同志（乙方）签订本责任书。乙方对本单位党风廉政建设负总责，承诺履行以下责任。"
    ),
    closing=(
        "本责任书自甲乙双方签字之日起生效，有效期至{year}年12月31日，履行情况纳入年度考核。"
        "本责任书一式三份，甲乙双方各执一份，机关党委留存一份。"
    ),
    issuer_label=ORGAN_ISSUER_LABEL,
    signer_label=ORGAN_SIGNER_LABEL,
    clauses=(
        (
            C.POLITICAL,
            "坚持以党的政治建设为统领，组织本单位干部深入学习党的创新理论，树牢政治意识，严守政治纪律和政治规矩。",
        ),
        (
            C.PRINCIPAL,
            "本单位工作中的重大事项、重要情况按规定向党组请示报告，确保党组的各项决策部署在本单位落实到位。",
        ),
        (
            C.PRINCIPAL,
            "把党风廉政建设纳入本单位年度工作总体安排，与立法、监督和代表工作一同部署、一同检查、一同考核。",
        ),
        (
            C.DUAL_DUTY,
            "班子成员落实一岗双责，对分管处室的党风廉政建设负领导责任；年内完成与本单位干部的责任书签订。",
        ),
        (C.WORK_STYLE, "落实中央八项规定精神，改进调查研究，减少陪同和迎送，力戒形式主义、官僚主义。"),
        (C.RULES, "健全本单位内部管理制度，严格执行机关公文、财务、接待、用车等各项规定。"),
        (C.SUPERVISION, "主动接受派驻纪检监察组监督，对监督检查发现的问题认真整改，并向党组报告整改结果。"),
        (
            C.SELF_DISCIPLINE,
            "乙方本人廉洁自律，不利用职务便利为本人或特定关系人谋取利益，管好亲属和身边工作人员。",
        ),
    ),
)

# This year's organ-level text (version 2): the seven tasks of the work-style meeting.
ORGAN_TEMPLATE = DemoTemplate(
    code=ORGAN_TEMPLATE_CODE,
    name="{year}年度党风廉政建设责任书（党组—委办室）",
    level=TemplateLevel.ORGAN,
    title="{year}年度党风廉政建设责任书",
    preamble=(
        "为深入推进全面从严治党，压紧压实管党治党政治责任，推动市人大常委会机关政治建设、作风建设和"
        "廉政建设一体落实，根据党风廉政建设责任制和党组落实全面从严治党主体责任的有关规定，结合机关实际，"
        "市人大常委会党组（甲方）与各委办室主要负责同志（乙方）签订本责任书。乙方是本单位党风廉政建设"
        "第一责任人，对本单位党风廉政建设负总责，承诺履行以下责任。"
    ),
    closing=(
        "本责任书自甲乙双方签字之日起生效，有效期至{year}年12月31日。甲方通过听取汇报、述责述廉和"
        "监督检查等方式了解乙方履责情况，考核结果作为年度考核和评先评优的重要依据；对履责不力、造成"
        "不良影响的，依规依纪追究责任。本责任书一式三份，甲乙双方各执一份，机关党委留存一份。"
    ),
    issuer_label=ORGAN_ISSUER_LABEL,
    signer_label=ORGAN_SIGNER_LABEL,
    clauses=(
        (
            C.POLITICAL,
            "把党的政治建设摆在首位，组织本单位干部系统学习党的创新理论和习近平总书记关于坚持和完善"
            "人民代表大会制度的重要思想，每季度至少安排一次集中学习并做好记录。",
        ),
        (
            C.POLITICAL,
            "严守政治纪律和政治规矩，对照《中国共产党纪律处分条例》关于政治纪律的规定逐条检视本单位工作，"
            "发现的问题列出清单、限期纠正，做到令行禁止、上下一致。",
        ),
        (
            C.PRINCIPAL,
            "坚持党对人大工作的全面领导，本单位承办的立法、监督、重大事项决定和代表工作中的重要情况、"
            "重大问题，按程序及时向党组请示报告，不打折扣、不搞变通。",
        ),
        (
            C.PRINCIPAL,
            "围绕市委中心工作和常委会年度工作要点安排本单位工作，把党风廉政建设与业务工作同部署、同落实、"
            "同检查、同考核，年内至少召开两次专题会议研究本单位党风廉政建设，形成会议纪要。",
        ),
        (
            C.PRINCIPAL,
            "推进工作机关和代表机关建设：立法调研、执法检查和专题询问中严格执行工作纪律，密切同人大代表"
            "和人民群众的联系，认真办理代表建议，不向被监督单位提出与履职无关的要求。",
        ),
        (
            C.DUAL_DUTY,
            "落实一岗双责，将本单位党风廉政建设任务分解到班子成员和各处室，明确责任人和完成时限；签订本"
            "责任书后三十日内，完成与本单位处室负责人和干部的责任书签订。",
        ),
        (
            C.WORK_STYLE,
            "持续落实中央八项规定及其实施细则精神，纠治形式主义、官僚主义：精简会议和文件，视察调研轻车"
            "简从、不搞层层陪同，调研报告提出的建议务求具体可行。",
        ),
        (
            C.WORK_STYLE,
            "对民主生活会、组织生活会查摆的问题建立整改台账，逐项明确措施、责任人和时限，完成一项、销号"
            "一项，年底前向党组书面报告整改情况。",
        ),
        (
            C.RULES,
            "梳理本单位现行工作制度，对与新规定新要求不相适应的及时修订，对存在空白的及时建立；严格按"
            "制度办事，对违反制度的行为按规定处理。",
        ),
        (
            C.SUPERVISION,
            "支持和配合派驻纪检监察组开展监督检查和随机抽查，如实提供情况和资料，对指出的问题按期整改"
            "到位；发现本单位干部违纪违法问题线索及时报告，不隐瞒、不包庇。",
        ),
        (
            C.SELF_DISCIPLINE,
            "乙方本人严于律己，如实报告个人有关事项，管好配偶、子女和身边工作人员；不利用职权或职务影响"
            "为本人和他人谋取利益，不收受可能影响公正履职的礼品、礼金、宴请和消费卡。",
        ),
    ),
)

UNIT_TEMPLATE = DemoTemplate(
    code="dflz-unit",
    name="{year}年度党风廉政建设责任书（委办室—干部）",
    level=TemplateLevel.UNIT,
    title="{year}年度党风廉政建设责任书",
    preamble=(
        "为把党风廉政建设责任落实到每个岗位、每名干部，根据市人大常委会党组与本单位签订的{year}年度"
        "党风廉政建设责任书，本单位主要负责同志（甲方）与处室负责人和干部（乙方）签订本责任书。"
        "乙方承诺履行以下责任。"
    ),
    closing=(
        "本责任书自甲乙双方签字之日起生效，有效期至{year}年12月31日。乙方履行责任情况纳入年度考核"
        "和评先评优。本责任书一式两份，甲乙双方各执一份。"
    ),
    issuer_label="甲方（委办室主要负责同志）",
    signer_label="乙方（处室负责人、干部）",
    clauses=(
        (
            C.POLITICAL,
            "按时参加机关和所在党支部组织的理论学习和组织生活，严守政治纪律和政治规矩，不传播、不附和违背党的理论和路线方针政策的言论。",
        ),
        (
            C.DUAL_DUTY,
            "担任处室负责人的，对本处室干部的廉政教育和日常管理负直接责任，发现苗头性、倾向性问题及时提醒纠正，并向本单位主要负责同志报告。",
        ),
        (
            C.WORK_STYLE,
            "认真完成立法、监督、代表服务等承办任务，起草文稿、开展调研注重质量和实效，不敷衍塞责、不推诿扯皮。",
        ),
        (
            C.RULES,
            "严格执行公文处理、保密、财务报销、公务接待和公务用车等机关管理制度，按程序办事，不越权、不变通。",
        ),
        (
            C.SELF_DISCIPLINE,
            "严守中央八项规定精神，不接受可能影响公正履职的宴请、礼品礼金和消费卡，不参与违规吃喝，不违规操办婚丧喜庆事宜。",
        ),
        (
            C.SELF_DISCIPLINE,
            "妥善保管工作中掌握的信息，不泄露未公开的法规草案、审议意见和监督检查情况，不为他人请托说情、打探消息。",
        ),
        (
            C.SUPERVISION,
            "自觉接受组织监督和群众监督，如实向组织说明情况，积极配合派驻纪检监察组的监督检查，对指出的问题按期整改。",
        ),
    ),
)

# A draft the 法制工作委员会 is still consulting on: shows the unpublished state.
DRAFT_TEMPLATE = DemoTemplate(
    code="dflz-fgw-lifa",
    name="{year}年度立法工作廉政责任书（法工委—立法工作人员）（征求意见稿）",
    level=TemplateLevel.UNIT,
    title="{year}年度立法工作廉政责任书",
    preamble=(
        "为规范立法工作中的权力运行，防止部门利益和不当干预影响立法公正，法制工作委员会主要负责同志"
        "（甲方）与参与法规起草、审查和论证的工作人员（乙方）签订本责任书。乙方承诺履行以下责任。"
    ),
    closing="本责任书自甲乙双方签字之日起生效，有效期至{year}年12月31日。本责任书一式两份，甲乙双方各执一份。",
    issuer_label="甲方（法制工作委员会主任）",
    signer_label="乙方（立法工作人员）",
    owner_unit="RD-FGW",
    clauses=(
        (C.POLITICAL, "坚持党领导立法，法规立项、起草和审议中的重大问题按程序请示报告。"),
        (
            C.SELF_DISCIPLINE,
            "不接受与法规草案有利害关系的单位和个人的宴请、礼品和其他利益，不参加其安排的考察和联谊活动。",
        ),
        (C.SELF_DISCIPLINE, "对未公开的法规草案、审查意见和论证情况严格保密，不向无关人员透露。"),
        (C.RULES, "严格执行立法听证、论证和征求意见的工作规程，如实记录和反映各方意见，不选择性取舍。"),
        (
            C.WORK_STYLE,
            "深入基层开展立法调研，充分听取人大代表、基层立法联系点和群众的意见，不以座谈代替调研。",
        ),
        (C.SUPERVISION, "发现有人以不正当方式影响立法的，及时向本单位主要负责同志和派驻纪检监察组报告。"),
    ),
)

CAMPAIGN_TITLE = "{year}年度党风廉政建设责任书签订"

# The story of this year's campaign (see docs/demo-accounts.md).
MISTAKEN_SIGNER = "bgs_fuzhuren"  # wrongly included in the bulk issue, then voided
VOID_REASON = (
    "误将办公室副主任列入党组签订范围。按照层层签订要求，办公室副主任应与办公室主要负责同志签订"
    "责任书，本件作废。"
)
RETURNING_HEAD = "chw_zhuren"
RETURN_REASON = (
    "第5条将专题询问列为本委工作，但本委今年不承担专题询问任务，牵头的是大气污染防治条例执法检查"
    "和跟踪监督。请按常委会年度工作要点调整表述后重新签发。"
)
REVISED_CLAUSE = (
    5,
    "推进工作机关和代表机关建设：组织好本委牵头的执法检查和跟踪监督，严格执行工作纪律，密切同人大"
    "代表和人民群众的联系，认真办理代表建议，不向被监督单位提出与履职无关的要求。",
)
# Heads who sign at the meeting and are countersigned at once. The office's letter is then archived;
# the office and the 法工委 heads issue letters to their staff. jkw and nnw sign later and wait for the
# secretary's countersignature; yjs, sjw, rxw and chw (revised letter) have not signed yet.
HEADS_COUNTERSIGNED = ("bgs_zhuren", "fzw_zhuren", "cjw_zhuren", "jgdw_shuji")
OFFICE_STAFF = (
    "bgs_fuzhuren",
    "mishu_chuzhang",
    "mishu_ganbu",
    "zonghe_chuzhang",
    "zonghe_ganbu",
    "bangongshi_admin",
)
LEGAL_STAFF = ("fzw_fuzhuren", "fagui_chuzhang", "fagui_ganbu1", "fagui_ganbu2")
OFFICE_IP = "192.0.2.10"  # addresses from the documentation range (RFC 5737)

# Who signs by drawing on the canvas; the others type their name.
DRAWING_SIGNERS = frozenset(
    {
        "shuji",
        "bgs_zhuren",
        "cjw_zhuren",
        "nnw_zhuren",
        "mishu_chuzhang",
        "zonghe_chuzhang",
        "fagui_ganbu2",
        "fzw_zhuren",
        "sjw_zhuren",
    }
)


# --- The builder -------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    """What the demo created, for the command's report."""

    accounts: list[DemoAccount]
    letters_by_status: dict[str, int] = field(default_factory=dict)
    campaigns: list[Campaign] = field(default_factory=list)
    templates: list[LetterTemplate] = field(default_factory=list)
    superuser_skipped: bool = False


def demo_data_present() -> bool:
    """Whether the demo has been loaded into this database already."""
    return OrgUnit.objects.filter(code=DEMO_MARKER_UNIT).exists()


def demo_data_create(*, today: datetime.date | None = None) -> DemoSummary:
    """Build the whole demo in one transaction. Refuses a database that holds another organisation."""
    today = today or timezone.localdate()
    with transaction.atomic():
        superuser_skipped = _database_check_free()
        demo = _Demo(today=today)
        demo.organisation_create(with_superuser=not superuser_skipped)
        demo.templates_create()
        demo.previous_campaign_run()
        demo.current_campaign_run()
        counts = dict(
            Letter.objects.filter(campaign__in=demo.campaigns)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
    return DemoSummary(
        accounts=[a for a in DEMO_ACCOUNTS if not (a.is_superuser and superuser_skipped)],
        letters_by_status={status: counts.get(status, 0) for status in LetterStatus.values},
        campaigns=demo.campaigns,
        templates=demo.templates,
        superuser_skipped=superuser_skipped,
    )


def _database_check_free() -> bool:
    """Refuse to mix the demo into a real organisation. True when a user `admin` exists (kept as is)."""
    if Group.objects.filter(name__in=list(Role)).count() != len(Role):
        raise ApplicationError("The role groups are missing: run `manage.py migrate` first.")
    units = OrgUnit.objects.count()
    if units:
        raise ApplicationError(
            f"This database already holds an organisation ({units} units). "
            "The demo is loaded only into an empty database."
        )
    usernames = [a.username for a in DEMO_ACCOUNTS if not a.is_superuser]
    taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise ApplicationError(f"These usernames are already taken: {', '.join(taken)}.")
    return any(a.is_superuser and User.objects.filter(username=a.username).exists() for a in DEMO_ACCOUNTS)


@contextmanager
def _clock(moment: datetime.datetime) -> Iterator[None]:
    """Run services as if it were `moment`: they stamp timezone.now(), so the history gets real dates."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class _Demo:
    """The organisation and the campaigns, built step by step by the people who would do each step."""

    def __init__(self, *, today: datetime.date):
        self.today = today
        self.year = today.year
        self.units: dict[str, OrgUnit] = {}
        self.users: dict[str, User] = {}
        self.posts: dict[str, Post] = {}
        self.campaigns: list[Campaign] = []
        self.templates: list[LetterTemplate] = []

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def days_ago(self, days: int, hour: int, minute: int = 0) -> datetime.datetime:
        return self.at(self.today - datetime.timedelta(days=days), hour, minute)

    # Organisation ---------------------------------------------------------------------------------

    def organisation_create(self, *, with_superuser: bool) -> None:
        for order, spec in enumerate(DEMO_UNITS, start=1):
            self.units[spec.code] = OrgUnit.objects.create(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                parent=self.units[spec.parent] if spec.parent else None,
                sort_order=order * 10,
            )
        password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
        joined = self.at(datetime.date(self.year - 1, 1, 4), 9)
        groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
        for order, spec in enumerate(DEMO_ACCOUNTS, start=1):
            if spec.is_superuser and not with_superuser:
                continue
            user = User.objects.create(
                username=spec.username,
                full_name=spec.full_name,
                email=spec.email,
                password=password,
                is_staff=spec.is_staff,
                is_superuser=spec.is_superuser,
                date_joined=joined,
            )
            user.groups.add(*(groups[role] for role in spec.roles))
            self.users[spec.username] = user
            if spec.unit:
                post = Post.objects.create(
                    unit=self.units[spec.unit],
                    title=spec.title,
                    kind=spec.kind,
                    holder=user,
                    term_start=TERM_START,
                    sort_order=order,
                )
                post.oversees.set([self.units[code] for code in spec.oversees])
                self.posts[spec.username] = post

    # Templates ------------------------------------------------------------------------------------

    def templates_create(self) -> None:
        office = self.users["bangongshi_admin"]
        with _clock(self.at(datetime.date(self.year - 1, 1, 8), 10)):
            previous = self._template_create(ORGAN_TEMPLATE_PREVIOUS, year=self.year - 1)
            self.organ_previous = template_publish(template=previous, published_by=office)
        with _clock(self.days_ago(45, 10)):
            # This year's text is the next version of last year's family, edited and published.
            draft = template_new_version(template=self.organ_previous, created_by=office)
            self.organ = template_update(
                template=draft,
                clauses=ORGAN_TEMPLATE.clause_texts(),
                updated_by=office,
                **ORGAN_TEMPLATE.fields(self.year),
            )
            self.unit_template = self._template_create(UNIT_TEMPLATE, year=self.year)
            self.draft_template = self._template_create(DRAFT_TEMPLATE, year=self.year)
        with _clock(self.days_ago(40, 15)):
            self.organ = template_publish(template=self.organ, published_by=office)
            self.unit_template = template_publish(template=self.unit_template, published_by=office)
        self.templates = [self.organ_previous, self.organ, self.unit_template, self.draft_template]

    def _template_create(self, spec: DemoTemplate, *, year: int) -> LetterTemplate:
        return template_create(
            code=spec.code,
            clauses=spec.clause_texts(),
            created_by=self.users["bangongshi_admin"],
            owner_unit=self.units[spec.owner_unit] if spec.owner_unit else None,
            **spec.fields(year),
        )

    # Last year: every head signed at the meeting, everything countersigned and archived ----------

    def previous_campaign_run(self) -> None:
        year, office = self.year - 1, self.users["bangongshi_admin"]
        with _clock(self.at(datetime.date(year, 1, 15), 9)):
            campaign = campaign_create(
                year=year,
                title=CAMPAIGN_TITLE.format(year=year),
                template=self.organ_previous,
                deadline=datetime.date(year, 3, 31),
                reference_prefix=DEMO_REFERENCE_PREFIX,
                created_by=office,
            )
        meeting = datetime.date(year, 2, 26)
        with _clock(self.at(meeting, 9, 30)):
            letters = self._bulk_issue(campaign, HEAD_USERNAMES)
        for minute, letter in enumerate(letters.values()):
            self._sign(letter, at=self.at(meeting, 10, minute * 3))
        self._countersign_batch(list(letters.values()), at=self.at(meeting, 11, 30))
        with _clock(self.at(datetime.date(year, 3, 28), 16)):
            for letter in letters.values():
                letter_archive(letter=letter, archived_by=office, ip_address=OFFICE_IP)
        with _clock(self.at(datetime.date(year, 12, 30), 17)):
            campaign = campaign_close(campaign=campaign, closed_by=office)
        self.campaigns.append(campaign)

    # This year: the meeting three weeks ago, and everything since --------------------------------

    def current_campaign_run(self) -> None:
        """In time order, so that the audit chain reads like the weeks it records."""
        office = self.users["bangongshi_admin"]
        with _clock(self.days_ago(30, 9)):
            campaign = campaign_create(
                year=self.year,
                title=CAMPAIGN_TITLE.format(year=self.year),
                template=self.organ,
                deadline=self.today + datetime.timedelta(days=14),
                reference_prefix=DEMO_REFERENCE_PREFIX,
                created_by=office,
            )
            # Reminders from two weeks before the deadline, so that some are due on the day the demo
            # is loaded (the deadline is 14 days ahead), and on weekends too (see docs/demo-accounts.md).
            reminder_policy_update(
                campaign=campaign,
                days_before=list(DEMO_REMINDER_DAYS_BEFORE),
                overdue_every_days=2,
                skip_weekends=False,
                updated_by=office,
            )
        self.campaigns.append(campaign)

        # The meeting: the office issues every head's letter in the secretary's name (one by mistake,
        # voided at once); four heads sign and the secretary countersigns them in one go.
        with _clock(self.days_ago(21, 9, 30)):
            letters = self._bulk_issue(campaign, (*HEAD_USERNAMES, MISTAKEN_SIGNER))
        with _clock(self.days_ago(21, 10, 15)):
            letter_void(
                letter=letters[MISTAKEN_SIGNER], voided_by=office, reason=VOID_REASON, ip_address=OFFICE_IP
            )
        signed = [
            self._sign(letters[name], at=self.days_ago(21, 10, 40 + i))
            for i, name in enumerate(HEADS_COUNTERSIGNED)
        ]
        countersigned = {
            letter.signer.username: letter
            for letter in self._countersign_batch(signed, at=self.days_ago(21, 11, 5))
        }

        # 城环委 returns its letter; the office revises clause 5 and issues version 2.
        with _clock(self.days_ago(18, 15, 20)):
            returned = letter_return(
                letter=letters[RETURNING_HEAD],
                returned_by=self.users[RETURNING_HEAD],
                reason=RETURN_REASON,
                ip_address="192.0.2.45",
            )
        with _clock(self.days_ago(17, 10)):
            number, text = REVISED_CLAUSE
            letter_revise(
                letter=returned,
                revised_by=office,
                title=returned.title,
                preamble=returned.preamble,
                closing=returned.closing,
                clauses=[
                    ClauseText(c.number, c.category, text if c.number == number else c.text)
                    for c in returned.clauses.order_by("number")
                ],
                ip_address=OFFICE_IP,
            )

        with _clock(self.days_ago(16, 9)):
            office_letter = letter_archive(
                letter=countersigned["bgs_zhuren"], archived_by=office, ip_address=OFFICE_IP
            )

        # 层层签订: the office head issues letters to the office's staff ...
        office_staff = self._cascade(office_letter, OFFICE_STAFF, at=self.days_ago(14, 14))
        self._sign(office_staff["bgs_fuzhuren"], at=self.days_ago(13, 11))
        self._sign(office_staff["mishu_chuzhang"], at=self.days_ago(12, 10))
        self._sign(office_staff["zonghe_chuzhang"], at=self.days_ago(12, 11))
        # ... and so does the 法工委 head.
        legal_staff = self._cascade(countersigned["fzw_zhuren"], LEGAL_STAFF, at=self.days_ago(12, 15))
        self._sign(legal_staff["fzw_fuzhuren"], at=self.days_ago(11, 10, 20))
        self._countersign(office_staff["bgs_fuzhuren"], at=self.days_ago(10, 9, 30))
        self._countersign(office_staff["zonghe_chuzhang"], at=self.days_ago(10, 9, 35))
        self._sign(legal_staff["fagui_chuzhang"], at=self.days_ago(9, 16))

        # Two more heads sign later; their letters wait for the secretary's countersignature.
        self._sign(letters["jkw_zhuren"], at=self.days_ago(7, 16, 10))
        self._sign(letters["nnw_zhuren"], at=self.days_ago(5, 8, 50))

        self._sign(legal_staff["fagui_ganbu2"], at=self.days_ago(3, 14, 5))
        self._countersign(legal_staff["fzw_fuzhuren"], at=self.days_ago(2, 17))
        self._countersign(legal_staff["fagui_ganbu2"], at=self.days_ago(2, 17, 2))

    # Steps ----------------------------------------------------------------------------------------

    def _bulk_issue(self, campaign: Campaign, usernames) -> dict[str, Letter]:
        result = campaign_issue_letters(
            campaign=campaign,
            issuer_post=self.posts["shuji"],
            signer_posts=[self.posts[name] for name in usernames],
            issued_by=self.users["bangongshi_admin"],
            ip_address=OFFICE_IP,
        )
        _ensure_nothing_skipped(result.skipped)
        return {letter.signer.username: letter for letter in result.issued}

    def _cascade(self, parent: Letter, usernames, *, at: datetime.datetime) -> dict[str, Letter]:
        with _clock(at):
            result = letter_issue_to_staff(
                parent=parent,
                template=self.unit_template,
                signer_posts=[self.posts[name] for name in usernames],
                issued_by=parent.signer,
                ip_address="192.0.2.30",
            )
        _ensure_nothing_skipped(result.skipped)
        return {letter.signer.username: letter for letter in result.issued}

    def _sign(self, letter: Letter, *, at: datetime.datetime) -> Letter:
        with _clock(at):
            signer = letter.signer
            return letter_sign(letter=letter, signed_by=signer, attestation=_attestation(letter, signer))

    def _countersign(self, letter: Letter, *, at: datetime.datetime) -> Letter:
        with _clock(at):
            issuer = letter.issuer
            return letter_countersign(
                letter=letter, countersigned_by=issuer, attestation=_attestation(letter, issuer)
            )

    def _countersign_batch(self, letters: list[Letter], *, at: datetime.datetime) -> list[Letter]:
        """The secretary countersigns many letters at the meeting with one identity check."""
        secretary = self.users["shuji"]
        with _clock(at):
            result = letters_countersign(
                letters=letters,
                countersigned_by=secretary,
                attestation=_attestation(None, secretary),
                content_hashes_shown={letter.pk: letter.content_hash for letter in letters},
            )
        if result.refused:
            letter, reason = result.refused[0]
            raise ApplicationError(f"The demo could not countersign {letter}: {reason}")
        return result.countersigned


def _ensure_nothing_skipped(skipped) -> None:
    if skipped:
        post, reason = skipped[0]
        raise ApplicationError(f"The demo could not issue a letter to {post}: {reason}")


def _attestation(letter: Letter | None, user: User) -> SigningAttestation:
    """What the browser would send: consent ticked, password re-entered just now, the mark made."""
    if user.username in DRAWING_SIGNERS:
        mark = signature_mark_from_drawing(
            demo_signature_data_url(seed=user.username, characters=len(user.full_name))
        )
    else:
        mark = signature_mark_from_typed_name(user.full_name, user=user)
    return SigningAttestation(
        mark=mark,
        consent_text=CONSENT_TEXT,
        content_hash_shown=letter.content_hash if letter else "",
        reauthenticated_at=timezone.now(),
        ip_address=f"192.0.2.{20 + int(hashlib.sha256(user.username.encode()).hexdigest(), 16) % 200}",
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) demo",
    )


# --- Drawn signatures --------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def demo_signature_data_url(*, seed: str, characters: int = 3) -> str:
    """A handwriting-like signature as the signing canvas would send it (PNG data URL)."""
    return (
        "data:image/png;base64,"
        + base64.b64encode(demo_signature_png(seed=seed, characters=characters)).decode()
    )


def demo_signature_png(*, seed: str, characters: int = 3, width: int = 400, height: int = 150) -> bytes:
    """Cursive pen strokes in dark ink on a transparent background; the same seed draws the same signature."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    scale = 3  # draw large, then scale down: smooth, anti-aliased strokes
    image = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ink = (22, 30, 68, 255)
    cell = min(105.0, (width - 80) / max(characters, 1))
    x, slant = 40.0, 0.22
    for _ in range(max(characters, 1)):
        top, bottom = rng.uniform(22, 34), rng.uniform(100, 115)
        left, right = x, x + cell * rng.uniform(0.8, 0.95)
        for _ in range(rng.randint(2, 3)):  # pen-down paths in one character, running script
            px, py = rng.uniform(left, right), rng.uniform(top, bottom)
            waypoints = []
            for _ in range(rng.randint(4, 7)):
                px, py = _pen_move(rng, px, py, left=left, right=right, top=top, bottom=bottom)
                waypoints.append((px, py))
            path = [((wx + (125 - wy) * slant) * scale, wy * scale) for wx, wy in _spline(waypoints)]
            draw.line(path, fill=ink, width=int(rng.uniform(2.4, 3.4) * scale), joint="curve")
        x = right + cell * 0.08
    start, end = rng.uniform(30, 60), min(x + 20, width - 15)
    flourish = _spline(
        [
            (start, 128),
            ((start + end) / 2, rng.uniform(132, 140)),
            (end, rng.uniform(110, 120)),
            (end - 15, 104),
        ]
    )
    draw.line(
        [(fx * scale, fy * scale) for fx, fy in flourish], fill=ink, width=int(2.2 * scale), joint="curve"
    )
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _pen_move(rng: random.Random, px: float, py: float, *, left, right, top, bottom) -> tuple[float, float]:
    """One stroke of a Chinese character: 横, 竖, 撇, 捺, or a jump to the next stroke."""
    move = rng.choice(("heng", "shu", "pie", "na", "jump"))
    if move == "heng":
        px, py = px + rng.uniform(20, 45), py + rng.uniform(-6, 4)
    elif move == "shu":
        px, py = px + rng.uniform(-5, 5), py + rng.uniform(20, 45)
    elif move == "pie":
        px, py = px - rng.uniform(15, 30), py + rng.uniform(15, 35)
    elif move == "na":
        px, py = px + rng.uniform(15, 30), py + rng.uniform(15, 30)
    else:
        px, py = rng.uniform(left, right), rng.uniform(top, bottom)
    return min(max(px, left - 8), right + 8), min(max(py, top), bottom)


def _spline(points: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through the waypoints: the smooth path of a pen."""
    padded = [points[0], *points, points[-1]]
    curve = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for step in range(steps):
            t = step / steps
            curve.append(
                tuple(
                    0.5
                    * (
                        2 * p1[k]
                        + (p2[k] - p0[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t * t
                        + (3 * p1[k] - p0[k] - 3 * p2[k] + p3[k]) * t * t * t
                    )
                    for k in (0, 1)
                )
            )
    curve.append(points[-1])
    return curve
