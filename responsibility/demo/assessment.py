"""The demo's assessment: schemes imported by the office from filled-in spreadsheets as it would, and
two rounds driven through the services as their users would drive them.

Two schemes: the internal 党风廉政建设责任制考核 of each unit (100 points, three of its scoring points
answered by the system from its records), version 1 published and version 2 a draft being revised; and a
scheme shaped like the province's in the work-style speech (4 areas, 70 scoring points of a point each,
7 bonus items), published.

Rounds of the unit scheme: last year's, closed (every unit self-assessed, reviewed, the results approved
by the Party Group, two objections answered, one upheld), and this year's, open until 14 days from
today, with units in every state: not started, self-assessing, submitted, reviewed.
"""

import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import OrgUnit, OrgUnitKind, Post
from core import clock
from responsibility.assessment.models import AnsweredBy, AssessmentRound, AssessmentScheme
from responsibility.assessment.scheme_workbook import ITEMS_SHEET, SCHEME_SHEET
from responsibility.assessment.services.counts import round_indicators_run
from responsibility.assessment.services.objections import objection_answer, objection_lodge
from responsibility.assessment.services.rounds import (
    RoundInput,
    item_review,
    item_self_assess,
    round_approve,
    round_open,
    unit_review_complete,
    unit_self_assessment_submit,
)
from responsibility.assessment.services.schemes import scheme_import, scheme_publish
from responsibility.demo.evidence import demo_evidence_pdf
from responsibility.demo.moments import demo_moment

OFFICE = "bangongshi_admin"
INSPECTOR = "jijian1"
SECRETARY = "shuji"

UNIT_SCHEME = (
    "党风廉政建设责任制考核",
    100,
    "机关各委办室年度党风廉政建设责任制落实情况考核，年终考评考核的重要依据。",
)
# The columns of 评分细则: 方面序号, 考核方面, 方面分值, 评分点序号, 考核内容, 评分标准, 计分方式, 分值,
# 每次分值, 最低得分, 需要佐证, 填报方, 系统指标.
UNIT_ROWS = [
    (
        1,
        "落实主体责任",
        25,
        "1.1",
        "层层签订党风廉政建设责任书",
        "按时签订率乘以分值。",
        "按比率计分",
        10,
        None,
        None,
        "否",
        "系统",
        "责任书按时签订率",
    ),
    (
        1,
        None,
        None,
        "1.2",
        "班子专题研究党风廉政建设",
        "年内专题研究不少于两次得满分，否则不得分。",
        "固定分值",
        5,
        None,
        None,
        "是",
        "单位",
        None,
    ),
    (
        1,
        None,
        None,
        "1.3",
        "落实“一岗双责”，开展廉政谈话",
        "每缺少一次扣2分，扣完为止。",
        "按次扣分",
        10,
        2,
        None,
        "是",
        "单位",
        None,
    ),
    (
        2,
        "问题整改",
        30,
        "2.1",
        "各类问题按期整改",
        "按期整改率乘以分值。",
        "按比率计分",
        20,
        None,
        None,
        "否",
        "系统",
        "问题按期整改率",
    ),
    (
        2,
        None,
        None,
        "2.2",
        "回头看发现整改不到位或虚假整改",
        "每发现一个扣5分，扣完为止。",
        "按次扣分",
        10,
        5,
        None,
        "否",
        "系统",
        "回头看未通过数",
    ),
    (
        3,
        "作风建设",
        25,
        "3.1",
        "落实中央八项规定精神",
        "每发现一起违反规定问题扣5分，扣完为止。",
        "按次扣分",
        15,
        5,
        None,
        "是",
        "单位",
        None,
    ),
    (
        3,
        None,
        None,
        "3.2",
        "开展廉政教育和警示教育",
        "年内开展不少于两次得满分，否则不得分。",
        "固定分值",
        10,
        None,
        None,
        "是",
        "单位",
        None,
    ),
    (
        4,
        "制度建设",
        20,
        "4.1",
        "廉政风险防控制度健全",
        "制度健全、执行到位得满分，否则不得分。",
        "固定分值",
        10,
        None,
        None,
        "是",
        "单位",
        None,
    ),
    (
        4,
        None,
        None,
        "4.2",
        "执行“三重一大”集体决策制度",
        "每发现一次未按规定集体决策扣2分，扣完为止。",
        "按次扣分",
        10,
        2,
        None,
        "是",
        "单位",
        None,
    ),
    (
        5,
        "加分项",
        5,
        "5.1",
        "经验做法被上级推广",
        "每次加2分，最多加4分。",
        "按次加分",
        4,
        2,
        None,
        "是",
        "单位",
        None,
    ),
    (
        5,
        None,
        None,
        "5.2",
        "受到上级表彰",
        "每次加1分，最多加3分。",
        "按次加分",
        3,
        1,
        None,
        "是",
        "单位",
        None,
    ),
]


def _revised(row: tuple) -> list[tuple]:
    """Version 2's rows for one of version 1's: talks weigh more (3 points a missing talk), and half of
    the problems' 20 points go to closing those of 巡视巡察 (the indicator over one source)."""
    if row[3] == "1.3":
        return [(*row[:5], "每缺少一次扣3分，扣完为止。", row[6], row[7], 3, *row[9:])]
    if row[3] == "2.1":
        return [(*row[:7], 10, *row[8:])]
    if row[3] == "2.2":
        return [
            row,
            (
                2,
                None,
                None,
                "2.3",
                "巡视巡察反馈问题整改销号",
                "销号率乘以分值。",
                "按比率计分",
                10,
                None,
                None,
                "否",
                "系统",
                "问题整改销号率（巡视巡察）",
            ),
        ]
    return [row]


# Version 2, being revised.
UNIT_ROWS_REVISED = [revised for row in UNIT_ROWS for revised in _revised(row)]

PROVINCE_SCHEME = (
    "人大工作高质量发展综合考评计分细则",
    70,
    "省人大制定的考核计分细则：4个方面70个得分点，每个得分点1分；另设7个加分项，加分合计不超过5分。",
)
PROVINCE_AREAS = {
    "党委加强对人大工作领导": [
        "党委常委会每年听取人大常委会党组工作汇报",
        "党委出台加强新时代人大工作的意见或实施方案",
        "召开党委人大工作会议",
        "党委研究人大工作重大事项并形成会议纪要",
        "党委主要负责同志出席人大重要会议并讲话",
        "地方立法规划和重要立法事项报党委审定",
        "重大事项决定事项报党委同意",
        "人大常委会年度监督工作计划报党委批准",
        "党委支持人大依法做好选举任免工作",
        "党委推荐人大常委会组成人员人选符合规定",
        "人大常委会党组向党委请示报告制度健全",
        "党委督促“一府一委两院”执行人大决议决定",
        "党委加强对人大代表工作的领导",
        "党委重视人大机关干部队伍建设",
        "党委将人大工作纳入年度工作要点",
    ],
    "支持人大及其常委会依法履职": [
        "制定年度立法计划并按期完成",
        "立法项目开展立法调研和论证",
        "法规草案公开征求社会意见",
        "发挥基层立法联系点作用",
        "开展法规立法后评估",
        "开展规范性文件备案审查",
        "备案审查工作情况向常委会报告",
        "听取审议政府专项工作报告",
        "开展执法检查",
        "开展专题询问",
        "开展满意度测评或工作评议",
        "审议意见交办并跟踪督办",
        "审查批准决算和预算调整方案",
        "开展预算联网监督",
        "听取审议国有资产管理情况报告",
        "听取审议审计工作报告及整改情况报告",
        "听取审议环境状况和环境保护目标完成情况报告",
        "听取审议国民经济和社会发展计划执行情况报告",
        "依法讨论决定重大事项",
        "跟踪监督决议决定执行情况",
        "依法任免国家机关工作人员",
        "组织任命人员进行宪法宣誓",
        "对任命人员开展履职监督",
        "开展法治宣传教育",
        "依法办理群众来信来访",
    ],
    "发挥代表作用": [
        "代表联络站（点）建设全覆盖",
        "代表定期进站接待选民",
        "代表议案建议按期办结",
        "代表建议办理满意率达到要求",
        "重点督办建议跟踪督办到位",
        "代表列席常委会会议制度落实",
        "代表参与执法检查和视察调研",
        "组织代表开展专题调研",
        "开展代表履职培训",
        "建立代表履职档案",
        "代表向原选区选民述职",
        "常委会组成人员联系代表制度落实",
        "代表活动经费保障到位",
        "代表履职信息化平台运行良好",
        "做好代表资格审查和补选工作",
    ],
    "加强人大常委会及机关自身建设": [
        "落实常委会党组理论学习中心组学习制度",
        "机关党建工作考核达标",
        "落实全面从严治党主体责任",
        "落实中央八项规定精神",
        "开展作风建设专项整治",
        "机关内部管理制度健全",
        "常委会会议组织规范有序",
        "人大新闻宣传工作有力",
        "人大理论研究成果丰富",
        "人大信息化建设有序推进",
        "档案管理规范",
        "机关干部教育培训到位",
        "机关财务管理规范",
        "政务信息报送及时",
        "加强对乡镇人大工作的指导",
    ],
}
PROVINCE_BONUS = [
    "工作受到中央、全国人大常委会或省主要领导批示表扬肯定",
    "工作被国家级媒体关注报道",
    "代表议案建议被列为全国人大常委会重点督办",
    "代表议案建议被列为省人大常委会重点督办",
    "调研成果获得省级以上荣誉奖项",
    "新闻作品获得省级以上荣誉奖项",
    "工作经验在全省人大系统交流推广",
]


def _province_rows() -> list[tuple]:
    rows = []
    for area_number, (title, items) in enumerate(PROVINCE_AREAS.items(), start=1):
        for index, content in enumerate(items, start=1):
            first = index == 1
            rows.append(
                (
                    area_number,
                    title if first else None,
                    len(items) if first else None,
                    f"{area_number}.{index}",
                    content,
                    "达到要求得1分，未达到不得分。",
                    "固定分值",
                    1,
                    None,
                    None,
                    "是",
                    "单位",
                    None,
                )
            )
    bonus_area = len(PROVINCE_AREAS) + 1
    for index, content in enumerate(PROVINCE_BONUS, start=1):
        first = index == 1
        rows.append(
            (
                bonus_area,
                "加分项" if first else None,
                5 if first else None,
                f"{bonus_area}.{index}",
                content,
                "每次加1分，本项最多加2分。",
                "按次加分",
                2,
                1,
                None,
                "是",
                "单位",
                None,
            )
        )
    return rows


def _filled_in(scheme: tuple, rows: list[tuple]) -> bytes:
    """The office's spreadsheet, filled in as the template asks."""
    workbook = Workbook()
    head = workbook.active
    head.title = SCHEME_SHEET.name
    head.append([column.header for column in SCHEME_SHEET.columns])
    head.append(list(scheme))
    items = workbook.create_sheet(ITEMS_SHEET.name)
    items.append([column.header for column in ITEMS_SHEET.columns])
    for row in rows:
        items.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@dataclass
class DemoAssessment:
    schemes: list[AssessmentScheme]
    rounds: list[AssessmentRound]


def demo_assessment_create(*, today: datetime.date, users: dict) -> DemoAssessment:
    office = users[OFFICE]
    # Published before last year's round was opened with it.
    with clock.at(demo_moment(datetime.date(today.year - 1, 11, 20), 10)):
        unit_scheme = scheme_publish(
            scheme=scheme_import(workbook_file=_filled_in(UNIT_SCHEME, UNIT_ROWS), imported_by=office),
            published_by=office,
        )
    revised = scheme_import(
        workbook_file=_filled_in(UNIT_SCHEME, UNIT_ROWS_REVISED), imported_by=office, version_of=unit_scheme
    )
    province = scheme_publish(
        scheme=scheme_import(workbook_file=_filled_in(PROVINCE_SCHEME, _province_rows()), imported_by=office),
        published_by=office,
    )
    rounds = _demo_rounds_create(today=today, users=users, scheme=unit_scheme)
    return DemoAssessment(schemes=[unit_scheme, revised, province], rounds=rounds)


# --- Rounds ---------------------------------------------------------------------------------------

# A unit head's answers (by item number) and their explanations; the deductions differ from unit to unit.
_EXPLANATIONS = {
    "1.2": "{year}年党组（班子）会议两次专题研究党风廉政建设，会议纪要已归档。",
    "1.3": "全年与分管同志开展廉政谈话，谈话记录见附件。",
    "3.1": "按季度开展廉政风险点排查，排查台账见附件。",
    "3.2": "按规定执行公务接待、公车使用制度，年度自查报告见附件。",
    "4.1": "组织全体干部参加警示教育大会和廉政党课。",
    "4.2": "按时参加机关纪委组织的廉政培训，签到表见附件。",
    "5.1": "经验做法被上级转发推广。",
    "5.2": "受到上级表彰。",
}


def _answers(position: int) -> dict[str, int]:
    """A unit's answers: most meet the standard; some miss a talk or a training; a few earn a bonus."""
    return {
        "1.2": 1,
        "1.3": position % 3,
        "3.1": position % 2,
        "3.2": 1 if position % 4 else 0,
        "4.1": 1,
        "4.2": (position + 1) % 3,
        "5.1": 1 if position % 3 == 0 else 0,
        "5.2": position % 2,
    }


class _EvidenceFiles:
    """One real PDF per item, rendered once and uploaded by every unit that answers it."""

    def __init__(self) -> None:
        self._pdfs: dict[str, bytes] = {}

    def uploads(self, *, number: str, content: str, year: int) -> list[SimpleUploadedFile]:
        if number not in self._pdfs:
            self._pdfs[number] = demo_evidence_pdf(
                title=f"{content}佐证材料", paragraphs=[_EXPLANATIONS[number].format(year=year)]
            )
        return [
            SimpleUploadedFile(f"{number} {content}.pdf", self._pdfs[number], content_type="application/pdf")
        ]


def _self_assess(card, *, head, position: int, files: _EvidenceFiles, numbers=None) -> None:
    answers = _answers(position)
    scores = card.scores.select_related("item", "unit_assessment").order_by(
        "item__area__number", "item__order"
    )
    for score in scores:
        item = score.item
        if item.answered_by != AnsweredBy.UNIT or (numbers is not None and item.number not in numbers):
            continue
        item_self_assess(
            score=score,
            answer=answers[item.number],
            explanation=_EXPLANATIONS[item.number].format(year=card.round.year),
            files=files.uploads(number=item.number, content=item.content, year=card.round.year),
            answered_by=head,
        )


def _review(card, *, inspector, position: int) -> None:
    """The team corrects one item of every third unit (with its reason), and completes the review."""
    if position % 3 == 1:
        score = card.scores.select_related("item", "unit_assessment").get(item__number="1.3")
        item_review(
            score=score,
            answer=min(int(score.self_answer or 0) + 1, 5),
            reason="谈话记录中有一次谈话无被谈话人签字确认，不予认定。",
            reviewed_by=inspector,
        )
    unit_review_complete(unit_assessment=card, reviewed_by=inspector)


def _demo_rounds_create(
    *, today: datetime.date, users: dict, scheme: AssessmentScheme
) -> list[AssessmentRound]:
    office, inspector, secretary = users[OFFICE], users[INSPECTOR], users[SECRETARY]
    heads = {
        post.unit_id: post.holder
        for post in Post.objects.heads()
        .held()
        .filter(unit__kind=OrgUnitKind.WORKING_BODY, unit__is_active=True)
    }
    units = list(OrgUnit.objects.filter(pk__in=heads).order_by("sort_order", "code"))
    files = _EvidenceFiles()
    last_year = today.year - 1
    with clock.at(demo_moment(datetime.date(last_year, 12, 1), 9)):
        previous = round_open(
            data=RoundInput(
                scheme=scheme,
                year=last_year,
                name=f"{last_year}年度党风廉政建设责任制考核",
                deadline=datetime.date(last_year, 12, 20),
                objection_days=5,
                units=units,
            ),
            opened_by=office,
        )
        round_indicators_run(round_id=previous.pk)  # the count the worker makes
    cards = list(previous.units.select_related("round", "unit").order_by("unit__sort_order", "unit__code"))
    for position, card in enumerate(cards):
        with clock.at(demo_moment(datetime.date(last_year, 12, 10 + position % 8), 15)):
            _self_assess(card, head=heads[card.unit_id], position=position, files=files)
            unit_self_assessment_submit(unit_assessment=card, submitted_by=heads[card.unit_id])
    for position, card in enumerate(cards):
        with clock.at(demo_moment(datetime.date(last_year, 12, 24), 10)):
            _review(card, inspector=inspector, position=position)
    with clock.at(demo_moment(datetime.date(last_year, 12, 28), 16)):
        round_approve(assessment_round=previous, approved_by=secretary)
    # Two units the team had lowered object within the days for objections; one is upheld.
    objected = [card for position, card in enumerate(cards) if position % 3 == 1][:2]
    for card, upheld in zip(objected, (True, False), strict=False):
        score = card.scores.select_related("item", "unit_assessment").get(item__number="1.3")
        with clock.at(demo_moment(datetime.date(last_year, 12, 30), 9)):
            objection = objection_lodge(
                score=score,
                text="被谈话人已在谈话记录上补签确认，补签件附后，请予复核。",
                lodged_by=heads[card.unit_id],
            )
        with clock.at(demo_moment(datetime.date(today.year, 1, 2), 10)):
            objection_answer(
                objection=objection,
                upheld=upheld,
                answer=score.self_answer if upheld else None,
                reply="经核实，补签确认属实，予以采纳。"
                if upheld
                else "补签时间晚于考核截止时间，不予采纳。",
                answered_by=inspector,
            )

    current = round_open(
        data=RoundInput(
            scheme=scheme,
            year=today.year,
            name=f"{today.year}年度党风廉政建设责任制考核",
            deadline=today + datetime.timedelta(days=14),
            objection_days=5,
            units=units,
        ),
        opened_by=office,
    )
    round_indicators_run(round_id=current.pk)
    cards = list(current.units.select_related("round", "unit").order_by("unit__sort_order", "unit__code"))
    # Every state: the first two not started, the next two self-assessing (half their items), the next
    # two submitted, the rest reviewed; the first reviewed unit the team lowered objects (still pending).
    for position, card in enumerate(cards):
        head = heads[card.unit_id]
        if position < 2:
            continue
        if position < 4:
            _self_assess(card, head=head, position=position, files=files, numbers={"1.2", "1.3", "3.1"})
            continue
        _self_assess(card, head=head, position=position, files=files)
        unit_self_assessment_submit(unit_assessment=card, submitted_by=head)
        if position >= 6:
            _review(card, inspector=inspector, position=position)
    lowered = next(card for position, card in enumerate(cards) if position >= 6 and position % 3 == 1)
    objection_lodge(
        score=lowered.scores.select_related("item", "unit_assessment").get(item__number="1.3"),
        text="两次谈话均有谈话提纲和会议纪要为证，被谈话人签字页已补交，请予复核。",
        lodged_by=heads[lowered.unit_id],
    )
    return [previous, current]
