"""The round pages as their users use them: the office opens a round, a unit head self-assesses with
evidence, the team sets approved scores, the Party Group approves; bad input is answered in Chinese and
changes nothing; the pages cost a fixed number of queries."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from responsibility.assessment.models import (
    AssessmentEvent,
    AssessmentRound,
    RoundStatus,
    UnitAssessmentStatus,
)
from responsibility.assessment.services.rounds import (
    item_self_assess,
    unit_review_complete,
    unit_self_assessment_submit,
)
from tests.responsibility.assessment.conftest import TEST_GRADES, card_of, counted, score_of
from tests.responsibility.inspections.conftest import pdf_upload

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


def _page(response) -> str:
    return response.content.decode()


def _submitted(card, head) -> None:
    for number, answer in (("1.2", 1), ("1.3", 2), ("3.1", 1), ("3.2", 3)):
        item_self_assess(
            score=score_of(card, number),
            answer=answer,
            explanation="说明",
            files=[pdf_upload()],
            answered_by=head,
        )
    unit_self_assessment_submit(unit_assessment=card, submitted_by=head)


# --- Opening ---------------------------------------------------------------------------------------


def _open_form(org, published, **changes) -> dict:
    data = {
        "scheme": published.pk,
        "year": 2026,
        "name": "2026年度党风廉政建设责任制考核",
        "deadline": "2026-05-31",
        "objection_days": 5,
        "grade_bands": TEST_GRADES,
        "units": [post.unit.pk for post in org.head_posts],
    }
    return {**data, **changes}


def test_the_office_opens_a_round_from_the_form(client, org, published, clock):
    client.force_login(org.office_admin)
    form = client.get(reverse("responsibility:round-open"))
    assert form.status_code == 200 and "2026年度党风廉政建设责任制考核" in _page(form)
    response = client.post(reverse("responsibility:round-open"), _open_form(org, published))
    assessment_round = AssessmentRound.objects.get()
    assert response.url == reverse("responsibility:round-detail", args=[assessment_round.pk])
    page = _page(client.get(response.url))
    assert "已发起“2026年度党风廉政建设责任制考核”：2个单位自评至2026-05-31。" in page
    assert "法制工作委员会" in page and "未开始" in page
    assert "系统正在根据自身记录统计系统计分项目" in page and "poll-status.js" in page
    status = reverse("responsibility:round-count-status", args=[assessment_round.pk])
    assert client.get(status).json() == {"status": "counting", "status_label": "正在统计", "percent": 0}
    counted(assessment_round)
    assert client.get(status).json()["status"] == "done"
    assert "系统正在根据自身记录统计" not in _page(client.get(response.url))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": "2026-05-14"}, "自评截止日期不能早于今天。"),
        ({"units": []}, "请选择被考核单位。"),
        ({"objection_days": 31}, "30"),
        ({"name": ""}, "这个字段是必填项。"),
        ({"deadline": "明天"}, "输入一个有效的日期。"),
        ({"grade_bands": "好 90；较好 80；一般 60；差 0"}, "“好”的最低分应在0至45分之间。"),
    ],
)
def test_bad_input_to_open_a_round_is_answered_in_chinese_and_opens_nothing(
    client, org, published, clock, changes, message
):
    client.force_login(org.office_admin)
    response = client.post(reverse("responsibility:round-open"), _open_form(org, published, **changes))
    assert response.status_code == 400 and message in _page(response)
    assert not AssessmentRound.objects.exists() and not AssessmentEvent.objects.exists()


def test_a_second_round_of_the_same_scheme_and_year_is_refused_on_the_form(
    client, org, assessment_round, published
):
    client.force_login(org.office_admin)
    response = client.post(
        reverse("responsibility:round-open"), _open_form(org, published, deadline="2026-06-30")
    )
    assert response.status_code == 400 and "该方案的2026年度考核已经发起。" in _page(response)
    assert AssessmentRound.objects.count() == 1


# --- Self-assessment -------------------------------------------------------------------------------


def test_a_unit_head_self_assesses_an_item_with_evidence_and_submits(client, org, assessment_round):
    card = card_of(assessment_round, org.head_posts[0].unit)
    score = score_of(card, "1.2")
    client.force_login(org.heads[0])
    page = _page(client.get(reverse("responsibility:score-detail", args=[score.pk])))
    assert "保存自评" in page and "达到" in page
    response = client.post(
        reverse("responsibility:score-self-assess", args=[score.pk]),
        {
            "answer": "1",
            "explanation": "两次专题研究。",
            "version": score.version,
            "files": [pdf_upload("纪要.pdf")],
        },
    )
    assert response.status_code == 302 and response.url == reverse(
        "responsibility:card-detail", args=[card.pk]
    )
    card_page = _page(client.get(response.url))
    assert "第1.2项已自评。" in card_page and "1个佐证材料" in card_page
    assert "尚有3个评分点未填报" in card_page
    score.refresh_from_db()
    assert score.self_points == 5 and score.evidence.get().original_name == "纪要.pdf"


@pytest.mark.parametrize(
    ("number", "data", "message"),
    [
        ("1.2", {"explanation": "说明"}, "请选择是否达到评分标准。"),
        ("1.2", {"answer": "1", "explanation": ""}, "请填写自评说明：做了什么，记录在哪里。"),
        (
            "1.2",
            {"answer": "1", "explanation": "说明", "no_files": True},
            "该评分点须附佐证材料，请至少上传一个文件。",
        ),
        ("1.3", {"answer": "1.5", "explanation": "说明"}, "0"),
        ("1.3", {"answer": "两次", "explanation": "说明"}, "不是数字"),
    ],
)
def test_bad_self_assessment_is_answered_in_chinese_and_changes_nothing(
    client, org, assessment_round, number, data, message
):
    score = score_of(card_of(assessment_round, org.head_posts[0].unit), number)
    client.force_login(org.heads[0])
    post = {key: value for key, value in data.items() if key != "no_files"}
    if not data.get("no_files"):
        post["files"] = [pdf_upload()]
    response = client.post(
        reverse("responsibility:score-self-assess", args=[score.pk]), {**post, "version": score.version}
    )
    assert response.status_code == 400 and message in _page(response)
    score.refresh_from_db()
    assert score.self_answer is None and not score.evidence.exists()
    assert assessment_round.events.count() == 2


def test_after_the_deadline_the_form_is_gone_and_a_late_entry_is_refused(
    client, org, assessment_round, clock
):
    score = score_of(card_of(assessment_round, org.head_posts[0].unit), "1.2")
    clock.move_to(datetime.datetime(2026, 6, 1, 8, 0, tzinfo=BEIJING))
    client.force_login(org.heads[0])
    page = _page(client.get(reverse("responsibility:score-detail", args=[score.pk])))
    assert "保存自评" not in page
    response = client.post(
        reverse("responsibility:score-self-assess", args=[score.pk]),
        {"answer": "1", "explanation": "迟交", "version": score.version, "files": [pdf_upload()]},
    )
    assert response.status_code == 400
    assert "自评已于2026年5月31日截止，不能再填报；未填报的评分点按未作答计。" in _page(response)
    score.refresh_from_db()
    assert score.self_answer is None


def test_submitting_with_items_unanswered_names_them(client, org, assessment_round):
    card = card_of(assessment_round, org.head_posts[0].unit)
    client.force_login(org.heads[0])
    response = client.post(reverse("responsibility:card-submit", args=[card.pk]), follow=True)
    assert "尚有4个评分点未填报：1.2、1.3、3.1、3.2。" in _page(response)
    card.refresh_from_db()
    assert card.status == UnitAssessmentStatus.NOT_STARTED


# --- Review and approval ---------------------------------------------------------------------------


def test_the_team_sets_an_approved_score_with_a_reason_and_completes_the_review(
    client, org, assessment_round
):
    card = card_of(assessment_round, org.head_posts[0].unit)
    _submitted(card, org.heads[0])
    score = score_of(card, "1.3")
    client.force_login(org.inspector)
    url = reverse("responsibility:score-review", args=[score.pk])
    refused = client.post(url, {"answer": "3", "reason": "", "version": score.version})
    assert refused.status_code == 400 and "核准分与自评分不同，请写明理由。" in _page(refused)
    done = client.post(url, {"answer": "3", "reason": "谈话记录只见3次。", "version": score.version})
    assert done.status_code == 302
    card_page = _page(client.get(done.url))
    assert "第1.3项核准分已核定。" in card_page and "附理由" in card_page
    response = client.post(reverse("responsibility:card-review-complete", args=[card.pk]), follow=True)
    assert "法制工作委员会审核完成：核准" in _page(response)
    card.refresh_from_db()
    assert card.status == UnitAssessmentStatus.REVIEWED


def test_the_party_group_approves_and_the_round_ranks_the_units_sharing_ties(client, org, assessment_round):
    for post in org.head_posts:
        card = card_of(assessment_round, post.unit)
        _submitted(card, post.holder)
        unit_review_complete(unit_assessment=card, reviewed_by=org.inspector)
    client.force_login(org.secretary)
    url = reverse("responsibility:round-detail", args=[assessment_round.pk])
    assert "审定考核结果" in _page(client.get(url))
    page = _page(
        client.post(reverse("responsibility:round-approve", args=[assessment_round.pk]), follow=True)
    )
    assert "考核结果已审定并向各单位发布。" in page and "名次" in page
    assert page.count('data-label="名次" class="num">1</td>') == 2  # equal points share the first place
    assessment_round.refresh_from_db()
    assert assessment_round.status == RoundStatus.APPROVED
    again = _page(
        client.post(reverse("responsibility:round-approve", args=[assessment_round.pk]), follow=True)
    )
    assert "审定考核结果</button>" not in again


def test_a_system_items_page_lists_the_records_it_counted(client, org, published, clock, issued_letters):
    from responsibility.assessment.services.rounds import RoundInput, round_open

    assessment_round = counted(
        round_open(
            data=RoundInput(
                scheme=published,
                year=2026,
                name="考核",
                deadline=datetime.date(2026, 5, 31),
                objection_days=5,
                grade_bands=TEST_GRADES,
                units=[org.head_posts[0].unit],
            ),
            opened_by=org.office_admin,
        )
    )
    score = score_of(card_of(assessment_round, org.head_posts[0].unit), "1.1")
    client.force_login(org.heads[0])
    page = _page(client.get(reverse("responsibility:score-detail", args=[score.pk])))
    letter = issued_letters[0]
    assert "应办1项，按期0项" in page and "统计的1条记录" in page
    assert reverse("responsibility:letter-detail", args=[letter.pk]) in page and letter.reference in page
    assert "未按期签订" in page and "保存自评" not in page


# --- Queries ---------------------------------------------------------------------------------------


def test_the_card_and_item_pages_cost_a_fixed_number_of_queries(
    client, org, assessment_round, django_assert_num_queries
):
    """The card's queries do not grow with its answers or their evidence: 7 items with no evidence, and
    then answered with 4 files, cost the same 14 (session, user, navigation, the card, its items, their
    evidence and objections, its history); an item's page 16 (its objection, evidence and history)."""
    card = card_of(assessment_round, org.head_posts[0].unit)
    client.force_login(org.heads[0])
    url = reverse("responsibility:card-detail", args=[card.pk])
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200
    _submitted(card, org.heads[0])
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(16):
        assert (
            client.get(reverse("responsibility:score-detail", args=[score_of(card, "1.2").pk])).status_code
            == 200
        )


# --- The results workbook --------------------------------------------------------------------------


def _workbook(response):
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(response.content))


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_working_copy_lists_the_units_as_they_stand_and_every_item(client, org, assessment_round):
    first, second = (card_of(assessment_round, post.unit) for post in org.head_posts)
    _submitted(first, org.heads[0])
    unit_review_complete(unit_assessment=first, reviewed_by=org.inspector)
    item_self_assess(
        score=score_of(second, "1.2"),
        answer=1,
        explanation='=HYPERLINK("http://example.invalid")',
        files=[pdf_upload()],
        answered_by=org.heads[1],
    )
    client.force_login(org.inspector)

    response = client.get(reverse("responsibility:round-export", args=[assessment_round.pk]))

    assert "%E5%B7%A5%E4%BD%9C%E7%A8%BF" in response["Content-Disposition"]  # （工作稿）
    workbook = _workbook(response)
    results, details = workbook["考核结果"], workbook["评分明细"]
    rows = _rows(results)
    assert rows[0] == (
        "名次",
        "单位",
        "状态",
        "自评总分",
        "核准总分",
        "最终得分",
        "等次",
        "1. 落实主体责任",
        "2. 问题整改",
        "加分项",
    )
    # 25 by the system + 5 (1.2) + 6 (1.3, two talks missed); bonus 2 + 3 capped at 5: 41, graded 好.
    assert rows[1] == (None, "法制工作委员会", "已核准", 41, 41, None, "好", 21, 15, 5)
    assert rows[2] == (None, "财政经济工作委员会", "自评中", 30, None, None, None, None, None, None)
    assert len(_rows(details)) == 1 + 14
    formula = next(
        row
        for row in details.iter_rows(min_row=2)
        if row[0].value == "财政经济工作委员会" and row[1].value == "1.2"
    )
    assert formula[3].value == "达到" and formula[5].data_type == "s"  # text, never a formula


def test_the_approved_results_rank_equal_points_together(client, org, assessment_round):
    for post in org.head_posts:
        card = card_of(assessment_round, post.unit)
        _submitted(card, post.holder)
        unit_review_complete(unit_assessment=card, reviewed_by=org.inspector)
    from responsibility.assessment.services.rounds import round_approve

    round_approve(assessment_round=assessment_round, approved_by=org.secretary)
    url = reverse("responsibility:round-export", args=[assessment_round.pk])
    client.force_login(org.inspector)

    response = client.get(url)

    assert "%E8%80%83%E6%A0%B8%E7%BB%93%E6%9E%9C" in response["Content-Disposition"]  # （考核结果）
    rows = _rows(_workbook(response)["考核结果"])
    assert [(row[0], row[4], row[5]) for row in rows[1:]] == [(1, 41, 41), (1, 41, 41)]
    # A unit head's workbook holds their own unit only, as the pages show it.
    client.force_login(org.heads[0])
    rows = _rows(_workbook(client.get(url))["考核结果"])
    assert [row[:2] for row in rows[1:]] == [(1, "法制工作委员会")]


# --- The summary -----------------------------------------------------------------------------------


def test_the_summary_gives_area_averages_grades_and_the_change_from_last_year(client, org, published, clock):
    from responsibility.assessment.results import round_summary
    from responsibility.assessment.services.rounds import RoundInput, round_approve, round_open

    def opened(year: int):
        return counted(
            round_open(
                data=RoundInput(
                    scheme=published,
                    year=year,
                    name=f"{year}年度考核",
                    deadline=datetime.date(2026, 5, 31),
                    objection_days=5,
                    grade_bands=TEST_GRADES,
                    units=[post.unit for post in org.head_posts],
                ),
                opened_by=org.office_admin,
            )
        )

    last = opened(2025)
    for post in org.head_posts:  # last year: 41 each (1.3: one talk missed)
        card = card_of(last, post.unit)
        _submitted(card, post.holder)
        unit_review_complete(unit_assessment=card, reviewed_by=org.inspector)
    round_approve(assessment_round=last, approved_by=org.secretary)
    now = opened(2026)
    first = card_of(now, org.head_posts[0].unit)
    for number, answer in (("1.2", 1), ("1.3", 0), ("3.1", 2), ("3.2", 3)):  # 25 + 5 + 10 + 5 = 45
        item_self_assess(
            score=score_of(first, number),
            answer=answer,
            explanation="说明",
            files=[pdf_upload()],
            answered_by=org.heads[0],
        )
    unit_self_assessment_submit(unit_assessment=first, submitted_by=org.heads[0])
    unit_review_complete(unit_assessment=first, reviewed_by=org.inspector)
    cards = now.units.select_related("unit").order_by("unit__sort_order", "unit__code")

    summary = round_summary(assessment_round=now, cards=cards, shown=list(cards), finals={})

    # Self-assessed averages of the two units: area 1 (25) holds 1.1 (10 each), 1.2 (5 and none) and 1.3
    # (10 and none): (25 + 10) / 2 = 17.5; area 2: 15 each; bonus: 5 and none, 2.5.
    assert [(bar.label, bar.value, bar.percent) for bar in summary.by_area] == [
        ("1. 落实主体责任", Decimal("17.5"), 70),
        ("2. 问题整改", Decimal("15.0"), 100),
        ("加分项", Decimal("2.5"), 50),
    ]
    assert [(bar.label, bar.count) for bar in summary.grades] == [
        ("好", 1),
        ("较好", 0),
        ("一般", 0),
        ("差", 0),
    ]
    assert [(change.unit, change.last, change.now, change.delta) for change in summary.changes] == [
        ("法制工作委员会", Decimal("41.00"), Decimal("45.00"), Decimal("4.00"))
    ]
    client.force_login(org.secretary)
    page = client.get(reverse("responsibility:round-detail", args=[now.pk])).content.decode()
    assert "各考核方面平均自评分" in page and "与2025年度比较" in page and "+4" in page
    client.force_login(org.heads[0])
    page = client.get(reverse("responsibility:round-detail", args=[now.pk])).content.decode()
    assert "总体情况" not in page  # a unit head sees their own card, not the others' figures


def test_a_round_page_lists_its_units_a_page_at_a_time_at_a_fixed_cost(
    client, org, assessment_round, django_assert_num_queries
):
    """60 more units (the organisation grown, a round of all of them): the page lists 50 and costs the
    same 17 queries as with 2 (session, user, navigation, the round, its counts by status, the page's
    units and objections, the summary's three, last year's round, the history)."""
    from accounts.models import OrgUnit
    from responsibility.assessment.services.rounds import RoundInput, round_open
    from tests.factories import OrgUnitFactory

    url = reverse("responsibility:round-detail", args=[assessment_round.pk])
    client.force_login(org.inspector)
    client.get(url)
    with django_assert_num_queries(17):
        assert client.get(url).status_code == 200
    for index in range(60):
        OrgUnitFactory(name=f"第{index + 1}工作委员会")
    big = counted(
        round_open(
            data=RoundInput(
                scheme=assessment_round.scheme,
                year=2025,
                name="2025年度考核",
                deadline=datetime.date(2026, 5, 31),
                objection_days=5,
                grade_bands=TEST_GRADES,
                units=list(OrgUnit.objects.filter(is_active=True)),
            ),
            opened_by=org.office_admin,
        )
    )
    big_url = reverse("responsibility:round-detail", args=[big.pk])
    client.get(big_url)
    with django_assert_num_queries(17):
        page = client.get(big_url).content.decode()
    assert page.count('data-label="单位"><a href=') == 50 and "第 1 页，共 2 页" in page
    second = client.get(big_url + "?page=2").content.decode()
    assert second.count('data-label="单位"><a href=') == big.units.count() - 50
