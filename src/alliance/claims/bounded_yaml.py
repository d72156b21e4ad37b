"""Claim-file YAML read within bounds: text only, no anchors, no deep nesting, parsed once.

Everything a hostile file could use to make the reader slow or large is refused before YAML
builds anything: more than MAX_CLAIM_FILE_BYTES, bytes that are not UTF-8 text, characters YAML
does not allow (binary data), anchors and aliases (a 600-byte "billion laughs" file expands to
a billion values), and mappings or lists nested deeper than MAX_NESTING (the composer recurses
per level). The checks run on libyaml's event stream (C, a stack rather than recursion), then
libyaml composes the node tree once and values are built from that tree, so a file is parsed
twice in C instead of three times in pure Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import yaml

from alliance.errors import ClaimFileError

# The shipped example is 9 kB and 6 levels deep; these bounds leave room for any real claim file
# (1 MB holds a thousand claims as richly annotated as the example's, or about 7,000 short ones).
MAX_CLAIM_FILE_BYTES = 1_000_000
MAX_NESTING = 32
EXCERPT_CHARACTERS = 60

# libyaml when PyYAML was built with it (the wheels are); the pure-Python parser otherwise
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ClaimLoader(_SafeLoader):  # type: ignore[misc]
    """A safe loader without YAML 1.1's surprises: dates stay ISO strings (so the schema can
    check them), and only true/false are booleans (YAML 1.1 reads the key `on:` — a field of
    several checks — as the boolean true)."""


_DROPPED_TAGS = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
ClaimLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
ClaimLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# What YAML accepts as text (YAML 1.1, 5.1 "printable"); anything else means binary data.
_NOT_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def decode_claims(data: bytes, name: str) -> str:
    """The text of a claim file's bytes (UTF-8, a BOM dropped), or a ClaimFileError naming the
    encoding problem, where it is, and that UTF-8 text is expected."""
    if data.startswith(_UTF16_MARKS):
        raise ClaimFileError(
            f"{name}: the file is UTF-16 text (it starts with a UTF-16 byte order mark); expected "
            "a claim file saved as UTF-8"
        )
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


def check_text(text: str, name: str) -> None:
    """Refuse text too long, with characters YAML does not allow, with anchors or aliases, or
    nested deeper than MAX_NESTING; each refusal names the place and what is expected."""
    if len(text) > MAX_CLAIM_FILE_BYTES:
        raise ClaimFileError(
            f"{name}: the text is {len(text):,} characters; expected a claim file of at most "
            f"{MAX_CLAIM_FILE_BYTES:,}"
        )
    found = _NOT_TEXT.search(text)
    if found is not None:
        line, column = _place(text, found.start())
        raise ClaimFileError(
            f"character U+{ord(found.group()):04X} is a control character (binary data, not "
            "text); expected a claim file of UTF-8 text",
            name,
            line,
            column,
        )
    _check_events(text, name)


def _check_events(text: str, name: str) -> None:
    with yaml_errors(name):
        try:
            _scan_events(text, name, ClaimLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            if mark is None or "maximum nesting depth" not in str(error.problem):
                raise
            # libyaml looks ahead over a run of opening brackets and stops at its own limit
            # (1,000) before the parser reports the level beyond ours: the pure-Python parser,
            # on the text up to that place, names the level and place past MAX_NESTING.
            with suppress(yaml.YAMLError):  # the shortened text ends inside a collection
                _scan_events(text[: mark.index], name, yaml.SafeLoader)
            raise


def _scan_events(text: str, name: str, loader: Any) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise error_at(
                name,
                event.start_mark,
                "anchors and aliases (&name, *name) are not accepted; expected each value "
                "written out (shared speaker, date and url go under `defaults`)",
            )
        if str(getattr(event, "tag", None) or "").startswith("tag:yaml.org,2002:python/"):
            raise error_at(
                name,
                event.start_mark,
                "Python tags (!!python/...) are not accepted; expected plain YAML values",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise error_at(
                    name,
                    event.start_mark,
                    f"mappings and lists nested {depth} deep; expected at most {MAX_NESTING}",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def compose(text: str, name: str) -> tuple[yaml.Node, Any]:
    """The node tree of checked text (it keeps every value's line and column) and the values
    built from it; a ClaimFileError for an empty file or a YAML error, with its place."""
    loader = ClaimLoader(text)
    try:
        with yaml_errors(name):
            root = loader.get_single_node()
            if root is None:
                raise ClaimFileError(
                    "the file is empty; expected a mapping with format, title, claims", name, 1, 1
                )
            return root, loader.construct_document(root)  # safe: no Python objects
    finally:
        loader.dispose()


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """The start of `text` on one line, at most `limit` characters and an ellipsis: what an error
    may quote of a file (never the whole of what may be another file behind a symlink)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rstrip() + "…"


def _place(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


@contextmanager
def yaml_errors(name: str) -> Iterator[None]:
    try:
        yield
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise error_at(name, mark, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise ClaimFileError(f"{name}: not valid YAML: {excerpt(str(error), 200)}") from None


def error_at(name: str, mark: Any, message: str) -> ClaimFileError:
    """A ClaimFileError at a YAML mark (0-based), or naming only the file when there is none."""
    if mark is None:
        return ClaimFileError(f"{name}: {message}")
    return ClaimFileError(message, name, mark.line + 1, mark.column + 1)
