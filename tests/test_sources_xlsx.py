"""The importers' one xlsx reader (`alliance.sources.xlsx`), on hand-written workbooks whose every
cell is known, and against openpyxl's reading of the real NATO tables."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.errors import InvalidFileError
from alliance.sources import nato, sipri, xlsx

from conftest import reference_file

NATO = "nato/240617-def-exp-2024-TABLES-en.xlsx"
SIPRI_SUBSET = "sipri/SIPRI-Milex-data-1949-2024_2__SUBSET_NATO-EU-RU-CN-UA_2014-2024.xlsx"


@given(st.integers(min_value=1, max_value=18_278))
def test_column_letters_round_trip(index: int) -> None:
    letters = xlsx.column_letters(index)
    assert xlsx.column_index(letters) == index
    assert letters.isalpha() and letters.isupper()


MINIMAL_PARTS = {
    "xl/workbook.xml": '<workbook xmlns:r="r"><sheets><sheet name="Data &amp; more" sheetId="1" '
    'r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<Relationships><Relationship Id="rId1" Type="worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>',
    "xl/styles.xml": '<styleSheet><fonts count="2"><font><color indexed="8"/></font><font><b/>'
    '<color indexed="12"/></font></fonts><cellXfs count="2"><xf fontId="0"/><xf numFmtId="1" '
    'fontId="1"/></cellXfs></styleSheet>',
    "xl/sharedStrings.xml": "<sst><si><t>Asia &amp; Oceania</t></si><si><r><t>x</t></r><r>"
    '<t xml:space="preserve">xx</t></r></si></sst>',
    "xl/worksheets/sheet1.xml": "<worksheet><sheetData>"
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="1"><v>1</v></c>'
    '<c r="C1" s="1"><f>1+1</f><v>2.5</v></c><c r="D1" t="inlineStr"><is><t>a&lt;b</t></is></c>'
    '<c r="E1" s="1"/></row></sheetData></worksheet>',
}


def test_reader_on_hand_written_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "minimal.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in MINIMAL_PARTS.items():
            archive.writestr(name, text)
    reader = xlsx.XlsxReader(path)
    assert list(reader.sheet_parts) == ["Data & more"]
    rows = reader.rows("Data & more")
    assert rows == {
        1: {
            1: ("Asia & Oceania", 0),
            2: ("xxx", 1),  # type before style: still style 1
            3: (2.5, 1),  # the formula's cached value
            4: ("a<b", 0),
            5: (None, 1),
        }
    }
    assert reader.font_colours == [8, 12]
    reader.close()


def test_hidden_rows_error_cells_and_creation_date(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "T"
    sheet["A1"], sheet["B2"], sheet["C3"] = "title", "#REF!", 2.5
    sheet.row_dimensions[2].hidden = True
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    with xlsx.XlsxReader(path) as reader:
        rows = reader.rows("T")
        assert reader.hidden_rows("T") == frozenset({2})
        assert isinstance(rows[2][2][0], xlsx.CellError) and rows[2][2][0] == "#REF!"
        assert not isinstance(rows[1][1][0], xlsx.CellError)
        assert rows[3][3][0] == 2.5
        assert reader.created is not None and reader.created[:4].isdigit()


def test_nato_tables_read_like_openpyxl() -> None:
    """Every cell of every sheet of the real NATO tables: value, hidden rows, creation date."""
    path = reference_file(NATO)
    book = openpyxl.load_workbook(path)
    with xlsx.XlsxReader(path) as reader:
        assert list(reader.sheet_parts) == book.sheetnames
        assert reader.created == "2024-06-14T10:11:17Z"
        for sheet in book.worksheets:
            rows = reader.rows(sheet.title)
            expected = {
                (cell.row, cell.column): cell.value
                for line in sheet.iter_rows()
                for cell in line
                if cell.value is not None
            }
            actual = {
                (row, column): value
                for row, cells in rows.items()
                for column, (value, _style) in cells.items()
                if value is not None
            }
            assert actual == expected, sheet.title
            hidden = {n for n, d in sheet.row_dimensions.items() if d.hidden}
            assert reader.hidden_rows(sheet.title) == hidden, sheet.title


def damaged_copy(source: Path, target: Path, sheet: str, cell: str, value: bytes) -> Path:
    """A byte-level copy whose `cell` of `sheet` holds `value` in its <v> element."""
    with xlsx.XlsxReader(source) as reader:
        part = reader.sheet_parts[sheet]
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == part:
                pattern = re.compile(rb'(<c r="' + cell.encode() + rb'"[^>]*>)<v>[^<]*</v>')
                data, count = pattern.subn(lambda m: m.group(1) + b"<v>" + value + b"</v>", data)
                assert count == 1, cell
            copy.writestr(item, data)
    return target


@pytest.mark.parametrize("value", [b"abc", b"1e999", b"nan", b"\xff\xfe"])
def test_a_damaged_figure_is_refused_where_it_stands(tmp_path: Path, value: bytes) -> None:
    """Not a finite number in a numeric cell: refused with sheet, row and column, both
    importers, never a traceback."""
    cases = [
        (sipri, reference_file(SIPRI_SUBSET), "Current US$", "M15"),
        (nato, reference_file(NATO), "TABLE3", "N21"),
    ]
    for module, source, sheet, cell in cases:
        path = damaged_copy(source, tmp_path / source.name, sheet, cell, value)
        with pytest.raises(InvalidFileError) as caught:
            module.parse(path)
        places = {(p.sheet, f"{p.column}{p.row}", p.message) for p in caught.value.report.problems}
        assert (sheet, cell, "text in a numeric cell") in places
