"""What a query process remembers to start fast (issue 13), and that remembering changes no answer.

The filter values, ISO3 codes and stored editions read once per connection give what the store
holds (checked against DuckDB directly); the ISO3 codes read from pycountry's file are the ones
pycountry's API gives; the trusted imports remembered within a process still drop a file changed
in place or added without the importer, at the next call in the same process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pycountry
import pytest

from alliance import store
from alliance.countries import _iso3_codes, _tables, is_known_iso3, resolve_country
from alliance.errors import InvalidArgumentError
from alliance.observations import FILTER_COLUMNS, known_filter_value, observation_records
from test_store_health import copy_home, import_file, make_imported_home


def test_the_iso3_codes_are_pycountrys_and_kosovo() -> None:
    expected = {country.alpha_3 for country in pycountry.countries} | {"XKX"}
    assert _iso3_codes() == expected
    assert is_known_iso3("DEU") and is_known_iso3("XKX")
    assert not is_known_iso3("deu") and not is_known_iso3("XXX")


def test_an_iso3_code_resolves_to_what_the_tables_give() -> None:
    """resolve_country answers an ISO3 code without pycountry's tables: the tables' answer."""
    tables = _tables()
    for code in sorted(_iso3_codes()):
        assert resolve_country(code) == tables.index[code.lower()] == code
    assert resolve_country("usa") == resolve_country("United States") == "USA"


def test_the_filter_values_are_those_the_store_holds() -> None:
    connection = store.shared_connection()
    for column in FILTER_COLUMNS:
        stored = {
            row[0]
            for row in connection.execute(
                f"SELECT DISTINCT {column} FROM observations WHERE {column} IS NOT NULL"
            ).fetchall()
        }
        assert stored, column
        for value in stored:
            assert known_filter_value(column, value.swapcase()) == value
    assert known_filter_value("currency", "eur") == "EUR"
    assert known_filter_value("price_basis", "Constant") == "constant"
    with pytest.raises(InvalidArgumentError, match=r"Unknown currency 'EUX'.*Did you mean 'EUR'"):
        known_filter_value("currency", "EUX")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_imported_home(tmp_path_factory)


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Iterator[Path]:
    """A home with one real import, as this process's ALLIANCE_HOME."""
    copy = copy_home(template, tmp_path)
    before = os.environ["ALLIANCE_HOME"]
    os.environ["ALLIANCE_HOME"] = str(copy)
    yield copy
    os.environ["ALLIANCE_HOME"] = before


def test_a_connection_with_imports_has_the_newest_layer(home: Path) -> None:
    connection = store.shared_connection()
    assert store.has_newest_layer(connection)
    connection.execute("SELECT count(*) FROM newest_observations").fetchall()
    plain = store.open_store([], None)
    assert not store.has_newest_layer(plain)


def _germany_2023(records: list[dict[str, object]]) -> tuple[object, object]:
    [row] = [r for r in records if r["entity"] == "DEU" and r["year"] == 2023]
    return row["edition"], row["value"]


def _wb_gdp() -> list[dict[str, object]]:
    return observation_records(
        "gdp", entities=["DEU"], years=[2023], source="wb", exchange_basis="market"
    )


def test_an_import_changed_in_place_is_dropped_at_the_next_call_of_the_process(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = import_file(home)
    assert store.imported_files() == [path]
    assert store.imported_files() == [path]  # remembered: the same answer
    assert _germany_2023(_wb_gdp()) == ("2027-01-15", 4.5e12)
    with path.open("r+b") as file:  # same size, other bytes: only the checksum tells
        file.seek(path.stat().st_size // 2)
        file.write(b"\0" * 64)
    assert store.imported_files() == []
    assert "checksum differs" in capsys.readouterr().err
    assert _germany_2023(_wb_gdp())[0] != "2027-01-15"


def test_a_file_added_without_the_importer_is_not_served_in_the_same_process(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = import_file(home)
    assert store.imported_files() == [path]
    forged = path.with_name("2099-01-01__NY.GDP.MKTP.CD.parquet")
    forged.write_bytes(path.read_bytes())
    assert store.imported_files() == [path]
    assert "did not write it" in capsys.readouterr().err
