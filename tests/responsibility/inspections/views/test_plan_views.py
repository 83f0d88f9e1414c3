"""The plan pages through the client: list, create/edit/close, checkpoints, draws and their verification."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import OrgUnit, OrgUnitKind
from accounts.roles import Role
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.models import (
    CheckOutcome,
    Checkpoint,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    PlanStatus,
    SpotCheckDraw,
)
from responsibility.supervision.services.draws import spot_check_draw
from responsibility.supervision.services.inspections import ResultInput, check_result_record
from responsibility.supervision.services.plans import (
    CheckpointInput,
    PlanInput,
    checkpoint_create,
    inspection_plan_create,
    inspection_plan_update,
)
from responsibility.supervision.services.rectifications import finding_record
from tests.factories import OrgUnitFactory, PostFactory, UserFactory
from tests.responsibility.inspections.conftest import draw_input, finding_input, inspector_of
from tests.responsibility.inspections.tampering import draw_tamper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Read the pages in English (the language switch's cookie), so the assertions read the msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def url(name: str, *args) -> str:
    return reverse(f"responsibility:{name}", args=args)


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def plan_form_data(supervision, **overrides) -> dict:
    plan = InspectionPlan.objects.get(pk=supervision.plan.pk)
    data = {
        "year": plan.year,
        "title": plan.title,
        "description": plan.description,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "scope": [unit.pk for unit in supervision.units],
        "team": [member.pk for member in supervision.inspectors],
        "version": plan.version,
    }
    data.update(overrides)
    return data


def plan_snapshot(plan: InspectionPlan) -> tuple:
    plan = InspectionPlan.objects.get(pk=plan.pk)
    return (
        plan.title,
        plan.period_end,
        plan.version,
        plan.status,
        sorted(plan.scope.values_list("pk", flat=True)),
        sorted(plan.team.values_list("pk", flat=True)),
    )


def draw_form_data(**overrides) -> dict:
    data = {
        "mode": "count",
        "requested": 2,
        "inspectors_per_unit": 1,
        "public_value": "20260315",
        "previous_draw": 0,
    }
    data.update(overrides)
    return data


def extra_plan(supervision, *, title: str, year: int = 2026) -> InspectionPlan:
    return inspection_plan_create(
        data=PlanInput(
            year=year,
            title=title,
            description="",
            period_start=datetime.date(year, 3, 1),
            period_end=datetime.date(year, 6, 30),
            scope=supervision.units,
            team=supervision.inspectors,
        ),
        created_by=supervision.inspectors[0],
    )


# --- List -------------------------------------------------------------------------------------------


def test_plan_list_shows_a_team_member_the_plan_with_its_counts_and_the_new_button(
    client, supervision, finding
):
    # given a plan over five units, all five drawn, one finding recorded
    client.force_login(supervision.inspectors[0])

    # when
    response = client.get(url("plan-list"))

    # then
    assert response.status_code == 200
    plan = response.context["plans"][0]
    assert (plan.units_count, plan.inspections_count, plan.findings_count) == (5, 5, 1)
    body = response.content.decode()
    assert supervision.plan.title in body
    assert url("plan-create") in body


def test_plan_list_counts_only_the_inspections_of_the_current_draw(client, supervision, drawn):
    # given the plan drawn again with two units: the first draw's five inspections are cancelled
    spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=2, reason="范围调整"),
        drawn_by=supervision.inspectors[0],
    )
    client.force_login(supervision.inspectors[0])

    response = client.get(url("plan-list"))

    assert response.context["plans"][0].inspections_count == 2


@pytest.mark.parametrize("reader", ["office admin", "party group"])
def test_plan_list_lets_the_office_and_party_group_read_without_the_new_button(client, supervision, reader):
    user = supervision.org.office_admin if reader == "office admin" else supervision.org.secretary
    client.force_login(user)

    response = client.get(url("plan-list"))

    body = response.content.decode()
    assert supervision.plan.title in body
    assert url("plan-create") not in body


def test_plan_list_shows_a_unit_head_nothing(client, supervision):
    client.force_login(supervision.org.heads[0])

    response = client.get(url("plan-list"))

    assert response.status_code == 200
    assert supervision.plan.title not in response.content.decode()


def test_plan_list_filters_by_year_and_status(client, supervision):
    # given a 2025 plan besides the 2026 one
    old = extra_plan(supervision, title="2025年度专项检查", year=2025)
    client.force_login(supervision.org.office_admin)

    by_year = client.get(url("plan-list"), {"year": "2025"})
    by_status = client.get(url("plan-list"), {"status": PlanStatus.CLOSED})

    assert [plan.pk for plan in by_year.context["plans"]] == [old.pk]
    assert list(by_status.context["plans"]) == []
    assert "No plans match this filter." in by_status.content.decode()


def test_plan_list_runs_the_same_number_of_queries_for_one_plan_and_for_six(
    client, supervision, drawn, django_assert_max_num_queries
):
    client.force_login(supervision.inspectors[0])

    def count() -> int:
        with django_assert_max_num_queries(30) as captured:
            response = client.get(url("plan-list"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    one = count()
    for number in range(5):
        plan = extra_plan(supervision, title=f"专项检查{number}")
        spot_check_draw(plan=plan, data=draw_input(requested=3), drawn_by=supervision.inspectors[0])

    assert count() == one


# --- Create, edit, close ----------------------------------------------------------------------------


def test_plan_create_page_groups_the_units_by_kind_with_select_all(client, supervision):
    client.force_login(supervision.inspectors[0])

    response = client.get(url("plan-create"))

    body = response.content.decode()
    assert response.status_code == 200
    assert str(OrgUnitKind.WORKING_BODY.label) in body
    assert str(OrgUnitKind.PARTY_COMMITTEE.label) in body
    assert "Select all of this kind" in body
    groups = {group["kind"]: len(group["checkboxes"]) for group in response.context["form"].scope_groups()}
    assert groups[OrgUnitKind.WORKING_BODY] == 4  # the two committees of `org` and two more
    assert 'name="version"' not in body


def test_plan_create_makes_the_plan_and_opens_it(client, supervision):
    client.force_login(supervision.inspectors[0])
    data = plan_form_data(supervision, title="2026年度专项检查", scope=[supervision.units[0].pk])

    response = client.post(url("plan-create"), data)

    plan = InspectionPlan.objects.get(title="2026年度专项检查")
    assert response.status_code == 302
    assert response["Location"] == url("plan-detail", plan.pk)
    assert list(plan.scope.all()) == [supervision.units[0]]
    assert set(plan.team.all()) == set(supervision.inspectors)
    assert plan.created_by == supervision.inspectors[0]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scope": []}, "Choose at least one unit in scope."),
        ({"team": []}, "Choose at least one team member."),
        ({"period_end": "2026-01-01"}, "The checks cannot end before they start."),
    ],
)
def test_plan_create_refuses_bad_input_with_the_service_message_and_keeps_it(
    client, supervision, overrides, message
):
    client.force_login(supervision.inspectors[0])
    data = plan_form_data(supervision, title="新计划", **overrides)

    response = client.post(url("plan-create"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'value="新计划"' in response.content.decode()
    assert not InspectionPlan.objects.filter(title="新计划").exists()


def test_plan_create_refuses_a_second_identical_post(client, supervision):
    client.force_login(supervision.inspectors[0])
    data = plan_form_data(supervision, title="重复提交的计划")
    client.post(url("plan-create"), data)

    response = client.post(url("plan-create"), data)

    assert response.status_code == 400
    assert "A plan with this title already exists for that year." in response.content.decode()
    assert InspectionPlan.objects.filter(title="重复提交的计划").count() == 1


@pytest.mark.parametrize("who", ["office admin", "unit head"])
def test_plan_create_is_forbidden_to_who_may_not_plan(client, supervision, who):
    client.force_login(supervision.org.office_admin if who == "office admin" else supervision.org.heads[0])

    assert client.get(url("plan-create")).status_code == 403
    assert client.post(url("plan-create"), plan_form_data(supervision, title="X")).status_code == 403
    assert not InspectionPlan.objects.filter(title="X").exists()


def test_plan_update_saves_a_change_made_from_the_current_version(client, supervision):
    client.force_login(supervision.inspectors[0])
    data = plan_form_data(supervision, title="改过的标题", scope=[unit.pk for unit in supervision.units[:3]])

    response = client.post(url("plan-update", supervision.plan.pk), data)

    assert response.status_code == 302
    plan = InspectionPlan.objects.get(pk=supervision.plan.pk)
    assert plan.title == "改过的标题"
    assert plan.version == 2
    assert plan.scope.count() == 3


def test_plan_update_form_carries_the_version_and_the_current_choices(client, supervision):
    client.force_login(supervision.inspectors[0])

    response = client.get(url("plan-update", supervision.plan.pk))

    form = response.context["form"]
    assert form["version"].value() == 1
    assert sorted(form["scope"].value()) == sorted(unit.pk for unit in supervision.units)
    assert 'name="version" value="1"' in response.content.decode()


def test_plan_update_refuses_a_stale_edit_and_keeps_the_users_input(client, supervision):
    # given a colleague saved the plan after this user opened the edit page (version 1)
    client.force_login(supervision.inspectors[0])
    data = plan_form_data(supervision, title="我的修改")
    colleague_change = PlanInput(
        year=2026,
        title="同事的修改",
        description="",
        period_start=datetime.date(2026, 3, 1),
        period_end=datetime.date(2026, 12, 31),
        scope=supervision.units,
        team=supervision.inspectors,
    )
    inspection_plan_update(
        plan=supervision.plan, data=colleague_change, updated_by=supervision.inspectors[1], expected_version=1
    )
    before = plan_snapshot(supervision.plan)

    # when
    response = client.post(url("plan-update", supervision.plan.pk), data)

    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this plan after you opened the page." in body
    assert any("Nothing was saved" in text for text in message_texts(response))
    assert 'value="我的修改"' in body
    assert plan_snapshot(supervision.plan) == before


def test_plan_update_is_forbidden_to_an_inspector_not_on_the_team_and_hidden_from_a_unit_head(
    client, supervision
):
    before = plan_snapshot(supervision.plan)
    client.force_login(supervision.outside_inspector)
    forbidden = client.post(url("plan-update", supervision.plan.pk), plan_form_data(supervision, title="X"))
    client.force_login(supervision.org.heads[0])
    hidden = client.get(url("plan-update", supervision.plan.pk))

    assert forbidden.status_code == 403
    assert hidden.status_code == 404
    assert plan_snapshot(supervision.plan) == before


def test_plan_close_closes_the_plan_on_post_only(client, supervision):
    client.force_login(supervision.inspectors[0])

    assert client.get(url("plan-close", supervision.plan.pk)).status_code == 405
    response = client.post(url("plan-close", supervision.plan.pk))

    assert response.status_code == 302
    assert InspectionPlan.objects.get(pk=supervision.plan.pk).status == PlanStatus.CLOSED
    assert "closed" in message_texts(response)[0]


def test_plan_close_twice_says_it_is_closed_and_changes_nothing(client, supervision):
    client.force_login(supervision.inspectors[0])
    client.post(url("plan-close", supervision.plan.pk))
    before = plan_snapshot(supervision.plan)

    response = client.post(url("plan-close", supervision.plan.pk))

    assert "This plan is closed; nothing more can be recorded in it." in message_texts(response)
    assert plan_snapshot(supervision.plan) == before


def test_plan_close_is_forbidden_to_the_office_admin(client, supervision):
    client.force_login(supervision.org.office_admin)

    response = client.post(url("plan-close", supervision.plan.pk))

    assert response.status_code == 403
    assert InspectionPlan.objects.get(pk=supervision.plan.pk).status == PlanStatus.OPEN


# --- Detail -----------------------------------------------------------------------------------------


def test_plan_detail_shows_checkpoints_draws_and_the_current_inspections(client, supervision, drawn):
    # given a redraw of two units: draw 1 replaced, draw 2 current
    second = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=2, reason="一名检查人员回避"),
        drawn_by=supervision.inspectors[0],
    )
    client.force_login(supervision.inspectors[0])

    response = client.get(url("plan-detail", supervision.plan.pk))

    body = response.content.decode()
    assert response.status_code == 200
    assert "主体责任落实" in body and "研究部署党风廉政建设工作" in body
    assert response.context["current_draw"] == second
    assert "一名检查人员回避" in body
    assert "Replaced" in body and "Current" in body
    rows = response.context["rows"]
    assert [row["inspection"].draw_id for row in rows] == [second.pk, second.pk]
    assert "0/2" in body
    assert url("draw-create", supervision.plan.pk) in body
    assert url("plan-update", supervision.plan.pk) in body
    assert url("checkpoint-create", supervision.plan.pk) in body


def test_plan_detail_shows_progress_and_findings_of_an_inspection(client, supervision, finding):
    client.force_login(supervision.org.office_admin)

    response = client.get(url("plan-detail", supervision.plan.pk))

    row = next(row for row in response.context["rows"] if row["inspection"].pk == finding.inspection_id)
    assert (row["inspection"].results_count, row["inspection"].findings_count, row["percent"]) == (1, 1, 50)


def test_plan_detail_lets_the_office_read_without_edit_or_draw_buttons(client, supervision, drawn):
    client.force_login(supervision.org.office_admin)

    response = client.get(url("plan-detail", supervision.plan.pk))

    body = response.content.decode()
    assert response.status_code == 200
    for name in ("draw-create", "plan-update", "checkpoint-create", "plan-close"):
        assert url(name, supervision.plan.pk) not in body
    checkpoint = supervision.plan.checkpoints.first()
    assert url("checkpoint-update", checkpoint.pk) not in body


def test_plan_detail_is_a_404_for_a_unit_head(client, supervision):
    client.force_login(supervision.org.heads[0])

    assert client.get(url("plan-detail", supervision.plan.pk)).status_code == 404


def test_plan_detail_query_count_does_not_grow_with_units_checkpoints_and_inspections(
    client, supervision, django_assert_max_num_queries
):
    client.force_login(supervision.inspectors[0])
    spot_check_draw(plan=supervision.plan, data=draw_input(requested=1), drawn_by=supervision.inspectors[0])

    def count() -> int:
        with django_assert_max_num_queries(40) as captured:
            response = client.get(url("plan-detail", supervision.plan.pk))
        assert response.status_code == 200
        return len(captured.captured_queries)

    small = count()
    # grow everything: more units in scope, more checkpoints, a bigger draw with results and findings
    plan = InspectionPlan.objects.get(pk=supervision.plan.pk)
    plan.scope.add(*[OrgUnitFactory() for _ in range(6)])
    for number in range(3):
        checkpoint_create(
            plan=plan,
            data=CheckpointInput(f"检查点{number}", "标准", [ClauseCategory.RULES], 10, False),
            created_by=supervision.inspectors[0],
        )
    draw = spot_check_draw(
        plan=plan, data=draw_input(requested=8, reason="扩大范围"), drawn_by=supervision.inspectors[0]
    )
    for inspection in Inspection.objects.filter(draw=draw)[:3]:
        check_result_record(
            inspection=inspection,
            checkpoint=plan.checkpoints.get(number=2),
            data=ResultInput(outcome=CheckOutcome.CONFORMING, notes=""),
            recorded_by=inspector_of(inspection),
        )

    assert count() == small


# --- Checkpoints ------------------------------------------------------------------------------------


def checkpoint_data(**overrides) -> dict:
    data = {
        "title": "制度建设",
        "criterion": "建立健全廉政风险防控制度。",
        "categories": [ClauseCategory.RULES],
        "weight": 20,
        "evidence_required": "on",
    }
    data.update(overrides)
    return data


def test_checkpoint_create_adds_the_next_checkpoint(client, supervision):
    client.force_login(supervision.inspectors[1])

    response = client.post(url("checkpoint-create", supervision.plan.pk), checkpoint_data())

    assert response.status_code == 302
    assert response["Location"].endswith("#checkpoints")
    checkpoint = supervision.plan.checkpoints.get(number=3)
    assert (checkpoint.title, checkpoint.categories, checkpoint.evidence_required) == (
        "制度建设",
        [ClauseCategory.RULES],
        True,
    )


def test_checkpoint_create_without_a_category_shows_the_service_message(client, supervision):
    client.force_login(supervision.inspectors[0])

    response = client.post(url("checkpoint-create", supervision.plan.pk), checkpoint_data(categories=[]))

    assert response.status_code == 400
    assert "Choose at least one clause category for the checkpoint." in response.content.decode()
    assert supervision.plan.checkpoints.count() == 2


def test_checkpoint_create_is_forbidden_to_the_office_and_hidden_from_a_unit_head(client, supervision):
    client.force_login(supervision.org.office_admin)
    forbidden = client.post(url("checkpoint-create", supervision.plan.pk), checkpoint_data())
    client.force_login(supervision.org.heads[0])
    hidden = client.post(url("checkpoint-create", supervision.plan.pk), checkpoint_data())

    assert (forbidden.status_code, hidden.status_code) == (403, 404)
    assert supervision.plan.checkpoints.count() == 2


def test_checkpoint_update_changes_a_checkpoint_without_results(client, supervision):
    checkpoint = supervision.plan.checkpoints.get(number=2)
    client.force_login(supervision.inspectors[0])

    page = client.get(url("checkpoint-update", checkpoint.pk))
    response = client.post(url("checkpoint-update", checkpoint.pk), checkpoint_data(title="作风建设（修订）"))

    assert page.context["form"]["title"].value() == "作风建设"
    assert response.status_code == 302
    assert Checkpoint.objects.get(pk=checkpoint.pk).title == "作风建设（修订）"


def test_checkpoint_update_is_refused_once_results_exist(client, supervision, finding):
    # given checkpoint 2 has a result (the `finding` fixture recorded one)
    checkpoint = supervision.plan.checkpoints.get(number=2)
    client.force_login(supervision.inspectors[0])

    page = client.get(url("checkpoint-update", checkpoint.pk))
    response = client.post(url("checkpoint-update", checkpoint.pk), checkpoint_data(title="改不了"))

    message = "Results have been recorded against this checkpoint; it can no longer be changed."
    assert message in page.content.decode()
    # the checkpoint is shown, not offered in a form that could only be refused
    assert 'name="title"' not in page.content.decode() and "作风建设" in page.content.decode()
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Checkpoint.objects.get(pk=checkpoint.pk).title == "作风建设"
    # and the plan's page offers to view it, not to edit it
    plan_page = client.get(url("plan-detail", supervision.plan.pk)).content.decode()
    assert f'<a href="{url("checkpoint-update", checkpoint.pk)}">View</a>' in plan_page


# --- Draws ------------------------------------------------------------------------------------------


def test_draw_create_page_explains_the_public_value_and_has_no_reason_field_at_first(client, supervision):
    client.force_login(supervision.inspectors[0])

    response = client.get(url("draw-create", supervision.plan.pk))

    body = response.content.decode()
    assert response.status_code == 200
    assert "read out at the meeting" in body
    assert 'name="reason"' not in body
    assert response.context["population_count"] == 5


def test_draw_create_draws_and_shows_the_draw(client, supervision):
    client.force_login(supervision.inspectors[0])

    response = client.post(
        url("draw-create", supervision.plan.pk), draw_form_data(requested=3, by_unit_kind="on")
    )

    draw = SpotCheckDraw.objects.get(plan=supervision.plan)
    assert response.status_code == 302
    assert response["Location"] == url("draw-detail", draw.pk)
    assert (len(draw.result), draw.by_unit_kind, draw.public_value) == (3, True, "20260315")
    assert Inspection.objects.filter(draw=draw).count() == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"requested": 6},
            "Only 5 units can be drawn from this plan&#x27;s scope; 6 were asked for.",
        ),
        ({"public_value": "  "}, "Enter the public value read out at the draw"),
        ({"mode": "ratio", "requested": 150}, "The percentage must be between 1 and 100."),
        (
            {"inspectors_per_unit": 3},
            "The plan&#x27;s team has 2 members; 3 inspectors per unit are asked for.",
        ),
    ],
)
def test_draw_create_refuses_bad_input_with_the_service_message_and_draws_nothing(
    client, supervision, overrides, message
):
    client.force_login(supervision.inspectors[0])

    response = client.post(url("draw-create", supervision.plan.pk), draw_form_data(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SpotCheckDraw.objects.filter(plan=supervision.plan).exists()
    assert not Inspection.objects.filter(plan=supervision.plan).exists()


def test_draw_create_twice_with_the_same_post_draws_once_and_says_so(client, supervision):
    # given the first draw's form sent twice (a double click)
    client.force_login(supervision.inspectors[0])
    data = draw_form_data()
    first = client.post(url("draw-create", supervision.plan.pk), data)

    # when
    second = client.post(url("draw-create", supervision.plan.pk), data)

    # then only one draw exists; the second answer names it and offers the reason field
    draw = SpotCheckDraw.objects.get(plan=supervision.plan)
    body = second.content.decode()
    assert first.status_code == 302
    assert second.status_code == 400
    assert "This plan was drawn (draw 1) after you opened this page. Nothing more was drawn" in body
    assert url("draw-detail", draw.pk) in body
    assert 'name="reason"' in body
    assert second.context["form"]["previous_draw"].value() == "1"


def test_draw_create_refuses_a_redraw_without_a_reason(client, supervision, drawn):
    client.force_login(supervision.inspectors[0])

    page = client.get(url("draw-create", supervision.plan.pk))
    response = client.post(url("draw-create", supervision.plan.pk), draw_form_data(previous_draw=1))

    assert 'name="reason"' in page.content.decode()
    assert "This plan has been drawn before." in page.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == [
        "This plan has been drawn already. Drawing again needs a reason, which is recorded."
    ]
    assert SpotCheckDraw.objects.filter(plan=supervision.plan).count() == 1


def test_draw_create_redraws_with_a_reason_once_even_when_posted_twice(client, supervision, drawn):
    client.force_login(supervision.inspectors[0])
    data = draw_form_data(previous_draw=1, reason="检查组成员调整")

    first = client.post(url("draw-create", supervision.plan.pk), data)
    second = client.post(url("draw-create", supervision.plan.pk), data)

    draws = list(SpotCheckDraw.objects.filter(plan=supervision.plan).order_by("sequence"))
    assert first.status_code == 302
    assert second.status_code == 400
    assert [draw.sequence for draw in draws] == [1, 2]
    assert draws[1].reason == "检查组成员调整"
    assert "This plan was drawn (draw 2) after you opened this page." in second.content.decode()
    assert set(Inspection.objects.filter(draw=drawn).values_list("status", flat=True)) == {
        InspectionStatus.CANCELLED
    }


def test_draw_again_is_not_offered_once_results_exist_and_the_page_says_why(client, supervision, finding):
    # given the current draw's checks have started (the `finding` fixture recorded a result)
    client.force_login(supervision.inspectors[0])
    message = "Checks of the current draw have started (results are recorded); it cannot be replaced."

    # when the inspector opens the plan, and the draw page by its address
    plan_page = client.get(url("plan-detail", supervision.plan.pk)).content.decode()
    draw_page = client.get(url("draw-create", supervision.plan.pk))

    # then neither offers a second draw: both say why
    assert url("draw-create", supervision.plan.pk) not in plan_page
    assert message in plan_page
    body = draw_page.content.decode()
    assert draw_page.status_code == 200
    assert message in body
    assert 'name="public_value"' not in body and 'name="reason"' not in body
    assert url("plan-detail", supervision.plan.pk) in body  # the way back

    # when a second draw is posted all the same (a page opened before the first result)
    refused = client.post(
        url("draw-create", supervision.plan.pk), draw_form_data(previous_draw=1, reason="检查组成员调整")
    )

    # then it is refused with the same reason, before asking for anything else, and nothing is drawn
    assert refused.status_code == 400
    assert message in refused.content.decode()
    assert SpotCheckDraw.objects.filter(plan=supervision.plan).count() == 1


def test_draw_create_is_forbidden_to_the_office_and_an_inspector_not_on_the_team(client, supervision):
    for user in (supervision.org.office_admin, supervision.outside_inspector):
        client.force_login(user)
        assert client.post(url("draw-create", supervision.plan.pk), draw_form_data()).status_code == 403
    assert not SpotCheckDraw.objects.filter(plan=supervision.plan).exists()


# --- Draw detail: the verification page ---------------------------------------------------------------


def test_draw_detail_shows_the_record_and_a_green_rerun(client, supervision, drawn):
    client.force_login(supervision.org.secretary)

    response = client.get(url("draw-detail", drawn.pk))

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["verification"].is_valid
    assert "Re-run gives the same result." in body
    assert drawn.seed in body and drawn.result_hash in body and "20260315" in body
    assert "manage.py" not in body  # no command on a page for inspectors: the page says it in words
    # the kinds of unit by their names, in the order the algorithm takes them (by their stored codes)
    kinds = sorted({unit.kind for unit in supervision.units})
    assert response.context["kind_order"] == [OrgUnitKind(kind).label for kind in kinds]
    assert not any(kind in body for kind in kinds)
    assert response.context["seed_input"].startswith(
        f"sha256-rank/1|plan={supervision.plan.pk}|draw=1|public=20260315|at="
    )
    # the worked example is the text the algorithm hashed for the first unit drawn and its first inspector
    first = drawn.result[0]
    assert response.context["key_examples"]["rank"] == f"{drawn.seed}|unit={first['unit']}"
    assert (
        response.context["key_examples"]["inspector"]
        == f"{drawn.seed}|unit={first['unit']}|inspector={first['inspectors'][0]}"
    )
    names = [row["unit"]["name"] for row in response.context["result_rows"]]
    assert sorted(names) == sorted(unit.name for unit in supervision.units)
    inspector_names = {
        member["name"] for row in response.context["result_rows"] for member in row["inspectors"]
    }
    assert inspector_names <= {member.get_full_name() for member in supervision.inspectors}
    assert all(row["inspection"] for row in response.context["result_rows"])


def test_draw_detail_names_an_exclusion_in_words(client, supervision):
    # given an inspector holds a post in a unit in scope, and both inspectors are needed per unit
    PostFactory(unit=supervision.units[2], title="兼职", kind="staff", holder=supervision.inspectors[1])
    draw = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=2, inspectors_per_unit=2),
        drawn_by=supervision.inspectors[0],
    )
    client.force_login(supervision.inspectors[0])

    response = client.get(url("draw-detail", draw.pk))

    assert [row["unit"]["name"] for row in response.context["exclusions"]] == [supervision.units[2].name]
    assert (
        "Conflict of interest: fewer than 2 team members hold no post in this unit."
        in response.content.decode()
    )


def test_draw_detail_shows_red_and_names_what_differs_when_the_result_was_altered(client, supervision, drawn):
    altered = [dict(row) for row in drawn.result]
    altered[0], altered[1] = altered[1], altered[0]
    draw_tamper(drawn, result=altered)
    client.force_login(supervision.inspectors[0])

    response = client.get(url("draw-detail", drawn.pk))

    body = response.content.decode()
    assert not response.context["verification"].is_valid
    assert "Re-run does not match the record." in body
    assert "Running the algorithm again gives other units" in body
    assert "the stored record has been changed since the draw" in body
    assert "Result of the re-run" in body
    assert "Re-run gives the same result." not in body


def test_draw_detail_marks_a_replaced_draw_with_the_reason(client, supervision, drawn):
    spot_check_draw(
        plan=supervision.plan, data=draw_input(reason="范围有误"), drawn_by=supervision.inspectors[0]
    )
    client.force_login(supervision.inspectors[0])

    response = client.get(url("draw-detail", drawn.pk))

    body = response.content.decode()
    assert "Replaced by draw #2." in body
    assert "范围有误" in body


def test_draw_detail_is_a_404_for_a_unit_head(client, supervision, drawn):
    client.force_login(supervision.org.heads[0])

    assert client.get(url("draw-detail", drawn.pk)).status_code == 404


def test_finding_counted_on_the_plan_list_belongs_to_the_plan(client, supervision, committee_inspection):
    # given a finding recorded without a check result
    inspector = inspector_of(committee_inspection)
    finding_record(
        inspection=committee_inspection, data=finding_input(committee_inspection), recorded_by=inspector
    )
    other = extra_plan(supervision, title="另一个计划")
    client.force_login(supervision.org.office_admin)

    response = client.get(url("plan-list"))

    counts = {plan.pk: plan.findings_count for plan in response.context["plans"]}
    assert counts == {supervision.plan.pk: 1, other.pk: 0}


def test_plan_create_offers_only_inspection_team_members_for_the_team(client, supervision):
    office_user = UserFactory(full_name="办公室人员", roles=[Role.OFFICE_ADMIN])
    client.force_login(supervision.inspectors[0])

    response = client.get(url("plan-create"))

    team = response.context["form"].fields["team"].queryset
    assert set(supervision.inspectors) <= set(team)
    assert office_user not in team
    assert supervision.org.office_admin not in team


def test_plan_update_keeps_an_inactive_unit_in_scope_visible(client, supervision):
    unit = OrgUnit.objects.get(pk=supervision.units[-1].pk)
    unit.is_active = False
    unit.save(update_fields=["is_active"])
    client.force_login(supervision.inspectors[0])

    response = client.get(url("plan-update", supervision.plan.pk))

    assert unit in response.context["form"].fields["scope"].queryset


def test_draw_detail_shows_red_when_the_population_was_altered(client, supervision, drawn):
    population = [dict(row) for row in drawn.population]
    population[0]["name"] = "改过的单位名"
    draw_tamper(drawn, population=population)
    client.force_login(supervision.inspectors[0])

    response = client.get(url("draw-detail", drawn.pk))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Re-run does not match the record." in body
    assert "the stored record has been changed since the draw" in body
    assert "改过的单位名" in body


def test_draw_detail_still_shows_a_record_whose_structure_was_broken(client, supervision, drawn):
    draw_tamper(drawn, population=[{"unexpected": 1}], team="not a list", result=[{"unit": 1}])
    client.force_login(supervision.inspectors[0])

    response = client.get(url("draw-detail", drawn.pk))

    assert response.status_code == 200
    assert "Re-run does not match the record." in response.content.decode()
