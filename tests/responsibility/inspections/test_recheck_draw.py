"""The 回头看 draw (draws.recheck_run) as properties, against an oracle written from the documented method
with hashlib: the seed, each closed problem's rank key, the N smallest."""

import hashlib

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from responsibility.supervision.draws import DrawRefused, recheck_run, recheck_seed

PROPERTY = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def oracle(*, number: int, public: str, at: str, population: list[int], requested: int) -> list[int]:
    seed = sha256(f"sha256-rank/1|recheck={number}|public={public}|at={at}")
    return sorted(population, key=lambda finding: sha256(f"{seed}|finding={finding}"))[:requested]


scenarios = st.fixed_dictionaries(
    {
        "number": st.integers(1, 10_000),
        "public": st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20),
        "at": st.just("2026-12-06T08:00:00.123456+00:00"),
        "population": st.lists(st.integers(1, 10**9), min_size=1, max_size=60, unique=True),
    }
)


@PROPERTY
@given(scenario=scenarios, data=st.data())
def test_the_draw_is_the_documented_method(scenario, data):
    requested = data.draw(st.integers(1, len(scenario["population"])))
    seed = recheck_seed(
        number=scenario["number"], public_value=scenario["public"], drawn_at_iso=scenario["at"]
    )

    drawn = recheck_run(seed=seed, population=scenario["population"], requested=requested)

    assert drawn == oracle(**scenario, requested=requested)
    assert len(drawn) == len(set(drawn)) == requested
    assert set(drawn) <= set(scenario["population"])


@PROPERTY
@given(scenario=scenarios, data=st.data())
def test_the_order_the_population_is_read_in_does_not_matter(scenario, data):
    requested = data.draw(st.integers(1, len(scenario["population"])))
    shuffled = data.draw(st.permutations(scenario["population"]))
    seed = recheck_seed(
        number=scenario["number"], public_value=scenario["public"], drawn_at_iso=scenario["at"]
    )

    assert recheck_run(seed=seed, population=list(shuffled), requested=requested) == recheck_run(
        seed=seed, population=scenario["population"], requested=requested
    )


@PROPERTY
@given(scenario=scenarios)
def test_drawing_more_keeps_the_ones_drawn_first(scenario):
    seed = recheck_seed(
        number=scenario["number"], public_value=scenario["public"], drawn_at_iso=scenario["at"]
    )
    everything = recheck_run(
        seed=seed, population=scenario["population"], requested=len(scenario["population"])
    )

    for requested in range(1, len(everything) + 1):
        assert (
            recheck_run(seed=seed, population=scenario["population"], requested=requested)
            == everything[:requested]
        )


def test_another_public_value_draws_otherwise():
    population = list(range(1, 101))
    first = recheck_run(
        seed=recheck_seed(number=1, public_value="20261206", drawn_at_iso="t"),
        population=population,
        requested=10,
    )
    second = recheck_run(
        seed=recheck_seed(number=1, public_value="20261207", drawn_at_iso="t"),
        population=population,
        requested=10,
    )

    assert first != second


@pytest.mark.parametrize(
    ("population", "requested", "message"),
    [
        ([], 1, "nothing to re-check"),
        ([1, 2, 3], 0, "from 1 to 3"),
        ([1, 2, 3], 4, "from 1 to 3"),
    ],
)
def test_a_draw_without_enough_closed_problems_is_refused(population, requested, message):
    with pytest.raises(DrawRefused, match=message):
        recheck_run(seed="0" * 64, population=population, requested=requested)
