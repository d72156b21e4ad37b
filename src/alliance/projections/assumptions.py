"""The projection's assumptions: shipped YAML defaults, a user's overrides, figures from the store.

`data/projections/assumptions.yaml` lists every parameter with its unit, kind (sourced, derived,
assumption) and source; a `null` value is computed from the store when a run needs it (and the
computed figure is printed with the run). A user's `--assumptions FILE` may change any of them;
unknown keys, wrong types and values out of range are refused with the file and key (exit 2).
The file format and its checks are those of the scenario parameter files
(`alliance.scenarios.params`).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final

from alliance.errors import ParameterFileError
from alliance.scenarios.params import (
    FRACTION,
    KINDS,
    PARAMETER_KEYS,
    Parameter,
    Rule,
    _entries,
    _mapping,
    _number,
    _read_yaml,
)

YEAR: Final[Rule] = (lambda v: 1950 <= v <= 2100 and v == int(v), "a whole year from 1950 to 2100")
SHARE: Final[Rule] = (lambda v: 0 <= v <= 100, "a percentage from 0 to 100")
SLOPE: Final[Rule] = (lambda v: -5 <= v <= 5, "percentage points a year from -5 to 5")
ELASTICITY: Final[Rule] = (lambda v: 0 <= v <= 2, "a number from 0 to 2")
CORRELATION: Final[Rule] = (lambda v: 0 <= v <= 1, "a correlation from 0 to 1")
SPREAD: Final[Rule] = (lambda v: 0 <= v <= 1, "log points a year from 0 to 1")

RULES: Final[Mapping[str, Rule]] = {
    "gdp_history_first_year": YEAR,
    "gdp_growth_sd": SPREAD,
    "growth_correlation": CORRELATION,
    "eur_usd_level": (lambda v: v > 0, "a number > 0"),
    "eur_usd_sd": SPREAD,
    "slip_probability": FRACTION,
    "slip_size_low": FRACTION,
    "slip_size_high": FRACTION,
    "budget_gdp_elasticity": ELASTICITY,
    "trend_first_year": YEAR,
    "trend_slope_min": SLOPE,
    "trend_slope_max": SLOPE,
    "trend_share_max": SHARE,
    "trend_share_min": SHARE,
    "hague_core_percent": SHARE,
    "hague_year": YEAR,
}
NULLABLE: Final = frozenset({"gdp_growth_sd", "growth_correlation", "eur_usd_level", "eur_usd_sd"})
COMPUTED: Final = "computed from the store"


def shipped_path() -> Path:
    return Path(str(resources.files("alliance").joinpath("data", "projections", "assumptions.yaml")))


def shipped_text() -> str:
    return shipped_path().read_text(encoding="utf-8")


def _value(file: str, key: str, value: Any) -> float | None:
    if value is None and key.removesuffix(".value") in NULLABLE:
        return None
    return _number(file, key, value, RULES[key.removesuffix(".value")])


def _shipped() -> tuple[dict[str, Parameter], dict[str, float | None]]:
    file = str(shipped_path())
    parameters: dict[str, Parameter] = {}
    values: dict[str, float | None] = {}
    for key, entry in _entries(file, _read_yaml(shipped_path())).items():
        if key not in RULES:
            raise ParameterFileError(file, key, "no rule for this parameter", "a known parameter")
        fields = _mapping(file, key, entry, "a mapping with value, unit, kind and source")
        kind = fields.get("kind")
        if kind not in KINDS:
            raise ParameterFileError(file, f"{key}.kind", f"got {kind!r}", f"one of {KINDS}")
        values[key] = _value(file, f"{key}.value", fields.get("value"))
        parameters[key] = Parameter(
            name=key,
            value=float("nan"),  # set by `resolve`
            unit=str(fields.get("unit", "")),
            kind=kind,
            source=" ".join(str(fields.get("source", "")).split()),
            reason=" ".join(str(fields.get("reason", "")).split()),
            url=str(fields.get("url", "")),
        )
    missing = [k for k in RULES if k not in parameters]
    if missing:
        raise ParameterFileError(file, missing[0], "missing", "every parameter of the model")
    return parameters, values


def _overrides(path: Path) -> dict[str, float | None]:
    file = str(path)
    changes: dict[str, float | None] = {}
    for key, entry in _entries(file, _read_yaml(path)).items():
        if key not in RULES:
            from difflib import get_close_matches

            near = get_close_matches(str(key), list(RULES), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise ParameterFileError(
                file, str(key), f"unknown parameter{hint}", f"one of {', '.join(RULES)}"
            )
        if isinstance(entry, dict):
            for field in entry:
                if field not in PARAMETER_KEYS:
                    expected = f"one of {', '.join(sorted(PARAMETER_KEYS))}"
                    raise ParameterFileError(file, f"{key}.{field}", "unknown key", expected)
            if "value" not in entry:
                raise ParameterFileError(file, f"{key}.value", "missing", RULES[key][1])
            changes[key] = _value(file, f"{key}.value", entry["value"])
        else:
            changes[key] = _value(file, key, entry)
    return changes


def read(path: Path | None = None) -> tuple[dict[str, Parameter], dict[str, float | None]]:
    """The shipped parameters (provenance) and their values, with `path`'s changes applied.

    A value of None is computed from the store by `resolve`.
    """
    parameters, values = _shipped()
    if path is not None:
        for name, value in _overrides(path).items():
            values[name] = value
            parameters[name] = Parameter(**{**parameters[name].__dict__, "origin": str(path)})
    _check_order(values, str(path or shipped_path()))
    return parameters, values


def _check_order(values: Mapping[str, float | None], file: str) -> None:
    pairs = (
        ("slip_size_low", "slip_size_high"),
        ("trend_slope_min", "trend_slope_max"),
        ("trend_share_min", "trend_share_max"),
    )
    for low, high in pairs:
        low_value, high_value = values[low], values[high]
        if low_value is not None and high_value is not None and low_value > high_value:
            raise ParameterFileError(
                file, low, f"{low_value} is above {high} ({high_value})", f"{low} <= {high}"
            )


def resolve(
    parameters: Mapping[str, Parameter],
    values: Mapping[str, float | None],
    computed: Mapping[str, float],
) -> dict[str, Parameter]:
    """Every parameter with its value: given, else `computed` (origin 'computed from the store')."""
    resolved = {}
    for name, parameter in parameters.items():
        given = values[name]
        if given is None:
            resolved[name] = Parameter(
                **{**parameter.__dict__, "value": float(computed[name]), "origin": COMPUTED}
            )
        else:
            resolved[name] = Parameter(**{**parameter.__dict__, "value": float(given)})
    return resolved
