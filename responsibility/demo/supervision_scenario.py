"""The round of checks the demo plays out: its checkpoints, the evidence the units show, and what the
inspection team checks, finds and has rectified in each unit drawn (see supervision.py)."""

from dataclasses import dataclass

from responsibility.demo.evidence import DemoEvidence
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.models import CheckOutcome, Severity

C = ClauseCategory

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
    "close" (the team leader); "recheck" (the team leader draws a 回头看 of the plan's closed problems
    and finds this one a false rectification: `text` is the reason, reopened for `deadline_in_days`);
    "add_measure" (the head: measure `text`, owned by the unit's head or by another holder of a post in
    it, `owner` "head" or "staff", due `deadline_in_days` from the day the demo is loaded) and
    "report_measure" (measure `number`, by its owner: what was done). `text` is the measures, the
    reason, the note, the measure or its report."""

    action: str
    days_ago: int
    hour: int
    text: str
    evidence: tuple[DemoEvidence, ...] = ()
    number: int = 0
    owner: str = "head"
    deadline_in_days: int = 0


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
                    # 回头看: the team finds the fix on paper only and opens it again; the unit fixes it
                    # for real, and it is ticked off a second time.
                    DemoStep(
                        "recheck",
                        4,
                        9,
                        "实地复查发现，整改报告所附审批单系补填，近两周仍有3次公务接待未履行审批手续。",
                        deadline_in_days=10,
                    ),
                    DemoStep(
                        "submit",
                        3,
                        15,
                        "已对近两周3次公务接待逐一补办审批并说明情况；办公室主任在接待前审核审批单，未经审批"
                        "一律不予报销。",
                        (
                            _report(
                                "公务接待审批再整改情况报告.pdf",
                                "关于回头看发现公务接待审批问题的再整改情况报告",
                            ),
                        ),
                    ),
                    DemoStep(
                        "verify", 2, 10, "再次抽查近期审批单和报销凭证，审批在前、报销在后，问题已整改。"
                    ),
                    DemoStep("close", 2, 16, "再整改到位，予以销号。"),
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
                # The head breaks the rectification down: the rules by a staff member, the briefing by
                # the head, who has reported it; the rules are still being drafted.
                steps=(
                    DemoStep(
                        "add_measure",
                        8,
                        10,
                        "起草《视察调研工作规范》，明确陪同人员不超过3人、行程不安排与主题无关的参观点。",
                        owner="staff",
                        deadline_in_days=4,
                    ),
                    DemoStep(
                        "add_measure",
                        8,
                        11,
                        "在本单位全体干部会议上通报问题和自查情况。",
                        deadline_in_days=2,
                    ),
                    DemoStep(
                        "report_measure",
                        3,
                        16,
                        "已在本单位全体干部会议上通报问题和自查情况，参会23人。",
                        evidence=(MINUTES,),
                        number=3,
                    ),
                ),
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
