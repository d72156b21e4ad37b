"""Country resolution: codes, names and aliases to ISO3; names; the countries table."""

from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pycountry
import pytest

from alliance.countries import Country, country_name, resolve_country
from alliance.errors import InvalidFileError, UnknownCountryError

# The module, not the package's public `alliance.countries` function of the same name.
countries = importlib.import_module("alliance.countries")


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Turkiye", "TUR"),
        ("TÜRKIYE", "TUR"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("United States", "USA"),
        ("USA", "USA"),
        ("US", "USA"),
        ("U.S.", "USA"),
        ("United States of America", "USA"),
        ("America", "USA"),
        ("United Kingdom", "GBR"),
        ("UK", "GBR"),
        ("Britain", "GBR"),
        ("Great Britain", "GBR"),
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("South Korea", "KOR"),
        ("Korea, Republic of", "KOR"),
        ("North Macedonia", "MKD"),
        ("Macedonia", "MKD"),
        ("Slovakia", "SVK"),
        ("Slovak Republic", "SVK"),
        ("Netherlands", "NLD"),
        ("Holland", "NLD"),
        ("the Netherlands", "NLD"),
        ("Kosovo", "XKX"),
        ("XKX", "XKX"),
        ("Germany", "DEU"),
        ("de", "DEU"),
        ("deu", "DEU"),
        ("Côte d'Ivoire", "CIV"),
        ("cote divoire", "CIV"),
        ("  united \t kingdom  ", "GBR"),
    ],
)
def test_resolves_codes_names_and_aliases(text: str, iso3: str) -> None:
    assert resolve_country(text) == iso3


def test_every_iso_code_resolves_to_its_own_country() -> None:
    for record in pycountry.countries:
        assert resolve_country(record.alpha_3) == record.alpha_3
        assert resolve_country(record.alpha_2.lower()) == record.alpha_3
        assert resolve_country(record.name) == record.alpha_3


def test_unknown_country_suggests_close_names() -> None:
    with pytest.raises(UnknownCountryError) as caught:
        resolve_country("Germny")
    assert caught.value.text == "Germny"
    assert "Germany (DEU)" in str(caught.value)


def test_unknown_country_offers_at_most_three_suggestions() -> None:
    with pytest.raises(UnknownCountryError) as caught:
        resolve_country("Narnia")
    hint = str(caught.value).split("Did you mean: ")[1]
    assert 1 <= len(hint.split("), ")) <= 3


def test_nonsense_gets_no_suggestion_but_says_what_is_accepted() -> None:
    with pytest.raises(UnknownCountryError) as caught:
        resolve_country("qqqqxxxxzzzz")
    assert "Did you mean" not in str(caught.value)
    assert "ISO3" in str(caught.value)


@pytest.mark.parametrize(
    ("iso3", "name"),
    [
        ("TUR", "Türkiye"),
        ("USA", "United States"),
        ("GBR", "United Kingdom"),
        ("RUS", "Russia"),
        ("CZE", "Czechia"),
        ("SVK", "Slovakia"),
        ("KOR", "South Korea"),
        ("MKD", "North Macedonia"),
        ("XKX", "Kosovo"),
        ("deu", "Germany"),
    ],
)
def test_country_name_is_the_short_common_name(iso3: str, name: str) -> None:
    assert country_name(iso3) == name


def test_country_name_of_an_unknown_code_is_an_error() -> None:
    with pytest.raises(UnknownCountryError):
        country_name("ZZZ")


def test_every_code_has_the_name_pycountrys_api_gives() -> None:
    """The names read from pycountry's file are those of the tables built with its API."""
    by_iso3 = countries._tables().by_iso3
    assert len(by_iso3) == len(pycountry.countries) + 1
    for record in pycountry.countries:
        expected = countries._SHORT_NAMES.get(
            record.alpha_3, getattr(record, "common_name", None) or record.name
        )
        assert country_name(record.alpha_3) == by_iso3[record.alpha_3].name == expected
        assert country_name(f" {record.alpha_3.lower()} ") == expected
    assert country_name("XKX") == by_iso3["XKX"].name == "Kosovo"


@pytest.fixture
def iso_file_missing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pycountry's ISO 3166-1 file not where it is expected, the caches read from it emptied."""
    cached = (countries._short_names, countries._iso3_codes)
    monkeypatch.setattr(countries, "ISO_3166_1_FILE", "no-such-file.json")
    for function in cached:
        function.cache_clear()
    yield
    monkeypatch.undo()
    for function in cached:
        function.cache_clear()


@pytest.mark.usefixtures("iso_file_missing")
def test_without_pycountrys_file_the_names_and_codes_come_from_its_api() -> None:
    by_iso3 = countries._tables().by_iso3
    assert countries._iso_3166_1_records() is None
    assert countries._short_names() == {code: found.name for code, found in by_iso3.items()}
    assert countries._iso3_codes() == {c.alpha_3 for c in pycountry.countries} | {"XKX"}
    assert country_name("RUS") == "Russia"
    with pytest.raises(UnknownCountryError):
        country_name("ZZZ")


def run_fresh(code: str) -> subprocess.CompletedProcess[str]:
    """`code` in a new Python that finds only this package's source."""
    src = Path(countries.__file__).resolve().parents[1]
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(src)},
    )


def test_a_name_is_found_without_importing_pycountry() -> None:
    code = (
        "import sys; from alliance.countries import country_name; "
        "print(country_name('TUR'), country_name('RUS'), 'pycountry' in sys.modules)"
    )
    out = run_fresh(code)
    assert out.stdout.strip() == "Türkiye Russia False"


def test_countries_cover_pycountry_plus_kosovo_once_each() -> None:
    table = countries.countries()
    codes = [c.iso3 for c in table]
    assert len(codes) == len(set(codes)) == len(pycountry.countries) + 1
    assert set(codes) == {c.alpha_3 for c in pycountry.countries} | {"XKX"}
    assert codes == sorted(codes)
    assert Country("DEU", "DE", "Germany") in table


def test_country_records_are_frozen() -> None:
    record = countries.countries()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.name = "changed"  # type: ignore[misc]


def test_every_country_name_resolves_back_to_its_code() -> None:
    for record in countries.countries():
        assert resolve_country(record.name) == record.iso3


def test_import_is_cheap() -> None:
    # Measured against `import alliance` so that only what these two modules add counts.
    code = (
        "import sys, alliance; before = set(sys.modules); "
        "import alliance.countries, alliance.memberships; "
        "added = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(added & {'pandas', 'pycountry', 'duckdb', 'numpy'}))"
    )
    out = run_fresh(code)
    assert out.stdout.strip() == "[]"


def _load_aliases(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "aliases.csv"
    path.write_text(text, encoding="utf-8")
    tables = countries._tables()
    index = dict(tables.index)
    countries._add_aliases(index, tables.by_iso3, path)
    return index


def test_a_valid_alias_table_extends_the_index(tmp_path: Path) -> None:
    index = _load_aliases(tmp_path, "alias,iso3,note\nBundesrepublik,DEU,German short name\n")
    assert index["bundesrepublik"] == "DEU"


def test_a_bad_alias_table_is_refused_with_row_and_column(tmp_path: Path) -> None:
    text = "alias,iso3,note\nAtlantis,ATL,no such code\nGermany,FRA,clashes with DEU\n"
    with pytest.raises(InvalidFileError) as caught:
        _load_aliases(tmp_path, text)
    problems = caught.value.report.problems
    assert [(p.row, p.column) for p in problems] == [(2, "iso3"), (3, "alias")]
    assert "DEU" in problems[1].message


def test_an_alias_table_with_a_wrong_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidFileError, match="row 1"):
        _load_aliases(tmp_path, "name,code\nBundesrepublik,DEU\n")
