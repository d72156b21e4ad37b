"""What every API route shares: limits, the library lock and cache, JSON and CSV responses.

The library reads the store through one DuckDB connection per process, which is not safe to use
from two threads at once; routes hand library calls to the thread pool, and each holds
`LIBRARY_LOCK`. Results are pure functions of their arguments and of the store (read-only while
the server runs), so response bodies are cached by arguments and a cached answer is served from
the event loop without a thread hop.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Final

from fastapi import HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from alliance.views import View

MAX_BODY_BYTES: Final = 256 * 1024
MAX_EXPRESSION_CHARS: Final = 200
MAX_NESTING: Final = 12
MAX_EXPRESSIONS: Final = 8
MAX_COUNTRIES: Final = 60
MAX_TEXT_CHARS: Final = 80
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2100
CACHE_SIZE: Final = 2048

LIBRARY_LOCK: Final = threading.RLock()


class Format(StrEnum):
    json = "json"
    csv = "csv"


FormatParam = Annotated[
    Format, Query(description="json (default): title, records, notes, editions; csv: the table.")
]
YearParam = Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="A year, e.g. 2024.")]
OptionalYear = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]
DateParam = Annotated[
    str | None,
    Query(
        max_length=10,
        description="A date YYYY-MM-DD (default: today).",
        examples=["2025-01-01"],
        json_schema_extra={"format": "date"},
    ),
]
ExpressionParam = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_EXPRESSION_CHARS,
        description="A coalition expression: groups, presets and countries with & | - and "
        "parentheses, e.g. `NATO & EU`.",
        examples=["NATO & EU"],
    ),
]
TextParam = Annotated[str | None, Query(max_length=MAX_TEXT_CHARS)]


class ErrorBody(BaseModel):
    error: str = Field(description="What was wrong and what is accepted (the CLI's wording).")


class EditionRef(BaseModel):
    source_id: str
    edition: str
    dataset: str


class TableBody(BaseModel):
    title: str
    columns: list[str]
    records: list[dict[str, Any]] = Field(description="One object per row; estimate flags kept.")
    notes: list[str] = Field(description="Definition, method, sources and caveats.")
    editions: list[EditionRef] = Field(description="Every edition the figures came from.")


ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    400: {"model": ErrorBody, "description": "Input the library refused"},
    404: {"model": ErrorBody, "description": "Unknown country, group, place, source or edition"},
    422: {"model": ErrorBody, "description": "A parameter outside what is accepted"},
}
TABLE_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: {"model": TableBody, "content": {"text/csv": {"schema": {"type": "string"}}}},
    **ERRORS,
}


def check_expression(expression: str) -> str:
    """Refuse expressions nested deeper than MAX_NESTING (the parser recurses per level)."""
    depth = deepest = 0
    for char in expression:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise HTTPException(
            422, f"Coalition expression nested {deepest} deep: expected at most {MAX_NESTING}."
        )
    return expression


def day(text: str | None) -> date:
    """The date asked for (default today), refused with the CLI's message when malformed."""
    from alliance.coalitions import parse_date

    return date.today() if text is None else parse_date(text)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        return _plain(value.item())
    return str(value)


def _json_default(value: Any) -> Any:
    return _plain(value)


def json_bytes(document: Any) -> bytes:
    return json.dumps(document, default=_json_default, ensure_ascii=False, allow_nan=False).encode()


def _clean(document: Any) -> Any:
    """NaN and infinities become null (JSON has neither)."""
    if isinstance(document, float):
        return document if math.isfinite(document) else None
    if isinstance(document, dict):
        return {k: _clean(v) for k, v in document.items()}
    if isinstance(document, list | tuple):
        return [_clean(v) for v in document]
    return document


def render_view(view: View, fmt: Format) -> tuple[bytes, str]:
    if fmt is Format.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(view.columns)
        writer.writerows([[_plain(v) for v in row] for row in view.rows])
        return buffer.getvalue().encode(), "text/csv; charset=utf-8"
    document = view.to_dict()
    document["records"] = [{k: _plain(v) for k, v in r.items()} for r in document["records"]]
    return json_bytes(document), "application/json"


class _Bodies:
    """Response bodies by (function, arguments, format), least recently used dropped first.

    Used only from the event loop's thread, so a hit costs a dict lookup and no thread hop.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.bodies: OrderedDict[Hashable, tuple[bytes, str]] = OrderedDict()

    def get(self, key: Hashable) -> tuple[bytes, str] | None:
        found = self.bodies.get(key)
        if found is not None:
            self.bodies.move_to_end(key)
        return found

    def put(self, key: Hashable, body: tuple[bytes, str]) -> None:
        self.bodies[key] = body
        if len(self.bodies) > self.size:
            self.bodies.popitem(last=False)


_BODIES: Final = _Bodies(CACHE_SIZE)


def _settle() -> None:
    """Collect the garbage of a computation, then exempt what survives (the store's tables, the
    cached answers) from future collections. Python's full collection walks every tracked object;
    with the library's state in memory that set the p99 latency under load (bench_load.py,
    bench/RESULTS.md). The heap grows only on a cache miss, so that is when to settle it."""
    gc.collect()
    gc.freeze()


def _view_body(build: Callable[..., View], args: tuple[Hashable, ...], fmt: Format) -> Any:
    with LIBRARY_LOCK:
        body = render_view(build(*args), fmt)
        _settle()
    return body


def _document_body(build: Callable[..., Any], args: tuple[Hashable, ...]) -> tuple[bytes, str]:
    with LIBRARY_LOCK:
        body = json_bytes(_clean(build(*args))), "application/json"
        _settle()
    return body


async def _cached(key: Hashable, compute: Callable[[], tuple[bytes, str]]) -> Response:
    found = _BODIES.get(key)
    if found is None:
        found = await run_in_threadpool(compute)  # the library blocks: off the event loop
        _BODIES.put(key, found)
    body, media_type = found
    return Response(body, media_type=media_type)


async def table(build: Callable[..., View], *args: Hashable, fmt: Format = Format.json) -> Response:
    """The view `build(*args)` as JSON or CSV, computed once per distinct arguments."""
    return await _cached((build, args, fmt), lambda: _view_body(build, args, fmt))


async def document(build: Callable[..., Any], *args: Hashable) -> Response:
    """A JSON document `build(*args)` (a result's own to_dict), computed once per arguments."""
    return await _cached((build, args), lambda: _document_body(build, args))


def uncached(build: Callable[..., Any], *args: Any) -> Any:
    """Run a library call that must not be cached (e.g. on a request body) under the lock."""
    with LIBRARY_LOCK:
        return build(*args)
