"""The standard-library xlsx writer (`alliance.cli.xlsx`) against openpyxl's write-only sheets,
which wrote --format xlsx before: the same sheet XML, and the same cells read back."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from alliance.cli.output import OutputFormat as Format
from alliance.cli.output import Table, emit
from alliance.cli.xlsx import workbook
from alliance.sources.xlsx import column_letters

Sheets = list[tuple[str, list[list[Any]]]]


def _by_openpyxl(sheets: Sheets) -> bytes:
    """What --format xlsx wrote with openpyxl: text as inline strings never read as formulas."""
    book = openpyxl.Workbook(write_only=True)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([_openpyxl_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _openpyxl_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _cells(data: bytes) -> list[tuple[str, list[list[tuple[Any, str, str]]]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        (sheet.title, [[(c.value, c.data_type, c.number_format) for c in r] for r in sheet.rows])
        for sheet in book.worksheets
    ]


_TEXT = st.text(
    st.characters(codec="utf-8") | st.sampled_from("\x00\x01\x0b\t\n\r =#<>&\"' "),
    max_size=12,
) | st.sampled_from(["", "   ", "=SUM(A1)", "#N/A", " lead", "trail ", "x" * 33_000])
_VALUE = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3, max_value=10**9)
    | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))
    | _TEXT
)


@settings(max_examples=150, deadline=None)
@given(
    header=st.lists(_TEXT, min_size=1, max_size=5),
    rows=st.lists(st.lists(_VALUE, max_size=6), max_size=5),
    lines=st.lists(_TEXT, max_size=3),
)
def test_the_sheets_are_what_openpyxl_wrote(
    header: list[str], rows: list[list[Any]], lines: list[str]
) -> None:
    sheets: Sheets = [("figures", [header, *rows]), ("sources", [[line] for line in lines])]
    ours, theirs = workbook(sheets), _by_openpyxl(sheets)
    for sheet in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        assert _parts(ours)[sheet] == _parts(theirs)[sheet]
    assert _cells(ours) == _cells(theirs)


def test_numbers_booleans_durations_and_text_read_back_as_such() -> None:
    rows: list[list[Any]] = [
        ["n", "f", "b", "d", "t", "none", "formula"],
        [7, 0.25, True, timedelta(hours=36), "text", None, "=1+1"],
    ]
    book = openpyxl.load_workbook(io.BytesIO(workbook([("figures", rows)])))
    (values,) = book["figures"].iter_rows(min_row=2, values_only=True)
    assert values == (7, 0.25, True, timedelta(hours=36), "text", None, "=1+1")
    assert book["figures"]["D2"].number_format == "[hh]:mm:ss"
    assert book["figures"]["G2"].data_type == "s"  # text, never a formula


def test_values_openpyxl_refused_are_written_as_their_text(tmp_path: Path) -> None:
    # A UUID or a list (DuckDB's UUID and LIST columns in `alliance sql`) ended in a traceback.
    key = uuid.UUID("3f9d2f27-1b6c-4c9c-8f43-6e8c1b7a2d11")
    table = Table(["u", "l", "blob", "money"], [[key, [1, 2], b"A\xff", Decimal("1.50")]])
    emit(table, Format.xlsx, tmp_path / "odd.xlsx")
    book = openpyxl.load_workbook(tmp_path / "odd.xlsx")
    (values,) = book["figures"].iter_rows(min_row=2, values_only=True)
    assert values == (str(key), "[1, 2]", "A\ufffd", 1.5)


def test_column_letters_count_from_one() -> None:
    assert [column_letters(n) for n in (1, 26, 27, 52, 53, 702, 703, 16_384)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]
