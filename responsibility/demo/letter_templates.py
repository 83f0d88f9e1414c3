"""The demo's letter templates: last year's and this year's organ-level text (two versions of one
family), the unit-level text for the cascade to staff, and a draft still under consultation."""

from dataclasses import dataclass

from responsibility.letters.content import ClauseText
from responsibility.letters.models.letters import ClauseCategory, TemplateLevel

C = ClauseCategory


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
