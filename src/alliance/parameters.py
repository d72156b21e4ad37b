"""A model's YAML parameter file: read, checked against the model's rules, one error per problem.

A file holds `parameters:` (and whatever other top-level keys the model allows). Each parameter
is a number or, with its provenance, a mapping `{value, unit, kind, source, reason, url}`. A
model states a rule per parameter (a check of the value, the words for what is expected, and
whether null is allowed); the shipped file must give every parameter with its provenance, a
user's file only those it changes. Every problem is refused with the file, the key and what is
expected (errors.ParameterFileError, exit 2 on the CLI).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, Final, NamedTuple

from alliance.errors import ParameterFileError

ENTRY_KEYS: Final = frozenset({"value", "unit", "kind", "source", "reason", "url"})


class Rule(NamedTuple):
    """What a parameter's value may be."""

    check: Callable[[float], bool]
    expected: str  # the words for what is expected, in the error message
    nullable: bool = False  # null allowed (the model computes the value)


def read_yaml(path: Path, expected: str, *, shipped: bool = False) -> Any:
    """The YAML document in `path`; `expected` says what the file should be. A `shipped` file
    (the package's own, known to parse) is read with libyaml's parser where PyYAML has it: the
    same document, faster (bench/RESULTS.md); a user's file keeps the pure-Python parser, whose
    messages the errors quote."""
    import yaml

    from alliance.paths import file_errors

    with file_errors(path, "read", expected):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ParameterFileError(
                str(path), "", "no such file", "a readable YAML file"
            ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ParameterFileError(str(path), "", "not UTF-8 text", "a UTF-8 YAML file") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if shipped else yaml.SafeLoader
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "malformed"
        raise ParameterFileError(
            str(path), where, f"not valid YAML ({problem})", "YAML such as 'parameters: {...}'"
        ) from None


def checked_value(file: str, key: str, value: Any, rule: Rule) -> float | None:
    """`value` as a float if `rule` allows it (None where the rule allows null)."""
    if value is None and rule.nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = "nothing" if value is None else f"{type(value).__name__} {value!r}"
        raise ParameterFileError(file, key, f"got {shown}", rule.expected)
    number = float(value)
    if math.isnan(number) or math.isinf(number) or not rule.check(number):
        raise ParameterFileError(file, key, f"got {value!r}", rule.expected)
    return number


def unknown_parameter(file: str, key: Any, rules: Mapping[str, Rule]) -> ParameterFileError:
    """The error for a parameter the model has no rule for, with the nearest known name."""
    from difflib import get_close_matches

    near = get_close_matches(str(key), list(rules), n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return ParameterFileError(
        file, str(key), f"unknown parameter{hint}", f"one of {', '.join(rules)}"
    )


def _entries(
    file: str, data: Any, rules: Mapping[str, Rule], file_keys: Collection[str]
) -> dict[Any, Any]:
    if not isinstance(data, dict):
        shown = "nothing" if data is None else type(data).__name__
        raise ParameterFileError(file, "", f"got {shown}", "a mapping with a 'parameters' key")
    for key in data:
        if key not in file_keys:
            raise ParameterFileError(
                file, str(key), "unknown key", f"one of {', '.join(sorted(file_keys))}"
            )
    entries = data.get("parameters")
    if not isinstance(entries, dict):
        raise ParameterFileError(
            file,
            "parameters",
            "missing or not a mapping",
            f"a mapping of parameters: {', '.join(rules)}",
        )
    return entries


def shipped_entries(
    path: Path, rules: Mapping[str, Rule], kinds: Collection[str], file_keys: Collection[str]
) -> tuple[list[dict[str, Any]], dict[Any, Any]]:
    """Every parameter of the shipped file `path` (name, value and provenance), and the file.

    The shipped file must give each parameter of `rules` as a mapping with a kind in `kinds`.
    """
    file = str(path)
    data = read_yaml(path, "a YAML file of parameters", shipped=True)
    fields = []
    for key, entry in _entries(file, data, rules, file_keys).items():
        if key not in rules:
            raise unknown_parameter(file, key, rules)
        if not isinstance(entry, dict) or entry.get("kind") not in kinds:
            raise ParameterFileError(file, str(key), "no kind", f"a mapping with kind {kinds}")
        fields.append(
            {
                "name": key,
                "value": checked_value(file, f"{key}.value", entry.get("value"), rules[key]),
                "unit": str(entry.get("unit", "")),
                "kind": str(entry["kind"]),
                "source": " ".join(str(entry.get("source", "")).split()),
                "reason": " ".join(str(entry.get("reason", "")).split()),
                "url": str(entry.get("url", "")),
            }
        )
    given = {f["name"] for f in fields}
    missing = [k for k in rules if k not in given]
    if missing:
        raise ParameterFileError(file, missing[0], "missing", "every parameter of the model")
    return fields, data


def overrides(
    path: Path, rules: Mapping[str, Rule], file_keys: Collection[str] = ("parameters",)
) -> dict[str, float | None]:
    """The values a user's file `path` sets: each a number or a mapping with a `value`."""
    file = str(path)
    changes: dict[str, float | None] = {}
    data = read_yaml(path, "a YAML file of parameters")
    for key, entry in _entries(file, data, rules, file_keys).items():
        if key not in rules:
            raise unknown_parameter(file, key, rules)
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
                raise ParameterFileError(file, f"{key}.value", "missing", rules[key].expected)
            entry, where = entry["value"], f"{key}.value"
        changes[key] = checked_value(file, where, entry, rules[key])
    return changes
