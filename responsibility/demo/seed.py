"""Demo data: a city People's Congress standing committee's organs, with letters in every state.

`demo_data_create()` builds, in one transaction, what a new user needs to try every part of the
system: the unit tree, an account for every role, templates (published and draft), last year's closed
campaign (all letters archived) and this year's open one, where letters are issued, signed, returned,
revised, voided, countersigned, archived and cascaded to staff. Every letter state is reached through
the services, by the person who would really do it. The services read the clock, so each step runs
at a plausible moment in the past (`core.clock.at`): the history carries last year's dates and this year's
letters were handed over at the work-style meeting three weeks ago. After the letters, the discipline
inspection team's round of checks (`demo_supervision_create`): a plan with checkpoints, a spot-check
draw, inspections with results and evidence, and findings in every rectification state. Then 一岗双责
(`demo_duties_create`): the common duty tasks, this year's assignments of every leading post, their
confirmations, and performance records with evidence, accepted, awaiting review and returned.

All demo accounts share DEMO_PASSWORD. Never load the demo into a production database: the command
refuses a database that already holds an organisation.
"""

import base64
import datetime
import functools
import hashlib
import io
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from PIL import Image, ImageDraw
from weasyprint import HTML

from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
from accounts.roles import Role
from core import clock
from core.errors import ApplicationError
from core.pdf.engine import ASSETS_URL, AssetsOnlyFetcher, font_configuration
from core.pdf.fonts import (
    font_family_css,
    font_stack_with_presubset,
    pdf_fonts_compact,
    presubset_font_face_css,
    presubset_fonts_dir,
)
from responsibility.duties.models import (
    DutyAssignment,
    DutyTaskTemplate,
    PerformanceRecord,
    Recurrence,
    TaskOccurrence,
)
from responsibility.duties.services import (
    AssignmentInput,
    RecordInput,
    TaskInput,
    duty_assignment_confirm,
    duty_assignment_update,
    duty_assignments_generate,
    duty_task_create,
    performance_record_create,
    performance_record_review,
)
from responsibility.letters.content import ClauseText
from responsibility.letters.models.letters import (
    Campaign,
    ClauseCategory,
    Letter,
    LetterClause,
    LetterStatus,
    LetterTemplate,
    TemplateLevel,
)
from responsibility.letters.services.campaigns import campaign_close, campaign_create, reminder_policy_update
from responsibility.letters.services.issuing import (
    campaign_issue_letters,
    letter_issue_to_staff,
    letter_revise,
)
from responsibility.letters.services.letters import (
    SigningAttestation,
    letter_archive,
    letter_countersign,
    letter_return,
    letter_sign,
    letter_void,
    letters_countersign,
)
from responsibility.letters.services.templates import (
    template_create,
    template_new_version,
    template_publish,
    template_update,
)
from responsibility.letters.signing import (
    CONSENT_TEXT,
    signature_mark_from_drawing,
    signature_mark_from_typed_name,
)
from responsibility.supervision.models import (
    CheckOutcome,
    CheckResult,
    DrawMode,
    Finding,
    Inspection,
    InspectionPlan,
    Rectification,
    Severity,
    SpotCheckDraw,
)
from responsibility.supervision.services.inspections import (
    CheckpointInput,
    DrawInput,
    PlanInput,
    ResultInput,
    check_result_record,
    checkpoint_create,
    inspection_complete,
    inspection_plan_create,
    spot_check_draw,
)
from responsibility.supervision.services.rectifications import (
    FindingInput,
    SubmissionInput,
    finding_record,
    rectification_close,
    rectification_send_back,
    rectification_submit,
    rectification_verify,
    signed_clauses_of_unit,
)

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
    supervision: "DemoSupervision | None" = None
    duties: "DemoDuties | None" = None


def demo_data_present() -> bool:
    """Whether the demo has been loaded into this database already."""
    return OrgUnit.objects.filter(code=DEMO_MARKER_UNIT).exists()


def demo_data_create(*, today: datetime.date | None = None) -> DemoSummary:
    """Build the whole demo in one transaction. Refuses a database that holds another organisation."""
    today = today or clock.today()
    with transaction.atomic():
        superuser_skipped = _database_check_free()
        demo = _Demo(today=today)
        demo.organisation_create(with_superuser=not superuser_skipped)
        demo.templates_create()
        demo.previous_campaign_run()
        demo.current_campaign_run()
        supervision = demo_supervision_create(today=today, users=demo.users, units=demo.units)
        duties = demo_duties_create(today=today, users=demo.users, units=demo.units, posts=demo.posts)
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
        supervision=supervision,
        duties=duties,
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
        with clock.at(self.at(datetime.date(self.year - 1, 1, 8), 10)):
            previous = self._template_create(ORGAN_TEMPLATE_PREVIOUS, year=self.year - 1)
            self.organ_previous = template_publish(template=previous, published_by=office)
        with clock.at(self.days_ago(45, 10)):
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
        with clock.at(self.days_ago(40, 15)):
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
        with clock.at(self.at(datetime.date(year, 1, 15), 9)):
            campaign = campaign_create(
                year=year,
                title=CAMPAIGN_TITLE.format(year=year),
                template=self.organ_previous,
                deadline=datetime.date(year, 3, 31),
                reference_prefix=DEMO_REFERENCE_PREFIX,
                created_by=office,
            )
        meeting = datetime.date(year, 2, 26)
        with clock.at(self.at(meeting, 9, 30)):
            letters = self._bulk_issue(campaign, HEAD_USERNAMES)
        for minute, letter in enumerate(letters.values()):
            self._sign(letter, at=self.at(meeting, 10, minute * 3))
        self._countersign_batch(list(letters.values()), at=self.at(meeting, 11, 30))
        with clock.at(self.at(datetime.date(year, 3, 28), 16)):
            for letter in letters.values():
                letter_archive(letter=letter, archived_by=office, ip_address=OFFICE_IP)
        with clock.at(self.at(datetime.date(year, 12, 30), 17)):
            campaign = campaign_close(campaign=campaign, closed_by=office)
        self.campaigns.append(campaign)

    # This year: the meeting three weeks ago, and everything since --------------------------------

    def current_campaign_run(self) -> None:
        """In time order, so that the audit chain reads like the weeks it records."""
        office = self.users["bangongshi_admin"]
        with clock.at(self.days_ago(30, 9)):
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
        with clock.at(self.days_ago(21, 9, 30)):
            letters = self._bulk_issue(campaign, (*HEAD_USERNAMES, MISTAKEN_SIGNER))
        with clock.at(self.days_ago(21, 10, 15)):
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
        with clock.at(self.days_ago(18, 15, 20)):
            returned = letter_return(
                letter=letters[RETURNING_HEAD],
                returned_by=self.users[RETURNING_HEAD],
                reason=RETURN_REASON,
                ip_address="192.0.2.45",
            )
        with clock.at(self.days_ago(17, 10)):
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

        with clock.at(self.days_ago(16, 9)):
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
        with clock.at(at):
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
        with clock.at(at):
            signer = letter.signer
            return letter_sign(letter=letter, signed_by=signer, attestation=_attestation(letter, signer))

    def _countersign(self, letter: Letter, *, at: datetime.datetime) -> Letter:
        with clock.at(at):
            issuer = letter.issuer
            return letter_countersign(
                letter=letter, countersigned_by=issuer, attestation=_attestation(letter, issuer)
            )

    def _countersign_batch(self, letters: list[Letter], *, at: datetime.datetime) -> list[Letter]:
        """The secretary countersigns many letters at the meeting with one identity check."""
        secretary = self.users["shuji"]
        with clock.at(at):
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
        reauthenticated_at=clock.now(),
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


# --- Supervision: a round of checks, its draw, inspections, findings and rectifications ----------
#
# The discipline inspection team plans this year's round of checks after the work-style meeting,
# draws five of the ten units whose heads sign with the Party Group at a meeting (a real draw: which
# units come up depends on the day the demo is loaded; 机关党委, the only unit of its kind, always
# does), checks them, and follows its findings through rectification. Every step runs through the
# services, by the person who would do it, at a plausible moment of the last three weeks, and the
# steps run in time order so that the supervision audit chain reads like the weeks it records.

SUPERVISION_TITLE = "{year}年度党风廉政建设责任制落实情况监督检查"
SUPERVISION_DESCRIPTION = (
    "按照党组关于全面从严治党的工作部署，派驻纪检监察组对与党组签订{year}年度党风廉政建设责任书的"
    "委办室和机关党委开展监督检查。检查对象和检查人员采取“双随机”方式在抽签会上公开抽取；检查对照"
    "各单位签订的责任书条款，逐项查看主体责任、一岗双责、落实中央八项规定精神、廉政风险防控和问题"
    "整改情况。发现的问题逐项交办、建立整改台账，整改完成并经核实后对账销号。"
)
SUPERVISION_TEAM = ("jijian1", "jijian2")
SUPERVISION_LEADER = "jijian1"  # 组长: plans the round, makes the draw and ticks rectifications off
# The population: the units whose heads sign with the Party Group (nine 委办室 and 机关党委).
SUPERVISION_SCOPE = tuple(a.unit for a in DEMO_ACCOUNTS if a.kind == P.UNIT_HEAD)
SUPERVISION_DRAWN_UNITS = 5  # half of the scope
SUPERVISION_INSPECTORS_PER_UNIT = 1
SUPERVISION_PLANNED_DAYS_AGO = 20
SUPERVISION_DRAWN_DAYS_AGO = 18
# The number read out at the draw meeting: that day's date and the two digits drawn from the box.
SUPERVISION_PUBLIC_VALUE = "{day:%Y%m%d}12"

R = CheckOutcome


@dataclass(frozen=True)
class DemoCheckpoint:
    title: str
    criterion: str
    categories: tuple[str, ...]
    weight: int
    evidence_required: bool


DEMO_CHECKPOINTS = (
    DemoCheckpoint(
        "主体责任落实情况",
        "党风廉政建设与业务工作同部署、同落实、同检查、同考核；年内至少召开两次专题会议研究本单位"
        "党风廉政建设，会议纪要齐全；重要情况、重大问题按程序向党组请示报告；每季度组织集中学习并有记录。",
        (C.PRINCIPAL, C.POLITICAL),
        25,
        True,
    ),
    DemoCheckpoint(
        "一岗双责和责任分解情况",
        "党风廉政建设任务分解到班子成员和各处室，任务、责任人、完成时限和检查方式明确；签订责任书后"
        "三十日内完成与处室负责人和干部的责任书签订，压力层层传递。",
        (C.DUAL_DUTY,),
        20,
        True,
    ),
    DemoCheckpoint(
        "落实中央八项规定精神情况",
        "公务接待、公务用车、会议和视察调研活动符合中央八项规定及其实施细则精神，审批手续完备、"
        "单据相符；调研轻车简从，不搞层层陪同；无违规收受礼品礼金和参加宴请问题。",
        (C.WORK_STYLE, C.SELF_DISCIPLINE),
        25,
        False,
    ),
    DemoCheckpoint(
        "廉政风险防控和制度执行情况",
        "全面排查岗位廉政风险点，逐岗制定防控措施并建立台账；现行制度及时修订完善，财务报销、公文"
        "处理、保密等制度执行到位。",
        (C.RULES,),
        15,
        False,
    ),
    DemoCheckpoint(
        "问题整改和接受监督情况",
        "民主生活会、组织生活会查摆的问题建立整改台账，措施、责任人和时限明确，完成一项、销号一项；"
        "支持配合派驻纪检监察组监督检查，如实提供情况和资料。",
        (C.SUPERVISION,),
        15,
        True,
    ),
)


@dataclass(frozen=True)
class DemoEvidence:
    """A file attached as evidence. Text may name {unit}, {head}, {year} and {date} (the day of the step)."""

    name: str
    title: str = ""
    paragraphs: tuple[str, ...] = ()
    image: bool = False  # a photographed page (PNG) instead of a PDF


MINUTES = DemoEvidence(
    "{unit}党风廉政建设专题会议纪要.pdf",
    "{unit}党风廉政建设专题会议纪要",
    (
        "{year}年，{unit}召开党风廉政建设专题会议，{head}同志主持，班子成员和各处室负责人参加。",
        "会议学习了党组关于全面从严治党的部署要求，听取了班子成员落实一岗双责情况的汇报，分析了本单位"
        "廉政风险点和作风建设方面存在的问题。",
        "会议明确：一、主要负责同志对本单位党风廉政建设负总责，班子成员对分管处室负领导责任；二、对照"
        "责任书逐条细化任务，年底前逐项检查；三、严格落实中央八项规定精神，视察调研轻车简从。",
    ),
)
TASK_LIST = DemoEvidence(
    "{unit}{year}年度党风廉政建设任务分解表.pdf",
    "{unit}{year}年度党风廉政建设任务分解表",
    (
        "一、主要负责同志：对本单位党风廉政建设负总责，每半年听取一次班子成员履责情况汇报。",
        "二、班子成员：落实一岗双责，对分管处室干部开展廉政提醒谈话，每季度检查一次分管工作的廉政风险防控措施。",
        "三、处室负责人：对本处室干部日常教育管理负直接责任，发现苗头性问题及时提醒纠正并报告。",
        "四、全体干部：签订责任书，严守中央八项规定精神和机关各项制度。",
    ),
)
LEDGER = DemoEvidence(
    "{unit}民主生活会查摆问题整改台账.pdf",
    "{unit}民主生活会查摆问题整改台账",
    (
        "1．理论学习联系实际不够。措施：每季度围绕一项立法或监督任务开展专题学习。责任人：{head}。",
        "2．调查研究不够深入。措施：改进调研方式，增加随机走访和暗访。时限：年底前。",
        "3．制度执行有时不够严格。措施：梳理现行制度，修订完善后印发执行。时限：下半年。",
    ),
)
LEDGER_PHOTO = DemoEvidence("{unit}整改台账（照片）.png", image=True)
SIGN_IN_PHOTO = DemoEvidence("{unit}专题会议签到表.png", image=True)
RISK_TABLE_PHOTO = DemoEvidence("{unit}廉政风险点排查表（检查时拍摄）.png", image=True)


def _report(name: str, title: str) -> DemoEvidence:
    """The unit's report of a rectification, addressed to the team; {measures} is what it did."""
    return DemoEvidence(
        name,
        title,
        (
            "派驻纪检监察组：",
            "针对监督检查中指出的问题，{unit}召开会议逐项研究，制定整改措施，明确责任人和完成时限。"
            "现将整改情况报告如下。",
            "{measures}",
            "下一步，我们将把整改成果转化为长效机制，防止同类问题反弹。特此报告。",
            "{unit}　{date}",
        ),
    )


@dataclass(frozen=True)
class DemoCheck:
    checkpoint: int
    outcome: str
    notes: str
    evidence: tuple[DemoEvidence, ...] = ()


@dataclass(frozen=True)
class DemoStep:
    """A later step of a rectification: "submit" (the head), "send_back" or "verify" (the inspector),
    "close" (the team leader). `text` is the measures, the reason or the note."""

    action: str
    days_ago: int
    hour: int
    text: str
    evidence: tuple[DemoEvidence, ...] = ()


@dataclass(frozen=True)
class DemoFinding:
    checkpoint: int  # the result it was found at
    category: str  # the clause breached: the head's newest signed clause of this category ...
    keyword: str  # ... preferring one that mentions this
    severity: str
    title: str
    description: str
    requirement: str
    deadline_in_days: int  # from the day the demo is loaded; negative: already passed
    evidence: tuple[DemoEvidence, ...] = ()
    steps: tuple[DemoStep, ...] = ()


@dataclass(frozen=True)
class DemoInspection:
    checked_days_ago: int  # results recorded from 9:00 that day, findings from 15:00
    checks: tuple[DemoCheck, ...]
    findings: tuple[DemoFinding, ...] = ()
    completed_days_ago: int | None = None  # None: still being checked
    summary: str = ""


# What happens in the units drawn, in the order drawn. The first is always 机关党委 (the only unit of
# its kind, drawn first under "at least one of each kind"); the others depend on the draw.
DEMO_INSPECTIONS = (
    # Completed, three findings: one closed (销号), one verified, one overdue.
    DemoInspection(
        checked_days_ago=16,
        checks=(
            DemoCheck(
                1,
                R.NONCONFORMING,
                "本年度只召开过一次党风廉政建设专题会议，未达到责任书“年内至少两次”的要求；会议未对班子"
                "成员一岗双责任务作出安排。",
                (MINUTES,),
            ),
            DemoCheck(2, R.CONFORMING, "任务分解表已印发，处室负责人和干部的责任书均已签订。", (TASK_LIST,)),
            DemoCheck(
                3,
                R.MOSTLY_CONFORMING,
                "抽查公务接待审批单12份，5份填写不完整；未发现超标准接待和违规宴请。",
            ),
            DemoCheck(4, R.NONCONFORMING, "廉政风险点排查只覆盖领导班子成员，重点岗位未排查。"),
            DemoCheck(5, R.CONFORMING, "民主生活会查摆问题已建立整改台账，完成事项均已销号。", (LEDGER,)),
        ),
        findings=(
            DemoFinding(
                checkpoint=3,
                category=C.WORK_STYLE,
                keyword="八项规定",
                severity=Severity.MINOR,
                title="公务接待审批单填写不规范",
                description="抽查本年度公务接待审批单12份，其中3份未填写接待对象人数，2份缺少分管领导签字，"
                "审批单与接待清单、费用票据不能一一对应。",
                requirement="补齐审批手续；建立审批单、接待清单和费用票据“三单”核对制度，每月核对一次。",
                deadline_in_days=-6,
                steps=(
                    DemoStep(
                        "submit",
                        10,
                        14,
                        "已补齐5份审批单的接待人数和分管领导签字；修订本单位公务接待管理办法，明确每月核对"
                        "审批单、接待清单和费用票据，核对结果报主要负责同志。",
                        (
                            _report(
                                "公务接待审批整改情况报告.pdf",
                                "关于公务接待审批单填写不规范问题的整改情况报告",
                            ),
                        ),
                    ),
                    DemoStep("verify", 8, 10, "抽查近两个月的审批单，填写完整，“三单”相符。"),
                    DemoStep("close", 7, 16, "整改到位，予以销号。"),
                ),
            ),
            DemoFinding(
                checkpoint=1,
                category=C.PRINCIPAL,
                keyword="专题会议",
                severity=Severity.MODERATE,
                title="未按要求召开专题会议研究党风廉政建设工作",
                description="责任书要求年内至少召开两次专题会议研究本单位党风廉政建设，检查时只能提供一次"
                "会议纪要，会议也未对班子成员一岗双责任务作出安排。",
                requirement="召开专题会议研究党风廉政建设工作，对班子成员一岗双责任务作出具体安排，会议纪要"
                "报派驻纪检监察组备案。",
                deadline_in_days=14,
                steps=(
                    DemoStep(
                        "submit",
                        5,
                        16,
                        "已召开本年度第二次党风廉政建设专题会议，听取班子成员一岗双责落实情况汇报，逐人明确"
                        "了分管处室的廉政任务。会议纪要和签到表附后。",
                        (MINUTES, SIGN_IN_PHOTO),
                    ),
                    DemoStep("verify", 2, 11, "会议纪要和签到表已核实，一岗双责任务安排具体。"),
                ),
            ),
            DemoFinding(
                checkpoint=4,
                category=C.RULES,
                keyword="制度",
                severity=Severity.MODERATE,
                title="廉政风险点排查不全面",
                description="岗位廉政风险点排查只覆盖领导班子成员，财务报销、公务接待、物资采购等重点岗位"
                "未排查，已列出的防控措施与岗位职责对应不上。",
                requirement="对全部岗位重新排查廉政风险点，逐岗制定防控措施，更新廉政风险防控台账并报派驻"
                "纪检监察组。",
                deadline_in_days=-4,
                evidence=(RISK_TABLE_PHOTO,),
            ),
        ),
        completed_days_ago=15,
        summary="5个检查点均已检查：符合2项，基本符合1项，不符合2项。发现问题3个，已当场反馈并交办整改。",
    ),
    # Completed, two findings: one submitted (awaiting verification), one sent back and open again.
    DemoInspection(
        checked_days_ago=14,
        checks=(
            DemoCheck(1, R.CONFORMING, "年内已召开两次专题会议研究党风廉政建设，会议纪要齐全。", (MINUTES,)),
            DemoCheck(
                2,
                R.MOSTLY_CONFORMING,
                "任务已分解到班子成员，但清单照搬责任书条款，未结合分管处室业务明确具体任务和时限。",
                (TASK_LIST,),
            ),
            DemoCheck(3, R.CONFORMING, "抽查公务接待、公务用车记录，审批手续完备。"),
            DemoCheck(4, R.CONFORMING, "已完成岗位廉政风险点排查，防控措施逐岗制定。"),
            DemoCheck(
                5,
                R.NONCONFORMING,
                "民主生活会查摆的6个问题中，3项未明确完成时限，已完成的事项未逐项销号。",
                (LEDGER,),
            ),
        ),
        findings=(
            DemoFinding(
                checkpoint=2,
                category=C.DUAL_DUTY,
                keyword="一岗双责",
                severity=Severity.MINOR,
                title="一岗双责任务分解不具体",
                description="班子成员一岗双责任务清单照搬责任书条款，未结合各自分管处室的业务明确具体任务、"
                "完成时限和检查方式。",
                requirement="结合分管处室业务重新分解一岗双责任务，逐项明确任务、时限和检查方式，经专题会议"
                "研究后印发。",
                deadline_in_days=16,
                steps=(
                    DemoStep(
                        "submit",
                        1,
                        10,
                        "已结合分管处室业务重新分解班子成员一岗双责任务，共形成24项具体任务，逐项明确完成"
                        "时限和检查方式，经专题会议研究后印发各处室。",
                        (
                            _report(
                                "一岗双责任务清单整改情况报告.pdf",
                                "关于一岗双责任务分解不具体问题的整改情况报告",
                            ),
                        ),
                    ),
                ),
            ),
            DemoFinding(
                checkpoint=5,
                category=C.SUPERVISION,
                keyword="整改",
                severity=Severity.MODERATE,
                title="民主生活会查摆问题整改未对账销号",
                description="民主生活会查摆的6个问题已建立整改台账，但其中3项未明确完成时限，已完成的事项"
                "没有逐项对账销号，台账长期未更新。",
                requirement="完善整改台账，逐项明确整改措施、责任人和完成时限，完成一项、销号一项，每月更新。",
                deadline_in_days=10,
                steps=(
                    DemoStep(
                        "submit",
                        6,
                        15,
                        "已对整改台账进行完善，逐项明确了责任人。",
                        (LEDGER,),
                    ),
                    DemoStep(
                        "send_back",
                        4,
                        10,
                        "台账中仍有2项未明确完成时限，已完成的事项也未附佐证材料，没有做到完成一项、销号一项。"
                        "请补充完善后重新提交。",
                    ),
                ),
            ),
        ),
        completed_days_ago=13,
        summary="5个检查点均已检查：符合3项，基本符合1项，不符合1项。发现问题2个，已交办整改。",
    ),
    # Completed, one finding due within a week.
    DemoInspection(
        checked_days_ago=10,
        checks=(
            DemoCheck(1, R.CONFORMING, "专题会议、集中学习记录齐全。", (MINUTES,)),
            DemoCheck(2, R.CONFORMING, "任务分解具体，责任书已全部签订。", (TASK_LIST,)),
            DemoCheck(
                3,
                R.MOSTLY_CONFORMING,
                "一次基层视察调研中，被调研单位陪同人员达9人，行程安排了与调研主题无关的参观点。",
            ),
            DemoCheck(4, R.CONFORMING, "风险点排查覆盖全部岗位，防控台账按季度更新。"),
            DemoCheck(5, R.CONFORMING, "整改台账完整，完成事项已销号。", (LEDGER_PHOTO,)),
        ),
        findings=(
            DemoFinding(
                checkpoint=3,
                category=C.WORK_STYLE,
                keyword="调研",
                severity=Severity.MINOR,
                title="视察调研陪同人员偏多",
                description="本年度一次基层视察调研中，被调研单位陪同人员达9人，调研行程安排了与调研主题"
                "无关的参观点，未落实轻车简从的要求。",
                requirement="对照中央八项规定精神开展自查，制定视察调研工作规范，明确陪同人员和行程安排要求，"
                "并在本单位会议上通报。",
                deadline_in_days=5,
            ),
        ),
        completed_days_ago=9,
        summary="5个检查点均已检查：符合4项，基本符合1项。发现问题1个，已交办整改。",
    ),
    # Being checked (two checkpoints so far), one finding on track.
    DemoInspection(
        checked_days_ago=3,
        checks=(
            DemoCheck(
                1,
                R.MOSTLY_CONFORMING,
                "专题会议已召开两次；第二、三季度集中学习未留存学习记录和签到表。",
                (MINUTES,),
            ),
            DemoCheck(2, R.CONFORMING, "任务分解表已印发，责任书已全部签订。", (TASK_LIST,)),
        ),
        findings=(
            DemoFinding(
                checkpoint=1,
                category=C.POLITICAL,
                keyword="学习",
                severity=Severity.MINOR,
                title="集中学习记录不完整",
                description="第二、三季度的集中学习未留存学习记录和签到表，无法反映学习内容和参加人员。",
                requirement="补齐集中学习记录，建立学习台账；今后每季度集中学习后5个工作日内将记录报机关党委。",
                deadline_in_days=27,
            ),
        ),
    ),
    # Drawn, not visited yet.
    DemoInspection(checked_days_ago=0, checks=()),
)


@dataclass
class DemoSupervision:
    """What the supervision demo created, for the command's report."""

    plan: InspectionPlan
    draw: SpotCheckDraw
    inspections: list[Inspection]
    findings: list[Finding]


def demo_supervision_create(
    *, today: datetime.date, users: dict[str, User], units: dict[str, OrgUnit]
) -> DemoSupervision:
    """This year's round of checks, after the letters: plan, draw, inspections, findings, rectifications.

    Overdue and closed rectifications need no clock tricks: each finding is recorded at its moment in
    the past with a deadline that was then in the future (as the service requires), and the days
    since have passed it. So the audit event of each finding names the deadline it really has.
    """
    return _Supervision(today=today, users=users, units=units).run()


class _Supervision:
    def __init__(self, *, today: datetime.date, users: dict[str, User], units: dict[str, OrgUnit]):
        self.today = today
        self.year = today.year
        self.users = users
        self.units = units
        self.leader = users[SUPERVISION_LEADER]
        self.agenda: list[tuple[datetime.datetime, int, functools.partial]] = []
        self.results: dict[tuple[int, int], CheckResult] = {}
        self.findings: dict[tuple[int, int], Finding] = {}

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
        day = self.today - datetime.timedelta(days=days_ago)
        moment = datetime.datetime.combine(day, datetime.time(hour)) + datetime.timedelta(minutes=minute)
        return timezone.make_aware(moment)

    def run(self) -> DemoSupervision:
        plan = self.plan_create()
        draw = self.draw_make(plan)
        inspections = list(draw.inspections.select_related("unit").order_by("position"))
        if len(inspections) != len(DEMO_INSPECTIONS):
            raise ApplicationError(
                f"The demo draw chose {len(inspections)} units, not {len(DEMO_INSPECTIONS)}."
            )
        for inspection, spec in zip(inspections, DEMO_INSPECTIONS, strict=True):
            self._schedule(plan, inspection, spec)
        # Everything after the draw, in time order (one inspection's steps interleave with another's).
        for moment, _order, step in sorted(self.agenda, key=lambda entry: entry[:2]):
            with clock.at(moment):
                step()
        return DemoSupervision(
            plan=plan,
            draw=draw,
            inspections=list(draw.inspections.select_related("unit").order_by("position")),
            findings=list(plan.findings.select_related("unit", "rectification__owner").order_by("number")),
        )

    def plan_create(self) -> InspectionPlan:
        planned = self.at(SUPERVISION_PLANNED_DAYS_AGO, 9, 30)
        with clock.at(planned):
            plan = inspection_plan_create(
                data=PlanInput(
                    year=self.year,
                    title=SUPERVISION_TITLE.format(year=self.year),
                    description=SUPERVISION_DESCRIPTION.format(year=self.year),
                    # March to December; early in a year the round began with the letters, in December.
                    period_start=min(datetime.date(self.year, 3, 1), planned.date()),
                    period_end=datetime.date(self.year, 12, 31),
                    scope=[self.units[code] for code in SUPERVISION_SCOPE],
                    team=[self.users[name] for name in SUPERVISION_TEAM],
                ),
                created_by=self.leader,
            )
            for spec in DEMO_CHECKPOINTS:
                checkpoint_create(
                    plan=plan,
                    data=CheckpointInput(
                        title=spec.title,
                        criterion=spec.criterion,
                        categories=list(spec.categories),
                        weight=spec.weight,
                        evidence_required=spec.evidence_required,
                    ),
                    created_by=self.leader,
                )
        return plan

    def draw_make(self, plan: InspectionPlan) -> SpotCheckDraw:
        drawn = self.at(SUPERVISION_DRAWN_DAYS_AGO, 10)
        with clock.at(drawn):
            return spot_check_draw(
                plan=plan,
                data=DrawInput(
                    mode=DrawMode.COUNT,
                    requested=SUPERVISION_DRAWN_UNITS,
                    by_unit_kind=True,
                    inspectors_per_unit=SUPERVISION_INSPECTORS_PER_UNIT,
                    public_value=SUPERVISION_PUBLIC_VALUE.format(day=drawn.date()),
                ),
                drawn_by=self.leader,
            )

    # Scheduling -----------------------------------------------------------------------------------

    def _later(self, moment: datetime.datetime, function, /, **kwargs) -> None:
        self.agenda.append((moment, len(self.agenda), functools.partial(function, **kwargs)))

    def _schedule(self, plan: InspectionPlan, inspection: Inspection, spec: DemoInspection) -> None:
        inspector = inspection.inspectors.order_by("pk").first()
        head = Post.objects.heads().select_related("holder").get(unit=inspection.unit).holder
        checkpoints = {checkpoint.number: checkpoint for checkpoint in plan.checkpoints.all()}
        context = {"unit": inspection.unit.name, "head": head.full_name, "year": self.year}
        for index, check in enumerate(spec.checks):
            self._later(
                self.at(spec.checked_days_ago, 9, 20 * index),
                self._check_record,
                inspection=inspection,
                checkpoint=checkpoints[check.checkpoint],
                check=check,
                inspector=inspector,
                context=context,
            )
        actors = {"submit": head, "send_back": inspector, "verify": inspector, "close": self.leader}
        for index, finding in enumerate(spec.findings):
            key = (inspection.pk, index)
            self._later(
                self.at(spec.checked_days_ago, 15, 10 * index),
                self._finding_record,
                key=key,
                inspection=inspection,
                spec=finding,
                inspector=inspector,
                head=head,
                context=context,
            )
            for step in finding.steps:
                self._later(
                    self.at(step.days_ago, step.hour),
                    self._rectification_step,
                    key=key,
                    step=step,
                    actor=actors[step.action],
                    context=context,
                )
        if spec.completed_days_ago is not None:
            self._later(
                self.at(spec.completed_days_ago, 10),
                inspection_complete,
                inspection=inspection,
                completed_by=inspector,
                summary=spec.summary,
            )

    # Steps ----------------------------------------------------------------------------------------

    def _check_record(self, *, inspection, checkpoint, check: DemoCheck, inspector, context) -> None:
        self.results[(inspection.pk, checkpoint.number)] = check_result_record(
            inspection=inspection,
            checkpoint=checkpoint,
            data=ResultInput(
                outcome=check.outcome, notes=check.notes, files=self._files(check.evidence, context)
            ),
            recorded_by=inspector,
        )

    def _finding_record(self, *, key, inspection, spec: DemoFinding, inspector, head, context) -> None:
        clause = _clause_breached(unit_id=inspection.unit_id, head=head, spec=spec)
        self.findings[key] = finding_record(
            inspection=inspection,
            data=FindingInput(
                title=spec.title,
                description=spec.description,
                severity=spec.severity,
                clause=clause,
                category=clause.category if clause else spec.category,
                responsible=head,
                owner=head,
                requirement=spec.requirement,
                deadline=self.today + datetime.timedelta(days=spec.deadline_in_days),
                evidence_required=True,
                check_result=self.results.get((inspection.pk, spec.checkpoint)),
                files=self._files(spec.evidence, context),
            ),
            recorded_by=inspector,
        )

    def _rectification_step(self, *, key, step: DemoStep, actor, context) -> None:
        rectification = Rectification.objects.select_related("finding__plan").get(finding=self.findings[key])
        version = rectification.version  # what the page the person acted on carried
        if step.action == "submit":
            files = self._files(step.evidence, {**context, "measures": step.text})
            rectification_submit(
                rectification=rectification,
                data=SubmissionInput(measures=step.text, files=files),
                submitted_by=actor,
                expected_version=version,
            )
        elif step.action == "send_back":
            rectification_send_back(
                rectification=rectification, sent_back_by=actor, reason=step.text, expected_version=version
            )
        elif step.action == "verify":
            rectification_verify(
                rectification=rectification, verified_by=actor, note=step.text, expected_version=version
            )
        elif step.action == "close":
            rectification_close(
                rectification=rectification, closed_by=actor, note=step.text, expected_version=version
            )
        else:
            raise ValueError(f"Unknown demo step {step.action!r}")

    def _files(self, evidence: tuple[DemoEvidence, ...], context: dict) -> list[SimpleUploadedFile]:
        """The files as the browser would upload them; {date} is the day of the step (the clock's)."""
        values = {**context, "date": _chinese_date(clock.today())}
        uploads = []
        for spec in evidence:
            name = spec.name.format(**values)
            if spec.image:
                content, content_type = demo_evidence_png(seed=name), "image/png"
            else:
                content = demo_evidence_pdf(
                    title=spec.title.format(**values),
                    paragraphs=[paragraph.format(**values) for paragraph in spec.paragraphs],
                )
                content_type = "application/pdf"
            uploads.append(SimpleUploadedFile(name, content, content_type=content_type))
        return uploads


def _clause_breached(*, unit_id: int, head: User, spec: DemoFinding) -> LetterClause | None:
    """The clause an inspector would pick: from the head's newest signed letter, of the finding's category."""
    clauses = list(signed_clauses_of_unit(unit_id=unit_id))
    signed_by_head = [clause for clause in clauses if clause.letter.signer_id == head.pk] or clauses
    if not signed_by_head:
        return None
    newest = [clause for clause in signed_by_head if clause.letter_id == signed_by_head[0].letter_id]
    of_category = [clause for clause in newest if clause.category == spec.category] or newest
    return next((clause for clause in of_category if spec.keyword in clause.text), of_category[0])


def _chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- Evidence files --------------------------------------------------------------------------------


def demo_evidence_pdf(*, title: str, paragraphs: list[str]) -> bytes:
    """A short Chinese document as a real PDF, rendered like the letters (WeasyPrint, CJK fonts)."""
    font = font_family_css(font_stack_with_presubset(settings.PDF_FONT_BODY))
    body = format_html_join("", "<p>{}</p>", ((paragraph,) for paragraph in paragraphs))
    html = format_html(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title><style>'
        "{faces} @page {{ size: A4; margin: 30mm 26mm; }} html {{ font-family: {font}; font-size: 15pt; "
        "line-height: 1.8; }} h1 {{ font-size: 20pt; text-align: center; margin-bottom: 1.2em; }} "
        "p {{ text-indent: 2em; margin: 0 0 .4em; }} .demo {{ margin-top: 3em; color: #888; "
        'font-size: 9pt; text-indent: 0; }}</style></head><body><h1>{title}</h1>{body}<p class="demo">'
        "演示数据（manage.py seed_demo 生成）</p></body></html>",
        title=title,
        # Both are inert under escaping: percent-encoded file: URIs and escaped CSS identifiers only.
        faces=presubset_font_face_css(),
        font=font,
        body=body,
    )
    fetcher = AssetsOnlyFetcher(fonts=presubset_fonts_dir())
    return HTML(string=html, base_url=ASSETS_URL, url_fetcher=fetcher).write_pdf(
        font_config=font_configuration(), finisher=pdf_fonts_compact
    )


def demo_evidence_png(*, seed: str, width: int = 640, height: int = 480) -> bytes:
    """A photographed form: a ruled sheet on a desk with a handwritten signature in each row."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    image = Image.new("RGB", (width, height), (121, 96, 74))  # the desk
    sheet = Image.new("RGB", (width - 80, height - 50), (250, 248, 240))
    draw = ImageDraw.Draw(sheet)
    rows, top, line = 9, 50, (70, 70, 70)
    row_height = (sheet.height - top - 20) // rows
    draw.rectangle((30, 14, sheet.width - 30, 34), fill=(60, 60, 60))  # the printed heading
    for row in range(rows + 1):
        y = top + row * row_height
        draw.line((20, y, sheet.width - 20, y), fill=line, width=2)
    for x in (20, 80, 260, sheet.width - 20):
        draw.line((x, top, x, top + rows * row_height), fill=line, width=2)
    for row in range(1, rows):
        mark = Image.open(
            io.BytesIO(
                demo_signature_png(seed=f"{seed}-{row}", characters=rng.randint(2, 3), width=240, height=90)
            )
        )
        mark = mark.resize((int(mark.width * row_height / mark.height), row_height))
        sheet.paste(mark, (300 + rng.randint(-10, 30), top + row * row_height), mark)
    sheet = sheet.rotate(
        rng.uniform(-3, 3), resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(121, 96, 74)
    )
    image.paste(sheet, (40, 25))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# --- 一岗双责: assignments, tasks and performance records ------------------------------------------
#
# The day after the work-style meeting the office generates this year's assignments for every leading
# post (the Party Group, the unit heads and the deputies: 17), with the common tasks of the year,
# rewrites each one's duties in its own words, and adds two tasks of the moment: passing the meeting on
# to the units overseen (due a week after the meeting) and, for the Party Group, hearing the inspection
# team's report on its round of checks (due in five days). Most leaders confirm their assignment; then
# they record what they did (履责纪实), periods already past entered afterwards (补录) with the date
# they did it, and the inspection team accepts or returns the records. Every step runs through the
# services, by the person who would do it, at a moment of the last three weeks, in time order.
#
# The periods fall due on fixed days (month ends; the annual report on 20 December), so what is
# overdue depends on the day the demo is loaded. The states are there on any day but two:
# - on 1 January nothing can be overdue yet (nothing of the year was due before today): the meeting
#   task is due that day (clamped into the year), so its open periods show as due soon instead;
# - from 24 December nothing is "not yet due": every period of the year falls due within seven days.


@dataclass(frozen=True)
class DemoDutyTask:
    title: str
    recurrence: str
    description: str
    summary: str  # what a record says; may name {areas} (the units overseen) and {period}
    participants: str
    times_a_year: int | None = None
    due_month: int | None = None
    due_day: int | None = None


# The common tasks (the same five as tests/responsibility/duties/conftest.py::common_task_templates).
DUTY_TASK_TEMPLATES = (
    DemoDutyTask(
        "听取分管单位党风廉政建设工作汇报",
        Recurrence.QUARTERLY,
        "每季度听取分管单位落实党风廉政建设责任书情况的汇报：一岗双责任务进展、廉政风险防控措施执行、"
        "监督检查和民主生活会查摆问题的整改。对汇报中暴露的问题提出明确要求，列入下季度跟踪事项。",
        "听取{areas}{period}党风廉政建设工作汇报，逐条对照责任书检查落实情况，要求对发现的问题列出清单、"
        "明确责任人和时限，下季度汇报时逐项报告整改结果。",
        "{areas}主要负责同志、班子成员和处室负责人",
    ),
    DemoDutyTask(
        "与分管单位负责人开展廉政谈话",
        Recurrence.HALF_YEARLY,
        "每半年与分管单位主要负责同志和处室负责人开展一次廉政谈话，结合立法调研、执法检查、代表建议"
        "办理等工作中的廉政风险点提醒教育，对苗头性、倾向性问题早发现、早提醒、早纠正。谈话要有记录。",
        "与{areas}负责同志逐一开展{period}廉政谈话，结合执法检查和立法调研中的廉政风险点进行提醒，听取"
        "本人落实中央八项规定精神和廉洁自律情况的说明，谈话记录由本人签字确认。",
        "{areas}主要负责同志和处室负责人",
    ),
    DemoDutyTask(
        "开展廉政风险点排查",
        Recurrence.YEARLY,
        "组织分管单位对照岗位职责，全面排查财务报销、公务接待、法规起草审查、监督检查等环节的廉政风险点，"
        "逐岗制定防控措施，更新廉政风险防控台账，年底前检查措施落实情况。",
        "组织{areas}逐岗排查廉政风险点，重点核对财务报销、公务接待和法规起草审查环节的防控措施，更新廉政"
        "风险防控台账。",
        "{areas}班子成员和处室负责人",
    ),
    DemoDutyTask(
        "专题研究党风廉政建设工作",
        Recurrence.TIMES_A_YEAR,
        "每半年至少一次在分管单位会议上专题研究党风廉政建设：分析廉政形势，部署阶段任务，检查一岗双责"
        "落实情况，形成会议纪要。",
        "主持召开{areas}党风廉政建设专题会议，分析{period}廉政形势，检查一岗双责任务进展，部署下一阶段"
        "工作，形成会议纪要印发执行。",
        "{areas}班子成员和处室负责人",
        times_a_year=2,
    ),
    DemoDutyTask(
        "报送年度履责情况报告",
        Recurrence.ONCE,
        "年底前对照一岗双责分工和责任书条款，总结本人全年履行党风廉政建设责任的情况、存在的不足和下一年"
        "的打算，形成书面报告报党组，作为述责述廉的依据。",
        "对照一岗双责分工和责任书条款总结本人全年履责情况，形成书面报告报党组。",
        "",
        due_month=12,
        due_day=20,
    ),
)

# Added by the office right after generating: the meeting's follow-up, due a week after the meeting.
MEETING_TASK = DemoDutyTask(
    "向分管单位传达机关作风建设会议精神",
    Recurrence.ONCE,
    "作风建设会议后一周内，向分管单位干部传达会议精神和党组关于全面从严治党的部署要求，对照会议提出的"
    "七个方面要求查摆作风方面的突出问题，明确整改措施。",
    "召开会议向{areas}干部传达机关作风建设会议精神和党组部署要求，对照会议提出的要求逐项查摆作风方面"
    "的突出问题，明确了整改措施和完成时限。",
    "{areas}全体干部",
)
MEETING_TASK_DAYS_AFTER_MEETING = 7
# ... and, for the Party Group, hearing the inspection team's report on its round of checks.
BRIEFING_TASK = DemoDutyTask(
    "听取派驻纪检监察组监督检查情况通报",
    Recurrence.ONCE,
    "听取派驻纪检监察组关于分管单位监督检查和随机抽查情况的通报，研究督促分管单位整改发现问题的措施。",
    "",
    "",
)
BRIEFING_TASK_DUE_IN_DAYS = 5

DUTIES_MEETING_DAYS_AGO = 21  # the work-style meeting (see _Demo.current_campaign_run)
DUTIES_GENERATED_DAYS_AGO = 20
DUTY_OFFICE = "bangongshi_admin"

# 分管 for the leading posts that have none (the Party Group members' are in DEMO_ACCOUNTS): the
# secretary leads the whole organ, a head their unit, a deputy a section or two (财经委 has no sections:
# its deputy helps lead the committee's work).
DUTY_OVERSEES = {
    "shuji": ("RD-DZ",),
    "bgs_zhuren": ("RD-BGS",),
    "bgs_fuzhuren": ("RD-BGS-MS", "RD-BGS-ZH"),
    "yjs_zhuren": ("RD-YJS",),
    "fzw_zhuren": ("RD-FGW",),
    "fzw_fuzhuren": ("RD-FGW-FG",),
    "cjw_zhuren": ("RD-CJW",),
    "cjw_fuzhuren": ("RD-CJW",),
    "jkw_zhuren": ("RD-JKW",),
    "nnw_zhuren": ("RD-NNW",),
    "chw_zhuren": ("RD-CHW",),
    "sjw_zhuren": ("RD-SJW",),
    "rxw_zhuren": ("RD-RXW",),
    "jgdw_shuji": ("RD-JGDW",),
}

# The office's wording of each assignment, by kind of post ({areas}: the units overseen).
DUTY_BUSINESS = {
    P.PARTY_SECRETARY: "主持常委会党组和机关全面工作，领导立法、监督、重大事项决定和代表工作。",
    P.PARTY_MEMBER: "协助常委会主任分管{areas}的工作。",
    P.UNIT_HEAD: "主持{areas}全面工作。",
    P.DEPUTY_HEAD: "协助主任分管{areas}的工作。",
}
DUTY_INTEGRITY = {
    P.PARTY_SECRETARY: "履行全面从严治党第一责任人职责，对机关党风廉政建设负总责：主持党组专题研究党风廉政"
    "建设，听取班子成员履行一岗双责情况汇报，支持派驻纪检监察组开展监督，带头落实中央八项规定精神。",
    P.PARTY_MEMBER: "对{areas}的党风廉政建设负领导责任：与分管业务同部署、同落实、同检查、同考核，每季度听取"
    "分管单位汇报，每半年与分管单位负责同志开展廉政谈话，督促分管单位落实责任书、整改监督检查发现的问题。",
    P.UNIT_HEAD: "履行{areas}党风廉政建设第一责任人职责：把党风廉政建设与业务工作一同部署、一同检查，组织"
    "排查廉政风险点，完成与处室负责人和干部的责任书签订，对本单位干部廉洁自律负总责。",
    P.DEPUTY_HEAD: "对{areas}的党风廉政建设负领导责任：结合分管业务开展廉政提醒谈话，督促分管处室落实廉政"
    "风险防控措施，发现苗头性问题及时纠正，并向主要负责同志报告。",
}

# Who has confirmed their assignment (the others, among them the heads who have not signed their
# letter yet, have not).
DUTY_CONFIRMED = (
    "shuji",
    "dangzu1",
    "dangzu2",
    "dangzu3",
    "bgs_zhuren",
    "bgs_fuzhuren",
    "fzw_zhuren",
    "fzw_fuzhuren",
    "cjw_zhuren",
    "jkw_zhuren",
    "jgdw_shuji",
)
DUTY_SILENT = "rxw_zhuren"  # has recorded nothing: every period past due is overdue
DUTY_MEETING_MISSED = "cjw_fuzhuren"  # did not pass the meeting on: overdue
DUTY_LATEST_MISSED = "sjw_zhuren"  # left the latest period past due unrecorded (from April on)
# The meeting record the team returned: the period is open again (overdue from 2 January on).
DUTY_RETURNED = (
    "nnw_zhuren",
    "记录只写了“已传达”，没有说明传达的范围、方式和参加人员，也未附会议记录或签到表。请补充完善后重新提交。",
)
# Returned, then recorded again with the minutes: awaiting review.
DUTY_RESUBMITTED = ("dangzu2", "未附会议记录，参加人员也未列明。请补充后重新提交。")
DUTY_MEETING_PENDING = ("bgs_fuzhuren", "jkw_zhuren")  # meeting records the team has not reviewed yet


@dataclass(frozen=True)
class DemoEarlyRecord:
    """A period recorded before it falls due (awaiting review)."""

    task: str
    evidence: tuple[DemoEvidence, ...]


DUTY_MEETING_MINUTES = DemoEvidence(
    "传达机关作风建设会议精神会议记录（{leader}）.pdf",
    "传达机关作风建设会议精神会议记录",
    (
        "时间：{date}　　主持：{leader}",
        "参加人员：{participants}",
        "会议传达了机关作风建设会议精神和党组关于全面从严治党的部署要求，学习了《中国共产党纪律处分条例》"
        "关于政治纪律和工作纪律的规定。",
        "{leader}同志要求：一、对照会议提出的七个方面要求，逐项查摆作风方面的突出问题；二、把党风廉政建设"
        "与本年度立法、监督和代表工作一同部署、一同检查；三、严格落实中央八项规定精神，视察调研轻车简从。",
    ),
)
DUTY_SIGN_IN = DemoEvidence("{areas}会议签到表（{date}）.png", image=True)
DUTY_REPORT_MINUTES = DemoEvidence(
    "{areas}{period}党风廉政建设工作汇报会记录.pdf",
    "{areas}{period}党风廉政建设工作汇报会记录",
    (
        "时间：{date}　　主持：{leader}",
        "{areas}汇报了{period}落实责任书条款、一岗双责任务和廉政风险防控措施的情况，以及监督检查发现问题的"
        "整改进展。",
        "{leader}同志指出：整改台账要逐项明确措施、责任人和时限，完成一项、销号一项；执法检查和立法调研中"
        "严格执行工作纪律，不向被监督单位提出与履职无关的要求。",
    ),
)
DUTY_STUDY_MINUTES = DemoEvidence(
    "{areas}党风廉政建设专题会议纪要（{period}）.pdf",
    "{areas}党风廉政建设专题会议纪要",
    (
        "{date}，{leader}同志主持召开党风廉政建设专题会议，班子成员和各处室负责人参加。",
        "会议分析了{period}的廉政形势，检查了班子成员一岗双责任务进展，研究了廉政风险防控台账的更新。",
        "会议明确：一、对照责任书逐条细化任务，年底前逐项检查；二、民主生活会查摆问题的整改台账每月更新；"
        "三、重要情况和重大问题按程序向党组请示报告。",
    ),
)
DUTY_TALK_RECORD = DemoEvidence(
    "廉政谈话记录（{areas}，{period}）.pdf",
    "廉政谈话记录",
    (
        "谈话时间：{date}　　谈话人：{leader}",
        "谈话对象：{participants}",
        "谈话围绕落实中央八项规定精神、执法检查和立法调研中的工作纪律、管好身边工作人员等内容进行，"
        "谈话对象逐一说明了本人履行一岗双责和廉洁自律的情况。",
        "谈话人提醒：对苗头性、倾向性问题要早发现、早纠正；对监督检查指出的问题要按期整改到位。",
    ),
)

# Current periods recorded ahead of their due date (awaiting review).
DUTY_EARLY = {
    "shuji": DemoEarlyRecord(DUTY_TASK_TEMPLATES[0].title, (DUTY_REPORT_MINUTES,)),
    "fzw_zhuren": DemoEarlyRecord(DUTY_TASK_TEMPLATES[0].title, (DUTY_REPORT_MINUTES, DUTY_SIGN_IN)),
    "dangzu3": DemoEarlyRecord(DUTY_TASK_TEMPLATES[1].title, (DUTY_TALK_RECORD,)),
    "jgdw_shuji": DemoEarlyRecord(DUTY_TASK_TEMPLATES[3].title, (DUTY_STUDY_MINUTES,)),
}
# Meeting records that carry the minutes (and, for the secretary, the sign-in sheet).
DUTY_MEETING_EVIDENCE = {
    "shuji": (DUTY_MEETING_MINUTES, DUTY_SIGN_IN),
    "dangzu1": (DUTY_MEETING_MINUTES,),
    "dangzu3": (DUTY_MEETING_MINUTES,),
    "bgs_zhuren": (DUTY_MEETING_MINUTES,),
    "fzw_zhuren": (DUTY_MEETING_MINUTES,),
    "cjw_zhuren": (DUTY_MEETING_MINUTES,),
    "jgdw_shuji": (DUTY_MEETING_MINUTES,),
}

QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
HALVES = ("上半年", "下半年")


@dataclass
class DemoDuties:
    """What the 一岗双责 demo created, for the command's report."""

    year: int
    assignments: list[DutyAssignment]
    records: list[PerformanceRecord]


def demo_duties_create(
    *, today: datetime.date, users: dict[str, User], units: dict[str, OrgUnit], posts: dict[str, Post]
) -> DemoDuties:
    """This year's 一岗双责: the common tasks, 分管, the assignments, confirmations and records."""
    return _Duties(today=today, users=users, units=units, posts=posts).run()


class _Duties:
    def __init__(
        self,
        *,
        today: datetime.date,
        users: dict[str, User],
        units: dict[str, OrgUnit],
        posts: dict[str, Post],
    ):
        self.today = today
        self.year = today.year
        self.first_day = datetime.date(self.year, 1, 1)
        self.users = users
        self.units = units
        self.posts = posts
        self.office = users[DUTY_OFFICE]
        self.meeting = today - datetime.timedelta(days=DUTIES_MEETING_DAYS_AGO)
        self.generated = self.at(today - datetime.timedelta(days=DUTIES_GENERATED_DAYS_AGO), 9, 30)
        self.agenda: list[tuple[datetime.datetime, int, functools.partial]] = []
        self.records: dict[int, PerformanceRecord] = {}  # occurrence id → its latest record

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def after(self, moment: datetime.datetime, *, days: int, hour: int) -> datetime.datetime:
        """`days` later at `hour`, but not after today's working day, and always after `moment`."""
        wanted = min(
            self.at(moment.date() + datetime.timedelta(days=days), hour), self.at(self.today, 17, 45)
        )
        return wanted if wanted > moment else moment + datetime.timedelta(minutes=20)

    def in_year(self, day: datetime.date) -> datetime.date:
        return min(max(day, self.first_day), datetime.date(self.year, 12, 31))

    def run(self) -> DemoDuties:
        for index, spec in enumerate(DUTY_TASK_TEMPLATES):
            DutyTaskTemplate.objects.get_or_create(
                title=spec.title,
                defaults={
                    "description": spec.description,
                    "recurrence": spec.recurrence,
                    "times_a_year": spec.times_a_year,
                    "due_month": spec.due_month,
                    "due_day": spec.due_day,
                    "sort_order": (index + 1) * 10,
                },
            )
        for username, codes in DUTY_OVERSEES.items():
            post = self.posts[username]
            if not post.oversees.exists():
                post.oversees.set([self.units[code] for code in codes])

        with clock.at(self.generated):
            created = duty_assignments_generate(year=self.year, generated_by=self.office).created
        assignments = list(
            DutyAssignment.objects.filter(pk__in=[a.pk for a in created])
            .select_related("post", "leader")
            .prefetch_related("oversees")
            .order_by("post__unit__sort_order", "post__sort_order", "pk")
        )
        with clock.at(self.generated + datetime.timedelta(minutes=40)):
            for assignment in assignments:
                self._adjust(assignment)
        for index, assignment in enumerate(assignments):
            self._schedule(index, assignment)
        for moment, _order, step in sorted(self.agenda, key=lambda entry: entry[:2]):
            with clock.at(moment):
                step()
        return DemoDuties(
            year=self.year,
            assignments=list(DutyAssignment.objects.filter(year=self.year).select_related("post", "leader")),
            records=list(PerformanceRecord.objects.filter(occurrence__task__assignment__year=self.year)),
        )

    # The office's part ------------------------------------------------------------------------------

    def _areas(self, assignment: DutyAssignment) -> str:
        if assignment.post.kind == P.PARTY_SECRETARY:
            return "机关各委办室"
        return "、".join(unit.name for unit in assignment.oversees.all())

    def _adjust(self, assignment: DutyAssignment) -> None:
        """The office rewrites the generated wording for the post, and adds the tasks of the moment."""
        areas = self._areas(assignment)
        assignment = duty_assignment_update(
            assignment=assignment,
            data=AssignmentInput(
                business_areas=DUTY_BUSINESS[assignment.post.kind].format(areas=areas),
                integrity_duties=DUTY_INTEGRITY[assignment.post.kind].format(areas=areas),
                oversees=list(assignment.oversees.all()),
                clauses=list(assignment.clauses.all()),
            ),
            updated_by=self.office,
            expected_version=assignment.version,
        )
        due = self.in_year(self.meeting + datetime.timedelta(days=MEETING_TASK_DAYS_AFTER_MEETING))
        tasks = [(MEETING_TASK, due)]
        if assignment.post.kind in (P.PARTY_SECRETARY, P.PARTY_MEMBER):
            tasks.append(
                (BRIEFING_TASK, self.in_year(self.today + datetime.timedelta(days=BRIEFING_TASK_DUE_IN_DAYS)))
            )
        for spec, due_date in tasks:
            duty_task_create(
                assignment=assignment,
                data=TaskInput(
                    title=spec.title,
                    description=spec.description,
                    recurrence=spec.recurrence,
                    due_date=due_date,
                ),
                created_by=self.office,
            )

    # The leaders' and the team's part ---------------------------------------------------------------

    def _later(self, moment: datetime.datetime, function, /, **kwargs) -> None:
        self.agenda.append((moment, len(self.agenda), functools.partial(function, **kwargs)))

    def _schedule(self, index: int, assignment: DutyAssignment) -> None:
        username = assignment.leader.username
        reviewer = self.users[SUPERVISION_TEAM[index % len(SUPERVISION_TEAM)]]
        if username in DUTY_CONFIRMED:
            self._later(
                self.at(self.generated.date() + datetime.timedelta(days=1 + index % 5), 9, 5 * index % 60),
                self._confirm,
                assignment=assignment,
            )
        if username == DUTY_SILENT:
            return
        occurrences = list(
            TaskOccurrence.objects.filter(task__assignment=assignment)
            .select_related("task")
            .order_by("due_date", "task__sort_order", "sequence")
        )
        common = {spec.title for spec in DUTY_TASK_TEMPLATES}
        past = [o for o in occurrences if o.task.title in common and o.due_date < self.today]
        if username == DUTY_LATEST_MISSED and past:
            past.pop()
        for number, occurrence in enumerate(past):
            # Entered afterwards (补录), dated the day it was done, within its period.
            done_on = max(
                occurrence.period_start,
                occurrence.due_date - datetime.timedelta(days=4 + (index + number) % 9),
            )
            self._record_later(
                assignment, occurrence, done_on, stagger=index + number, reviewer=reviewer, review="accept"
            )
        meeting = next(o for o in occurrences if o.task.title == MEETING_TASK.title)
        if username != DUTY_MEETING_MISSED:
            done_on = self.in_year(self.meeting + datetime.timedelta(days=2 + index % 4))
            done_on = min(done_on, meeting.due_date, self.today)
            review = "pending" if username in DUTY_MEETING_PENDING else "accept"
            reason = ""
            if username == DUTY_RETURNED[0]:
                review, reason = "return", DUTY_RETURNED[1]
            elif username == DUTY_RESUBMITTED[0]:
                review, reason = "resubmit", DUTY_RESUBMITTED[1]
            self._record_later(
                assignment,
                meeting,
                done_on,
                stagger=index + len(past),
                reviewer=reviewer,
                review=review,
                reason=reason,
                evidence=DUTY_MEETING_EVIDENCE.get(username, ()),
            )
        early = DUTY_EARLY.get(username)
        if early is not None:
            current = next(
                (
                    o
                    for o in occurrences
                    if o.task.title == early.task and o.period_start <= self.today <= o.due_date
                ),
                None,
            )
            if current is not None:
                done_on = max(current.period_start, self.today - datetime.timedelta(days=2 + index % 3))
                self._record_later(
                    assignment,
                    current,
                    done_on,
                    stagger=index + len(past) + 1,
                    reviewer=reviewer,
                    review="pending",
                    evidence=early.evidence,
                )

    def _record_later(
        self,
        assignment: DutyAssignment,
        occurrence: TaskOccurrence,
        done_on: datetime.date,
        *,
        stagger: int,
        reviewer: User,
        review: str,
        reason: str = "",
        evidence: tuple[DemoEvidence, ...] = (),
    ) -> None:
        """A record and what the team does with it: "accept", "return", "resubmit" (returned, then
        recorded again properly) or "pending" (not reviewed yet). `stagger` spreads the leaders' records
        over the days and hours."""
        # Recorded that afternoon, or (for periods before the assignments existed) just after generation.
        day = max(done_on, self.generated.date() + datetime.timedelta(days=1 + stagger % 3))
        recorded = self.at(day, 14 + stagger % 3, (7 * stagger) % 60)
        if recorded.date() == self.today:  # keep today's steps early in the day
            recorded = self.at(self.today, 8, (7 * stagger) % 30)
        sloppy = review in ("return", "resubmit")  # a line, no one named, no minutes
        self._later(
            recorded,
            self._record,
            assignment=assignment,
            occurrence=occurrence,
            done_on=done_on,
            evidence=() if sloppy else evidence,
            sloppy=sloppy,
        )
        if review == "pending":
            return
        reviewed = self.after(recorded, days=1 + stagger % 2, hour=10 + stagger % 6)
        self._later(
            reviewed,
            self._review,
            occurrence=occurrence,
            reviewer=reviewer,
            accept=review == "accept",
            reason=reason,
        )
        if review == "resubmit":
            self._later(
                self.after(reviewed, days=1, hour=15),
                self._record,
                assignment=assignment,
                occurrence=occurrence,
                done_on=done_on,
                evidence=(DUTY_MEETING_MINUTES,),
                sloppy=False,
            )

    # Steps ----------------------------------------------------------------------------------------

    def _confirm(self, *, assignment: DutyAssignment) -> None:
        assignment = DutyAssignment.objects.get(pk=assignment.pk)  # as the leader's page loads it
        duty_assignment_confirm(
            assignment=assignment, confirmed_by=assignment.leader, expected_version=assignment.version
        )

    def _context(
        self, assignment: DutyAssignment, occurrence: TaskOccurrence, done_on: datetime.date
    ) -> dict:
        task = occurrence.task
        if task.recurrence == Recurrence.QUARTERLY:
            period = QUARTERS[occurrence.sequence - 1]
        elif task.recurrence == Recurrence.HALF_YEARLY or (
            task.recurrence == Recurrence.TIMES_A_YEAR and task.times_a_year == 2
        ):
            period = HALVES[occurrence.sequence - 1]
        else:
            period = "本年度"
        return {
            "areas": self._areas(assignment),
            "period": period,
            "leader": assignment.leader.full_name,
            "date": _chinese_date(done_on),
        }

    def _record(
        self,
        *,
        assignment: DutyAssignment,
        occurrence: TaskOccurrence,
        done_on: datetime.date,
        evidence: tuple[DemoEvidence, ...],
        sloppy: bool,
    ) -> None:
        spec = next(
            spec for spec in (*DUTY_TASK_TEMPLATES, MEETING_TASK) if spec.title == occurrence.task.title
        )
        context = self._context(assignment, occurrence, done_on)
        context["participants"] = spec.participants.format(**context)
        self.records[occurrence.pk] = performance_record_create(
            occurrence=TaskOccurrence.objects.get(pk=occurrence.pk),  # as the leader's page loads it
            data=RecordInput(
                performed_on=done_on,
                summary="已传达。" if sloppy else spec.summary.format(**context),
                participants="" if sloppy else context["participants"],
                files=_demo_uploads(evidence, context),
            ),
            recorded_by=assignment.leader,
        )

    def _review(self, *, occurrence: TaskOccurrence, reviewer: User, accept: bool, reason: str) -> None:
        record = PerformanceRecord.objects.get(pk=self.records[occurrence.pk].pk)  # the page the team opens
        performance_record_review(
            record=record, reviewed_by=reviewer, accept=accept, reason=reason, expected_version=record.version
        )


def _demo_uploads(evidence: tuple[DemoEvidence, ...], values: dict) -> list[SimpleUploadedFile]:
    """The evidence files as the browser would upload them."""
    uploads = []
    for spec in evidence:
        name = spec.name.format(**values)
        if spec.image:
            content, content_type = demo_evidence_png(seed=name), "image/png"
        else:
            content = demo_evidence_pdf(
                title=spec.title.format(**values),
                paragraphs=[paragraph.format(**values) for paragraph in spec.paragraphs],
            )
            content_type = "application/pdf"
        uploads.append(SimpleUploadedFile(name, content, content_type=content_type))
    return uploads
