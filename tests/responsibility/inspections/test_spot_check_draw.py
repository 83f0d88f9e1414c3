"""spot_check_draw and draw_verify: the draw as stored, its audit event, redraws, bad input, tampering."""

import datetime
import hashlib
from datetime import UTC

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.models import OrgUnit, PostKind
from core.errors import ApplicationError
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.draws import DrawRefused
from responsibility.supervision.models import (
    CheckOutcome,
    CheckResult,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionStatus,
    SpotCheckDraw,
)
from responsibility.supervision.services.draws import draw_verify, spot_check_draw
from responsibility.supervision.services.inspections import ResultInput, check_result_record
from responsibility.supervision.services.plans import inspection_plan_close
from tests.factories import PostFactory
from tests.responsibility.inspections.conftest import draw_input, inspector_of
from tests.responsibility.inspections.tampering import draw_event_tamper, draw_tamper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # Messages are matched in English (the msgids), whatever the catalog says.
    with translation.override("en"):
        yield


def _written() -> tuple:
    """Everything a draw writes, to show that a refused draw wrote nothing."""
    return (
        list(SpotCheckDraw.objects.values_list("pk", flat=True)),
        sorted(Inspection.objects.values_list("pk", "status")),
        sorted(Inspection.inspectors.through.objects.values_list("inspection_id", "user_id")),
        list(InspectionEvent.objects.values_list("pk", flat=True)),
    )


# --- A draw ------------------------------------------------------------------------------------------


def test_a_draw_creates_the_inspections_with_the_drawn_inspectors(supervision):
    # when two units are drawn, two inspectors each
    draw = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=2, inspectors_per_unit=2),
        drawn_by=supervision.inspectors[0],
    )

    # then the draw stores its inputs: every active unit in scope, the team, the parameters
    assert draw.sequence == 1
    assert draw.algorithm == "sha256-rank/1"
    assert draw.public_value == "20260315"
    assert [row["id"] for row in draw.population] == sorted(unit.pk for unit in supervision.units)
    assert [row["id"] for row in draw.team] == sorted(member.pk for member in supervision.inspectors)
    assert len(draw.result) == 2
    # and one pending inspection per drawn unit, in the order drawn, with exactly the drawn inspectors
    inspections = list(Inspection.objects.filter(draw=draw).order_by("position"))
    assert [inspection.unit_id for inspection in inspections] == [row["unit"] for row in draw.result]
    assert [inspection.position for inspection in inspections] == [1, 2]
    for inspection, row in zip(inspections, draw.result, strict=True):
        assert inspection.plan == supervision.plan
        assert inspection.status == InspectionStatus.PENDING
        assert sorted(inspection.inspectors.values_list("pk", flat=True)) == sorted(row["inspectors"])


def test_a_draw_is_one_drawn_event_carrying_its_record_hash(supervision, drawn):
    # then exactly one audit event records the draw, and it carries the draw's SHA-256
    events = list(InspectionEvent.objects.filter(subject=f"draw:{drawn.pk}"))
    assert len(events) == 1
    assert events[0].kind == InspectionEventKind.DRAWN
    assert events[0].digest == drawn.result_hash
    assert events[0].actor == supervision.inspectors[0]
    assert events[0].plan == supervision.plan
    assert events[0].payload["public_value"] == "20260315"
    # and the supervision audit chain is intact
    assert inspection_chain_verify() is None


def test_a_stored_draw_can_be_redone_by_hand(drawn):
    # given only what is stored, and the documented algorithm (hashlib, no project code)
    at = drawn.drawn_at.astimezone(UTC).isoformat(timespec="microseconds")
    text = f"sha256-rank/1|plan={drawn.plan_id}|draw=1|public={drawn.public_value}|at={at}"
    seed = hashlib.sha256(text.encode()).hexdigest()
    keys = {
        row["id"]: hashlib.sha256(f"{seed}|unit={row['id']}".encode()).hexdigest() for row in drawn.population
    }

    # then the stored seed is that SHA-256, and the units were drawn lowest key first
    assert drawn.seed == seed
    assert [row["unit"] for row in drawn.result] == sorted(keys, key=keys.__getitem__)


def test_the_public_value_is_stored_without_surrounding_blanks(supervision):
    draw = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(public_value="  07 12 33  "),
        drawn_by=supervision.inspectors[1],
    )
    assert draw.public_value == "07 12 33"
    assert draw.drawn_by == supervision.inspectors[1]
    assert draw_verify(draw=draw).is_valid


def test_a_percentage_draws_the_rounded_up_share(supervision):
    # when 30 % of 5 units are drawn: ceil(1.5) = 2
    draw = spot_check_draw(
        plan=supervision.plan, data=draw_input(mode="ratio", requested=30), drawn_by=supervision.inspectors[0]
    )
    assert len(draw.result) == 2
    assert Inspection.objects.filter(draw=draw).count() == 2


def test_one_of_each_kind_draws_the_party_committee(supervision):
    # given the scope holds four committees and one organ Party committee (办公室)
    office = next(unit for unit in supervision.units if unit.name == "办公室")

    # when two units are drawn with at least one of each kind
    draw = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=2, by_unit_kind=True),
        drawn_by=supervision.inspectors[0],
    )

    # then the only unit of its kind is always among them
    assert office.pk in [row["unit"] for row in draw.result]


def test_an_inspector_is_not_sent_to_the_unit_they_hold_a_post_in(supervision):
    # given the first inspector is also deputy head of the first committee
    committee = supervision.units[0]
    PostFactory(unit=committee, title="副主任", kind=PostKind.DEPUTY_HEAD, holder=supervision.inspectors[0])

    # when every unit is drawn, one inspector each
    draw = spot_check_draw(
        plan=supervision.plan, data=draw_input(requested=5), drawn_by=supervision.inspectors[1]
    )

    # then the snapshot records the post, and the other inspector checks that committee
    first = next(row for row in draw.team if row["id"] == supervision.inspectors[0].pk)
    assert first["units"] == [committee.pk]
    inspection = Inspection.objects.get(draw=draw, unit=committee)
    assert list(inspection.inspectors.all()) == [supervision.inspectors[1]]


def test_a_unit_without_enough_free_inspectors_is_excluded_and_not_drawn(supervision):
    # given the first inspector holds a post in the first committee; two inspectors are needed per unit
    committee = supervision.units[0]
    PostFactory(unit=committee, title="副主任", kind=PostKind.DEPUTY_HEAD, holder=supervision.inspectors[0])

    # when the four others are drawn
    draw = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=4, inspectors_per_unit=2),
        drawn_by=supervision.inspectors[0],
    )

    # then the committee is excluded with its reason, and no inspection of it exists
    assert draw.excluded == [{"id": committee.pk, "reason": "conflict-of-interest"}]
    assert committee.pk not in [row["unit"] for row in draw.result]
    assert not Inspection.objects.filter(draw=draw, unit=committee).exists()
    assert draw_verify(draw=draw).is_valid


def test_an_inactive_unit_is_left_out_of_the_population(supervision):
    # given one unit in scope was deactivated
    OrgUnit.objects.filter(pk=supervision.units[-1].pk).update(is_active=False)

    # when
    draw = spot_check_draw(
        plan=supervision.plan, data=draw_input(requested=4), drawn_by=supervision.inspectors[0]
    )

    # then
    assert supervision.units[-1].pk not in [row["id"] for row in draw.population]
    assert len(draw.population) == 4


# --- Drawing again -----------------------------------------------------------------------------------


def test_a_second_draw_without_a_reason_is_refused_and_changes_nothing(supervision, drawn):
    # given
    before = _written()

    # when
    for reason in ("", "   "):
        with pytest.raises(DrawRefused, match="needs a reason") as refused:
            spot_check_draw(
                plan=supervision.plan, data=draw_input(reason=reason), drawn_by=supervision.inspectors[0]
            )
        assert refused.value.code == "reason"

    # then
    assert _written() == before
    assert not Inspection.objects.filter(status=InspectionStatus.CANCELLED).exists()


def test_a_second_draw_with_a_reason_replaces_the_first_on_record(supervision, drawn):
    # given
    first_inspections = list(Inspection.objects.filter(draw=drawn).values_list("pk", flat=True))

    # when
    second = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=3, public_value="88231", reason="抽签时一名检查员回避，重新抽取。"),
        drawn_by=supervision.inspectors[1],
    )

    # then the new draw is number 2, with its reason
    assert second.sequence == 2
    assert second.reason == "抽签时一名检查员回避，重新抽取。"
    assert Inspection.objects.filter(draw=second, status=InspectionStatus.PENDING).count() == 3
    # and the first draw stays, its inspections cancelled
    assert SpotCheckDraw.objects.filter(pk=drawn.pk).exists()
    assert set(Inspection.objects.filter(draw=drawn).values_list("pk", "status")) == {
        (pk, InspectionStatus.CANCELLED) for pk in first_inspections
    }
    # and the redraw is its own audit event with the reason
    event = InspectionEvent.objects.get(subject=f"draw:{second.pk}")
    assert event.kind == InspectionEventKind.REDRAWN
    assert event.digest == second.result_hash
    assert "抽签时一名检查员回避" in event.note
    assert list(
        InspectionEvent.objects.filter(subject__startswith="draw:")
        .order_by("sequence")
        .values_list("kind", flat=True)
    ) == [InspectionEventKind.DRAWN, InspectionEventKind.REDRAWN]
    # and both draws still verify, and the chain holds
    assert draw_verify(draw=drawn).is_valid
    assert draw_verify(draw=second).is_valid
    assert inspection_chain_verify() is None


def test_a_redraw_reason_longer_than_1000_characters_is_refused(supervision, drawn):
    before = _written()
    with pytest.raises(DrawRefused, match="at most 1000 characters"):
        spot_check_draw(
            plan=supervision.plan, data=draw_input(reason="理" * 1001), drawn_by=supervision.inspectors[0]
        )
    assert _written() == before


def test_a_redraw_after_a_result_was_recorded_is_refused(supervision, committee_inspection):
    # given a result is recorded in the current draw
    check_result_record(
        inspection=committee_inspection,
        checkpoint=supervision.plan.checkpoints.get(number=2),
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes=""),
        recorded_by=inspector_of(committee_inspection),
    )
    before = _written()

    # when
    with pytest.raises(DrawRefused, match="cannot be replaced") as refused:
        spot_check_draw(
            plan=supervision.plan, data=draw_input(reason="重新抽取。"), drawn_by=supervision.inspectors[0]
        )

    # then nothing changed: the draw and its inspections stand
    assert refused.value.code == "started"
    assert _written() == before
    assert CheckResult.objects.filter(inspection=committee_inspection).count() == 1


# --- Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("public_value", "message"),
    [
        ("", "Enter the public value"),
        ("   \t ", "Enter the public value"),
        (None, "Enter the public value"),
        ("9" * 65, "at most 64 characters"),
    ],
)
def test_a_missing_or_too_long_public_value_is_refused(supervision, public_value, message):
    before = _written()
    with pytest.raises(DrawRefused, match=message):
        spot_check_draw(
            plan=supervision.plan,
            data=draw_input(public_value=public_value),
            drawn_by=supervision.inspectors[0],
        )
    assert _written() == before


def test_a_public_value_of_64_characters_is_accepted(supervision):
    draw = spot_check_draw(
        plan=supervision.plan, data=draw_input(public_value="9" * 64), drawn_by=supervision.inspectors[0]
    )
    assert draw.public_value == "9" * 64


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"requested": 6}, "Only 5 units can be drawn"),
        ({"requested": 0}, "at least one unit"),
        ({"mode": "ratio", "requested": 101}, "between 1 and 100"),
        ({"mode": "ratio", "requested": 0}, "between 1 and 100"),
        ({"inspectors_per_unit": 3}, "inspectors per unit are asked for"),
        ({"mode": "lottery"}, "how many units"),
    ],
)
def test_a_draw_that_cannot_be_made_is_refused_with_nothing_written(supervision, overrides, message):
    before = _written()
    with pytest.raises(DrawRefused, match=message):
        spot_check_draw(
            plan=supervision.plan, data=draw_input(**overrides), drawn_by=supervision.inspectors[0]
        )
    assert _written() == before


def test_a_draw_with_an_empty_scope_is_refused(supervision):
    # given every unit in the plan's scope has since been deactivated
    OrgUnit.objects.filter(pk__in=[unit.pk for unit in supervision.units]).update(is_active=False)
    before = _written()

    # when
    with pytest.raises(DrawRefused, match="no units in scope"):
        spot_check_draw(
            plan=supervision.plan, data=draw_input(requested=1), drawn_by=supervision.inspectors[0]
        )

    # then
    assert _written() == before


def test_a_draw_in_a_closed_plan_is_refused(supervision):
    inspection_plan_close(plan=supervision.plan, closed_by=supervision.inspectors[0])
    before = _written()

    with pytest.raises(ApplicationError, match="This plan is closed") as refused:
        spot_check_draw(plan=supervision.plan, data=draw_input(), drawn_by=supervision.inspectors[0])

    assert refused.value.code == "closed"
    assert _written() == before


@pytest.mark.parametrize("who", ["outside_inspector", "office_admin", "head", "secretary", "outsider"])
def test_only_the_plans_team_may_draw(supervision, who):
    # given someone not on this plan's team (another inspector, the office, a unit head, ...)
    user = {
        "outside_inspector": supervision.outside_inspector,
        "office_admin": supervision.org.office_admin,
        "head": supervision.org.heads[0],
        "secretary": supervision.org.secretary,
        "outsider": supervision.org.outsider,
    }[who]
    before = _written()

    # when
    with pytest.raises(PermissionDenied):
        spot_check_draw(plan=supervision.plan, data=draw_input(), drawn_by=user)

    # then
    assert _written() == before


def test_a_team_member_who_lost_the_inspection_role_may_not_draw(supervision):
    member = supervision.inspectors[1]
    member.groups.clear()
    member = type(member).objects.get(pk=member.pk)  # permissions are cached per instance

    with pytest.raises(PermissionDenied):
        spot_check_draw(plan=supervision.plan, data=draw_input(), drawn_by=member)
    assert not SpotCheckDraw.objects.exists()


# --- draw_verify -------------------------------------------------------------------------------------


def test_a_fresh_draw_verifies(drawn):
    # when
    verification = draw_verify(draw=drawn)

    # then every check passes, and the re-run gives the stored result
    assert verification.is_valid
    assert verification.seed_matches
    assert verification.result_matches
    assert verification.record_hash_matches
    assert verification.chain_matches
    assert verification.recomputed_result == drawn.result
    assert verification.problem == ""


def _flags(verification) -> dict:
    return {
        "seed": verification.seed_matches,
        "result": verification.result_matches,
        "record": verification.record_hash_matches,
        "chain": verification.chain_matches,
    }


def test_verify_fails_when_a_drawn_unit_is_removed_from_the_population(drawn):
    # given the first unit drawn is taken out of the stored population (5 were drawn: only 4 remain)
    tampered = draw_tamper(
        drawn, population=[row for row in drawn.population if row["id"] != drawn.result[0]["unit"]]
    )

    # when
    verification = draw_verify(draw=tampered)

    # then the re-run cannot give the stored result, and the record no longer matches its hash
    assert not verification.is_valid
    assert _flags(verification) == {"seed": True, "result": False, "record": False, "chain": True}
    assert "Only 4 units can be drawn" in verification.problem


def test_verify_fails_when_a_unit_name_in_the_population_is_changed(drawn):
    # given a change that does not move the result: a unit renamed in the snapshot
    population = [
        dict(row, name="改过的名称") if index == 0 else row for index, row in enumerate(drawn.population)
    ]

    verification = draw_verify(draw=draw_tamper(drawn, population=population))

    # then the record hash still catches it
    assert not verification.is_valid
    assert _flags(verification) == {"seed": True, "result": True, "record": False, "chain": True}


def test_verify_fails_when_the_team_snapshot_is_altered(drawn):
    # given the first unit's inspector is recorded as holding a post there: the re-run must send the other
    first = drawn.result[0]
    team = [
        dict(row, units=[*row["units"], first["unit"]]) if row["id"] == first["inspectors"][0] else row
        for row in drawn.team
    ]

    verification = draw_verify(draw=draw_tamper(drawn, team=team))

    assert not verification.is_valid
    assert _flags(verification) == {"seed": True, "result": False, "record": False, "chain": True}
    assert verification.recomputed_result[0]["inspectors"] != first["inspectors"]


def test_verify_fails_when_the_stored_result_is_altered(drawn):
    # given the stored order of the drawn units is reversed
    verification = draw_verify(draw=draw_tamper(drawn, result=list(reversed(drawn.result))))

    assert not verification.is_valid
    assert _flags(verification) == {"seed": True, "result": False, "record": False, "chain": True}
    assert verification.recomputed_result == drawn.result


def test_verify_fails_when_a_drawn_unit_is_swapped_for_another(supervision):
    # given two of five units drawn, and the stored result names an undrawn unit instead of the first
    draw = spot_check_draw(
        plan=supervision.plan, data=draw_input(requested=2), drawn_by=supervision.inspectors[0]
    )
    undrawn = next(row["id"] for row in draw.population if row["id"] not in {r["unit"] for r in draw.result})
    result = [dict(draw.result[0], unit=undrawn), draw.result[1]]

    verification = draw_verify(draw=draw_tamper(draw, result=result))

    assert not verification.is_valid
    assert not verification.result_matches
    assert not verification.record_hash_matches


def test_verify_fails_when_the_public_value_is_altered(drawn):
    verification = draw_verify(draw=draw_tamper(drawn, public_value="20260316"))

    # then the seed no longer follows from the public value (and the record hash breaks)
    assert not verification.is_valid
    assert not verification.seed_matches
    assert not verification.record_hash_matches
    assert verification.chain_matches


def test_verify_fails_when_the_time_is_altered(drawn):
    verification = draw_verify(
        draw=draw_tamper(drawn, drawn_at=drawn.drawn_at + datetime.timedelta(seconds=1))
    )

    assert not verification.is_valid
    assert not verification.seed_matches
    assert not verification.record_hash_matches


def test_verify_fails_when_the_record_hash_is_altered(drawn):
    # given a new hash written over the stored one (for example to match altered contents)
    verification = draw_verify(draw=draw_tamper(drawn, result_hash="0" * 64))

    # then it no longer matches the contents, nor the hash the audit chain recorded
    assert not verification.is_valid
    assert _flags(verification) == {"seed": True, "result": True, "record": False, "chain": False}


def test_verify_fails_when_the_chain_event_digest_differs(drawn):
    # given the audit event of the draw was changed to carry another digest
    draw_event_tamper(drawn, digest="f" * 64)

    # when
    verification = draw_verify(draw=drawn)

    # then only the chain check fails, and the chain itself shows the edited event
    assert not verification.is_valid
    assert _flags(verification) == {"seed": True, "result": True, "record": True, "chain": False}
    assert inspection_chain_verify() is not None


def test_verify_reports_a_population_it_cannot_read(drawn):
    verification = draw_verify(draw=draw_tamper(drawn, population=[{"code": "no id"}]))
    assert not verification.is_valid
    assert not verification.result_matches
    assert verification.recomputed_result == []
