"""One way to print results: a boxed text table, CSV, JSON (a list of records), Parquet or xlsx.

Works on plain `Table` records so that fast commands never import pandas; DataFrames are
converted at the boundary.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from alliance.cli import boxed


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    xlsx = "xlsx"


# What `--output FILE` writes when no --format is given; .txt gets the table as text.
FORMAT_OF_SUFFIX: dict[str, OutputFormat] = {
    ".csv": OutputFormat.csv,
    ".json": OutputFormat.json,
    ".parquet": OutputFormat.parquet,
    ".pq": OutputFormat.parquet,
    ".txt": OutputFormat.table,
    ".xlsx": OutputFormat.xlsx,
}


def resolve_format(given: OutputFormat | None, out: Path | None) -> OutputFormat:
    """The format to write: the one given, else the output file's, else a table on screen.

    Raises InvalidArgumentError for an output file whose format cannot be told from its name,
    for Parquet (binary) bound for a terminal, and for xlsx without an output file.
    """
    from alliance.errors import InvalidArgumentError

    fmt = given
    if fmt is None and out is not None:
        fmt = FORMAT_OF_SUFFIX.get(out.suffix.lower())
        if fmt is None:
            known = ", ".join(FORMAT_OF_SUFFIX)
            hint = " (.xls is not written: use .xlsx)" * (out.suffix.lower() == ".xls")
            raise InvalidArgumentError(
                f"Cannot tell the format of {out.name!r} from its extension{hint}: "
                f"name the file {known}, or give --format."
            )
    fmt = fmt or OutputFormat.table
    if fmt is OutputFormat.parquet and out is None and sys.stdout.isatty():
        raise InvalidArgumentError(
            "Parquet is binary and is not printed on a terminal: add --output FILE.parquet "
            "(or redirect to a file)."
        )
    if fmt is OutputFormat.xlsx and out is None:
        raise InvalidArgumentError(XLSX_NEEDS_A_FILE)
    return fmt


XLSX_NEEDS_A_FILE = "xlsx is a binary workbook, written only to a file: add --output FILE.xlsx."


@dataclass
class Table:
    """Rows to show, with a title and the lines (sources, editions, caveats) under the table."""

    columns: list[str]
    rows: Sequence[Sequence[Any]]
    title: str = ""
    footer: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    @classmethod
    def from_frame(cls, frame: Any, title: str = "", footer: list[str] | None = None) -> Table:
        clean = frame.astype(object).where(frame.notna(), None)
        return cls(
            [str(c) for c in frame.columns], clean.values.tolist(), title, list(footer or [])
        )


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _cell(value: Any) -> str:
    if type(value) is str:  # most cells: skip the conversions below
        return value
    value = _plain(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.1f}"
        return f"{value:.2f}" if abs(value) >= 1 or value == 0 else f"{value:.4f}"
    return str(value)


def emit(table: Table, fmt: OutputFormat = OutputFormat.table, out: Path | None = None) -> None:
    """Write `table` in `fmt` to stdout, or to `out` when given (a table to a file as text)."""
    if fmt is OutputFormat.table:
        _print_table(table, out)
    elif fmt is OutputFormat.json:
        text = json.dumps([{k: _plain(v) for k, v in r.items()} for r in table.records()], indent=2)
        _write_text(text + "\n", out)
    elif fmt is OutputFormat.csv:
        _write_csv(table, out)
    elif fmt is OutputFormat.xlsx:
        _write_xlsx(table, out)
    else:
        _write_parquet(table, out)


def emit_document(document: Any, out: Path | None = None) -> None:
    """Write one JSON document (not a list of rows), e.g. a result with its member lists."""
    _write_text(json.dumps(document, indent=2) + "\n", out)


_NUMBER_TYPES = frozenset({int, float, bool, type(None)})


def _is_numeric(column: Sequence[Any]) -> bool:
    """Right-align a column of numbers (None included); other types are judged value by value."""
    if set(map(type, column)) <= _NUMBER_TYPES:
        return True
    return all(v is None or isinstance(_plain(v), int | float) for v in column)


def _column_cells(column: Sequence[Any]) -> Sequence[str]:
    kinds = set(map(type, column))
    if kinds == {str}:
        return column
    if kinds == {int}:
        return list(map(str, column))
    return list(map(_cell, column))


def _print_table(table: Table, out: Path | None = None) -> None:
    by_column = list(zip(*table.rows, strict=True)) or [() for _ in table.columns]
    numeric = [_is_numeric(column) for column in by_column]
    cells: Sequence[Sequence[str]] = list(zip(*map(_column_cells, by_column), strict=True))
    # A file or a pipe gets every column at full width; a terminal gets a table that fits it.
    terminal = out is None and sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if terminal else None
    styled = terminal and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    columns, footer = table.columns, table.footer
    if terminal:  # a reader's screen: a column that never changes is said once, under the table
        columns, cells, numeric, constant = boxed.fold_constant_columns(
            columns, cells, numeric, footer
        )
        footer = [constant, *footer] if constant else footer
    text = boxed.render(
        columns, cells, numeric, table.title, footer, styled=styled, max_width=width
    )
    _write_text(text, out)


OUTPUT_EXPECTED = "a file path to write the output to"


def _write_text(text: str, out: Path | None) -> None:
    from alliance.paths import write_text

    if out is None:
        sys.stdout.write(text)
    else:
        write_text(out, text, OUTPUT_EXPECTED)


def _write_csv(table: Table, out: Path | None) -> None:
    if out is None:
        _csv_rows(table, sys.stdout)
        return
    text = io.StringIO()
    _csv_rows(table, text)
    _write_text(text.getvalue(), out)


def _csv_rows(table: Table, handle: Any) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([[_plain(v) for v in row] for row in table.rows])


def _write_parquet(table: Table, out: Path | None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: [_plain(row[i]) for row in table.rows] for i, name in enumerate(table.columns)}
    arrow_table = pa.table(columns)
    if out is None and sys.stdout.isatty():  # resolve_format refuses this earlier on the CLI
        raise ValueError("Parquet is binary: not written to a terminal.")
    if out is None:
        pq.write_table(arrow_table, sys.stdout.buffer)
        return
    from alliance.paths import write_with

    write_with(out, lambda handle: pq.write_table(arrow_table, handle), OUTPUT_EXPECTED)


def _write_xlsx(table: Table, out: Path | None) -> None:
    """A workbook of two sheets: "figures" (the columns and rows, numbers and booleans as such,
    None empty) and "sources" (the title and every line under the table, one per row)."""
    if out is None:  # resolve_format refuses this earlier on the CLI
        from alliance.errors import InvalidArgumentError

        raise InvalidArgumentError(XLSX_NEEDS_A_FILE)
    from alliance.cli.xlsx import workbook
    from alliance.paths import write_bytes

    figures = [table.columns, *([_plain(value) for value in row] for row in table.rows)]
    sources = [[line] for line in ([table.title, *table.footer] if table.title else table.footer)]
    write_bytes(out, workbook([("figures", figures), ("sources", sources)]), OUTPUT_EXPECTED)
