"""IMF DataMapper importer: the WEO Oct 2025 xls exports and the Apr 2024 CSV export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alliance.errors import InvalidFileError
from alliance.schema import OBSERVATION_COLUMNS, validate_observations
from alliance.sources import imf
from alliance.sources.names import name_map
from alliance.validation import ValidationReport

from conftest import REPO, reference_file

MER = "imf/imf-dm-export-20251119_MER.xls"
PPP = "imf/imf-dm-export-20251119_PPP.xls"
PCPIPCH = "imf/imf-dm-export_PCPIPCH_WEO-Apr2024.csv"
EXCERPT = REPO / "tests" / "fixtures" / "imf" / "imf-dm-export_PCPIPCH_WEO-Apr2024__excerpt.csv"


def row(frame: pd.DataFrame, entity: str, year: int) -> pd.Series:
    rows = frame[(frame["entity"] == entity) & (frame["year"] == year)]
    assert len(rows) == 1, (entity, year, len(rows))
    return rows.iloc[0]


def refusal(path: Path, edition: str | None = None) -> list[str]:
    with pytest.raises(InvalidFileError) as caught:
        imf.parse(path, edition=edition)
    return [
        f"{p.message} | {p.expected} | {p.row} | {p.column}" for p in caught.value.report.problems
    ]


@pytest.fixture
def excerpt_lines() -> list[str]:
    return EXCERPT.read_text("utf-8-sig").split("\n")


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "export.csv"
    path.write_text("\ufeff" + "\n".join(lines), "utf-8")
    return path


# --- the real files ----------------------------------------------------------------------------


def test_ngdpd_oct_2025_key_figures_and_projections() -> None:
    path = reference_file(MER)
    assert imf.sniff(path)
    parsed = imf.parse(path, edition="2025-10")
    frame = parsed.observations
    assert list(frame.columns) == list(OBSERVATION_COLUMNS)
    assert parsed.edition.citation == (
        "International Monetary Fund. World Economic Outlook Database, October 2025. "
        "https://www.imf.org/en/Publications/WEO/weo-database/2025/October"
    )
    assert row(frame, "USA", 2024)["value"] == pytest.approx(29_298.0, abs=0.05)
    assert row(frame, "DEU", 2024)["value"] == pytest.approx(4_684.2, abs=0.05)
    assert row(frame, "POL", 2025)["value"] == pytest.approx(1_039.6, abs=0.05)
    assert row(frame, "imf:EURO_AREA", 2024)["value"] == pytest.approx(16_447.4, abs=0.05)
    assert row(frame, "imf:EU", 2024)["value"] == pytest.approx(19_459.7, abs=0.05)
    assert {"imf:G7", "imf:WORLD"} <= set(frame["entity"])
    north_macedonia = row(frame, "MKD", 2024)  # the label is 'North Macedonia ' in the file
    assert north_macedonia["locator"] == "NGDPD!AT132"
    actual, projected = row(frame, "USA", 2024), row(frame, "USA", 2025)
    assert not actual["estimate"] and pd.isna(actual["estimate_kind"])
    assert projected["estimate"] and projected["estimate_kind"] == "projection"
    assert frame[frame["year"] > 2024]["estimate"].all()
    assert not frame[frame["year"] <= 2024]["estimate"].any()
    assert set(frame["unit"]) == {"billion"} and set(frame["currency"]) == {"USD"}
    report = ValidationReport("test")
    validate_observations(frame, report)
    assert report.ok, report.problems[:3]


def test_no_data_cells_give_no_rows() -> None:
    frame = imf.parse(reference_file(MER), edition="2025-10").observations
    assert "ERI" not in set(frame[frame["year"] == 2024]["entity"])  # Eritrea: 'no data'
    assert len(frame) == 10_810  # numeric cells in the sheet; 869 'no data' cells dropped


def test_pppgdp_has_no_euro_area_row() -> None:
    frame = imf.parse(reference_file(PPP), edition="2025-10").observations
    assert row(frame, "RUS", 2024)["value"] == pytest.approx(6_931.3, abs=0.05)
    assert row(frame, "CHN", 2030)["value"] == pytest.approx(54_084.4, abs=0.05)
    assert set(frame["exchange_basis"]) == {"ppp"} and set(frame["currency"]) == {"INTL"}
    assert "imf:EURO_AREA" not in set(frame["entity"])


def test_pcpipch_apr_2024_csv() -> None:
    parsed = imf.parse(reference_file(PCPIPCH), edition="2024-04")
    frame = parsed.observations
    assert parsed.edition.dataset == "PCPIPCH"
    assert "April 2024" in parsed.edition.citation
    usa_2024, usa_2023 = row(frame, "USA", 2024), row(frame, "USA", 2023)
    assert usa_2024["value"] == 2.9 and usa_2024["estimate_kind"] == "projection"
    assert usa_2023["value"] == 4.1 and not usa_2023["estimate"]
    assert row(frame, "imf:EURO_AREA", 2024)["value"] == 2.4
    assert set(frame["indicator"]) == {"inflation"} and set(frame["unit"]) == {"percent"}


def test_default_edition_is_the_footer_year() -> None:
    parsed = imf.parse(reference_file(MER))
    assert parsed.edition.edition == "2025"
    assert "does not say which release" in parsed.edition.citation
    assert not row(parsed.observations, "USA", 2024)["estimate"]
    assert row(parsed.observations, "USA", 2025)["estimate"]


def test_every_name_in_the_three_files_is_in_the_table() -> None:
    table = name_map("imf")
    assert len(table) == 229
    for entity in ("imf:EU", "imf:EURO_AREA", "imf:WORLD", "imf:G7"):
        assert entity in table.values()
    for path, edition in ((MER, "2025-10"), (PPP, "2025-10"), (PCPIPCH, "2024-04")):
        imf.parse(reference_file(path), edition=edition)  # raises on any unmapped name


# --- the excerpt, and bad inputs ---------------------------------------------------------------


def test_excerpt_figures_and_locators() -> None:
    frame = imf.parse(EXCERPT, edition="2024-04").observations
    lines = EXCERPT.read_text("utf-8-sig").split("\n")
    macedonia = row(frame, "MKD", 2024)
    line = int(macedonia["locator"].removeprefix("line "))
    assert lines[line - 1].startswith("North Macedonia ,")
    assert macedonia["value"] == 4.0
    eritrea = frame[frame["entity"] == "ERI"]
    # Eritrea: 'no data' for 1980-1992 and 2020-2029, figures 1993 (4.8) to 2019 (1.3).
    assert (eritrea["year"].min(), eritrea["year"].max(), len(eritrea)) == (1993, 2019, 27)
    assert row(frame, "ERI", 1993)["value"] == 4.8
    assert row(frame, "ERI", 2019)["value"] == 1.3
    assert set(frame["entity"]) == {"DEU", "ERI", "MKD", "USA", "imf:EURO_AREA", "imf:WORLD"}


def test_last_actual_year_parameter_moves_the_projection_boundary() -> None:
    frame = imf.parse(EXCERPT, edition="2024-04", last_actual_year=2021).observations
    assert row(frame, "DEU", 2022)["estimate_kind"] == "projection"
    assert not row(frame, "DEU", 2021)["estimate"]


def test_edition_contradicting_the_footer_is_refused() -> None:
    problems = refusal(EXCERPT, edition="2025-10")
    assert "contradicts the file's footer '©IMF, 2024'" in problems[0]
    assert "malformed" in refusal(EXCERPT, edition="April 2024")[0]


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty file" in refusal(empty)[0]


def test_truncated_csv_has_no_footer(tmp_path: Path, excerpt_lines: list[str]) -> None:
    problems = refusal(write(tmp_path, excerpt_lines[:5]))
    assert any("no '©IMF, YYYY' footer" in p for p in problems)


def test_truncated_xls(tmp_path: Path) -> None:
    cut = tmp_path / "cut.xls"
    cut.write_bytes(reference_file(MER).read_bytes()[:50_000])
    assert not imf.sniff(cut)
    assert "unreadable workbook" in refusal(cut)[0]


def test_wrong_publisher(tmp_path: Path) -> None:
    wb_csv = (
        REPO
        / "tests"
        / "fixtures"
        / "worldbank"
        / "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_32__excerpt.csv"
    )
    assert not imf.sniff(wb_csv)
    problems = refusal(wb_csv)
    assert any("not the label of a known IMF DataMapper indicator" in p for p in problems)
    assert any("footer" in p for p in problems)


def test_wrong_publisher_workbook(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Defence expenditure of NATO countries"
    path = tmp_path / "nato.xlsx"
    book.save(path)
    assert not imf.sniff(path)
    assert "not the label of a known IMF DataMapper indicator" in refusal(path)[0]


def test_moved_header(tmp_path: Path, excerpt_lines: list[str]) -> None:
    moved = [excerpt_lines[1], *excerpt_lines]  # a blank line pushes the label row down
    problems = refusal(write(tmp_path, moved))
    assert "first cell is not the label" in problems[0]


def test_text_cell_unknown_name_and_duplicate_reported_together(
    tmp_path: Path, excerpt_lines: list[str]
) -> None:
    lines = list(excerpt_lines)
    germany = next(i for i, line in enumerate(lines) if line.startswith("Germany,"))
    usa = next(i for i, line in enumerate(lines) if line.startswith("United States,"))
    fields = lines[germany].split(",")
    fields[45] = "n/a"  # 2024
    lines[germany] = ",".join(fields)
    lines[usa] = lines[usa].replace("United States,", "United States of Europe,", 1)
    lines.insert(germany + 1, excerpt_lines[germany])
    with pytest.raises(InvalidFileError) as caught:
        imf.parse(write(tmp_path, lines), edition="2024-04")
    problems = caught.value.report.problems
    text = next(p for p in problems if p.message == "not a number")
    assert (text.row, text.column, text.value) == (germany + 1, "AT", "n/a")
    assert any("United States of Europe" in p.message for p in problems)
    assert any("appears twice" in p.message and p.row == germany + 2 for p in problems)


def test_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.xls"
    with big.open("wb") as handle:
        handle.truncate(imf.MAX_BYTES + 1)
    assert "limit" in refusal(big)[0]
    assert not imf.sniff(big)
