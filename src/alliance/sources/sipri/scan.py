"""One pass over a placed SIPRI sheet's cells below its header: figures, markers, notes, flags.

The scan works on the raw cells of `alliance.sources.xlsx` (bytes as the sheet XML writes them)
and collects the observation columns as Python lists; `table` turns them into the Arrow
observation table at the end, with the layout's columns expanded per cell. Nothing here imports
pandas: the SIPRI import is timed (bench/bench_sipri_import.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from alliance.sources import names
from alliance.sources.sipri.layout import Header, SheetLayout
from alliance.sources.xlsx import CellValue, RawCell, XlsxReader, column_letters, number
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    import pyarrow as pa

KIND: Final = "sipri"
NO_DATA_MARKERS: Final = frozenset({"...", ". ."})
NOT_EXISTING_MARKER: Final = "xxx"
YEAR_IN_LABEL: Final = re.compile(r"\d{4}")


class Columns:
    """Observation columns collected as lists; the layout columns are expanded at the end."""

    PER_CELL: Final = (
        "entity", "year", "value", "estimate_kind", "missing", "note", "locator", "layout",
    )  # fmt: skip

    def __init__(self) -> None:
        # "locator" holds a cell's column letters (bytes) until its row is finished.
        self.data: dict[str, list[Any]] = {name: [] for name in self.PER_CELL}
        self.layouts: list[SheetLayout] = []  # what the "layout" numbers refer to

    def __len__(self) -> int:
        return len(self.data["entity"])

    def truncate(self, length: int) -> None:
        for values in self.data.values():
            del values[length:]


def missing_marker(value: CellValue) -> str | None:
    if isinstance(value, str):
        text = value.strip()
        if text in NO_DATA_MARKERS:
            return "no_data"
        if text == NOT_EXISTING_MARKER:
            return "not_existing"
    return None


def value_columns(layout: SheetLayout, header: Header) -> dict[int, int]:
    if layout.columns == "years":
        return header.years
    pattern = re.compile(layout.columns)
    found = {}
    for label, column in header.labels.items():
        if match := pattern.match(label):
            found[column] = int(match.group(1))
    return found


@dataclass
class SheetScan:
    """One pass over a sheet's cells below its header, appending observations to `columns`."""

    reader: XlsxReader
    sheet: str
    header: Header
    name_letters: bytes
    note_letters: bytes | None
    note_prefix: str
    # column letters -> (layout number, year, scale, style -> estimate kind)
    targets: dict[bytes, tuple[int, int, float, dict[bytes, str]]]
    labelled: frozenset[bytes]  # columns whose header text is a label, not a year
    columns: Columns
    report: ValidationReport

    @classmethod
    def plan(
        cls,
        reader: XlsxReader,
        sheet: str,
        placed: list[SheetLayout],
        header: Header,
        columns: Columns,
        report: ValidationReport,
    ) -> SheetScan | None:
        first = placed[0]
        name_column = header.labels.get(first.name_header)
        if name_column is None:
            report.add(
                "header row has no name column",
                expected=f"a cell {first.name_header!r} on the header row",
                sheet=sheet,
                row=header.row,
            )
            return None
        note_column = header.labels.get(first.note_header)
        targets = {}
        for layout in placed:
            found = value_columns(layout, header)
            if not found:
                report.add(
                    "no column matching the layout",
                    expected=f"a header cell matching {layout.columns!r}",
                    sheet=sheet,
                    row=header.row,
                )
            number = len(columns.layouts)
            columns.layouts.append(layout)
            kinds = _estimate_kinds(reader.font_colours, layout.colours)
            for column, year in found.items():
                targets[column_letters(column).encode()] = (number, year, layout.scale, kinds)
        return cls(
            reader=reader,
            sheet=sheet,
            header=header,
            name_letters=column_letters(name_column).encode(),
            note_letters=column_letters(note_column).encode() if note_column else None,
            note_prefix=first.note_prefix,
            targets=targets,
            labelled=frozenset(
                column_letters(column).encode()
                for label, column in header.labels.items()
                if not YEAR_IN_LABEL.search(label)
            ),
            columns=columns,
            report=report,
        )

    def run(self, cells: list[RawCell]) -> None:
        data = self.columns.data
        years, values, kinds = data["year"], data["value"], data["estimate_kind"]
        missings, layout_ids, letters = data["missing"], data["layout"], data["locator"]
        targets, value_of = self.targets, self.reader.value
        shared_markers = {  # shared-string index (as written in the XML) -> missing marker
            str(index).encode(): marker
            for index, text in enumerate(self.reader.shared_strings)
            if (marker := missing_marker(text))
        }
        header_row = str(self.header.row).encode()
        seen: dict[str, int] = {}
        row = b""
        start = 0
        name: CellValue = None
        note: CellValue = None
        bad: list[tuple[bytes, CellValue]] = []
        below_header = False
        for cell in cells:
            if cell[1] != row:
                if below_header:
                    self._finish_row(int(row), start, name, note, bad, seen)
                below_header = below_header or row == header_row
                row, start, name, note, bad = cell[1], len(values), None, None, []
            if not below_header:
                continue
            target = targets.get(cell[0])
            if target is None:
                if cell[0] == self.name_letters:
                    name = value_of(cell)
                elif cell[0] == self.note_letters:
                    note = value_of(cell)
                elif cell[5] and cell[3] in (b"", b"n") and cell[0] not in self.labelled:
                    self._report_unlabelled(cell)
                continue
            layout_number, year, scale, kind_by_style = target
            if not cell[3] or cell[3] == b"n":
                if not cell[5]:
                    continue  # a styled cell without a value: reported as empty by _finish_row
                figure = number(cell[5])
                if isinstance(figure, str):  # not a finite number: a damaged file
                    bad.append((cell[0], figure))
                    continue
                values.append(figure * scale)
                kinds.append(kind_by_style.get(cell[2]))
                missings.append(None)
            else:
                marker = shared_markers.get(cell[5]) if cell[3] == b"s" else None
                if marker is None:
                    text = value_of(cell)
                    marker = missing_marker(text)
                if marker is None:
                    bad.append((cell[0], text))
                    continue
                values.append(None)
                kinds.append(None)
                missings.append(marker)
            years.append(year)
            layout_ids.append(layout_number)
            letters.append(cell[0])
        if below_header:
            self._finish_row(int(row), start, name, note, bad, seen)

    def _report_unlabelled(self, cell: RawCell) -> None:
        """A figure in a column no layout reads, under no header text or under a year not read
        as one (such as '2025*'): refused rather than left out."""
        letters = cell[0].decode()
        self.report.add(
            "a figure in a column that the header row does not name as a year",
            expected=f"a year such as 2025 in {letters}{self.header.row}",
            sheet=self.sheet,
            row=int(cell[1]),
            column=letters,
            value=self.reader.value(cell),
        )

    def _finish_row(
        self,
        row: int,
        start: int,
        name: CellValue,
        note: CellValue,
        bad: list[tuple[bytes, CellValue]],
        seen: dict[str, int],
    ) -> None:
        """Attach entity, note and locator to the row's figures, or drop them with a problem."""
        columns, report, sheet = self.columns, self.report, self.sheet
        count = len(columns.data["year"]) - start
        has_figures = bool(count or bad)
        name_column = self.name_letters.decode()
        if not isinstance(name, str) or not name.strip():
            if has_figures:
                report.add(
                    "figures in a row without a name",
                    expected="a country or region name",
                    sheet=sheet,
                    row=row,
                    column=name_column,
                )
            columns.truncate(start)
            return
        entity = names.resolve(name, KIND, report, sheet=sheet, row=row, column=name_column)
        if entity in seen and has_figures:
            report.add(
                f"the same entity appears twice (rows {seen[entity]} and {row})",
                expected="one row per country",
                sheet=sheet,
                row=row,
                column=name_column,
                value=name,
            )
            entity = None
        if not entity or not has_figures:  # unknown (reported), skipped, or a region header
            columns.truncate(start)
            return
        seen[entity] = row
        data = columns.data
        self._report_bad_cells(row, bad, data["locator"][start:])
        prefix, suffix = f"{sheet}!", str(row)
        locators = data["locator"]
        locators[start:] = [prefix + letters.decode() + suffix for letters in locators[start:]]
        data["entity"].extend([entity] * count)
        data["note"].extend([_note_text(note, self.note_prefix)] * count)

    def _report_bad_cells(
        self, row: int, bad: list[tuple[bytes, CellValue]], filled: list[object]
    ) -> None:
        expected = "a number, '...' (no data) or 'xxx' (did not exist)"
        for letters, value in bad:
            self.report.add(
                "text in a numeric cell",
                expected=expected,
                sheet=self.sheet,
                row=row,
                column=letters.decode(),
                value=value,
            )
        if len(filled) + len(bad) < len(self.targets):
            present = set(filled) | {letters for letters, _ in bad}
            for letters in self.targets:
                if letters not in present:
                    self.report.add(
                        "empty cell where a figure is expected",
                        expected=expected,
                        sheet=self.sheet,
                        row=row,
                        column=letters.decode(),
                    )


def _estimate_kinds(font_colours: list[int | None], kinds: dict[int, str]) -> dict[bytes, str]:
    """Style index (as the sheet XML writes it) -> estimate kind, for coloured styles only."""
    return {
        str(style).encode(): kinds[colour]
        for style, colour in enumerate(font_colours)
        if colour is not None and colour in kinds
    }


def _note_text(value: CellValue, prefix: str) -> str | None:
    if isinstance(value, float):  # a bare footnote number such as 97
        value = str(int(value)) if value.is_integer() else str(value)
    if not value or not value.strip():
        return None
    return f"{prefix}{value.strip()}"


def table(columns: Columns, constants: dict[str, str]) -> pa.Table:
    """The collected cells as the observation table; layout columns expanded per cell.

    `constants` holds the columns that are the same on every row (source_id, edition, ...).
    """
    import numpy as np
    import pyarrow as pa

    from alliance.schema import observation_arrow_schema
    from alliance.sources import arrays

    count, data = len(columns), columns.data
    layout_ids = np.asarray(data["layout"], dtype=np.intp)

    def per_layout(name: str) -> pa.Array:
        return arrays.coded_strings(
            layout_ids, [getattr(layout, name) for layout in columns.layouts]
        )

    estimate_kind = arrays.repeated_strings(data["estimate_kind"])
    built = {name: arrays.constant_strings(value, count) for name, value in constants.items()}
    built |= {
        "entity": arrays.repeated_strings(data["entity"]),
        "year": arrays.integers(data["year"]),
        "indicator": per_layout("indicator"),
        "value": arrays.floats(data["value"]),
        "unit": per_layout("unit"),
        "currency": per_layout("currency"),
        "price_basis": per_layout("price_basis"),
        "exchange_basis": per_layout("exchange_basis"),
        "period": per_layout("period"),
        "estimate_kind": estimate_kind,
        "estimate": arrays.present(estimate_kind),
        "missing": arrays.repeated_strings(data["missing"]),
        "note": arrays.repeated_strings(data["note"]),
        "locator": arrays.strings(data["locator"]),
    }
    schema = observation_arrow_schema()
    return pa.Table.from_arrays([built[name] for name in schema.names], schema=schema)
