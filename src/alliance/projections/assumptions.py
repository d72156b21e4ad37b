"""The projection's assumptions: shipped defaults with their sources, a user's YAML overrides.

Defaults live in `data/projections/assumptions.yaml`, each with a unit, a kind (`derived` from
the store or a cited record, or `assumption`, ours, with the reason) and its source. A value of
`null` means "computed from the store" (`baseline.py` computes it and the output prints it). A
user's file may list only the parameters it changes; an unknown key, a wrong type or a value out
of range is refused as one line naming the file, the key and what is expected
(`errors.ParameterFileError`, exit 2 on the CLI).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from alliance import parameters
from alliance.errors import ParameterFileError
from alliance.parameters import Rule

KINDS: Final = ("derived", "assumption")
_CHECKERS: Final = (sys.modules[__name__], parameters)

_SD: Final = Rule(lambda v: 0 <= v <= 1, "a number from 0 to 1 (log points a year) or null", True)
_FRACTION: Final = Rule(lambda v: 0 <= v <= 1, "a number from 0 to 1")
_YEAR: Final = Rule(lambda v: 1950 <= v <= 2024 and v == int(v), "a year from 1950 to 2024")

RULES: Final[dict[str, Rule]] = {
    "gdp_history_first_year": _YEAR,
    "gdp_growth_sd": _SD,
    "growth_correlation": Rule(lambda v: 0 <= v <= 1, "a correlation from 0 to 1 or null", True),
    "eur_usd_level": Rule(lambda v: 0 < v <= 10, "EUR per USD, a number > 0, or null", True),
    "eur_usd_sd": _SD,
    "slip_probability": _FRACTION,
    "slip_size_low": _FRACTION,
    "slip_size_high": _FRACTION,
    "budget_gdp_elasticity": Rule(lambda v: 0 <= v <= 1, "an elasticity from 0 to 1"),
    "trend_first_year": _YEAR,
    "trend_slope_min": Rule(lambda v: -2 <= v <= 0, "pp a year from -2 to 0"),
    "trend_slope_max": Rule(lambda v: 0 <= v <= 2, "pp a year from 0 to 2"),
    "trend_share_max": Rule(lambda v: 0 < v <= 100, "a share of GDP from 0 to 100"),
}


@dataclass(frozen=True)
class Assumption:
    """One parameter: its value (None: computed from the store) and where it comes from."""

    name: str
    value: float | None
    unit: str
    kind: str
    source: str
    reason: str = ""
    url: str = ""
    origin: str = "default"  # "default" or the user's file that set the value

    def line(self, computed: float | None = None) -> str:
        """'name = value unit (kind; origin): source [reason]' for output and --help."""
        shown = self.value if self.value is not None else computed
        value = "computed from the store" if shown is None else _number_text(shown)
        if self.value is None and computed is not None:
            value += " (computed from the store)"
        reason = f" Why: {self.reason}" if self.reason else ""
        url = f" <{self.url}>" if self.url else ""
        origin = "" if self.origin == "default" else f"; set in {self.origin}"
        return (
            f"{self.name} = {value} {self.unit} ({self.kind}{origin}): {self.source}{url}{reason}"
        )


def _number_text(value: float) -> str:
    return f"{value:g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


@dataclass(frozen=True)
class Assumptions:
    """The parameters a run used, in file order, and the files they came from."""

    items: tuple[Assumption, ...]
    files: tuple[str, ...]

    def __getitem__(self, name: str) -> float | None:
        return self.by_name()[name].value

    def by_name(self) -> dict[str, Assumption]:
        return {a.name: a for a in self.items}

    def number(self, name: str) -> float:
        value = self[name]
        if value is None:
            raise ValueError(f"{name} is computed from the store, not a number here")
        return value

    def with_values(self, changes: Mapping[str, float | None], origin: str) -> Assumptions:
        items = tuple(
            replace(a, value=changes[a.name], origin=origin) if a.name in changes else a
            for a in self.items
        )
        files = self.files if origin in self.files else (*self.files, origin)
        return Assumptions(items, files)

    def records(self) -> list[dict[str, Any]]:
        return [
            {
                "parameter": a.name,
                "value": a.value,
                "unit": a.unit,
                "kind": a.kind,
                "origin": a.origin,
                "source": a.source,
                "reason": a.reason,
                "url": a.url,
            }
            for a in self.items
        ]


def shipped_path() -> Path:
    return Path(
        str(resources.files("alliance").joinpath("data", "projections", "assumptions.yaml"))
    )


@cache
def _shipped() -> Assumptions:
    """The shipped file, read once per process (--help's epilog and the run both need it)."""
    path = shipped_path()
    return Assumptions(tuple(Assumption(**f) for f in _shipped_fields(path)), (str(path),))


FIELDS: Final = ("name", "value", "unit", "kind", "source", "reason", "url")


def _shipped_fields(path: Path) -> list[dict[str, Any]]:
    """The shipped file's parameters as checked, from a JSON copy beside the store when one was
    written for this file and this code: importing PyYAML and parsing took longer than the rest
    of a projection's set-up (bench/RESULTS.md). Any doubt about the copy parses the file."""
    cached = _cache_file(path)
    if cached is not None:
        try:
            fields = _valid_fields(json.loads(cached.read_bytes()))
        except (OSError, ValueError):
            fields = None
        if fields is not None:
            return fields
    fields, _ = parameters.shipped_entries(path, RULES, KINDS, {"parameters"})
    if cached is not None:
        from alliance.errors import AllianceError
        from alliance.paths import write_text

        with suppress(AllianceError):  # a cache folder that takes no file: parsed each time
            write_text(cached, json.dumps(fields), "a cache file beside the store")
    return fields


def _cache_file(path: Path) -> Path | None:
    """Named by the file's bytes and the code that checks it (this module, `parameters`)."""
    from alliance.homes import home

    try:
        parts = [path.read_bytes(), *(Path(m.__file__ or "").read_bytes() for m in _CHECKERS)]
    except OSError:
        return None
    digest = hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]
    return home()[0] / f"assumptions-{digest}.json"


def _valid_fields(data: Any) -> list[dict[str, Any]] | None:
    """`data` if it is what `_shipped_fields` writes: one entry per rule, in a known shape."""
    if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
        return None
    if [entry.get("name") for entry in data] != list(RULES):
        return None
    for entry in data:
        if tuple(entry) != FIELDS or not all(isinstance(entry[k], str) for k in FIELDS[2:]):
            return None
        if entry["value"] is not None and not isinstance(entry["value"], float):
            return None
    return data


def _check_consistent(assumptions: Assumptions) -> None:
    low, high = assumptions.number("slip_size_low"), assumptions.number("slip_size_high")
    if low > high:
        raise ParameterFileError(
            assumptions.files[-1],
            "slip_size_low",
            f"{low:g} is above slip_size_high {high:g}",
            "slip_size_low <= slip_size_high",
        )


def load_assumptions(
    path: Path | None = None, changes: Mapping[str, float | None] | None = None
) -> Assumptions:
    """The shipped assumptions with those `path` (a YAML file) and then `changes` set."""
    assumptions = _shipped()
    if path is not None:
        assumptions = assumptions.with_values(parameters.overrides(path, RULES), str(path))
    if changes:
        for key, value in changes.items():
            if key not in RULES:
                raise parameters.unknown_parameter("arguments", key, RULES)
            parameters.checked_value("arguments", key, value, RULES[key])
        assumptions = assumptions.with_values(changes, "arguments")
    _check_consistent(assumptions)
    return assumptions


def shipped_text() -> str:
    """The shipped file, to copy and edit."""
    return shipped_path().read_text(encoding="utf-8")


def help_lines() -> list[str]:
    """Every default with its source, for --help."""
    return [a.line() for a in _shipped().items]
