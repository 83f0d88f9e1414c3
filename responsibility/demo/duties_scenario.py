"""The 一岗双责 the demo plays out: the common duty tasks and the two of the moment, 分管, the office's
wording of each assignment, who confirms and records what, and the evidence they attach (see duties.py)."""

from dataclasses import dataclass

from accounts.models import PostKind
from responsibility.demo.evidence import DemoEvidence
from responsibility.duties.models import Recurrence

P = PostKind


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

DUTIES_MEETING_DAYS_AGO = 21  # the work-style meeting (see DemoBuilder.current_campaign_run)
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
