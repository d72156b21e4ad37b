"""The year shown first: the latest year in which (nearly) every member has a figure."""

from __future__ import annotations

import pytest

from alliance.errors import AllianceError
from alliance.observations import latest_covered_year, observation_records

SHARE = "defence_expenditure_share_gdp"


def _entities(year: int, edition: str) -> set[str]:
    rows = observation_records(SHARE, source="nato", edition=edition, years=[year])
    return {str(r["entity"]) for r in rows if r["value"] is not None and len(r["entity"]) == 3}


def test_nato_august_2025_tables_lack_germany_in_2025_so_2024_is_shown() -> None:
    # The August 2025 release has no 2025 estimate for Germany (nor, as ever, for Iceland):
    # 30 of 32 Allies is below 95 %; in 2024 31 of 32 (all but Iceland) is above it.
    assert "DEU" not in _entities(2025, "2025-08") and "DEU" in _entities(2024, "2025-08")
    assert latest_covered_year(SHARE, source="nato", edition="2025-08") == 2024


def test_the_june_2024_tables_cover_their_newest_year() -> None:
    assert len(_entities(2024, "2024-06")) == 31
    assert latest_covered_year(SHARE, source="nato", edition="2024-06") == 2024


def test_a_single_country_coalition_follows_its_own_figures() -> None:
    assert latest_covered_year(SHARE, "POL", source="nato", edition="2025-08") == 2025
    assert latest_covered_year(SHARE, "DEU", source="nato", edition="2025-08") == 2024


def test_full_coverage_never_reached_falls_back_to_the_latest_best_covered_year() -> None:
    # Iceland has no figure in any year, so 100 % is never reached; the best share (31 of 32 in
    # 2024, 31 of 31 never) decides: 2024 beats 2025's 30 of 32.
    assert latest_covered_year(SHARE, source="nato", edition="2025-08", coverage=1.0) == 2024


def test_an_unknown_edition_is_refused() -> None:
    with pytest.raises(AllianceError, match="1999-01"):
        latest_covered_year(SHARE, source="nato", edition="1999-01")
