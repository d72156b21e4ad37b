"""Reading claim files: YAML checked against the shipped JSON Schema, errors with line and column.

Dates stay strings (YAML would otherwise turn `2025-12-26` into a date and the schema could not
check it); the node tree YAML builds keeps every value's position, so a schema error points at
the line and column of the offending value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

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
# The shipped example is 9 kB and 6 levels deep; these bounds leave room for any real claim file.
MAX_CLAIM_FILE_BYTES = 1_000_000
MAX_NESTING = 32
_CHECK_FIELDS_OUTSIDE_PARAMS = ("type", "alternatives", "reading")


class _ClaimLoader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's surprises: dates stay ISO strings, and only true/false are
    booleans (YAML 1.1 reads the key `on:` — a field of several checks — as the boolean true)."""


_DROPPED_TAGS = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
_ClaimLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_ClaimLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


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
        with file_errors(file, "read", expected):
            size = file.stat().st_size
            if size > MAX_CLAIM_FILE_BYTES:
                raise ClaimFileError(
                    f"{file}: the file is {size:,} bytes; expected a claim file of at most "
                    f"{MAX_CLAIM_FILE_BYTES:,} bytes"
                )
            data = file.read_bytes()
    except FileAccessError as error:
        raise ClaimFileError(str(error)) from None
    return parse_claims(decode_claims(data, str(file)), str(file))


def decode_claims(data: bytes, name: str) -> str:
    """The text of a claim file's bytes (UTF-8, a BOM dropped), or a ClaimFileError naming the
    line and column of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise ClaimFileError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded); expected a "
            "claim file saved as UTF-8",
            name,
            line,
            column,
        ) from None


def parse_claims(text: str, name: str = "<claims>") -> ClaimFile:
    """Parse claim-file text; `name` is used in error messages.

    Refused before YAML builds anything: text over MAX_CLAIM_FILE_BYTES, mappings and lists
    nested deeper than MAX_NESTING, and anchors/aliases (which can multiply a small file into
    billions of values)."""
    _check_limits(text, name)
    root = _compose(text, name)
    with _yaml_errors(name):  # e.g. a !!python/object tag: refused, named, never a traceback
        data = yaml.load(text, Loader=_ClaimLoader)  # a SafeLoader subclass: no arbitrary objects
    _validate(data, root, name)
    return _build(data, root, name)


def _check_limits(text: str, name: str) -> None:
    if len(text) > MAX_CLAIM_FILE_BYTES:
        raise ClaimFileError(
            f"{name}: the text is {len(text):,} characters; expected a claim file of at most "
            f"{MAX_CLAIM_FILE_BYTES:,}"
        )
    depth = 0
    with _yaml_errors(name):  # the event parser keeps a stack, not recursion: any depth is safe
        for event in yaml.parse(text, Loader=_ClaimLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _error_at(
                    name,
                    event,
                    "anchors and aliases (&name, *name) are not accepted; expected each value "
                    "written out (shared speaker, date and url go under `defaults`)",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    raise _error_at(
                        name,
                        event,
                        f"mappings and lists nested {depth} deep; expected at most {MAX_NESTING}",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1


def _error_at(name: str, event: yaml.Event, message: str) -> ClaimFileError:
    mark = event.start_mark
    return _error(name, mark.line + 1 if mark else None, mark.column + 1 if mark else None, message)


def _compose(text: str, name: str) -> yaml.Node:
    with _yaml_errors(name):
        node = yaml.compose(text, Loader=_ClaimLoader)
    if node is None:
        raise _error(name, 1, 1, "the file is empty; expected a mapping with format, title, claims")
    return node


@contextmanager
def _yaml_errors(name: str) -> Iterator[None]:
    try:
        yield
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise _error(
            name,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
            f"not valid YAML: {problem}",
        ) from None
    except yaml.YAMLError as error:
        raise ClaimFileError(f"{name}: not valid YAML: {error}") from None


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
    message = "; ".join([_describe(first), *others])  # every problem, each with its place
    raise _error(name, line + 1, column + 1, message)


def _describe(error: Any) -> str:
    path = ".".join(str(p) for p in error.absolute_path) or "the file"
    if list(error.absolute_path)[-1:] == ["type"] and error.validator == "enum":
        return f"unknown check type {error.instance!r}: expected one of {', '.join(CHECK_TYPES)}"
    if (
        error.validator == "oneOf"
        and isinstance(error.instance, dict)
        and "quote" in error.instance
    ):
        return f"{path}: a claim needs exactly one of `check` or `not_checkable`"
    if error.validator == "unevaluatedProperties":
        return f"{path}: {error.message} (see docs/claims.md for the fields of each check type)"
    return f"{path}: {error.message}"


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
        claims.append(_claim(merged, node.start_mark.line + 1))
    ids = [c.id for c in claims]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        index = ids.index(duplicates[0], ids.index(duplicates[0]) + 1)
        node = _node_at(root, ["claims", index, "id"])
        raise _error(
            name,
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            f"duplicate claim id {duplicates[0]!r}",
        )
    return ClaimFile(
        title=data["title"],
        description=data.get("description", ""),
        claims=tuple(claims),
        path=name,
        sources=tuple(data.get("sources", ())),
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
