"""`observation_records_since`: a lower bound on the years that filters, never refuses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from alliance.errors import YearOutOfRangeError
from alliance.observations import observation_records, observation_records_since

IMF_GDP = (
    Path(__file__).resolve().parents[1] / "src/alliance/data/observations/imf/2025-10__NGDPD.csv"
)
FILTERS = {"source": "imf", "currency": "USD", "exchange_basis": "market", "price_basis": "current"}


def shipped_years(entity: str) -> dict[int, float]:
    with IMF_GDP.open(encoding="utf-8") as handle:
        return {
            int(r["year"]): float(r["value"])
            for r in csv.DictReader(handle)
            if r["entity"] == entity and r["indicator"] == "gdp" and r["value"]
        }


def test_since_keeps_the_rows_from_that_year_as_the_whole_selection_has_them() -> None:
    every = observation_records("gdp", entities=["DEU", "RUS"], **FILTERS)
    later = observation_records_since(2000, "gdp", entities=["DEU", "RUS"], **FILTERS)
    assert later == [r for r in every if r["year"] >= 2000]
    german = {r["year"]: r["value"] for r in later if r["entity"] == "DEU"}
    assert german == {y: v for y, v in shipped_years("DEU").items() if y >= 2000}


def test_since_before_the_data_filters_nothing_where_a_year_asked_for_is_refused() -> None:
    every = observation_records("gdp", entities=["DEU"], **FILTERS)
    assert min(r["year"] for r in every) == min(shipped_years("DEU"))
    assert observation_records_since(1900, "gdp", entities=["DEU"], **FILTERS) == every
    with pytest.raises(YearOutOfRangeError):
        observation_records("gdp", entities=["DEU"], years=[1900], **FILTERS)
