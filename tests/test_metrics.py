"""Aggregate metrics against NATO's own tables, plus properties of sums and shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.coalitions import Coalition
from alliance.errors import InvalidArgumentError, MissingDataError
from alliance.metrics import aggregate, metric_spec, share
from alliance.schema import OBSERVATION_COLUMNS

from conftest import reference_file

NATO_TABLES = "nato/240617-def-exp-2024-TABLES-en.xlsx"
# The 23 EU member states that are NATO Allies in 2024, as NATO's tables name them.
EU_ALLIES_NATO_NAMES = {
    "Belgium",
    "Bulgaria",
    "Croatia",
    "Czechia",
    "Denmark",
    "Estonia",
    "Finland",
    "France",
    "Germany",
    "Greece",
    "Hungary",
    "Italy",
    "Latvia",
    "Lithuania",
    "Luxembourg",
    "Netherlands",
    "Poland",
    "Portugal",
    "Romania",
    "Slovak Republic",
    "Slovenia",
    "Spain",
    "Sweden",
}


def _block(sheet: str, first: int, last: int, column: str = "N") -> dict[str, float]:
    """{country label: value} for rows first..last of a NATO table, asterisks dropped."""
    workbook = openpyxl.load_workbook(reference_file(NATO_TABLES), data_only=True)
    cells = workbook[sheet]
    rows = {}
    for row in range(first, last + 1):
        label = cells[f"C{row}"].value or cells[f"B{row}"].value
        rows[str(label).rstrip("*").strip()] = float(cells[f"{column}{row}"].value)
    return rows


def test_eu_nato_share_of_nato_gdp_2024_matches_table_5() -> None:
    gdp = _block("TABLE5", 11, 44)  # current prices, 32 Allies with Iceland, then aggregates
    expected = sum(v for k, v in gdp.items() if k in EU_ALLIES_NATO_NAMES) / gdp["NATO Total"]
    result = share("NATO & EU", "NATO", "gdp", 2024, source="nato")
    assert len(result.members) == 23 and not result.missing
    assert result.share == pytest.approx(expected, rel=1e-9)
    assert result.of_value == pytest.approx(gdp["NATO Total"] / 1e3, rel=1e-9)  # billion USD
    assert result.edition == "nato 2024-06 (tables)"


def test_eu_nato_share_of_nato_defence_2024_matches_table_2() -> None:
    spending = _block("TABLE2", 11, 43)  # 31 Allies (no Iceland), then aggregates
    expected = (
        sum(v for k, v in spending.items() if k in EU_ALLIES_NATO_NAMES) / spending["NATO Total"]
    )
    result = share("NATO & EU", "NATO", "defence", 2024, edition="2024-06")
    assert result.share == pytest.approx(expected, rel=1e-9)
    assert result.whole.zeros == ("ISL",)  # NATO counts no spending for Iceland
    assert not result.missing


@pytest.mark.parametrize(("column", "year"), [("D", 2014), ("N", 2024)])
def test_coalition_share_of_gdp_reproduces_natos_aggregates(column: str, year: int) -> None:
    table3 = _block("TABLE3", 11, 43, column)
    nato = aggregate("NATO", "defence_share_gdp", year, edition="2024-06")
    europe_canada = aggregate("NATO - USA", "defence_share_gdp", year, edition="2024-06")
    # Members' published shares weighted by Table 5 GDP equal Table 2 / Table 5, except where
    # NATO publishes a share that is not its own ratio: Slovakia 2024, 2.00 in Table 3 against
    # 1.989 from Tables 2 and 5 (hence up to 6e-5 pp on the aggregates).
    assert nato.value == pytest.approx(table3["NATO Total"], abs=1e-4)
    assert europe_canada.value == pytest.approx(table3["NATO Europe and Canada"], abs=1e-4)


def test_share_of_gdp_is_a_ratio_of_sums_not_a_mean_of_shares() -> None:
    result = aggregate(["DEU", "POL"], "defence_share_gdp", 2024, edition="2024-06")
    table2 = _block("TABLE2", 45, 75)  # constant 2015 prices
    table5 = _block("TABLE5", 46, 77)
    expected = 100 * (table2["Germany"] + table2["Poland"]) / (table5["Germany"] + table5["Poland"])
    assert result.value == pytest.approx(expected, rel=1e-9)
    assert result.value != pytest.approx((2.119 + 4.120) / 2, rel=1e-3)


def test_every_result_names_its_editions_and_locators() -> None:
    result = aggregate("NATO & EU", "defence", 2024, edition="2024-06")
    assert {(s.source_id, s.edition, s.dataset) for s in result.sources} == {
        ("nato", "2024-06", "tables")
    }
    assert all(f.locators and f.locators[0].startswith("TABLE2!") for f in result.figures)
    assert set(result.estimated) == set(result.with_data)  # 2024 is an estimate in that edition


def test_missing_members_are_listed_and_strict_refuses() -> None:
    # The World Bank's armed-forces series stops in 2020: 2020 has data, 2024 has none.
    result = aggregate(["DEU", "POL"], "personnel", 2020, source="wb")
    assert result.value == pytest.approx((183_000 + 189_000) / 1e3)
    assert aggregate("NATO", "defence", 2024, definition="sipri").missing == ()
    absent = aggregate(["DEU", "POL"], "personnel", 2024, source="wb")
    assert absent.value is None and absent.missing == ("DEU", "POL")
    with pytest.raises(MissingDataError, match="DEU, POL"):
        aggregate(["DEU", "POL"], "personnel", 2024, source="wb", strict=True)


def test_share_refuses_ratio_metrics_and_unknown_choices() -> None:
    with pytest.raises(InvalidArgumentError):
        share("NATO & EU", "NATO", "defence_share_gdp", 2024)
    with pytest.raises(InvalidArgumentError):
        metric_spec("happiness")
    with pytest.raises(InvalidArgumentError):
        metric_spec("gdp", source="wb", prices="constant")


# --- properties over synthetic figures ----------------------------------------------------------

ENTITIES = ("AAA", "BBB", "CCC", "DDD", "EEE")


def _frame(values: dict[tuple[str, str], float | None]) -> pd.DataFrame:
    rows = []
    for (indicator, entity), value in values.items():
        if value is None:
            continue
        row: dict[str, Any] = dict.fromkeys(OBSERVATION_COLUMNS)
        row.update(
            source_id="nato",
            edition="2024-06",
            dataset="tables",
            entity=entity,
            year=2024,
            indicator=indicator,
            value=value,
            unit="million",
            currency="USD",
            price_basis="current",
            exchange_basis="market",
            estimate=False,
            locator=f"T!{entity}",
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))


def _fetch(values: dict[tuple[str, str], float | None]) -> Any:
    frame = _frame(values)

    def fetch(indicator: str, *, entities: Sequence[str], **_: Any) -> list[dict[str, Any]]:
        chosen = frame[(frame["indicator"] == indicator) & frame["entity"].isin(list(entities))]
        return chosen.to_dict("records")

    return fetch


def _group(members: Sequence[str], name: str) -> Coalition:
    from datetime import date

    return Coalition(name, date(2024, 7, 1), tuple(sorted(members)))


figures = st.dictionaries(
    st.sampled_from(ENTITIES),
    st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False)),
    min_size=len(ENTITIES),
    max_size=len(ENTITIES),
)
subsets = st.sets(st.sampled_from(ENTITIES))


@settings(max_examples=150, deadline=None)
@given(values=figures, a=subsets, b=subsets, metric=st.sampled_from(["defence", "gdp"]))
def test_additive_metrics_split_exactly(
    values: dict[str, float | None], a: set[str], b: set[str], metric: str
) -> None:
    indicator = "defence_expenditure" if metric == "defence" else "gdp"
    fetch = _fetch({(indicator, e): v for e, v in values.items()})
    kwargs: dict[str, Any] = {"fetch": fetch} | ({"source": "nato"} if metric == "gdp" else {})

    def total(members: set[str]) -> float:
        value = aggregate(_group(members, "x"), metric, 2024, **kwargs).value
        return value or 0.0

    whole = aggregate(_group(a, "A"), metric, 2024, **kwargs)
    assert total(a) == pytest.approx(total(a & b) + total(a - b), rel=1e-9, abs=1e-9)
    assert set(whole.missing) == {e for e in a if values[e] is None}
    assert set(whole.with_data) | set(whole.missing) == a


@settings(max_examples=150, deadline=None)
@given(values=figures, a=subsets, b=subsets)
def test_shares_lie_between_zero_and_one(
    values: dict[str, float | None], a: set[str], b: set[str]
) -> None:
    fetch = _fetch({("defence_expenditure", e): v for e, v in values.items()})
    try:
        result = share(_group(a, "A"), _group(b, "B"), "defence", 2024, fetch=fetch)
    except MissingDataError:  # a whole without any figure is refused, never a share of zero
        assert all(values[e] is None for e in b)
        return
    assert set(result.outside) == a - b
    if result.share is not None:
        assert 0.0 <= result.share <= 1.0 + 1e-12


def test_sipri_share_of_gdp_divides_by_the_gdp_sipri_used() -> None:
    values = {
        ("defence_expenditure", "AAA"): 30.0,  # million USD
        ("defence_expenditure_share_gdp", "AAA"): 3.0,  # percent -> GDP 1,000
        ("defence_expenditure", "BBB"): 10.0,
        ("defence_expenditure_share_gdp", "BBB"): 1.0,  # -> GDP 1,000
    }
    frame = _frame(values)
    frame.loc[frame["indicator"] == "defence_expenditure_share_gdp", "unit"] = "percent"
    frame["source_id"], frame["dataset"] = "sipri", "milex"

    def fetch(indicator: str, *, entities: Sequence[str], **_: Any) -> list[dict[str, Any]]:
        chosen = frame[(frame["indicator"] == indicator) & frame["entity"].isin(list(entities))]
        return chosen.to_dict("records")

    result = aggregate(
        _group(["AAA", "BBB"], "AB"), "defence_share_gdp", 2024, definition="sipri", fetch=fetch
    )
    assert result.value == pytest.approx(100 * 40 / 2000)  # 2.0 %, not the mean of 3 % and 1 %
