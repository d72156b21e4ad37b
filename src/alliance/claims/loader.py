"""Reading claim files: YAML checked against the shipped JSON Schema, errors with line and column.

Dates stay strings (YAML would otherwise turn `2025-12-26` into a date and the schema could not
check it), and are then checked against the calendar; the node tree YAML builds keeps every
value's position, so an error points at the line and column of the offending value. The bounds
on what is read (size, text, anchors, nesting) are in `alliance.claims.bounded_yaml`.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from alliance.claims.bounded_yaml import (
    MAX_CLAIM_FILE_BYTES,
    check_text,
    compose,
    decode_claims,
    excerpt,
)
from alliance.claims.model import (
    CHECK_TYPES,
    Alternative,
    Check,
    Claim,
    ClaimFile,
    NotCheckable,
)
from alliance.errors import ClaimFileError, FileAccessError
from alliance.paths import file_errors, readable_file

INHERITED = ("speaker", "date", "url", "quote_kind")
_CHECK_FIELDS_OUTSIDE_PARAMS = ("type", "alternatives", "reading")
# A file with a problem in every claim would otherwise give a line as long as the file.
MAX_LISTED_PROBLEMS = 20
# What an error quotes of a value the file gave (a title, a key, a whole list)
QUOTED_VALUE_CHARACTERS = 80


@cache
def claim_schema() -> dict[str, Any]:
    """The JSON Schema of claim files (shipped as alliance/data/claims/claim.schema.json)."""
    text = resources.files("alliance").joinpath("data/claims/claim.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def example_path() -> Path:
    """The shipped example: Mark Rutte's December 2025 interview."""
    return Path(str(resources.files("alliance").joinpath("data/claims/rutte-2025-12.yaml")))


def load_claims(path: Path | str) -> ClaimFile:
    """Read and validate a claim file; raise ClaimFileError naming the line and column at fault,
    or the path and the reason it cannot be read (missing, a folder, a name too long)."""
    expected = "a claim file (UTF-8 YAML, see docs/claims.md)"
    try:
        file = readable_file(path, expected)
        with file_errors(file, "read", expected), file.open("rb") as stream:
            data = stream.read(MAX_CLAIM_FILE_BYTES + 1)  # never more, whatever stat says
    except FileAccessError as error:
        raise ClaimFileError(str(error)) from None
    if len(data) > MAX_CLAIM_FILE_BYTES:
        raise ClaimFileError(
            f"{file}: the file is over {MAX_CLAIM_FILE_BYTES:,} bytes; expected a claim file of "
            f"at most {MAX_CLAIM_FILE_BYTES:,} bytes"
        )
    return parse_claims(decode_claims(data, str(file)), str(file))


def load_example() -> ClaimFile:
    """The shipped example, read as `load_claims` reads a file but without the JSON Schema: the
    package's own file, checked against the schema by the tests
    (tests/test_claims_hostile.py::test_the_shipped_example_follows_the_schema), so that
    `alliance check --example` spares the schema validator's import and run at every start."""
    path = example_path()
    return parse_claims(path.read_text("utf-8"), str(path), schema=False)


def parse_claims(text: str, name: str = "<claims>", *, schema: bool = True) -> ClaimFile:
    """Parse claim-file text; `name` is used in error messages.

    Refused before YAML builds anything: text over MAX_CLAIM_FILE_BYTES, characters that are not
    text, anchors/aliases (which can multiply a small file into billions of values) and mappings
    and lists nested deeper than MAX_NESTING (see alliance.claims.bounded_yaml). `schema=False`
    is for the package's own files only (see `load_example`)."""
    check_text(text, name)
    root, data = compose(text, name)
    if not isinstance(data, dict):
        raise _error(
            name,
            root.start_mark.line + 1,
            root.start_mark.column + 1,
            f"the file holds {_kind(data)} ({excerpt(text)!r}); expected a claim file: a "
            "mapping with format, title and claims (see docs/claims.md)",
        )
    if schema:
        _validate(data, root, name)
    _check_values(data, root, name)
    return _build(data, root, name)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "text"


def _error(name: str, line: int | None, column: int | None, message: str) -> ClaimFileError:
    return (
        ClaimFileError(message, name, line, column)
        if line is not None
        else ClaimFileError(f"{name}: {message}")
    )


def _node_at(root: yaml.Node, path: list[str | int]) -> yaml.Node:
    """The deepest node along `path` (a JSON-Schema error path) that exists in the tree."""
    node = root
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            child = node.value[step] if step < len(node.value) else None
        if child is None:
            break
        node = child
    return node


def _error_node(root: yaml.Node, error: Any) -> yaml.Node:
    """The node an error is about: for an unexpected field, its key; else the value at the path."""
    node = _node_at(root, list(error.absolute_path))
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(
        node, yaml.MappingNode
    ):
        unexpected = set(re.findall(r"'([^']+)'", error.message))
        for key, _ in node.value:
            if isinstance(key, yaml.Node) and key.value in unexpected:
                return key
    return node


def _validate(data: Any, root: yaml.Node, name: str) -> None:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(claim_schema())
    errors = list(validator.iter_errors(data))
    if not errors:
        return
    located = []
    for error in errors:
        node = _error_node(root, error)
        located.append((node.start_mark.line, node.start_mark.column, error))
    located.sort(key=lambda item: (item[0], item[1], -len(item[2].absolute_path)))
    line, column, first = located[0]
    others = dict.fromkeys(f"{ln + 1}:{col + 1}: {_describe(e)}" for ln, col, e in located[1:])
    listed = list(others)[: MAX_LISTED_PROBLEMS - 1]
    problems = [_describe(first), *listed]  # every problem, each with its place
    if len(others) > len(listed):
        problems.append(f"and {len(others) - len(listed):,} more problems of the same kinds")
    raise _error(name, line + 1, column + 1, "; ".join(problems))


def _describe(error: Any) -> str:
    path = ".".join(str(p) for p in error.absolute_path) or "the file"
    path = excerpt(path, QUOTED_VALUE_CHARACTERS)
    if list(error.absolute_path)[-1:] == ["type"] and error.validator == "enum":
        return f"unknown check type {error.instance!r}: expected one of {', '.join(CHECK_TYPES)}"
    if (
        error.validator == "oneOf"
        and isinstance(error.instance, dict)
        and "quote" in error.instance
    ):
        return f"{path}: a claim needs exactly one of `check` or `not_checkable`"
    message = _short_message(error)
    if error.validator == "unevaluatedProperties":
        return f"{path}: {message} (see docs/claims.md for the fields of each check type)"
    return f"{path}: {message}"


def _short_message(error: Any) -> str:
    """jsonschema's message, with the value it quotes (a whole list, a long text) cut short."""
    message = str(error.message)
    quoted = repr(error.instance)
    if len(quoted) > QUOTED_VALUE_CHARACTERS and quoted in message:
        message = message.replace(quoted, excerpt(quoted, QUOTED_VALUE_CHARACTERS))
    return excerpt(message, 3 * QUOTED_VALUE_CHARACTERS)


# Fields the schema gives as YYYY-MM-DD (a claim's date may be YYYY-MM): checked on the calendar
DATE_FIELDS = ("date", "on", "published")


def _check_values(data: dict[str, Any], root: yaml.Node, name: str) -> None:
    """Refuse what the schema lets through but no check can use: a date the calendar has not
    (2025-02-30) and a number that is not finite (.nan, .inf), at its line and column, naming
    the claim it belongs to."""
    for path, value in _leaves(data, []):
        if isinstance(value, float) and not math.isfinite(value):
            problem = f"{value!r} is not a finite number; expected a number such as 0.25"
        elif path[-1] in DATE_FIELDS and isinstance(value, str):
            reason = _calendar_problem(value)
            if reason is None:
                continue
            problem = (
                f"{value!r} is not a day of the calendar ({reason}); expected a real date as "
                "YYYY-MM-DD"
            )
        else:
            continue
        node = _node_at(root, path)
        owner = ""
        if path[0] == "claims" and len(path) > 2:
            owner = f"claim {excerpt(str(data['claims'][path[1]].get('id')), 40)!r}: "
        raise _error(
            name,
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            f"{owner}{'.'.join(map(str, path))} {problem}",
        )


def _leaves(value: Any, path: list[str | int]) -> Iterator[tuple[list[str | int], Any]]:
    """Every value that is not a mapping or a list, with its path (the file is at most
    MAX_NESTING deep, so the recursion is too)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, [*path, index])
    else:
        yield path, value


def _calendar_problem(text: str) -> str | None:
    """Why `text` (YYYY-MM-DD or YYYY-MM, as the schema's patterns allow) names no real day or
    month; None when it does (any other shape is the schema's to report)."""
    parts = text.split("-")
    if not all(part.isascii() and part.isdigit() for part in parts) or len(parts) not in (2, 3):
        return None
    try:
        date(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) == 3 else 1)
    except ValueError as error:
        return str(error)
    return None


def _build(data: dict[str, Any], root: yaml.Node, name: str) -> ClaimFile:
    defaults = data.get("defaults", {})
    claims = []
    for index, raw in enumerate(data["claims"]):
        node = _node_at(root, ["claims", index])
        merged = {**{k: defaults[k] for k in INHERITED if k in defaults}, **raw}
        for required in ("speaker", "date", "url"):
            if required not in merged:
                raise _error(
                    name,
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                    f"claims.{index}: claim {raw['id']!r} has no {required}; give it on the claim "
                    "or under defaults",
                )
        _refuse_missing_day(merged, node, name)
        claims.append(_claim(merged, node.start_mark.line + 1))
    _refuse_duplicate_ids([c.id for c in claims], root, name)
    return ClaimFile(
        title=data["title"],
        description=data.get("description", ""),
        claims=tuple(claims),
        path=name,
        sources=tuple(data.get("sources", ())),
    )


# Check types whose membership date defaults to the claim's date (evaluate: _Context.on)
_DATED_CHECKS = ("count", "membership", "treaty")


def _refuse_missing_day(claim: dict[str, Any], node: yaml.Node, name: str) -> None:
    """A claim dated to the month (YYYY-MM) leaves the day of a dated check to its `on`."""
    check = claim.get("check") or {}
    if check.get("type") not in _DATED_CHECKS or "on" in check or claim["date"].count("-") == 2:
        return
    raise _error(
        name,
        node.start_mark.line + 1,
        node.start_mark.column + 1,
        f"claim {claim['id']!r} is dated {claim['date']!r} and its {check['type']} check needs a "
        "day; expected `on: YYYY-MM-DD` in the check",
    )


def _refuse_duplicate_ids(ids: list[str], root: yaml.Node, name: str) -> None:
    """The first id (by name) given twice, at its second place; counted once, not per claim."""
    counts = Counter(ids)
    duplicates = sorted(i for i, n in counts.items() if n > 1)
    if not duplicates:
        return
    index = ids.index(duplicates[0], ids.index(duplicates[0]) + 1)
    node = _node_at(root, ["claims", index, "id"])
    raise _error(
        name,
        node.start_mark.line + 1,
        node.start_mark.column + 1,
        f"duplicate claim id {duplicates[0]!r}",
    )


def _claim(raw: dict[str, Any], line: int) -> Claim:
    check = None
    if "check" in raw:
        fields = raw["check"]
        params = {k: v for k, v in fields.items() if k not in _CHECK_FIELDS_OUTSIDE_PARAMS}
        alternatives = tuple(
            Alternative(
                a["label"],
                {k: v for k, v in a.items() if k not in ("label", "kind")},
                a.get("kind", "reading"),
            )
            for a in fields.get("alternatives", ())
        )
        check = Check(fields["type"], params, alternatives, fields.get("reading", ""))
    not_checkable = None
    if "not_checkable" in raw:
        spec = raw["not_checkable"]
        not_checkable = NotCheckable(spec["kind"], spec["reason"], spec.get("context", ""))
    return Claim(
        id=raw["id"],
        quote=raw["quote"].strip(),
        speaker=raw["speaker"],
        date=raw["date"],
        url=raw["url"],
        quote_kind=raw.get("quote_kind", "verbatim"),
        original=raw.get("original", "").strip(),
        note=raw.get("note", "").strip(),
        check=check,
        not_checkable=not_checkable,
        line=line,
        seen_at=raw.get("seen_at", ""),
    )
