"""`manage.py verify_draw ID` / `--all`: the draw re-run from its stored inputs, and a verdict."""

import io
from datetime import UTC

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from responsibility.supervision.services.draws import spot_check_draw
from tests.responsibility.inspections.conftest import draw_input
from tests.responsibility.inspections.tampering import draw_event_tamper, draw_tamper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The output is matched in English (the msgids), whatever the catalog says.
    with translation.override("en"):
        yield


def _verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_draw", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _refused(*args) -> tuple[CommandError, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("verify_draw", *args, stdout=out, stderr=io.StringIO())
    return refused.value, out.getvalue()


def test_a_valid_draw_is_printed_with_a_valid_verdict(supervision):
    # given two units drawn, two inspectors each
    draw = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=2, inspectors_per_unit=2, public_value="07-12-33"),
        drawn_by=supervision.inspectors[0],
    )

    # when
    output = _verify(str(draw.pk))  # returns normally: exit status 0

    # then it names the plan, the draw and its inputs
    assert supervision.plan.title in output
    assert "Draw number: 1" in output
    assert "Public value: 07-12-33" in output
    assert "Drawn at: " in output
    assert f"Seed: {draw.seed}" in output
    assert "Algorithm: sha256-rank/1" in output
    assert f"Record SHA-256: {draw.result_hash}" in output
    # and each drawn unit by name, in the order drawn, with its inspectors by name in the stored order
    names = {row["id"]: row["name"] for row in draw.team}
    units = {row["id"]: row["name"] for row in draw.population}
    lines = output.splitlines()
    for position, row in enumerate(draw.result, start=1):
        line = next(line for line in lines if line.strip().startswith(f"{position}. "))
        assert units[row["unit"]] in line
        first, second = (names[member] for member in row["inspectors"])
        assert line.index(first) < line.index(second)
    # and the verdict
    assert "Verdict: VALID." in output
    assert "NOT VALID" not in output


def test_the_time_is_shown_as_used_in_the_seed(drawn):
    # the exact UTC text that went into the seed, so the seed can be recomputed from the output
    output = _verify(str(drawn.pk))
    assert f"(in the seed: {drawn.drawn_at.astimezone(UTC).isoformat(timespec='microseconds')})" in output


def test_a_redraw_shows_its_number_and_reason(supervision, drawn):
    second = spot_check_draw(
        plan=supervision.plan, data=draw_input(reason="一名检查员回避。"), drawn_by=supervision.inspectors[0]
    )

    output = _verify(str(second.pk))

    assert "Draw number: 2" in output
    assert "Reason for drawing again: 一名检查员回避。" in output
    assert "Verdict: VALID." in output


def test_an_altered_result_exits_1_naming_what_failed(drawn):
    # given the stored order of the drawn units was reversed in the database
    draw_tamper(drawn, result=list(reversed(drawn.result)))

    # when
    error, output = _refused(str(drawn.pk))

    # then exit status 1, the verdict says so, and both failures are named
    assert error.returncode == 1
    assert "Verdict: NOT VALID." in output
    assert "gives a different result" in str(error)
    assert "does not match its SHA-256" in str(error)
    assert "seed" not in str(error)
    # and what the re-run gives is shown beside what is stored
    assert "Re-running the draw gives instead:" in output


def test_an_altered_population_exits_1(drawn):
    draw_tamper(drawn, population=drawn.population[1:])

    error, output = _refused(str(drawn.pk))

    assert error.returncode == 1
    assert "Re-running the draw from the stored inputs fails" in str(error)
    assert "Verdict: NOT VALID." in output


def test_an_altered_public_value_exits_1_naming_the_seed(drawn):
    draw_tamper(drawn, public_value="20260316")

    error, _output = _refused(str(drawn.pk))

    assert error.returncode == 1
    assert "seed does not follow" in str(error)


def test_a_chain_event_that_does_not_match_exits_1(drawn):
    draw_event_tamper(drawn, digest="f" * 64)

    error, _output = _refused(str(drawn.pk))

    assert error.returncode == 1
    assert "audit chain does not hold this draw" in str(error)
    assert "different result" not in str(error)


@pytest.mark.parametrize("draw_id", ["999999", "abc", "-1"])
def test_an_unknown_draw_exits_2(drawn, draw_id):
    error, output = _refused(draw_id)
    assert error.returncode == 2
    assert draw_id in str(error)
    assert output == ""


def test_an_id_and_all_together_or_neither_exit_2(drawn):
    assert _refused()[0].returncode == 2
    assert _refused(str(drawn.pk), "--all")[0].returncode == 2


def test_all_verifies_every_draw(supervision, drawn):
    # given a first draw and a redraw
    second = spot_check_draw(
        plan=supervision.plan, data=draw_input(reason="重新抽取。"), drawn_by=supervision.inspectors[0]
    )

    # when
    output = _verify("--all")

    # then both are shown, and the summary counts them valid
    assert f"Draw ID: {drawn.pk}" in output
    assert f"Draw ID: {second.pk}" in output
    assert output.count("Verdict: VALID.") == 2
    assert "2 draws verified: 2 valid, 0 not valid." in output


def test_all_exits_1_naming_the_altered_draw(supervision, drawn):
    # given two draws, the second altered
    second = spot_check_draw(
        plan=supervision.plan, data=draw_input(reason="重新抽取。"), drawn_by=supervision.inspectors[0]
    )
    draw_tamper(second, result_hash="0" * 64)

    # when
    error, output = _refused("--all")

    # then every draw is still reported, and the failure names the altered one only
    assert error.returncode == 1
    assert output.count("Verdict: VALID.") == 1
    assert output.count("Verdict: NOT VALID.") == 1
    assert f"#{second.pk}" in str(error)
    assert f"#{drawn.pk}" not in str(error)
    assert "1 valid, 1 not valid" in str(error)


def test_all_without_draws_says_so():
    assert "There are no draws to verify." in _verify("--all")


def _run_from_argv(*args) -> int:
    """Run the command as `manage.py verify_draw ...` would (BaseCommand.run_from_argv); its exit status."""
    from responsibility.management.commands.verify_draw import Command

    command = Command(stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "verify_draw", *args])
    return exited.value.code


def test_an_altered_draw_exits_1_from_the_command_line(drawn):
    draw_tamper(drawn, result=list(reversed(drawn.result)))
    assert _run_from_argv(str(drawn.pk)) == 1


def test_an_unknown_draw_exits_2_from_the_command_line(drawn):
    assert _run_from_argv("999999") == 2
