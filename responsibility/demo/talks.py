"""The demo's integrity talks (廉政谈话), after this year's 一岗双责 (demo.duties): talks in every state,
each step through the services by the person who would take it, at a moment of the last days.

- 张祎 (法工委主任) held a 日常廉政谈话 with the deputy 韩立新 for the half-year talk task; he confirmed the
  record, which keeps the period's record (履责纪实);
- 张祎 held a 提醒谈话 with 彭晓东 (法规处处长), whose record waits for his confirmation (his to-do);
- 韩立新 held a 日常廉政谈话 with 蒋文博, who disagreed with the record (韩立新's to-do: write it again);
- 张祎 plans a 任职廉政谈话 with 沈佳琪, newly appointed, in a few days;
- the inspection team's 魏正清 held a 约谈 with 马俊 (城环委主任), who confirmed it;
- 李振华 (财经委主任) cancelled a talk planned with his deputy 许国栋, away on a course.
"""

import datetime
from dataclasses import dataclass

from accounts.models import User
from core import clock
from responsibility.demo.moments import demo_moment
from responsibility.duties.models import Talk, TalkKind
from responsibility.duties.selectors import talk_period_list_for
from responsibility.duties.services.talks import (
    TalkAttestation,
    TalkPlanInput,
    TalkRecordInput,
    talk_answer,
    talk_cancel,
    talk_plan,
    talk_record,
)

TALK_TASK_TITLE = "与分管单位负责人开展廉政谈话"
DEMO_USER_AGENT = "演示数据"


@dataclass(frozen=True)
class DemoTalk:
    kind: str
    talker: str  # usernames
    talked_to: str
    days_ago: int  # held (or, for one still to hold, planned) this many days before today
    purpose: str
    place: str = ""
    points: str = ""
    commitments: str = ""
    answer: str = ""  # "confirm", "disagree", "cancel" or "" (none yet)
    disagreement: str = ""
    for_task: bool = False  # carries out the talker's open period of the talk task


DEMO_TALKS = (
    DemoTalk(
        "日常廉政谈话",
        "fzw_zhuren",
        "fzw_fuzhuren",
        6,
        "下半年分管工作廉政提醒",
        "法工委小会议室",
        "一、结合地方性法规立法调研，提醒严格执行中央八项规定精神，调研期间不接受宴请；\n"
        "二、法规审查工作中不得向起草单位打招呼、递条子；\n三、督促法规处落实廉政风险防控措施。",
        "严格执行廉洁自律各项规定，带头落实立法工作廉政风险防控措施，年底前专题报告一次。",
        answer="confirm",
        for_task=True,
    ),
    DemoTalk(
        "提醒谈话",
        "fzw_zhuren",
        "fagui_chuzhang",
        2,
        "执法检查期间接受服务对象宴请的苗头",
        "主任办公室",
        "就执法检查期间在被检查单位食堂就餐未交费一事进行提醒，要求如实说明情况，按规定补交费用，"
        "并在处室会议上作出说明。",
        "三日内补交费用并书面说明情况，今后严格执行公务接待规定。",
    ),
    DemoTalk(
        "日常廉政谈话",
        "fzw_fuzhuren",
        "fagui_ganbu1",
        4,
        "法规备案审查岗位廉政风险提醒",
        "法规处办公室",
        "提醒备案审查工作中注意保密纪律。",
        "",
        answer="disagree",
        disagreement="谈话中还谈到了备案审查意见反馈时限的要求，记录中没有写明，请补充。",
    ),
    DemoTalk("任职廉政谈话", "fzw_zhuren", "fagui_ganbu2", -5, "新晋升四级主任科员任职前廉政谈话"),
    DemoTalk(
        "约谈",
        "jijian1",
        "chw_zhuren",
        9,
        "城乡建设环境保护工作委员会监督检查发现问题整改进度滞后",
        "纪检监察组会议室",
        "通报监督检查发现的2个问题整改进度滞后的情况，指出主体责任落实不够有力，要求逐项制定整改措施、"
        "明确时限，按期销号。",
        "一周内报送整改方案，按月报告进展，确保年底前全部销号。",
        answer="confirm",
    ),
    DemoTalk("日常廉政谈话", "cjw_zhuren", "cjw_fuzhuren", -3, "交流分管工作廉政风险", answer="cancel"),
)


def demo_talks_create(*, today: datetime.date, users: dict[str, User]) -> list[Talk]:
    """The talks above, planned a week before they were held, recorded that day, answered the next."""
    first_day = datetime.date(today.year, 1, 1)
    talks = []
    for spec in DEMO_TALKS:
        talker, talked_to = users[spec.talker], users[spec.talked_to]
        day = max(today - datetime.timedelta(days=spec.days_ago), first_day)
        planned_at = demo_moment(max(min(day, today) - datetime.timedelta(days=7), first_day), 9)
        with clock.at(planned_at):
            occurrence = None
            if spec.for_task:
                occurrence = talk_period_list_for(talker=talker).filter(task__title=TALK_TASK_TITLE).last()
            talk = talk_plan(
                talker=talker,
                data=TalkPlanInput(
                    kind=TalkKind.objects.get(name=spec.kind),
                    talked_to=talked_to,
                    planned_on=day,
                    purpose=spec.purpose,
                    occurrence=occurrence,
                ),
            )
        if spec.answer == "cancel":
            with clock.at(planned_at + datetime.timedelta(hours=3)):
                talk = talk_cancel(
                    talk=talk,
                    cancelled_by=talker,
                    reason="对方外出学习，延至下月。",
                    expected_version=talk.version,
                )
        elif spec.points:
            with clock.at(demo_moment(day, 16)):
                talk = talk_record(
                    talk=talk,
                    recorded_by=talker,
                    data=TalkRecordInput(
                        held_on=day, place=spec.place, points=spec.points, commitments=spec.commitments
                    ),
                    expected_version=talk.version,
                )
            if spec.answer:
                answered_at = min(demo_moment(day + datetime.timedelta(days=1), 10), demo_moment(today, 9))
                if answered_at <= talk.recorded_at:
                    answered_at = talk.recorded_at + datetime.timedelta(minutes=30)
                with clock.at(answered_at):
                    talk = talk_answer(
                        talk=talk,
                        answered_by=talked_to,
                        confirm=spec.answer == "confirm",
                        disagreement=spec.disagreement,
                        attestation=TalkAttestation(
                            reauthenticated_at=answered_at - datetime.timedelta(minutes=1),
                            ip_address="10.12.3.45",
                            user_agent=DEMO_USER_AGENT,
                        ),
                        expected_version=talk.version,
                    )
        talks.append(talk)
    return talks
