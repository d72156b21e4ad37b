"""Country input resolution and the countries table.

`resolve_country` turns what a user types (ISO3, ISO2, an official or common name, an alias) into
an ISO3 code. Matching ignores case, accents, dots, apostrophes, punctuation, repeated whitespace
and a leading "the", so "türkiye", "Turkiye", "TURKEY" and "TR" all give TUR.

The ISO 3166-1 base comes from pycountry; `data/country_aliases.csv` (alias,iso3,note) adds common
names pycountry lacks. Kosovo is added as XKX: not an ISO code, but the one the World Bank and NATO
sources use. pycountry is imported on first use, not at import, to keep CLI start-up fast.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from alliance.errors import UnknownCountryError
from alliance.validation import ValidationReport

ALIASES_FILE = "country_aliases.csv"
ALIAS_COLUMNS = ("alias", "iso3", "note")
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Country:
    iso3: str
    iso2: str
    name: str


# Countries outside ISO 3166-1 that the sources report on.
_EXTRA_COUNTRIES = (Country("XKX", "XK", "Kosovo"),)

# Short names where pycountry's name (or common name) is the inverted or long official form.
_SHORT_NAMES = {
    "BRN": "Brunei",
    "COD": "DR Congo",
    "FSM": "Micronesia",
    "PSE": "Palestine",
    "RUS": "Russia",
    "VGB": "British Virgin Islands",
    "VIR": "US Virgin Islands",
}

_DROPPED = re.compile(r"[.'’]")
_SEPARATORS = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """The matching key of a country text: no accents, case, punctuation or leading 'the'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = _DROPPED.sub("", plain.replace("&", " and "))
    words = _SEPARATORS.sub(" ", plain).strip()
    return words.removeprefix("the ") if words != "the" else words


@dataclass(frozen=True)
class _Tables:
    by_iso3: dict[str, Country]
    index: dict[str, str]  # normalised text -> ISO3


@cache
def _tables() -> _Tables:
    import pycountry  # deferred: its import is a query's start-up (bench/RESULTS.md)

    by_iso3: dict[str, Country] = {}
    index: dict[str, str] = {}
    for record in pycountry.countries:
        common = getattr(record, "common_name", None)
        name = _SHORT_NAMES.get(record.alpha_3, common or record.name)
        by_iso3[record.alpha_3] = Country(record.alpha_3, record.alpha_2, name)
        official = getattr(record, "official_name", None)
        texts = (record.alpha_3, record.alpha_2, name, record.name, common, official)
        for text in texts:
            if text:
                index.setdefault(normalise(text), record.alpha_3)
    for extra in _EXTRA_COUNTRIES:
        by_iso3[extra.iso3] = extra
        for text in (extra.iso3, extra.iso2, extra.name):
            index.setdefault(normalise(text), extra.iso3)
    _add_aliases(index, by_iso3)
    return _Tables(by_iso3, index)


def _add_aliases(
    index: dict[str, str], by_iso3: dict[str, Country], file: Traversable | Path | None = None
) -> None:
    """Add the alias table (the shipped one by default) to `index`, refusing a bad table."""
    if file is None:
        file = resources.files("alliance").joinpath("data").joinpath(ALIASES_FILE)
    report = ValidationReport.for_path(str(file))
    reader = csv.DictReader(file.read_text("utf-8").splitlines())
    if tuple(reader.fieldnames or ()) != ALIAS_COLUMNS:
        report.add("unexpected header", expected=",".join(ALIAS_COLUMNS), row=1)
        report.raise_if_failed()
    for row_number, row in enumerate(reader, start=2):
        alias, iso3 = (row["alias"] or "").strip(), (row["iso3"] or "").strip()
        key = normalise(alias)
        if iso3 not in by_iso3:
            report.add(
                "unknown ISO3 code",
                expected="an ISO 3166-1 alpha-3 code or XKX",
                row=row_number,
                column="iso3",
                value=iso3,
            )
        elif not key:
            report.add("empty alias", expected="a country name", row=row_number, column="alias")
        elif index.get(key, iso3) != iso3:
            report.add(
                f"alias already means {index[key]}",
                expected="an unambiguous alias",
                row=row_number,
                column="alias",
                value=alias,
            )
        else:
            index[key] = iso3
    report.raise_if_failed()


def resolve_country(text: str) -> str:
    """The ISO3 code for an ISO3 or ISO2 code, a name or an alias; UnknownCountryError if none.

    An ISO3 code as written (`USA` in 'NATO - USA') is itself, without loading pycountry's
    tables: the same answer (tests/test_startup_caches.py), a good part of a run's start-up."""
    if is_known_iso3(text):
        return text
    tables = _tables()
    key = normalise(text)
    if key in tables.index:
        return tables.index[key]
    raise UnknownCountryError(text, _suggestions(key, tables))


def _suggestions(key: str, tables: _Tables) -> list[str]:
    suggestions: list[str] = []
    for match in difflib.get_close_matches(key, tables.index, n=10, cutoff=0.6):
        country = tables.by_iso3[tables.index[match]]
        shown = f"{country.name} ({country.iso3})"
        if shown not in suggestions:
            suggestions.append(shown)
    return suggestions[:MAX_SUGGESTIONS]


def is_known_iso3(code: str) -> bool:
    """True for an upper-case ISO3 code of a current country (or XKX)."""
    return code in _iso3_codes()


ISO_3166_1_FILE = "iso3166-1.json"  # pycountry's own copy of the ISO 3166-1 table


@cache
def _iso3_codes() -> frozenset[str]:
    """The ISO3 codes of `_tables()`, read straight from pycountry's ISO 3166-1 file: importing
    pycountry and matching every name was a visible share of each coalition lookup's start-up,
    only to check the ISO3 codes of the membership table (bench/RESULTS.md). The same codes as
    pycountry gives (tests/test_startup_caches.py)."""
    return frozenset(_short_names())


@cache
def _short_names() -> dict[str, str]:
    """ISO3 -> the short name of `_tables()`, from pycountry's ISO 3166-1 file and `_SHORT_NAMES`
    alone: a command that only prints names (targets, members, a chart's labels) skips
    pycountry's import and the normalising of every name (bench/RESULTS.md). The
    same names as `_tables()` for every code (tests/test_countries.py); `_tables()` itself where
    the file is not where pycountry keeps it."""
    records = _iso_3166_1_records()
    if records is None:
        return {iso3: found.name for iso3, found in _tables().by_iso3.items()}
    names = {
        record["alpha_3"]: _SHORT_NAMES.get(
            record["alpha_3"], record.get("common_name") or record["name"]
        )
        for record in records
    }
    return names | {extra.iso3: extra.name for extra in _EXTRA_COUNTRIES}


def _iso_3166_1_records() -> list[dict[str, str]] | None:
    """The records of pycountry's ISO 3166-1 file, without importing pycountry; None if the file
    is not where pycountry keeps it or is not as expected."""
    import json
    from importlib.util import find_spec

    spec = find_spec("pycountry")
    folders = list(spec.submodule_search_locations or []) if spec else []
    try:
        text = (Path(folders[0]) / "databases" / ISO_3166_1_FILE).read_bytes()
        records = json.loads(text)["3166-1"]
        if all(isinstance(r["alpha_3"], str) and isinstance(r["name"], str) for r in records):
            return list(records)
    except (IndexError, OSError, ValueError, KeyError, TypeError):
        pass
    return None


def country(iso3: str) -> Country:
    """The Country record for an ISO3 code (any case)."""
    found = _tables().by_iso3.get(iso3.strip().upper())
    if found is None:
        raise UnknownCountryError(iso3, _suggestions(normalise(iso3), _tables()))
    return found


def country_name(iso3: str) -> str:
    """The short common name: 'Türkiye', 'United States', 'Russia', 'Czechia'."""
    found = _short_names().get(iso3.strip().upper())
    return found if found is not None else country(iso3).name


def countries() -> list[Country]:
    """Every current ISO 3166-1 country plus Kosovo (XKX), sorted by ISO3."""
    return sorted(_tables().by_iso3.values(), key=lambda c: c.iso3)
