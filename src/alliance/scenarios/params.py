"""Scenario parameter files: shipped YAML defaults, a user's overrides, strict validation.

A file holds `parameters:` (and, in the shipped file, `report:`). Each parameter is a mapping
with a `value` and its provenance (`unit`, `kind`, `source`, `reason`, `url`) or, in a user's
file, simply a number. A user's file may name only the parameters it changes. Every problem is
refused with the file, the key and what is expected (errors.ParameterFileError, exit 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from alliance import parameters
from alliance.parameters import Rule as Rule  # used by the scenarios

KINDS: Final = ("sourced", "derived", "assumption")
FILE_KEYS: Final = frozenset({"report", "parameters"})

NON_NEGATIVE: Final = Rule(lambda v: v >= 0, "a number >= 0")
POSITIVE: Final = Rule(lambda v: v > 0, "a number > 0")
FRACTION: Final = Rule(lambda v: 0 <= v <= 1, "a fraction from 0 to 1")
PERCENT: Final = Rule(lambda v: 0 <= v <= 100, "a percentage from 0 to 100")


@dataclass(frozen=True)
class Parameter:
    """One model input with where it comes from."""

    name: str
    value: float
    unit: str
    kind: str  # sourced | derived | assumption
    source: str
    reason: str = ""
    url: str = ""
    origin: str = "default"  # "default" or the user's file that set the value

    def record(self) -> dict[str, Any]:
        return {
            "parameter": self.name,
            "value": self.value,
            "unit": self.unit,
            "kind": self.kind,
            "origin": self.origin,
            "source": self.source,
            "reason": self.reason,
            "url": self.url,
        }


@dataclass(frozen=True)
class ParameterSet:
    """The parameters a run used, in file order, and the report the defaults come from."""

    parameters: tuple[Parameter, ...]
    report: Mapping[str, str]
    files: tuple[str, ...]  # the shipped file, then the user's file if any

    def __getitem__(self, name: str) -> float:
        return self.by_name()[name].value

    def by_name(self) -> dict[str, Parameter]:
        return {p.name: p for p in self.parameters}

    def values(self) -> dict[str, float]:
        return {p.name: p.value for p in self.parameters}

    def with_values(self, changes: Mapping[str, float], origin: str) -> ParameterSet:
        changed = tuple(
            Parameter(**{**p.__dict__, "value": float(changes[p.name]), "origin": origin})
            if p.name in changes
            else p
            for p in self.parameters
        )
        return ParameterSet(changed, self.report, self.files)


def shipped_path(name: str) -> Path:
    return Path(str(resources.files("alliance").joinpath("data", "scenarios", f"{name}.yaml")))


def shipped_text(name: str) -> str:
    return shipped_path(name).read_text(encoding="utf-8")


def _shipped(name: str, rules: Mapping[str, Rule]) -> ParameterSet:
    path = shipped_path(name)
    fields, data = parameters.shipped_entries(path, rules, KINDS, FILE_KEYS)
    report = {k: " ".join(str(v).split()) for k, v in (data.get("report") or {}).items()}
    return ParameterSet(tuple(Parameter(**f) for f in fields), report, (str(path),))


def _overrides(path: Path, rules: Mapping[str, Rule]) -> dict[str, float]:
    # No rule here allows null, so every value is a number.
    return {
        k: float(v)
        for k, v in parameters.overrides(path, rules, FILE_KEYS).items()
        if v is not None
    }


def load(name: str, rules: Mapping[str, Rule], path: Path | None = None) -> ParameterSet:
    """The shipped parameters of scenario `name`, with the values `path` changes (if given)."""
    defaults = _shipped(name, rules)
    if path is None:
        return defaults
    changed = defaults.with_values(_overrides(path, rules), origin=str(path))
    return ParameterSet(changed.parameters, changed.report, (*defaults.files, str(path)))
