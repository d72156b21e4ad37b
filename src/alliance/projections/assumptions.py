"""The projection's assumptions: shipped defaults with their sources, a user's YAML overrides.

Defaults live in `data/projections/assumptions.yaml`, each with a unit, a kind (`derived` from
the store or a cited record, or `assumption`, ours, with the reason) and its source. A value of
`null` means "computed from the store" (`baseline.py` computes it and the output prints it). A
user's file may list only the parameters it changes; an unknown key, a wrong type or a value out
of range is refused as one line naming the file, the key and what is expected
(`errors.ParameterFileError`, exit 2 on the CLI).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Final

from alliance.errors import ParameterFileError

KINDS: Final = ("derived", "assumption")
ENTRY_KEYS: Final = frozenset({"value", "unit", "kind", "source", "reason", "url"})
FILE_KEYS: Final = frozenset({"parameters"})

Rule = tuple[Callable[[float], bool], str, bool]  # check, expected words, null allowed
_SD: Final[Rule] = (lambda v: 0 <= v <= 1, "a number from 0 to 1 (log points a year) or null", True)
_FRACTION: Final[Rule] = (lambda v: 0 <= v <= 1, "a number from 0 to 1", False)
_YEAR: Final[Rule] = (
    lambda v: 1950 <= v <= 2024 and v == int(v),
    "a year from 1950 to 2024",
    False,
)

RULES: Final[dict[str, Rule]] = {
    "gdp_history_first_year": _YEAR,
    "gdp_growth_sd": _SD,
    "growth_correlation": (lambda v: 0 <= v <= 1, "a correlation from 0 to 1 or null", True),
    "eur_usd_level": (lambda v: 0 < v <= 10, "EUR per USD, a number > 0, or null", True),
    "eur_usd_sd": _SD,
    "slip_probability": _FRACTION,
    "slip_size_low": _FRACTION,
    "slip_size_high": _FRACTION,
    "budget_gdp_elasticity": (lambda v: 0 <= v <= 1, "an elasticity from 0 to 1", False),
    "trend_first_year": _YEAR,
    "trend_slope_min": (lambda v: -2 <= v <= 0, "pp a year from -2 to 0", False),
    "trend_slope_max": (lambda v: 0 <= v <= 2, "pp a year from 0 to 2", False),
    "trend_share_max": (lambda v: 0 < v <= 100, "a share of GDP from 0 to 100", False),
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


def _read_yaml(path: Path) -> Any:
    import yaml

    from alliance.paths import file_errors

    with file_errors(path, "read", "a YAML file of assumptions"):
        raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ParameterFileError(str(path), "", "not UTF-8 text", "a UTF-8 YAML file") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "malformed"
        raise ParameterFileError(
            str(path), where, f"not valid YAML ({problem})", "YAML such as 'parameters: {...}'"
        ) from None


def _value(file: str, key: str, value: Any, rule: Rule) -> float | None:
    check, expected, nullable = rule
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = "nothing" if value is None else f"{type(value).__name__} {value!r}"
        raise ParameterFileError(file, key, f"got {shown}", expected)
    number = float(value)
    if math.isnan(number) or math.isinf(number) or not check(number):
        raise ParameterFileError(file, key, f"got {value!r}", expected)
    return number


def _entries(file: str, data: Any) -> dict[Any, Any]:
    if not isinstance(data, dict):
        shown = "nothing" if data is None else type(data).__name__
        raise ParameterFileError(file, "", f"got {shown}", "a mapping with a 'parameters' key")
    for key in data:
        if key not in FILE_KEYS:
            raise ParameterFileError(file, str(key), "unknown key", "'parameters'")
    entries = data.get("parameters")
    if not isinstance(entries, dict):
        raise ParameterFileError(file, "parameters", "missing or not a mapping", _KNOWN)
    return entries


_KNOWN: Final = f"a mapping of parameters: {', '.join(RULES)}"


def _unknown(file: str, key: Any) -> ParameterFileError:
    from difflib import get_close_matches

    near = get_close_matches(str(key), list(RULES), n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return ParameterFileError(
        file, str(key), f"unknown parameter{hint}", f"one of {', '.join(RULES)}"
    )


def _shipped() -> Assumptions:
    path = shipped_path()
    file = str(path)
    items = []
    for key, entry in _entries(file, _read_yaml(path)).items():
        if key not in RULES:
            raise _unknown(file, key)
        if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
            raise ParameterFileError(file, str(key), "no kind", f"a mapping with kind {KINDS}")
        items.append(
            Assumption(
                name=key,
                value=_value(file, f"{key}.value", entry.get("value"), RULES[key]),
                unit=str(entry.get("unit", "")),
                kind=str(entry["kind"]),
                source=" ".join(str(entry.get("source", "")).split()),
                reason=" ".join(str(entry.get("reason", "")).split()),
                url=str(entry.get("url", "")),
            )
        )
    missing = [k for k in RULES if k not in {a.name for a in items}]
    if missing:
        raise ParameterFileError(file, missing[0], "missing", "every parameter of the model")
    return Assumptions(tuple(items), (file,))


def _overrides(path: Path) -> dict[str, float | None]:
    file = str(path)
    changes: dict[str, float | None] = {}
    for key, entry in _entries(file, _read_yaml(path)).items():
        if key not in RULES:
            raise _unknown(file, key)
        where = str(key)
        if isinstance(entry, dict):
            for field in entry:
                if field not in ENTRY_KEYS:
                    raise ParameterFileError(
                        file,
                        f"{key}.{field}",
                        "unknown key",
                        f"one of {', '.join(sorted(ENTRY_KEYS))}",
                    )
            if "value" not in entry:
                raise ParameterFileError(file, f"{key}.value", "missing", RULES[key][1])
            entry, where = entry["value"], f"{key}.value"
        changes[key] = _value(file, where, entry, RULES[key])
    return changes


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
        assumptions = assumptions.with_values(_overrides(path), str(path))
    if changes:
        for key, value in changes.items():
            if key not in RULES:
                raise _unknown("arguments", key)
            _value("arguments", key, value, RULES[key])
        assumptions = assumptions.with_values(changes, "arguments")
    _check_consistent(assumptions)
    return assumptions


def shipped_text() -> str:
    """The shipped file, to copy and edit."""
    return shipped_path().read_text(encoding="utf-8")


def help_lines() -> list[str]:
    """Every default with its source, for --help."""
    return [a.line() for a in _shipped().items]
