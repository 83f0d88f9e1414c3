"""The draw algorithm (responsibility/draws.py) as properties, checked against an independent oracle.

Every expectation is recomputed here from the algorithm as documented in the module docstring, with
hashlib, not with draws.py's own helpers: what the test checks is that the documented method (which
anyone can redo by hand) is what the code does.
"""

import hashlib
import math
import random

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from responsibility.supervision.draws import (
    ALGORITHM,
    DrawOutcome,
    DrawParameters,
    DrawRefused,
    PopulationUnit,
    TeamMember,
    draw_run,
    draw_seed,
)

KINDS = ("inspection_team", "party_committee", "party_group", "section", "working_body")
PROPERTY = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
REFUSAL = settings(deadline=None, max_examples=60)


@pytest.fixture(autouse=True)
def english():
    # Refusal messages are matched in English (the msgids), whatever the catalog says.
    with translation.override("en"):
        yield


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- Inputs ------------------------------------------------------------------------------------------

seeds = st.binary(max_size=16).map(lambda data: hashlib.sha256(data).hexdigest())


@st.composite
def populations(draw, *, min_size: int = 1, max_size: int = 60, kinds: int | None = None):
    """Units with distinct ids (not in id order: the algorithm sorts them itself) and 1–5 kinds."""
    size = draw(st.integers(min_size, max_size))
    ids = draw(st.lists(st.integers(1, 100_000), min_size=size, max_size=size, unique=True))
    available = KINDS[: kinds or draw(st.integers(1, len(KINDS)))]
    unit_kinds = draw(st.lists(st.sampled_from(available), min_size=size, max_size=size))
    return [
        PopulationUnit(id=unit_id, code=f"U{unit_id}", name=f"单位{unit_id}", kind=kind)
        for unit_id, kind in zip(ids, unit_kinds, strict=True)
    ]


@st.composite
def teams(draw, population, *, min_size: int = 1, max_size: int = 8, conflicts: bool = True):
    """Inspectors with distinct ids; with conflicts, each holds a post in 0–3 of the population's units."""
    size = draw(st.integers(min_size, max_size))
    ids = draw(st.lists(st.integers(1, 100_000), min_size=size, max_size=size, unique=True))
    unit_ids = [unit.id for unit in population]
    members = []
    for member_id in ids:
        held = (
            draw(st.lists(st.sampled_from(unit_ids), max_size=min(3, len(unit_ids)), unique=True))
            if conflicts and unit_ids
            else []
        )
        members.append(TeamMember(id=member_id, name=f"检查员{member_id}", units=tuple(held)))
    return members


@st.composite
def scenarios(draw, *, conflicts: bool = True):
    """Any population (1–60 units), team, N (a count or a percentage), kinds and team size."""
    population = draw(populations())
    inspectors_per_unit = draw(st.integers(1, 3))
    team = draw(teams(population, min_size=inspectors_per_unit, conflicts=conflicts))
    mode = draw(st.sampled_from(["count", "ratio"]))
    requested = draw(st.integers(1, len(population)) if mode == "count" else st.integers(1, 100))
    parameters = DrawParameters(
        mode=mode,
        requested=requested,
        by_unit_kind=draw(st.booleans()),
        inspectors_per_unit=inspectors_per_unit,
    )
    return draw(seeds), population, team, parameters


# --- The oracle: the docstring's algorithm, written again from scratch --------------------------------


def conflict_free(unit, team):
    return [member for member in team if unit.id not in member.units]


def eligible_of(population, team, inspectors_per_unit):
    return [unit for unit in population if len(conflict_free(unit, team)) >= inspectors_per_unit]


def wanted_of(parameters, eligible: int) -> int:
    if parameters.mode == "ratio":
        return max(1, math.ceil(eligible * parameters.requested / 100))
    return parameters.requested


def refusal_expected(population, team, parameters) -> bool:
    eligible = eligible_of(population, team, parameters.inspectors_per_unit)
    if not population or len(team) < parameters.inspectors_per_unit or not eligible:
        return True
    if parameters.mode == "ratio" and not 1 <= parameters.requested <= 100:
        return True
    wanted = wanted_of(parameters, len(eligible))
    if parameters.mode == "count" and not 1 <= wanted <= len(eligible):
        return True
    return parameters.by_unit_kind and wanted < len({unit.kind for unit in eligible})


def shuffled(items, seed: int) -> list:
    items = list(items)
    random.Random(seed).shuffle(items)
    return items


# --- Properties --------------------------------------------------------------------------------------


@PROPERTY
@given(scenario=scenarios(), order=st.integers(0, 2**32))
def test_the_same_inputs_give_the_same_outcome(scenario, order):
    seed, population, team, parameters = scenario

    # when the draw runs twice, the second time on copies given in another order
    first = _outcome_or_refusal(seed, population, team, parameters)
    again = _outcome_or_refusal(
        seed,
        [PopulationUnit(**unit.as_json()) for unit in shuffled(population, order)],
        [TeamMember(member.id, member.name, tuple(member.units)) for member in shuffled(team, order + 1)],
        DrawParameters(**vars(parameters)),
    )

    # then both outcomes (or both refusals, with the same message) are equal
    assert first == again


def _outcome_or_refusal(seed, population, team, parameters) -> DrawOutcome | str:
    try:
        return draw_run(seed=seed, population=population, team=team, parameters=parameters)
    except DrawRefused as refusal:
        return f"refused: {refusal}"


@PROPERTY
@given(scenario=scenarios())
def test_a_draw_follows_the_rules_or_is_refused_exactly_when_it_cannot(scenario):
    seed, population, team, parameters = scenario
    eligible = eligible_of(population, team, parameters.inspectors_per_unit)
    note(f"eligible={[unit.id for unit in eligible]}")

    # when: refused exactly when the oracle says the inputs cannot make a draw
    if refusal_expected(population, team, parameters):
        with pytest.raises(DrawRefused):
            draw_run(seed=seed, population=population, team=team, parameters=parameters)
        return
    outcome = draw_run(seed=seed, population=population, team=team, parameters=parameters)

    # then the excluded units are exactly those without enough conflict-free inspectors
    eligible_ids = {unit.id for unit in eligible}
    population_ids = {unit.id for unit in population}
    assert outcome.seed == seed
    assert sorted(row["id"] for row in outcome.excluded) == sorted(population_ids - eligible_ids)
    assert {row["reason"] for row in outcome.excluded} <= {"conflict-of-interest"}

    # and exactly N (or ceil(percentage × eligible / 100)) distinct units are drawn, all eligible
    drawn = [row["unit"] for row in outcome.result]
    assert len(drawn) == wanted_of(parameters, len(eligible))
    assert len(set(drawn)) == len(drawn)
    assert set(drawn) <= eligible_ids <= population_ids

    # and each unit gets exactly the asked number of distinct team members, none holding a post there
    by_id = {member.id: member for member in team}
    for row in outcome.result:
        inspectors = row["inspectors"]
        assert len(inspectors) == parameters.inspectors_per_unit
        assert len(set(inspectors)) == len(inspectors)
        assert set(inspectors) <= set(by_id)
        assert all(row["unit"] not in by_id[inspector].units for inspector in inspectors)

    # and with "at least one of each kind", every kind among the eligible units is drawn
    kind_of = {unit.id: unit.kind for unit in population}
    if parameters.by_unit_kind:
        assert {kind_of[unit_id] for unit_id in drawn} == {unit.kind for unit in eligible}

    # and the units are the ones the documented ranking picks
    assert drawn == _documented_choice(seed, eligible, parameters.by_unit_kind, len(drawn))


def _documented_choice(seed, eligible, by_unit_kind: bool, wanted: int) -> list[int]:
    """Steps 2 and 5 of the docstring: rank by SHA-256("<seed>|unit=<id>"), best of each kind first."""
    ranked = sorted(eligible, key=lambda unit: sha256(f"{seed}|unit={unit.id}"))
    chosen = []
    if by_unit_kind:
        for kind in sorted({unit.kind for unit in eligible}):
            chosen.append(next(unit.id for unit in ranked if unit.kind == kind))
    rest = [unit.id for unit in ranked if unit.id not in chosen]
    return chosen + rest[: wanted - len(chosen)]


@PROPERTY
@given(scenario=scenarios(conflicts=False))
def test_without_conflicts_the_work_is_shared_evenly(scenario):
    seed, population, team, parameters = scenario
    if refusal_expected(population, team, parameters):
        return

    # when
    outcome = draw_run(seed=seed, population=population, team=team, parameters=parameters)

    # then nobody is excluded, and no inspector checks more than one unit more than another
    load = {member.id: 0 for member in team}
    for row in outcome.result:
        for inspector in row["inspectors"]:
            load[inspector] += 1
    assert outcome.excluded == []
    assert max(load.values()) - min(load.values()) <= 1


def _orderings_at_least(size: int, at_least: int) -> int:
    """The smallest N for which N units drawn in order from `size` can come out in ≥ at_least ways."""
    orderings = 1
    for wanted in range(1, size + 1):
        orderings *= size - wanted + 1
        if orderings >= at_least:
            return wanted
    return size


@st.composite
def large_draws(draw):
    """Count mode, no conflicts, 20–60 units and N such that the ordered result has ≥ 10¹² possibilities.

    The result is the N best-ranked units in rank order, and the ranks come from SHA-256 keys. Taking
    SHA-256 as a random function, another seed gives a uniformly random ordered choice of N of the n
    units: the same one with probability 1 / (n × (n−1) × … × (n−N+1)) ≤ 10⁻¹². For small n or small N
    (one unit out of twenty: 1 in 20) a coincidence is likely enough to make a "different" test flaky,
    so those are left out here; determinism is tested for every size above.
    """
    population = draw(populations(min_size=20, max_size=60))
    size = len(population)
    inspectors_per_unit = draw(st.integers(1, 2))
    team = draw(teams(population, min_size=inspectors_per_unit, max_size=6, conflicts=False))
    wanted = draw(st.integers(_orderings_at_least(size, 10**12), size - 1))
    parameters = DrawParameters(
        mode="count", requested=wanted, by_unit_kind=False, inspectors_per_unit=inspectors_per_unit
    )
    return population, team, parameters


@PROPERTY
@given(
    scenario=large_draws(),
    public_values=st.lists(st.text(min_size=1, max_size=20), min_size=2, max_size=2, unique=True),
)
def test_another_public_value_gives_another_outcome(scenario, public_values):
    population, team, parameters = scenario
    drawn_at = "2026-03-15T02:00:00.000000+00:00"
    first, second = (
        draw_run(
            seed=draw_seed(plan_id=1, sequence=1, public_value=value, drawn_at_iso=drawn_at),
            population=population,
            team=team,
            parameters=parameters,
        )
        for value in public_values
    )

    # then the units drawn (in the order drawn) differ
    assert [row["unit"] for row in first.result] != [row["unit"] for row in second.result]


@PROPERTY
@given(scenario=large_draws(), times=st.lists(st.integers(0, 10**6 - 1), min_size=2, max_size=2, unique=True))
def test_another_moment_gives_another_outcome(scenario, times):
    # the same public value read out, a microsecond (or more) apart
    population, team, parameters = scenario
    first, second = (
        draw_run(
            seed=draw_seed(
                plan_id=1,
                sequence=1,
                public_value="20260315",
                drawn_at_iso=f"2026-03-15T02:00:00.{microsecond:06d}+00:00",
            ),
            population=population,
            team=team,
            parameters=parameters,
        )
        for microsecond in times
    )

    assert [row["unit"] for row in first.result] != [row["unit"] for row in second.result]


# --- Refusals ----------------------------------------------------------------------------------------


@st.composite
def possible_draws(draw, *, conflicts: bool = True):
    """A population and team where some unit is eligible (so only the parameter decides a refusal)."""
    population = draw(populations())
    inspectors_per_unit = draw(st.integers(1, 3))
    team = draw(teams(population, min_size=inspectors_per_unit, conflicts=conflicts))
    return population, team, inspectors_per_unit


@REFUSAL
@given(case=possible_draws(), beyond=st.integers(1, 50), by_unit_kind=st.booleans(), seed=seeds)
def test_more_units_than_are_eligible_is_refused(case, beyond, by_unit_kind, seed):
    population, team, inspectors_per_unit = case
    eligible = eligible_of(population, team, inspectors_per_unit)
    parameters = DrawParameters("count", len(eligible) + beyond, by_unit_kind, inspectors_per_unit)

    with pytest.raises(DrawRefused, match="can be drawn|Every unit in scope is excluded"):
        draw_run(seed=seed, population=population, team=team, parameters=parameters)


@REFUSAL
@given(case=possible_draws(), requested=st.integers(-5, 0), seed=seeds)
def test_fewer_than_one_unit_is_refused(case, requested, seed):
    population, team, inspectors_per_unit = case
    parameters = DrawParameters("count", requested, False, inspectors_per_unit)
    with pytest.raises(DrawRefused, match="at least one unit|Every unit in scope is excluded"):
        draw_run(seed=seed, population=population, team=team, parameters=parameters)


@REFUSAL
@given(
    team_size=st.integers(0, 8),
    parameters=st.builds(
        DrawParameters,
        mode=st.sampled_from(["count", "ratio"]),
        requested=st.integers(1, 100),
        by_unit_kind=st.booleans(),
        inspectors_per_unit=st.integers(1, 3),
    ),
    seed=seeds,
)
def test_an_empty_population_is_refused(team_size, parameters, seed):
    team = [TeamMember(id=number, name=f"检查员{number}", units=()) for number in range(1, team_size + 1)]
    with pytest.raises(DrawRefused, match="no units in scope"):
        draw_run(seed=seed, population=[], team=team, parameters=parameters)


@REFUSAL
@given(
    population=populations(min_size=2, kinds=len(KINDS)),
    data=st.data(),
    seed=seeds,
)
def test_fewer_units_than_kinds_with_one_of_each_kind_is_refused(population, data, seed):
    kinds = len({unit.kind for unit in population})
    if kinds < 2:  # a single kind is always satisfiable
        population = [*population[:-1], PopulationUnit(10**6, "X", "另一单位", "party_group")]
        population[0] = PopulationUnit(population[0].id, population[0].code, population[0].name, "section")
        kinds = len({unit.kind for unit in population})
    team = [TeamMember(id=1, name="检查员", units=())]
    parameters = DrawParameters("count", data.draw(st.integers(1, kinds - 1)), True, 1)

    with pytest.raises(DrawRefused, match="At least one unit of each kind"):
        draw_run(seed=seed, population=population, team=team, parameters=parameters)


@REFUSAL
@given(
    case=possible_draws(),
    percentage=st.integers(max_value=0) | st.integers(min_value=101),
    by_unit_kind=st.booleans(),
    seed=seeds,
)
def test_a_percentage_outside_1_to_100_is_refused(case, percentage, by_unit_kind, seed):
    population, team, inspectors_per_unit = case
    parameters = DrawParameters("ratio", percentage, by_unit_kind, inspectors_per_unit)
    with pytest.raises(DrawRefused, match="between 1 and 100|Every unit in scope is excluded"):
        draw_run(seed=seed, population=population, team=team, parameters=parameters)


@REFUSAL
@given(population=populations(), data=st.data(), seed=seeds)
def test_a_team_smaller_than_the_inspectors_per_unit_is_refused(population, data, seed):
    inspectors_per_unit = data.draw(st.integers(1, 5))
    team = data.draw(teams(population, min_size=0, max_size=inspectors_per_unit - 1))
    parameters = DrawParameters("count", 1, False, inspectors_per_unit)

    with pytest.raises(DrawRefused, match="inspectors per unit are asked for"):
        draw_run(seed=seed, population=population, team=team, parameters=parameters)


def test_no_inspector_per_unit_is_refused():
    population = [PopulationUnit(1, "U1", "单位", "section")]
    team = [TeamMember(1, "检查员", ())]
    with pytest.raises(DrawRefused, match="At least one inspector"):
        draw_run(
            seed="0" * 64, population=population, team=team, parameters=DrawParameters("count", 1, False, 0)
        )


def test_a_population_where_every_unit_has_a_conflict_is_refused():
    # given two units, and the only inspector holds a post in both
    population = [PopulationUnit(1, "U1", "甲", "section"), PopulationUnit(2, "U2", "乙", "section")]
    team = [TeamMember(7, "检查员", (1, 2))]

    with pytest.raises(DrawRefused, match="Every unit in scope is excluded"):
        draw_run(
            seed="0" * 64, population=population, team=team, parameters=DrawParameters("count", 1, False, 1)
        )


# --- The docstring's "redo it by hand", done by hand ---------------------------------------------------

HAND_UNITS = [
    PopulationUnit(40, "U40", "办公室", "party_committee"),
    PopulationUnit(3, "U03", "法制工作委员会", "working_body"),
    PopulationUnit(15, "U15", "财政经济工作委员会", "working_body"),
    PopulationUnit(8, "U08", "法规处", "section"),
    PopulationUnit(21, "U21", "预算处", "section"),
    PopulationUnit(11, "U11", "教育科学文化卫生委员会", "working_body"),
]
HAND_TEAM = [TeamMember(9, "钱纪检", ()), TeamMember(5, "赵纪检", (3,)), TeamMember(12, "孙纪检", ())]


def _hand_seed() -> str:
    # Step 1, as a person with a SHA-256 tool would type it.
    text = "sha256-rank/1|plan=7|draw=1|public=20260315|at=2026-03-15T02:00:00.000000+00:00"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hand_rank(seed: str, unit_ids) -> list[int]:
    # Step 2: a smaller hex key ranks first.
    keys = {unit_id: hashlib.sha256(f"{seed}|unit={unit_id}".encode()).hexdigest() for unit_id in unit_ids}
    return sorted(unit_ids, key=keys.__getitem__)


def _hand_inspectors(seed: str, chosen: list[int], per_unit: int) -> list[list[int]]:
    # Step 6: conflict-free members with the fewest units so far, then by their key.
    load = {member.id: 0 for member in HAND_TEAM}
    assigned = []
    for unit_id in chosen:
        free = [member.id for member in HAND_TEAM if unit_id not in member.units]
        key = {
            member_id: hashlib.sha256(f"{seed}|unit={unit_id}|inspector={member_id}".encode()).hexdigest()
            for member_id in free
        }
        picked = sorted(free, key=lambda member_id: (load[member_id], key[member_id]))[:per_unit]
        for member_id in picked:
            load[member_id] += 1
        assigned.append(picked)
    return assigned


def test_the_seed_is_the_documented_sha256():
    assert ALGORITHM == "sha256-rank/1"
    assert (
        draw_seed(
            plan_id=7, sequence=1, public_value="20260315", drawn_at_iso="2026-03-15T02:00:00.000000+00:00"
        )
        == _hand_seed()
    )


def test_the_drawn_units_are_the_lowest_hash_units_computed_by_hand():
    # given the documented seed and ranking, computed here with hashlib alone
    seed = _hand_seed()
    ranking = _hand_rank(seed, [unit.id for unit in HAND_UNITS])
    expected_units = ranking[:3]

    # when the algorithm draws 3 units, 2 inspectors each
    outcome = draw_run(
        seed=seed,
        population=HAND_UNITS,
        team=HAND_TEAM,
        parameters=DrawParameters(mode="count", requested=3, by_unit_kind=False, inspectors_per_unit=2),
    )

    # then it drew the three lowest-hash units, in rank order, with the inspectors step 6 gives
    assert [row["unit"] for row in outcome.result] == expected_units
    assert [row["inspectors"] for row in outcome.result] == _hand_inspectors(seed, expected_units, 2)
    assert outcome.excluded == []
    # and 赵纪检 (5), who holds a post in unit 3, never checks it
    assert all(5 not in row["inspectors"] for row in outcome.result if row["unit"] == 3)


def test_one_of_each_kind_takes_the_best_ranked_of_each_kind_first_by_hand():
    # given
    seed = _hand_seed()
    ranking = _hand_rank(seed, [unit.id for unit in HAND_UNITS])
    kind_of = {unit.id: unit.kind for unit in HAND_UNITS}
    firsts = [
        next(unit_id for unit_id in ranking if kind_of[unit_id] == kind)
        for kind in sorted(set(kind_of.values()))
    ]
    expected_units = firsts + [unit_id for unit_id in ranking if unit_id not in firsts][:1]

    # when 4 units are drawn with at least one of each of the 3 kinds
    outcome = draw_run(
        seed=seed,
        population=HAND_UNITS,
        team=HAND_TEAM,
        parameters=DrawParameters(mode="count", requested=4, by_unit_kind=True, inspectors_per_unit=1),
    )

    # then
    assert [row["unit"] for row in outcome.result] == expected_units
    assert [row["inspectors"] for row in outcome.result] == _hand_inspectors(seed, expected_units, 1)


def test_a_percentage_rounds_up_by_hand():
    # given 6 units and 2 inspectors needed per unit: unit 3 has only 钱纪检 and 孙纪检 free, still enough
    seed = _hand_seed()

    # when 34 % are drawn: ceil(6 × 34 / 100) = ceil(2.04) = 3
    outcome = draw_run(
        seed=seed,
        population=HAND_UNITS,
        team=HAND_TEAM,
        parameters=DrawParameters(mode="ratio", requested=34, by_unit_kind=False, inspectors_per_unit=2),
    )

    # then
    assert [row["unit"] for row in outcome.result] == _hand_rank(seed, [unit.id for unit in HAND_UNITS])[:3]


def test_a_unit_without_enough_free_inspectors_is_excluded_by_hand():
    # given three inspectors needed per unit: 赵纪检 holds a post in unit 3, so only two are free there
    seed = _hand_seed()

    # when every eligible unit is drawn
    outcome = draw_run(
        seed=seed,
        population=HAND_UNITS,
        team=HAND_TEAM,
        parameters=DrawParameters(mode="count", requested=5, by_unit_kind=False, inspectors_per_unit=3),
    )

    # then unit 3 is excluded with its reason, and the five others are drawn in rank order
    assert outcome.excluded == [{"id": 3, "reason": "conflict-of-interest"}]
    assert [row["unit"] for row in outcome.result] == _hand_rank(seed, [8, 11, 15, 21, 40])
