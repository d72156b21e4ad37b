"""World Bank importer: WDI bulk CSVs and datahub.io tidy files, against SOURCES.md figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.errors import InvalidFileError
from alliance.schema import OBSERVATION_COLUMNS, validate_observations
from alliance.sources import worldbank
from alliance.sources.names import name_map
from alliance.validation import ValidationReport

from conftest import REPO, reference_file

FIXTURES = REPO / "tests" / "fixtures" / "worldbank"
EXCERPT = FIXTURES / "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_32__excerpt.csv"
GDP_2026 = "worldbank/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_32.csv"
GDP_2024 = "worldbank/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_9865.csv"
GDP_PPP = "worldbank/API_NY.GDP.MKTP.PP.CD_DS2_en_csv_v2_1090665.csv"
PERSONNEL = "worldbank/API_MS.MIL.TOTL.P1_DS2_en_csv_v2_115556.csv"
POPULATION = "worldbank/population_SP.POP.TOTL_datahub-core.csv"
PPP_FACTOR = "worldbank/ppp-gdp_PA.NUS.PPP_datahub-core.csv"
EU27 = [
    "AUT",
    "BEL",
    "BGR",
    "HRV",
    "CYP",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "IRL",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
]


def value(frame: pd.DataFrame, entity: str, year: int) -> float:
    rows = frame[(frame["entity"] == entity) & (frame["year"] == year)]
    assert len(rows) == 1, (entity, year, len(rows))
    return float(rows["value"].iloc[0])


def schema_problems(frame: pd.DataFrame) -> list[str]:
    report = ValidationReport("test")
    validate_observations(frame, report)
    return [problem.message for problem in report.problems]


def refusal(path: Path, **kwargs: str) -> list[str]:
    with pytest.raises(InvalidFileError) as caught:
        worldbank.parse(path, **kwargs)
    return [
        f"{p.message} | {p.expected} | {p.row} | {p.column}" for p in caught.value.report.problems
    ]


def write_variant(tmp_path: Path, text: str, name: str = "variant.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.fixture
def excerpt_lines() -> list[str]:
    return EXCERPT.read_bytes().decode("utf-8-sig").split("\r\n")


# --- the real files ----------------------------------------------------------------------------


def test_gdp_2026_vintage_key_figures_and_aggregates() -> None:
    parsed = worldbank.parse(reference_file(GDP_2026))
    frame = parsed.observations
    assert parsed.edition.edition == "2026-02-24"
    assert parsed.edition.dataset == "NY.GDP.MKTP.CD"
    assert parsed.edition.licence == "CC BY 4.0"
    assert "World Development Indicators" in parsed.edition.citation
    assert value(frame, "POL", 2024) == pytest.approx(917_767_106_147, abs=1)
    assert value(frame, "DEU", 2024) == pytest.approx(4_685_592_577_805, abs=1)
    assert value(frame, "USA", 2024) == pytest.approx(28_750_956_130_731, abs=1)
    assert value(frame, "wb:EUU", 2024) / 1e9 == pytest.approx(19_497.1, abs=0.05)
    assert value(frame, "wb:WLD", 2024) / 1e9 == pytest.approx(110_982.7, abs=0.05)
    assert "EUU" not in set(frame["entity"])
    assert set(frame[["unit", "currency", "price_basis", "exchange_basis"]].drop_duplicates()
               .itertuples(index=False)) == {("unit", "USD", "current", "market")}  # fmt: skip
    assert list(frame.columns) == list(OBSERVATION_COLUMNS)
    assert schema_problems(frame) == []


def test_every_code_in_the_files_has_a_table_entry_and_aggregates_are_apart() -> None:
    frame = worldbank.parse(reference_file(GDP_2026)).observations
    table = name_map("wb")
    assert len(table) == 266
    aggregates = {code for code, entity in table.items() if entity.startswith("wb:")}
    # 48 WB aggregates + INX ('Not classified') + CHI (Channel Islands, not an ISO country).
    assert len(aggregates) == 50
    assert {"EUU", "WLD", "EMU", "OED", "HIC", "INX"} <= aggregates
    assert table["XKX"] == "XKX"
    countries = frame[~frame["entity"].str.startswith("wb:")]
    assert countries["entity"].str.fullmatch(r"[A-Z]{3}").all()
    assert value(frame, "XKX", 2024) > 0


def test_older_vintage_is_its_own_edition_with_revised_history() -> None:
    old = worldbank.parse(reference_file(GDP_2024))
    new = worldbank.parse(reference_file(GDP_2026))
    assert old.edition.edition == "2024-10-24"
    assert value(old.observations, "DEU", 2023) / 1e9 == pytest.approx(4_456.1, abs=0.05)
    assert value(new.observations, "DEU", 2023) / 1e9 == pytest.approx(4_562.2, abs=0.05)
    assert old.observations["year"].max() == 2023
    assert len(old.observations) == 13_979  # SOURCES.md §6: 13,979 values


def test_gdp_ppp_file_without_bom_and_with_lf() -> None:
    path = reference_file(GDP_PPP)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    parsed = worldbank.parse(path)
    frame = parsed.observations
    assert parsed.edition.edition == "2024-06-28"
    assert value(frame, "USA", 2023) == pytest.approx(27_360_935_000_000, abs=1)
    assert value(frame, "DEU", 2023) == pytest.approx(5_857_856_201_681, abs=1)
    assert set(frame["currency"]) == {"INTL"}
    assert set(frame["exchange_basis"]) == {"ppp"}
    assert frame["year"].min() == 1990


def test_armed_forces_personnel_sum_to_the_eu_aggregate_and_keep_zeros() -> None:
    parsed = worldbank.parse(reference_file(PERSONNEL))
    frame = parsed.observations
    assert value(frame, "USA", 2020) == 1_395_000
    assert value(frame, "DEU", 2020) == 183_000
    assert value(frame, "POL", 2014) == 172_700
    iceland = frame[frame["entity"] == "ISL"]
    assert (iceland["value"] == 0).sum() == 3  # reported zeros, not missing
    assert set(frame["indicator"]) == {"military_personnel"}
    assert set(frame["definition"]) == {"wb"}
    assert "not NATO's definition" in parsed.edition.notes
    eu_2020 = frame[(frame["year"] == 2020) & frame["entity"].isin(EU27)]["value"].sum()
    assert eu_2020 == value(frame, "wb:EUU", 2020) == 1_913_000
    assert frame["year"].max() == 2020  # empty cells produce no rows


def test_datahub_population_needs_edition_and_indicator() -> None:
    path = reference_file(POPULATION)
    assert worldbank.sniff(path)
    problems = refusal(path)
    assert any("indicator code not given" in p for p in problems)
    assert any("edition not given" in p for p in problems)
    parsed = worldbank.parse(path, edition="2026-03-06", indicator_code="SP.POP.TOTL")
    frame = parsed.observations
    assert value(frame, "DEU", 2024) == 83_516_593
    assert value(frame, "USA", 2024) == 340_110_988
    assert len(frame) == 17_195
    assert set(frame["indicator"]) == {"population"}
    assert parsed.edition.edition == "2026-03-06"
    assert "PDDL" in parsed.edition.licence
    assert schema_problems(frame) == []
    assert refusal(path, edition="March 2026", indicator_code="SP.POP.TOTL") != []


def test_datahub_ppp_factor_with_iso2_codes_keeps_namibia() -> None:
    parsed = worldbank.parse(reference_file(PPP_FACTOR), edition="2026-03-05")
    frame = parsed.observations
    assert parsed.edition.dataset == "PA.NUS.PPP"
    assert value(frame, "DEU", 2024) == pytest.approx(0.7009, abs=5e-5)
    assert value(frame, "DEU", 2023) == pytest.approx(0.7011, abs=5e-5)
    assert value(frame, "USA", 2024) == 1
    assert "NAM" in set(frame["entity"])
    assert set(frame["unit"]) == {"ratio"}
    assert frame["entity"].nunique() == 205


# --- the shipped excerpt, and bad inputs made from it ------------------------------------------


def test_excerpt_parses_with_locators_pointing_at_lines() -> None:
    frame = worldbank.parse(EXCERPT).observations
    lines = EXCERPT.read_bytes().decode("utf-8-sig").split("\r\n")
    germany = frame[(frame["entity"] == "DEU") & (frame["year"] == 2024)].iloc[0]
    line = int(germany["locator"].removeprefix("line "))
    assert lines[line - 1].startswith('"Germany","DEU"')
    assert germany["value"] == pytest.approx(4_685_592_577_805, abs=1)


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_bom_and_line_endings_do_not_change_the_figures(
    tmp_path: Path, excerpt_lines: list[str], bom: bool, newline: str
) -> None:
    text = ("\ufeff" if bom else "") + newline.join(excerpt_lines)
    frame = worldbank.parse(write_variant(tmp_path, text)).observations
    expected = worldbank.parse(EXCERPT).observations
    pd.testing.assert_frame_equal(frame, expected)


def test_unknown_indicator_is_refused_with_the_known_codes(
    tmp_path: Path, excerpt_lines: list[str]
) -> None:
    text = "\n".join(excerpt_lines).replace("NY.GDP.MKTP.CD", "NE.EXP.GNFS.ZS")
    problems = refusal(write_variant(tmp_path, text))
    assert "NE.EXP.GNFS.ZS" in problems[0]
    for code in ("NY.GDP.MKTP.CD", "MS.MIL.TOTL.P1", "SP.POP.TOTL", "PA.NUS.PPP"):
        assert code in problems[0]


def test_empty_file(tmp_path: Path) -> None:
    assert "empty file" in refusal(write_variant(tmp_path, ""))[0]
    assert "empty file" in refusal(write_variant(tmp_path, "\r\n\r\n"))[0]


def test_truncated_file_names_the_short_row(tmp_path: Path) -> None:
    data = EXCERPT.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: len(data) - 300])
    problems = refusal(cut)
    assert any("fields" in p and "truncated" in p for p in problems)


def test_preamble_only_has_no_data_rows(tmp_path: Path, excerpt_lines: list[str]) -> None:
    problems = refusal(write_variant(tmp_path, "\n".join(excerpt_lines[:5])))
    assert any("no data rows" in p for p in problems)


def test_wrong_publisher_workbook(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Defence expenditure of NATO countries"
    path = tmp_path / "nato.xlsx"
    book.save(path)
    assert not worldbank.sniff(path)
    assert "not a UTF-8 text file" in refusal(path)[0]


def test_real_nato_workbook_is_refused() -> None:
    path = reference_file("nato/240617-def-exp-2024-TABLES-en.xlsx")
    assert not worldbank.sniff(path)
    with pytest.raises(InvalidFileError):
        worldbank.parse(path)


def test_other_publishers_csv_is_not_wdi(tmp_path: Path) -> None:
    imf_csv = REPO / "tests" / "fixtures" / "imf" / "imf-dm-export_PCPIPCH_WEO-Apr2024__excerpt.csv"
    assert not worldbank.sniff(imf_csv)
    assert "not a World Bank WDI bulk CSV" in refusal(imf_csv)[0]


def test_moved_header_missing_preamble_line(tmp_path: Path, excerpt_lines: list[str]) -> None:
    without_blank = [excerpt_lines[0], *excerpt_lines[2:]]
    problems = refusal(write_variant(tmp_path, "\n".join(without_blank)))
    assert any("header row found on line 4" in p for p in problems)


def test_text_in_a_numeric_cell_unknown_code_and_duplicate_reported_together(
    tmp_path: Path, excerpt_lines: list[str]
) -> None:
    lines = list(excerpt_lines)
    germany = next(i for i, line in enumerate(lines) if line.startswith('"Germany"'))
    poland = next(i for i, line in enumerate(lines) if line.startswith('"Poland"'))
    lines[germany] = lines[germany].replace('"4685592577804.69"', '"about 4.7 trillion"')
    lines[poland] = lines[poland].replace('"POL"', '"XXP"')
    lines.append(lines[germany].replace("about 4.7 trillion", "4685592577804.69"))
    with pytest.raises(InvalidFileError) as caught:
        worldbank.parse(write_variant(tmp_path, "\n".join(lines)))
    problems = caught.value.report.problems
    text_cell = next(p for p in problems if p.message == "not a number")
    assert (text_cell.row, text_cell.column) == (germany + 1, "2024")
    assert text_cell.value == "about 4.7 trillion"
    assert any("'XXP'" in p.message and p.row == poland + 1 for p in problems)
    assert any("appears twice" in p.message and p.row == len(lines) for p in problems)


def test_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(worldbank.MAX_BYTES + 1)  # sparse: nothing is written
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    problems = refusal(big)
    assert "limit" in problems[0]


def test_sniff_recognises_content_not_names(tmp_path: Path) -> None:
    renamed = tmp_path / "data.txt"
    renamed.write_bytes(EXCERPT.read_bytes())
    assert worldbank.sniff(renamed)
    assert not worldbank.sniff(tmp_path / "absent.csv")
    kiel = REPO / "tests" / "fixtures" / "kiel" / "kiel_ust_country_summary_eur__excerpt.csv"
    assert not worldbank.sniff(kiel)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.floats(min_value=0, max_value=1e14, allow_nan=False, allow_infinity=False),
        ),
        min_size=3,
        max_size=3,
    )
)
def test_any_cells_round_trip_and_empty_cells_give_no_rows(
    tmp_path: Path, cells: list[float | None]
) -> None:
    header = '"Country Name","Country Code","Indicator Name","Indicator Code","2022","2023","2024",'
    fields = ",".join('""' if cell is None else f'"{cell!r}"' for cell in cells)
    text = "\n".join(
        [
            '"Data Source","World Development Indicators",',
            "",
            '"Last Updated Date","2026-02-24",',
            "",
            header,
            f'"Estonia","EST","GDP (current US$)","NY.GDP.MKTP.CD",{fields},',
        ]
    )
    path = write_variant(tmp_path, text, "generated.csv")
    filled = {2022 + i: cell for i, cell in enumerate(cells) if cell is not None}
    if not filled:
        assert "holds no figures" in refusal(path)[0]
        return
    frame = worldbank.parse(path).observations
    assert dict(zip(frame["year"], frame["value"], strict=True)) == filled
    assert set(frame["locator"]) == {"line 6"}
