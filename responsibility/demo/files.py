"""The demo's 廉政档案 and 廉政意见回复, after the year's 述责述廉: every step runs through the services by
the person who would take it, at a moment of the last days.

- 张祎 (法工委主任): the inspection team added two documents (个人有关事项报告, 廉洁承诺书); 胡雅珺 (机关党委,
  `jgdw_shuji`) asked to read the file for a promotion's inspection, 袁明 (`jijian2`) approved it for a
  week, and she opened it; 张祎 and 魏正清 opened it too (the log of openings, `jijian1`, shows them);
  the organ's Party committee asked for his integrity opinion and the team issued it, sealed;
- 马俊 (城环委主任): a complaint checked and found untrue is in his file; 郑海涛 (`bgs_zhuren`) asked to read
  it and 魏正清 refused (no duty of his needs it); 徐卫东 (`rxw_zhuren`) asked for it yesterday: the
  request awaits the team's decision.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from core import clock
from core.errors import ApplicationError
from responsibility.cadres.files import (
    file_access_decide,
    file_access_request,
    file_document_add,
    file_opening_record,
)
from responsibility.cadres.models import FileAccessRequest, FileDocumentKind, IntegrityOpinion
from responsibility.cadres.opinions import opinion_issue, opinion_register, opinion_save
from responsibility.cadres.selectors import integrity_file_reading
from responsibility.demo.evidence import demo_evidence_pdf
from responsibility.demo.moments import demo_moment

TEAM, DEPUTY = "jijian1", "jijian2"
KD = FileDocumentKind


@dataclass
class DemoFiles:
    requests: list[FileAccessRequest] = field(default_factory=list)
    opinion: IntegrityOpinion | None = None
    opinion_sealed: bool = False


def _pdf(name: str, title: str, paragraphs: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_evidence_pdf(title=title, paragraphs=paragraphs), "application/pdf")


def _documents_add(*, today: datetime.date, users: dict[str, User]) -> None:
    team = users[TEAM]
    added = today - datetime.timedelta(days=5)
    year = today.year
    documents = (
        (
            "fzw_zhuren",
            KD.PERSONAL_MATTERS,
            f"{year - 1}年度领导干部个人有关事项报告",
            datetime.date(year, 1, 25),
            "按时如实报告本人婚姻、出国（境）、配偶子女从业和房产等情况，经随机抽查核实，与报告一致。",
        ),
        (
            "fzw_zhuren",
            KD.COMMITMENT,
            f"{year}年度廉洁从政承诺书",
            datetime.date(year, 2, 18),
            "承诺严格执行中央八项规定精神，管好亲属和身边工作人员。",
        ),
        (
            "chw_zhuren",
            KD.COMPLAINT,
            "关于反映马俊同志有关问题的核查情况报告",
            datetime.date(year, 3, 30),
            "反映其违规接受宴请问题，经调取有关记录、谈话核实，反映问题不属实，予以了结澄清。",
        ),
    )
    for number, (username, kind, title, dated, summary) in enumerate(documents):
        with clock.at(demo_moment(added, 9, 10 * number)):
            file_document_add(
                cadre=users[username],
                added_by=team,
                kind=kind,
                title=title,
                dated=min(dated, added),  # early in a year: dated the day it was added
                summary=summary,
                uploads=[_pdf(f"{title}.pdf", title, [summary])],
            )


def demo_files_create(*, today: datetime.date, users: dict[str, User]) -> DemoFiles:
    """Documents, access requests in every state, openings and a reply (see the module's docstring). The
    reply is sealed later (`demo_opinion_seal`), once the demo's history is committed."""
    demo = DemoFiles()
    _documents_add(today=today, users=users)
    asked = today - datetime.timedelta(days=3)
    zhang, ma = users["fzw_zhuren"], users["chw_zhuren"]
    with clock.at(demo_moment(asked, 9)):
        approved = file_access_request(
            cadre=zhang,
            requester=users["jgdw_shuji"],
            reason="对张祎同志进行拟提拔考察，需了解其廉政情况。",
            valid_from=asked,
            valid_until=asked + datetime.timedelta(days=7),
        )
        refused = file_access_request(
            cadre=ma,
            requester=users["bgs_zhuren"],
            reason="了解城环委近期工作情况。",
            valid_from=asked,
            valid_until=asked + datetime.timedelta(days=3),
        )
    with clock.at(demo_moment(asked, 14)):
        approved = file_access_decide(
            access_request=approved, decided_by=users[DEPUTY], approve=True, expected_version=approved.version
        )
        refused = file_access_decide(
            access_request=refused,
            decided_by=users[TEAM],
            approve=False,
            note="调阅理由与廉政档案无关，工作情况请通过业务渠道了解。",
            expected_version=refused.version,
        )
    with clock.at(demo_moment(today - datetime.timedelta(days=1), 11)):
        pending = file_access_request(
            cadre=ma,
            requester=users["rxw_zhuren"],
            reason="代表资格审查工作需要，了解有关同志廉政情况。",
            valid_from=today,
            valid_until=today + datetime.timedelta(days=5),
        )
    demo.requests = [approved, refused, pending]
    for hour, username in ((15, "jgdw_shuji"), (16, "fzw_zhuren"), (17, TEAM)):
        reader = users[username]
        with clock.at(demo_moment(asked, hour)):
            file_opening_record(
                cadre=zhang, opened_by=reader, reading=integrity_file_reading(user=reader, cadre=zhang)
            )
    with clock.at(demo_moment(today - datetime.timedelta(days=2), 10)):
        opinion = opinion_register(
            cadre=zhang,
            registered_by=users[TEAM],
            purpose="拟推荐为常委会副秘书长人选",
            requested_by="机关党委",
            request_reference=f"机党函〔{today.year}〕7号",
            received_on=today - datetime.timedelta(days=2),
        )
    with clock.at(demo_moment(today - datetime.timedelta(days=2), 16)):
        demo.opinion = opinion_save(
            opinion=opinion,
            saved_by=users[TEAM],
            conclusion="经查阅张祎同志廉政档案和系统记录，未发现该同志有违反党风廉政建设有关规定的问题。",
            recheck=False,
            expected_version=opinion.version,
        )
    return demo


def demo_opinion_seal(demo: DemoFiles, *, users: dict[str, User]) -> None:
    """Seal and issue the demo's reply when the organisation's seal is set up (`create_seal_certificate`);
    without it the reply stays a draft for the team to issue once it is."""
    if demo.opinion is None or not Path(settings.SEAL_PKCS12_FILE).exists():
        return
    try:
        opinion_issue(opinion=demo.opinion, issued_by=users[TEAM])
    except ApplicationError:
        return
    demo.opinion_sealed = True
