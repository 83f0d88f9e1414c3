"""述责述廉 on top of the year's 一岗双责 (tests/responsibility/duties/conftest.py: today is 2026-05-15).
The first committee's head oversees the committee, where four more staff work: with the deputy and the
chief of 法规处 below it, six people may rate the head. The 廉政档案 tests read the same head's file."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import PostKind, User
from accounts.roles import Role
from responsibility.cadres.files import file_access_decide, file_access_request, file_document_add
from responsibility.cadres.models import (
    FileAccessRequest,
    FileDocument,
    FileDocumentKind,
    Grade,
    IntegrityReport,
    ReportRound,
)
from responsibility.cadres.selectors import rater_candidate_list_for
from responsibility.cadres.services import (
    ReportText,
    ballot_cast,
    rating_close,
    rating_open,
    report_review,
    report_round_open,
    report_save,
)
from tests.factories import PostFactory, UserFactory
from tests.responsibility.duties import conftest as duty_setup
from tests.responsibility.duties.conftest import TODAY, Duties

clock = duty_setup.clock
duties = duty_setup.duties
duties_once = duty_setup.duties_once  # for the matrices, whose `duties` is duty_setup.duties_shared
report_seal = duty_setup.report_seal

DEADLINE = datetime.date(2026, 6, 30)
CLOSES_ON = TODAY + datetime.timedelta(days=7)
MIN_BALLOTS = 3


@dataclass
class Cadres:
    duties: Duties
    round: ReportRound
    report: IntegrityReport  # the first committee head's
    raters: list[User]  # everyone who may rate the head, in name order

    @property
    def head(self) -> User:
        return self.report.leader


@pytest.fixture
def cadres(duties) -> Cadres:
    org = duties.org
    committee = org.head_posts[0].unit
    for title in ("一级调研员", "二级调研员", "一级主任科员", "二级主任科员"):
        PostFactory(unit=committee, title=title, kind=PostKind.STAFF)
    round_ = report_round_open(
        year=2026,
        title="2026年度领导干部述责述廉",
        deadline=DEADLINE,
        min_ballots=MIN_BALLOTS,
        opened_by=org.office_admin,
    )
    report = IntegrityReport.objects.select_related("leader", "assignment").get(
        round=round_, leader=org.heads[0]
    )
    return Cadres(
        duties=duties, round=round_, report=report, raters=list(rater_candidate_list_for(report=report))
    )


def submitted(report: IntegrityReport) -> IntegrityReport:
    report = IntegrityReport.objects.get(pk=report.pk)
    return report_save(
        report=report,
        saved_by=report.leader,
        text=ReportText(
            duties_text="全年听取分管单位汇报4次，开展廉政谈话6人次。",
            integrity_text="严格执行中央八项规定精神，按时报告个人有关事项。",
            shortcomings_text="督促检查还不够经常。",
        ),
        submit=True,
        expected_version=report.version,
    )


def accepted(report: IntegrityReport, inspector) -> IntegrityReport:
    report = submitted(report)
    return report_review(report=report, reviewed_by=inspector, accept=True, expected_version=report.version)


def rating_opened(cadres: Cadres, raters=None) -> IntegrityReport:
    report = accepted(cadres.report, cadres.duties.org.inspector)
    return rating_open(
        report=report,
        opened_by=cadres.duties.org.office_admin,
        raters=cadres.raters if raters is None else raters,
        closes_on=CLOSES_ON,
        expected_version=report.version,
    )


def rating_closed(cadres: Cadres, *, ballots: int = MIN_BALLOTS) -> IntegrityReport:
    """The head's rating closed after `ballots` raters voted (all 好, the first one with a comment)."""
    report = rating_opened(cadres)
    for index, rater in enumerate(cadres.raters[:ballots]):
        ballot_cast(
            report=report, rater=rater, grades=[Grade.GOOD] * 4, comment="作风扎实。" if index == 0 else ""
        )
    return rating_close(
        report=report, closed_by=cadres.duties.org.office_admin, expected_version=report.version
    )


# --- 廉政档案 and 廉政意见回复 ------------------------------------------------------------------------

ACCESS_FROM = TODAY
ACCESS_UNTIL = TODAY + datetime.timedelta(days=6)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Files:
    duties: Duties
    cadre: User  # the first committee's head
    requester: User  # holds no post: reads a file only through an approved request
    inspector: User  # holds no post anywhere: decides any request
    inspector_aside: User  # an inspector who holds a post in the cadre's committee: steps aside (回避)
    team_head: User  # the inspection team's head: reads the log of openings


@pytest.fixture
def files(duties) -> Files:
    org = duties.org
    committee = org.head_posts[0].unit
    inspector_aside = UserFactory(full_name="钱回避", roles=[Role.INSPECTION_TEAM])
    PostFactory(unit=committee, title="兼职纪检委员", kind=PostKind.STAFF, holder=inspector_aside)
    return Files(
        duties=duties,
        cadre=org.heads[0],
        requester=UserFactory(full_name="孙调阅"),
        inspector=org.inspector,
        inspector_aside=inspector_aside,
        team_head=UserFactory(full_name="周组长", roles=[Role.INSPECTION_TEAM, Role.INSPECTION_HEAD]),
    )


def access_requested(files: Files, *, requester=None) -> FileAccessRequest:
    return file_access_request(
        cadre=files.cadre,
        requester=requester or files.requester,
        reason="拟对其分管领域开展专项检查，需了解履责情况。",
        valid_from=ACCESS_FROM,
        valid_until=ACCESS_UNTIL,
    )


def access_approved(files: Files) -> FileAccessRequest:
    access = access_requested(files)
    return file_access_decide(
        access_request=access, decided_by=files.inspector, approve=True, expected_version=access.version
    )


def pdf_upload(name: str = "个人有关事项报告.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def document_added(files: Files, *, kind: str = FileDocumentKind.PERSONAL_MATTERS) -> FileDocument:
    return file_document_add(
        cadre=files.cadre,
        added_by=files.inspector,
        kind=kind,
        title="2025年度个人有关事项报告",
        dated=datetime.date(2026, 1, 20),
        summary="按时如实报告，经抽查核实一致。",
        uploads=[pdf_upload()],
    )
