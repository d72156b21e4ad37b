"""The commitments tracker: targets and pledges as cited data, status rules, NATO's 2% count."""

from __future__ import annotations

import openpyxl
import pytest

from alliance.commitments import (
    all_pledges,
    all_targets,
    find_target,
    pledge,
    pledges_for,
    targets,
    targets_history,
)
from alliance.commitments.targets import _status
from alliance.errors import InvalidArgumentError, UnknownCountryError

from conftest import reference_file

NATO_TABLES = "nato/240617-def-exp-2024-TABLES-en.xlsx"
JOINED_AFTER_2014 = {"Montenegro", "North Macedonia", "Finland", "Sweden"}


def test_every_target_and_pledge_is_cited() -> None:
    for target in all_targets():
        assert target.source_url.startswith("https://"), target.target
        assert target.source_title and target.statement
    for item in all_pledges():
        assert item.source_url.startswith("https://"), item.pledge
        assert item.source_title and item.statement and item.announced


def test_hague_and_wales_targets_as_agreed() -> None:
    core = find_target("3.5%")
    assert (core.threshold_percent, core.deadline_year, core.review_year) == (3.5, 2035, 2029)
    assert find_target("5%").threshold_percent == 5.0
    assert find_target("equipment").measure == "equipment_share"
    assert find_target("wales").deadline_year == 2024
    with pytest.raises(InvalidArgumentError):
        find_target("7%")


def test_allies_at_two_percent_in_2014_match_table_3() -> None:
    sheet = openpyxl.load_workbook(reference_file(NATO_TABLES), data_only=True)["TABLE3"]
    labels = [str(sheet[f"C{r}"].value).rstrip("*") for r in range(11, 42)]
    shares = [float(sheet[f"D{r}"].value) for r in range(11, 42)]
    expected = sum(
        1
        for label, value in zip(labels, shares, strict=True)
        if value >= 2.0 and label not in JOINED_AFTER_2014
    )
    history = targets_history(edition="2024-06")
    first = history[history["year"] == 2014].iloc[0]
    assert first["allies"] == 28
    assert first["meeting"] == expected == 3
    assert first["allies_meeting"] == "GBR GRC USA"


def test_status_rules() -> None:
    core = find_target("hague-core-3.5")
    floor = find_target("vilnius-2023")
    assert _status(core, 2024, 3.6, None)[0] == "met"
    status, rule, needed = _status(core, 2025, 2.4, 0.2)
    assert needed == pytest.approx((3.5 - 2.4) / 10)
    assert status == "on track" and "needed" in rule
    assert _status(core, 2025, 2.4, 0.05)[0] == "off track"
    assert _status(floor, 2024, 1.9, 0.5)[0] == "off track"
    assert _status(find_target("wales"), 2024, 1.9, 0.5)[0] == "off track"


def test_targets_table_gap_and_money() -> None:
    frame = targets(2024, "2%", edition="2024-06")
    spain = frame[frame["iso3"] == "ESP"].iloc[0]
    assert spain["value"] == pytest.approx(1.282549642204323, rel=1e-9)  # Table 3, N37
    assert spain["gap_pp"] == pytest.approx(2.0 - spain["value"])
    assert spain["status"] == "off track" and not spain["met"]
    assert spain["gap_usd_bn"] > 0
    assert len(frame) == 32
    assert frame[frame["iso3"] == "ISL"].iloc[0]["status"] == "no data"


def test_germany_pledge_path() -> None:
    (report,) = pledge("Germany")
    path = {row["year"]: row for row in report.path}
    assert list(path) == [2025, 2026, 2027, 2028, 2029]
    # the year-by-year NATO quota of the federal financial plan (June 2025), not a straight line
    assert [path[y]["percent"] for y in path] == [2.4, 2.8, 3.0, 3.3, 3.5]
    assert path[2029]["amount (EUR bn)"] == pytest.approx(153)
    assert path[2027]["amount (EUR bn)"] is None  # no amount published for the years between
    assert "financial plan" in report.path_rule and "assumption" not in report.path_rule
    (britain, *_) = pledge("GBR")
    assert "assumption" in britain.path_rule  # no published path: a straight line, labelled
    assert report.latest_value is not None and report.latest_edition.startswith("nato")


def test_a_pledge_is_found_by_any_spelling_of_the_country() -> None:
    germany = pledges_for("DEU")
    assert [pledges_for(text) for text in ("Germany", "de", "deu", " DEU ")] == [germany] * 4
    with pytest.raises(InvalidArgumentError, match="No sourced pledge is shipped for FRA"):
        pledges_for("FRA")
    with pytest.raises(UnknownCountryError):
        pledges_for("XXX")


def test_country_without_a_sourced_pledge() -> None:
    with pytest.raises(InvalidArgumentError, match="No sourced pledge"):
        pledge("FRA")


def test_a_year_beyond_the_data_is_refused_with_the_years_there_are() -> None:
    from alliance.commitments import targets
    from alliance.errors import YearOutOfRangeError

    with pytest.raises(YearOutOfRangeError, match="2014 to 2025"):
        targets(2031)
