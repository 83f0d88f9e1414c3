"""The letters benchmark's verdict on a page's growth between the small and the big data set."""

import pytest

from bench.letters_report import PageResult, SizeRun, combine


def _runs(*, small: tuple[float, int], big: tuple[float, int], queries=(10, 10)) -> list[SizeRun]:
    def run(label: str, median_ms: float, size: int, query_count: int) -> SizeRun:
        page = PageResult(
            name="letter list, busiest unit head",
            user="head",
            url="/letters/",
            status=200,
            requests=20,
            median_ms=median_ms,
            p95_ms=median_ms,
            queries=query_count,
            bytes=size,
        )
        return SizeRun(label=label, database="db", scale={"letters": 1}, pages=[page])

    return [run("small", *small, queries[0]), run("big", *big, queries[1])]


@pytest.mark.parametrize(
    ("small", "big", "missed"),
    [
        ((10.0, 7_000), (12.9, 7_000), None),  # same page, 1.29×
        ((10.0, 7_000), (13.1, 7_300), "time ratio 1.31 > 1.3"),  # shows no more, grows
        ((8.4, 7_000), (12.0, 19_300), None),  # 2.76× the rows shown, 1.43× the time: O(rows shown)
        ((10.0, 7_000), (30.0, 14_000), "time ratio per KB shown 1.50 > 1.3"),  # grows faster than it shows
    ],
)
def test_a_pages_growth_is_held_to_what_it_shows(small, big, missed):
    page = combine(_runs(small=small, big=big)).pages[0]

    assert page.missed == ([missed] if missed else [])
    assert page.met is (missed is None)


def test_a_query_count_that_grows_with_the_data_is_missed_whatever_the_time():
    page = combine(_runs(small=(10.0, 7_000), big=(10.0, 7_000), queries=(10, 11))).pages[0]

    assert page.missed == ["queries change with the size (10 → 11)"]
