"""Scenario parameter files: shipped YAML defaults, a user's overrides, strict validation.

A file holds `parameters:` (and, in the shipped file, `report:`). Each parameter is a mapping
with a `value` and its provenance (`unit`, `kind`, `source`, `reason`, `url`) or, in a user's
file, simply a number. A user's file may name only the parameters it changes. Every problem is
refused with the file, the key and what is expected (errors.ParameterFileError, exit 2).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from alliance.errors import ParameterFileError

KINDS: Final = ("sourced", "derived", "assumption")
PARAMETER_KEYS: Final = frozenset({"value", "unit", "kind", "source", "reason", "url"})
FILE_KEYS: Final = frozenset({"report", "parameters"})

# A parameter's rule: a check of the value and the words for what is expected.
Rule = tuple[Callable[[float], bool], str]
NON_NEGATIVE: Final[Rule] = (lambda v: v >= 0, "a number >= 0")
POSITIVE: Final[Rule] = (lambda v: v > 0, "a number > 0")
FRACTION: Final[Rule] = (lambda v: 0 <= v <= 1, "a fraction from 0 to 1")
PERCENT: Final[Rule] = (lambda v: 0 <= v <= 100, "a percentage from 0 to 100")


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


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterFileError(str(path), "", "no such file", "a readable YAML file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ParameterFileError(
            str(path), "", f"cannot be read ({error.__class__.__name__})", "a UTF-8 YAML file"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(error, "problem", None) or "malformed"
        raise ParameterFileError(
            str(path), where, f"not valid YAML ({problem})", "YAML such as 'parameters: {...}'"
        ) from None


def _number(file: str, key: str, value: Any, rule: Rule) -> float:
    check, expected = rule
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = "nothing" if value is None else f"{type(value).__name__} {value!r}"
        raise ParameterFileError(file, key, f"got {shown}", expected)
    number = float(value)
    if math.isnan(number) or math.isinf(number) or not check(number):
        raise ParameterFileError(file, key, f"got {value!r}", expected)
    return number


def _mapping(file: str, key: str, value: Any, expected: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        shown = "nothing" if value is None else type(value).__name__
        raise ParameterFileError(file, key, f"got {shown}", expected)
    return value


def _entries(file: str, data: Any) -> dict[str, Any]:
    top = _mapping(file, "", data, "a mapping with a 'parameters' key")
    for key in top:
        if key not in FILE_KEYS:
            raise ParameterFileError(
                file, str(key), "unknown key", f"one of {', '.join(sorted(FILE_KEYS))}"
            )
    if "parameters" not in top:
        raise ParameterFileError(file, "parameters", "missing", "a 'parameters' mapping")
    return _mapping(file, "parameters", top["parameters"], "a mapping of parameter names")


def _shipped(name: str, rules: Mapping[str, Rule]) -> ParameterSet:
    path = shipped_path(name)
    file = str(path)
    data = _read_yaml(path)
    parameters = []
    for key, entry in _entries(file, data).items():
        if key not in rules:
            raise ParameterFileError(file, key, "no rule for this parameter", "a known parameter")
        fields = _mapping(file, key, entry, "a mapping with value, unit, kind and source")
        kind = fields.get("kind")
        if kind not in KINDS:
            raise ParameterFileError(file, f"{key}.kind", f"got {kind!r}", f"one of {KINDS}")
        parameters.append(
            Parameter(
                name=key,
                value=_number(file, f"{key}.value", fields.get("value"), rules[key]),
                unit=str(fields.get("unit", "")),
                kind=kind,
                source=" ".join(str(fields.get("source", "")).split()),
                reason=" ".join(str(fields.get("reason", "")).split()),
                url=str(fields.get("url", "")),
            )
        )
    missing = [k for k in rules if k not in {p.name for p in parameters}]
    if missing:
        raise ParameterFileError(file, missing[0], "missing", "every parameter of the model")
    report = {k: " ".join(str(v).split()) for k, v in (data.get("report") or {}).items()}
    return ParameterSet(tuple(parameters), report, (file,))


def _overrides(path: Path, rules: Mapping[str, Rule]) -> dict[str, float]:
    file = str(path)
    changes: dict[str, float] = {}
    for key, entry in _entries(file, _read_yaml(path)).items():
        if key not in rules:
            from difflib import get_close_matches

            near = get_close_matches(str(key), list(rules), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise ParameterFileError(
                file, str(key), f"unknown parameter{hint}", f"one of {', '.join(rules)}"
            )
        if isinstance(entry, dict):
            for field in entry:
                if field not in PARAMETER_KEYS:
                    raise ParameterFileError(
                        file,
                        f"{key}.{field}",
                        "unknown key",
                        f"one of {', '.join(sorted(PARAMETER_KEYS))}",
                    )
            if "value" not in entry:
                raise ParameterFileError(file, f"{key}.value", "missing", rules[key][1])
            entry = entry["value"]
            key = f"{key}.value"
        name = key.removesuffix(".value")
        changes[name] = _number(file, key, entry, rules[name])
    return changes


def load(name: str, rules: Mapping[str, Rule], path: Path | None = None) -> ParameterSet:
    """The shipped parameters of scenario `name`, with the values `path` changes (if given)."""
    defaults = _shipped(name, rules)
    if path is None:
        return defaults
    changed = defaults.with_values(_overrides(path, rules), origin=str(path))
    return ParameterSet(changed.parameters, changed.report, (*defaults.files, str(path)))
