"""spot_check_draw with `expected_previous`: a draw made after the page was loaded refuses this one."""

import pytest

from responsibility.supervision.draws import DrawRefused
from responsibility.supervision.models import SpotCheckDraw
from responsibility.supervision.services.draws import spot_check_draw
from tests.responsibility.inspections.conftest import draw_input

pytestmark = pytest.mark.django_db


def test_spot_check_draw_refuses_a_first_draw_when_the_plan_was_drawn_meanwhile(supervision, drawn):
    with pytest.raises(DrawRefused, match=r"This plan was drawn \(draw 1\) after you opened this page"):
        spot_check_draw(
            plan=supervision.plan,
            data=draw_input(expected_previous=0, reason="重复提交"),
            drawn_by=supervision.inspectors[0],
        )

    assert SpotCheckDraw.objects.filter(plan=supervision.plan).count() == 1


def test_spot_check_draw_redraws_when_the_page_saw_the_current_draw(supervision, drawn):
    draw = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(expected_previous=1, reason="检查组成员调整"),
        drawn_by=supervision.inspectors[0],
    )

    assert draw.sequence == 2


def test_spot_check_draw_without_expected_previous_behaves_as_before(supervision, drawn):
    with pytest.raises(DrawRefused, match="Drawing again needs a reason"):
        spot_check_draw(plan=supervision.plan, data=draw_input(), drawn_by=supervision.inspectors[0])
