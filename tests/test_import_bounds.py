"""Imports do bounded work: zip bombs, sheets of millions of rows and odd paths are refused in
one line, in about a second and little memory, and the real workbooks still read.

The bombs are built here: the real SIPRI and NATO workbooks with one sheet replaced by XML that
repeats one block (compressed once, its deflate output repeated: gigabytes declared in megabytes,
as in the probe of issue 15: a 3.1 MB fake SIPRI workbook that took 6.2 GB and 38 s, a NATO
workbook of 500 million empty rows that took 7.2 GB and 268 s). Each refusal runs in a process
of its own under a 1 GB address-space limit (`ulimit -v`), so a regression fails, not the machine.
"""

from __future__ import annotations

import base64
import os
import random
import socket
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from alliance.errors import FileAccessError, InvalidFileError
from alliance.importing import MAX_FILE_BYTES, parse_file
from alliance.sources import xlsx

from conftest import reference_file

SIPRI_SUBSET = "sipri/SIPRI-Milex-data-1949-2024_2__SUBSET_NATO-EU-RU-CN-UA_2014-2024.xlsx"
NATO = "nato/240617-def-exp-2024-TABLES-en.xlsx"
MEMORY_KB = 1_000_000  # the address space a refusal may use (Python, pyarrow and duckdb loaded)


class _RepeatingCompressor:
    """zipfile's compressor for one member, ending each block with a full flush: the same input
    block then gives the same output, which is computed once and repeated."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        self._done: dict[bytes, bytes] = {}

    def compress(self, data: bytes) -> bytes:
        if data not in self._done:
            self._done[data] = self._deflate.compress(data) + self._deflate.flush(zlib.Z_FULL_FLUSH)
        return self._done[data]

    def flush(self) -> bytes:
        return self._deflate.flush()


def bomb(
    source: Path,
    target: Path,
    part: str,
    head: bytes,
    block: bytes,
    times: int,
    tail: bytes = b"</sheetData></worksheet>",
) -> Path:
    """`source` with `part` replaced by head + block * times + tail (a real member: its CRC and
    sizes are true, so only the limits can refuse it)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for member in original.infolist():
            if member.filename != part:
                copy.writestr(member, original.read(member), zipfile.ZIP_DEFLATED)
                continue
            info = zipfile.ZipInfo(part, member.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with copy.open(info, "w", force_zip64=True) as stream:
                stream._compressor = _RepeatingCompressor()  # type: ignore[attr-defined]
                stream.write(head)
                for _ in range(times):
                    stream.write(block)
                stream.write(tail)
    return target


def first_sheet_part(path: Path) -> str:
    with xlsx.XlsxReader(path) as reader:
        return next(iter(reader.sheet_parts.values()))


def refusal(path: Path, *args: str, memory_kb: int = MEMORY_KB) -> subprocess.CompletedProcess:
    """`alliance data import PATH --dry-run ARGS` in a process limited to `memory_kb`."""
    command = f"ulimit -v {memory_kb}; exec {sys.executable} -c "
    command += '\'from alliance.cli.app import main; main()\' data import "$0" --dry-run "$@"'
    return subprocess.run(
        ["bash", "-c", command, str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )


def assert_refused(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr[-2000:])
    assert done.stderr.startswith("Error: Refused ") and done.stderr.count("\n") == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


# --- declared sizes -------------------------------------------------------------------------

CELLS = b"".join(b'<c r="%s7"><v>1</v></c>' % xlsx.column_letters(c).encode() for c in range(2, 80))
SIPRI_ROW = b'<row r="7">' + CELLS + b"</row>"  # one row of SIPRI-like figures, repeated
EMPTY_ROW = b'<row r="9"/>'


def test_a_fake_sipri_workbook_unpacking_to_300_mb_is_refused_on_its_sizes(tmp_path: Path) -> None:
    source = reference_file(SIPRI_SUBSET)
    path = bomb(source, tmp_path / "sipri.xlsx", first_sheet_part(source),
                b"<worksheet><sheetData>", SIPRI_ROW * 1000, 180)  # fmt: skip
    assert path.stat().st_size < 3_000_000
    assert_refused(refusal(path), "the archive unpacks to 3", "bytes (at most 268,435,456)")


def test_a_part_packed_more_than_100_to_1_is_refused(tmp_path: Path) -> None:
    source = reference_file(SIPRI_SUBSET)
    path = bomb(source, tmp_path / "sipri.xlsx", first_sheet_part(source),
                b"<worksheet><sheetData>", EMPTY_ROW * 100_000, 20)  # fmt: skip
    assert_refused(refusal(path, "--kind", "sipri"), "(", ":1; at most 100:1")


# --- rows, columns and cells, in sizes the archive check lets through ------------------------


def sheet_with(tmp_path: Path, source: str, rows: bytes) -> Path:
    """The real workbook with `rows` added at the end of its first sheet."""
    real = reference_file(source)
    part = first_sheet_part(real)
    with zipfile.ZipFile(real) as archive:
        head, end, tail = archive.read(part).partition(b"</sheetData>")
    assert end, part
    return bomb(real, tmp_path / Path(source).name, part, head + rows, b"", 0, end + tail)


def test_a_nato_sheet_reaching_row_500_million_is_refused(tmp_path: Path) -> None:
    """The NATO reader walks rows up to the last one: one cell in row 500,000,000 would make
    that 500 million steps."""
    path = sheet_with(tmp_path, NATO, b'<row r="500000000"><c r="A500000000"><v>1</v></c></row>')
    assert_refused(refusal(path), "row 500,000,000", "at most 100,000 rows")


def test_a_sheet_reaching_column_xfd_is_refused(tmp_path: Path) -> None:
    path = sheet_with(tmp_path, SIPRI_SUBSET, b'<row r="7"><c r="XFD7"><v>1</v></c></row>')
    assert_refused(refusal(path), "column XFD", "at most 1,000 columns")


def test_a_sheet_of_more_than_half_a_million_cells_is_refused(tmp_path: Path) -> None:
    """Cells at scattered places (so that the sheet packs under 100:1), half a million of them."""
    draw = random.Random(15)
    places = [(draw.randint(1, 1000), draw.randint(1, 99_999)) for _ in range(1000)]
    cells = b"".join(b'<c r="%s%d"/>' % (xlsx.column_letters(c).encode(), r) for c, r in places)
    source = reference_file(NATO)
    path = bomb(source, tmp_path / "nato.xlsx", first_sheet_part(source),
                b"<worksheet><sheetData><row r=\"7\">", cells, 600)  # fmt: skip
    assert_refused(refusal(path), "more than 500,000 cells")


def test_a_cell_longer_than_the_row_limit_is_refused(tmp_path: Path) -> None:
    source = reference_file(SIPRI_SUBSET)
    head = b'<worksheet><sheetData><row r="7"><c r="B7" t="inlineStr"><is><t>'
    text = base64.b64encode(random.Random(15).randbytes(3 * 2**18))  # 1 MB that packs 4:3
    path = bomb(source, tmp_path / "sipri.xlsx", first_sheet_part(source), head, text, 40)
    assert_refused(refusal(path, "--kind", "sipri"), "more than 33,554,432 bytes")


def test_the_limits_leave_the_real_workbooks_far_inside() -> None:
    for name in (SIPRI_SUBSET, NATO, "sipri/SIPRI-Milex-data-1949-2024_2.xlsx"):
        with xlsx.XlsxReader(reference_file(name)) as reader:
            for sheet in reader.sheet_parts:
                cells = reader.cells(sheet)
                assert len(cells) < xlsx.LIMITS.cells_per_sheet // 10
                if cells:
                    assert max(int(c[1]) for c in cells) < xlsx.LIMITS.rows // 10
                    assert max(xlsx.column_index(c[0]) for c in cells) < xlsx.LIMITS.columns // 5


def test_streamed_cells_are_those_of_the_whole_sheet() -> None:
    """Read in small pieces (cut after complete cells and rows), a sheet gives the same cells
    as one regular-expression pass over its whole XML."""
    path = reference_file(NATO)
    tiny = xlsx.Limits(chunk_bytes=977)
    with xlsx.XlsxReader(path, tiny) as small, xlsx.XlsxReader(path) as whole:
        for sheet, part in whole.sheet_parts.items():
            text = whole.read_part(part)
            assert small.cells(sheet) == [
                xlsx._normalised(c) if c[4] else c for c in xlsx._CELL.findall(text)
            ]
            assert small.hidden_rows(sheet) == whole.hidden_rows(sheet)


# --- the probe's bombs at full size -----------------------------------------------------------


@pytest.mark.hostile
def test_the_probes_6_gb_sipri_bomb_is_refused_in_a_second(tmp_path: Path) -> None:
    """Gigabytes of SIPRI-like rows in a few megabytes (the probe's took 6.2 GB and 38 s)."""
    source = reference_file(SIPRI_SUBSET)
    path = bomb(source, tmp_path / "sipri.xlsx", first_sheet_part(source),
                b"<worksheet><sheetData>", SIPRI_ROW * 4000, 1000)  # fmt: skip
    assert path.stat().st_size < MAX_FILE_BYTES  # so the bomb is what is refused
    assert_refused(refusal(path), "unpacks to")


@pytest.mark.hostile
def test_the_probes_nato_workbook_of_500_million_empty_rows_is_refused(tmp_path: Path) -> None:
    """500 million empty rows (the probe's took 7.2 GB and 268 s)."""
    source = reference_file(NATO)
    path = bomb(source, tmp_path / "nato.xlsx", first_sheet_part(source),
                b"<worksheet><sheetData>", EMPTY_ROW * 1_000_000, 500)  # fmt: skip
    assert_refused(refusal(path), "unpacks to")


# --- what is not a regular file ---------------------------------------------------------------


def test_a_folder_is_named_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FileAccessError, match="it is a folder"):
        parse_file(tmp_path)
    (tmp_path / "link").symlink_to(tmp_path)
    with pytest.raises(FileAccessError, match="it is a folder"):
        parse_file(tmp_path / "link")


@pytest.mark.parametrize("kind", [None, "sipri", "wb"])
def test_a_fifo_a_device_and_a_socket_are_not_regular_files(tmp_path: Path, kind: str) -> None:
    """Never opened: reading a FIFO with no writer would block, /dev/zero never ends."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "socket"))
        for path in (fifo, Path("/dev/zero"), tmp_path / "socket"):
            with pytest.raises(FileAccessError, match="it is not a regular file") as refused:
                parse_file(path, kind)
            assert "does not exist" not in str(refused.value)


def test_a_missing_file_is_said_not_to_exist(tmp_path: Path) -> None:
    with pytest.raises(FileAccessError, match="it does not exist"):
        parse_file(tmp_path / "nothing.xlsx")


def test_the_cli_says_folder_and_not_a_regular_file_in_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, words in ((tmp_path, "it is a folder"), (fifo, "it is not a regular file")):
        done = refusal(path)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert words in done.stderr and "does not exist" not in done.stderr


def test_an_archive_refused_on_its_sizes_is_an_invalid_file(tmp_path: Path) -> None:
    source = reference_file(SIPRI_SUBSET)
    path = bomb(source, tmp_path / "sipri.xlsx", first_sheet_part(source),
                b"<worksheet><sheetData>", EMPTY_ROW * 100_000, 250)  # fmt: skip
    with pytest.raises(InvalidFileError, match="unpacks to") as refused:
        parse_file(path)
    assert "268,435,456 bytes unpacked" in str(refused.value.report.records())


# --- readers other than ours ------------------------------------------------------------------


def far_cell_workbook(path: Path, filler_rows: int) -> Path:
    """A one-sheet xlsx: a title, `filler_rows` rows of figures, then one cell at XFD1048576."""
    filler = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, filler_rows)
    )
    parts = {
        "xl/workbook.xml": '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<Relationships><Relationship Id="rId1" Type="worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr">'
        f"<is><t>x</t></is></c></row>{filler}"
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


@pytest.mark.parametrize("kind", [None, "imf"])
def test_a_far_cell_past_the_sniffers_first_cells_does_not_reach_calamine(
    tmp_path: Path, kind: str | None
) -> None:
    """calamine (the IMF reader) holds a sheet as a dense grid to its farthest cell: for one
    cell at XFD1048576 it asked for 17 billion cells and aborted the process (SIGABRT). The
    cell comes after 1.5 MB of rows, past what the SIPRI and NATO sniffers look at."""
    path = far_cell_workbook(tmp_path / "far.xlsx", 40_000)
    done = refusal(path, *(["--kind", kind] if kind else []))
    assert_refused(done, "has a cell in row 1,048,576 (at most 100,000 rows)")


def test_the_calamine_grid_is_checked_too() -> None:
    xlsx.check_grid("S", 232, 52)  # the real IMF exports: 232 rows of 52 columns
    with pytest.raises(xlsx.WorkbookTooLarge, match="spans 65,536 rows and 256 columns"):
        xlsx.check_grid("S", 65_536, 256)  # an .xls at its largest


def test_a_csv_field_over_the_csv_limit_is_one_line(tmp_path: Path) -> None:
    """A World Bank file with a 300,000-character field ended in a csv.Error traceback."""
    path = tmp_path / "wdi.csv"
    text = reference_file("worldbank/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_9865.csv").read_text()
    path.write_text(text + '"Xland","XXX","GDP","NY.GDP.MKTP.CD","' + "x" * 300_000 + '"\n')
    assert_refused(refusal(path), "not a readable CSV file: field larger than field limit")
