"""What the states bound bring, for the date asked: that year's figures where the store has them,
and the year used said in the answer."""

from __future__ import annotations

from datetime import date

from alliance.metrics import aggregate
from alliance.treaties import NAT_ART5, obligations


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
