"""Fed H.10 exchange rates (datahub.io) and Kiel Ukraine Support Tracker country summaries."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from alliance.errors import InvalidFileError
from alliance.schema import OBSERVATION_COLUMNS, validate_observations
from alliance.sources import fed, kiel
from alliance.validation import ValidationReport

from conftest import REPO, reference_file

FED = "fed/exchange-rates_annual_FRED-H10_datahub-core.csv"
KIEL_EUR = "kiel/kiel_ust_country_summary_eur.csv"
KIEL_USD = "kiel/kiel_ust_country_summary_usd.csv"
KIEL_EXCERPT = REPO / "tests" / "fixtures" / "kiel" / "kiel_ust_country_summary_eur__excerpt.csv"
FRED_USD_PER_EUR_2024 = 1.0820  # FRED AEXUSEU annual average (SOURCES.md §15)


def one(frame: pd.DataFrame, **where: object) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column] == wanted
    rows = frame[mask]
    assert len(rows) == 1, (where, len(rows))
    return rows.iloc[0]


def problems_of(call: object) -> list[str]:
    assert callable(call)
    with pytest.raises(InvalidFileError) as caught:
        call()
    return [p.message for p in caught.value.report.problems]


def schema_ok(frame: pd.DataFrame) -> bool:
    report = ValidationReport("test")
    validate_observations(frame, report)
    return report.ok and list(frame.columns) == list(OBSERVATION_COLUMNS)


def fed_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "annual.csv"
    path.write_text("\n".join(["Date,Country,Exchange rate", *rows]) + "\n", "utf-8")
    return path


# --- Fed ---------------------------------------------------------------------------------------


def test_euro_per_dollar_2024_is_the_reciprocal_of_fred() -> None:
    parsed = fed.parse(reference_file(FED), edition="2026-03")
    frame = parsed.observations
    euro = one(frame, currency="EUR", year=2024)
    assert euro["value"] == 0.9242
    assert euro["value"] == pytest.approx(1 / FRED_USD_PER_EUR_2024, abs=5e-5)
    assert euro["entity"] == "fed:EURO_AREA"
    assert "reciprocal" in euro["note"]
    yen = one(frame, currency="JPY", year=2024)
    assert (yen["entity"], yen["value"]) == ("JPN", 151.4551) and pd.isna(yen["note"])
    assert one(frame, currency="AUD", year=2024)["value"] == 1.5158  # AUD per USD, not USD per AUD
    assert frame[frame["currency"] == "EUR"]["year"].agg(["min", "max"]).tolist() == [1999, 2025]
    assert schema_ok(frame)
    assert parsed.edition.edition == "2026-03"


def test_venezuela_is_left_out_and_every_other_currency_is_in() -> None:
    frame = fed.parse(reference_file(FED), edition="2026-03").observations
    # 21 names in the file (SOURCES.md §15 says 22; `cut -d, -f2 | sort -u` counts 21).
    assert frame["currency"].nunique() == 20
    assert len(frame) == 993 - 31
    assert "VEN" not in set(frame["entity"])


def test_fed_needs_an_edition() -> None:
    path = reference_file(FED)
    assert fed.sniff(path)
    assert "edition not given" in problems_of(lambda: fed.parse(path))[0]


def test_fed_bad_rows_are_all_reported(tmp_path: Path) -> None:
    path = fed_file(
        tmp_path,
        "2024-01-01,Euro,0.9242",
        "2024-01-01,Euro,0.9300",
        "2024-07-01,Japan,151.4",
        "2024-01-01,Atlantis,3.0",
        "2024-01-01,Canada,about 1.37",
        "2024-01-01,Norway",
    )
    problems = problems_of(lambda: fed.parse(path, edition="2026-03"))
    assert len(problems) == 5
    assert any("appears twice" in p for p in problems)
    assert any("not an annual date" in p for p in problems)
    assert any("'Atlantis'" in p for p in problems)
    assert any("not a positive number" in p for p in problems)
    assert any("row has 2 fields, the header 3" in p for p in problems)


def test_fed_empty_wrong_and_oversized_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty file" in problems_of(lambda: fed.parse(empty, edition="2026-03"))[0]
    other = KIEL_EXCERPT
    assert not fed.sniff(other)
    assert "not the datahub.io" in problems_of(lambda: fed.parse(other, edition="2026-03"))[0]
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(fed.MAX_BYTES + 1)
    assert "limit" in problems_of(lambda: fed.parse(big, edition="2026-03"))[0]


# --- Kiel --------------------------------------------------------------------------------------


def test_kiel_eur_key_figures() -> None:
    parsed = kiel.parse(reference_file(KIEL_EUR), edition="2024-08-31")
    frame = parsed.observations
    allocated = frame[frame["indicator"] == "ukraine_aid_allocated"].set_index("entity")["value"]
    assert allocated["USA"] == pytest.approx(84.7, abs=0.05)
    assert allocated["DEU"] == pytest.approx(15.1, abs=0.05)
    assert allocated["GBR"] == pytest.approx(13.7, abs=0.05)
    assert allocated["DNK"] == pytest.approx(6.9, abs=0.05)
    assert allocated["kiel:EU_INSTITUTIONS"] == pytest.approx(43.8, abs=0.05)
    military = one(frame, entity="USA", indicator="ukraine_aid_military_allocated")
    assert military["value"] == pytest.approx(56.8, abs=0.05)
    committed = one(frame, entity="USA", indicator="ukraine_aid_committed")
    assert committed["value"] == pytest.approx(100.2, abs=0.05)
    share = one(frame, entity="EST", indicator="ukraine_aid_allocated_share_gdp")
    assert share["value"] == pytest.approx(1.85, abs=0.005)
    assert share["unit"] == "percent" and pd.isna(share["currency"])
    assert set(frame[frame["unit"] == "billion"]["currency"]) == {"EUR"}
    assert set(frame["year"]) == {2024}
    assert set(frame["period"]) == {"cumulative"}
    assert set(frame["note"]) == {"24 Jan 2022 – 31 Aug 2024, cumulative"}
    assert "24 Jan 2022 – 31 Aug 2024, cumulative" in parsed.edition.title
    assert "24 Jan 2022 – 31 Aug 2024, cumulative" in parsed.edition.citation
    assert frame["entity"].nunique() == 41
    assert parsed.edition.licence.startswith("No explicit licence")
    assert "Trebesch" in parsed.edition.citation
    assert schema_ok(frame)


def kiel_csv_rows(name: str) -> dict[str, tuple[int, dict[str, str]]]:
    """Donor -> (line in the file, cells), read with the csv module, not the importer."""
    with reference_file(name).open(encoding="utf-8") as handle:
        return {row["country"]: (line, row) for line, row in enumerate(csv.DictReader(handle), 2)}


# Every amount and share the importer reads: file column -> indicator.
KIEL_COLUMNS = {
    "military_commitments__billion": "ukraine_aid_military_committed",
    "financial_commitments__billion": "ukraine_aid_financial_committed",
    "humanitarian_commitments__billion": "ukraine_aid_humanitarian_committed",
    "total_bilateral_commitments__billion": "ukraine_aid_committed",
    "military_allocations__billion": "ukraine_aid_military_allocated",
    "financial_allocations__billion": "ukraine_aid_financial_allocated",
    "humanitarian_allocations__billion": "ukraine_aid_humanitarian_allocated",
    "total_bilateral_allocations__billion": "ukraine_aid_allocated",
    "total_bilateral_commitments__2021_gdp": "ukraine_aid_committed_share_gdp",
    "total_bilateral_allocations__2021_gdp": "ukraine_aid_allocated_share_gdp",
}


@pytest.mark.parametrize("name", [KIEL_EUR, KIEL_USD])
def test_kiel_commitments_by_kind_match_every_csv_row(name: str) -> None:
    frame = kiel.parse(reference_file(name), edition="2024-08-31").observations
    rows = kiel_csv_rows(name)
    names = {"United States": "USA", "Germany": "DEU", "Poland": "POL", "United Kingdom": "GBR"}
    names["EU (Commission and Council)"] = "kiel:EU_INSTITUTIONS"
    for donor, entity in names.items():
        line, cells = rows[donor]
        for column, indicator in KIEL_COLUMNS.items():
            row = one(frame, entity=entity, indicator=indicator)
            assert row["value"] == float(cells[column]), (donor, column)
            assert row["locator"] == f"line {line}"
            assert (row["source_id"], row["edition"]) == ("kiel", "2024-08-31")
    assert len(frame) == len(rows) * len(KIEL_COLUMNS)


def test_kiel_commitments_by_kind_as_published() -> None:
    """Figures as Kiel prints them (EUR bn, rounded): the US and Germany by kind."""
    frame = kiel.parse(reference_file(KIEL_EUR), edition="2024-08-31").observations
    usa = frame[frame["entity"] == "USA"].set_index("indicator")["value"]
    assert usa["ukraine_aid_military_committed"] == pytest.approx(65.58, abs=0.005)
    assert usa["ukraine_aid_financial_committed"] == pytest.approx(31.62, abs=0.005)
    assert usa["ukraine_aid_humanitarian_committed"] == pytest.approx(2.95, abs=0.005)
    assert usa["ukraine_aid_committed_share_gdp"] == pytest.approx(0.46, abs=0.005)
    deu = frame[frame["entity"] == "DEU"].set_index("indicator")["value"]
    assert deu["ukraine_aid_military_committed"] == pytest.approx(18.61, abs=0.005)
    assert deu["ukraine_aid_humanitarian_committed"] == pytest.approx(3.05, abs=0.005)
    parts = [f"ukraine_aid_{kind}_committed" for kind in ("military", "financial", "humanitarian")]
    assert sum(deu[p] for p in parts) == pytest.approx(deu["ukraine_aid_committed"])


def test_kiel_usd_file_is_recognised_as_dollars() -> None:
    eur = kiel.parse(reference_file(KIEL_EUR), edition="2024-08-31").observations
    usd = kiel.parse(reference_file(KIEL_USD), edition="2024-08-31").observations
    assert set(usd[usd["unit"] == "billion"]["currency"]) == {"USD"}
    assert set(usd["dataset"]) == {"country_summary_usd"}
    key = ["entity", "indicator"]
    joined = eur.merge(usd, on=key, suffixes=("_eur", "_usd"))
    amounts = joined[joined["unit_eur"] == "billion"]
    ratio = (amounts["value_usd"] / amounts["value_eur"]).dropna()
    assert ratio.max() - ratio.min() < 1e-9  # one fixed conversion rate across the file
    shares = joined[joined["unit_eur"] == "percent"]
    assert (shares["value_usd"] - shares["value_eur"]).abs().max() < 1e-9


def test_kiel_currency_contradiction_and_missing_edition() -> None:
    assert kiel.sniff(KIEL_EXCERPT)
    assert "edition not given" in problems_of(lambda: kiel.parse(KIEL_EXCERPT))[0]
    problems = problems_of(lambda: kiel.parse(KIEL_EXCERPT, edition="2024-08-31", currency="USD"))
    assert "contradicts the file" in problems[0]
    frame = kiel.parse(KIEL_EXCERPT, edition="2024-08-31", currency="EUR").observations
    assert set(frame["entity"]) == {"USA", "DEU", "EST", "kiel:EU_INSTITUTIONS"}


def edit(tmp_path: Path, change: dict[tuple[str, str], str]) -> Path:
    frame = pd.read_csv(KIEL_EXCERPT, dtype=str, keep_default_na=False)
    for (donor, column), text in change.items():
        frame.loc[frame["country"] == donor, column] = text
    path = tmp_path / "summary.csv"
    frame.to_csv(path, index=False)
    return path


def test_kiel_bad_cells_are_all_reported(tmp_path: Path) -> None:
    path = edit(
        tmp_path,
        {
            ("Germany", "military_allocations__billion"): "ten",
            ("Estonia", "country"): "Estland",
            ("United States", "financial_allocations__billion"): "30.0",
        },
    )
    with pytest.raises(InvalidFileError) as caught:
        kiel.parse(path, edition="2024-08-31")
    problems = caught.value.report.problems
    assert {p.row for p in problems} == {2, 4, 5}  # the EU row (line 3) is fine
    assert any(p.value == "ten" and p.column == "military_allocations__billion" for p in problems)
    assert any("'Estland'" in p.message for p in problems)
    assert any("not the sum of its parts" in p.message and p.row == 5 for p in problems)


def test_kiel_duplicate_donor_and_truncation(tmp_path: Path) -> None:
    lines = KIEL_EXCERPT.read_text("utf-8").splitlines()
    doubled = tmp_path / "doubled.csv"
    doubled.write_text("\n".join([*lines, lines[1]]), "utf-8")
    assert any(
        "appears twice" in p for p in problems_of(lambda: kiel.parse(doubled, edition="2024-08-31"))
    )
    cut = tmp_path / "cut.csv"
    cut.write_text("\n".join(lines)[:-200], "utf-8")
    assert any("fields" in p for p in problems_of(lambda: kiel.parse(cut, edition="2024-08-31")))


def test_kiel_wrong_publisher_empty_and_oversized(tmp_path: Path) -> None:
    fed_csv = reference_file(FED)
    assert not kiel.sniff(fed_csv)
    problems = problems_of(lambda: kiel.parse(fed_csv, edition="2024-08-31"))
    assert "column missing" in problems[0]
    empty = tmp_path / "empty.csv"
    empty.write_text("", "utf-8")
    assert "empty file" in problems_of(lambda: kiel.parse(empty, edition="2024-08-31"))[0]
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(kiel.MAX_BYTES + 1)
    assert "limit" in problems_of(lambda: kiel.parse(big, edition="2024-08-31"))[0]
