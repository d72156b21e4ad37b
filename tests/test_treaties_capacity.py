"""What the states bound bring, for the date asked: that year's figures where the store has them,
and the year used said in the answer."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from alliance.coalitions import coalition_in_year
from alliance.errors import YearOutOfRangeError
from alliance.metrics import aggregate
from alliance.metrics.engine import Fetch, Prefetched
from alliance.treaties import NAT_ART5, obligations
from alliance.treaties.capacity import YEARS_BACK, _metrics, _one


def _capacity(target: str, on: date, metric: str):  # type: ignore[no-untyped-def]
    clause = obligations(target, on).clause(NAT_ART5)
    return clause, next(c for c in clause.capacity if c.metric == metric)


def test_a_1989_answer_uses_1989_gdp() -> None:
    clause, gdp = _capacity("Norway", date(1989, 6, 1), "gdp")
    assert gdp.year == 1989
    expected = aggregate(list(clause.bound), "gdp", 1989).value
    assert expected is not None and gdp.value == expected


def test_a_year_without_figures_says_so_instead_of_using_a_later_year() -> None:
    _, defence = _capacity("Norway", date(1989, 6, 1), "defence")
    assert defence.year is None or defence.year <= 1989
    if defence.year is None:
        assert defence.value is None
        assert "1989" in defence.note


def test_an_answer_today_uses_a_recent_year() -> None:
    _, gdp = _capacity("Norway", date(2025, 6, 1), "gdp")
    assert gdp.year is not None and 2022 <= gdp.year <= 2025


class _Recorder:
    """A Fetch that records every ask before passing it on."""

    def __init__(self, inner: Fetch) -> None:
        self.inner = inner
        self.asks: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, indicator: str, **options: Any) -> list[dict[str, Any]]:
        self.asks.append((indicator, options))
        return self.inner(indicator, **options)


def _answer(fetch: Fetch, indicator: str, options: dict[str, Any]) -> object:
    try:
        return fetch(indicator, **options)
    except YearOutOfRangeError:
        return "year out of range"


# 2040: no figure in the years looked at (IMF's GDP ends in 2030), every ask refused
@pytest.mark.parametrize(
    ("year", "found"), [(1962, True), (1989, True), (2024, True), (2026, True), (2040, False)]
)
@pytest.mark.parametrize("definition", ["sipri", "nato"])
def test_rows_read_from_the_years_a_capacity_looks_at_answer_as_every_year(
    year: int, found: bool, definition: str
) -> None:
    # Every ask of a capacity (the years it walks back through, each metric and its fallbacks),
    # answered by a Prefetched that read every year and by one that read the years from
    # YEARS_BACK before on: the same rows, or both refuse the year.
    bounds = [
        tuple(sorted(coalition_in_year("NATO", min(max(year, 1950), 2025)).members)),
        ("ISL", "NOR"),
        ("UKR", "MDA"),
    ]
    entities = [state for bound in bounds for state in bound]
    recorder = _Recorder(Prefetched(entities))
    for bound in bounds:
        for metric, options in _metrics(definition):
            _one(bound, metric, options, year, recorder)
    every_year = Prefetched(entities)
    recent = Prefetched(entities, first_year=year - YEARS_BACK + 1)
    assert len(recorder.asks) > 3 * len(bounds)
    for indicator, options in recorder.asks:
        assert _answer(recent, indicator, options) == _answer(every_year, indicator, options)
    answers = [_answer(every_year, indicator, options) for indicator, options in recorder.asks]
    assert any(isinstance(rows, list) and rows for rows in answers) == found
