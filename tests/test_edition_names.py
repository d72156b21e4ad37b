"""Edition ids are dates (with an optional +suffix), and an import says when it takes over.

`--edition` names a file in the imports folder and sorts against the other editions as text (the
newest answers by default), so `banana` (which sorts after every date), quotes, paths and very
long ids are refused with one line saying what is accepted; every edition the importers derive
from real files passes. An import that becomes the default for its figures says so, naming the
edition that answered before and how to go back; two imports of one file at once store it once.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from alliance.errors import InvalidArgumentError
from alliance.importing import import_file
from alliance.provenance import EDITION_FORMAT, checked_edition_id, edition_problem
from alliance.store import query
from test_store_health import IMPORTED, cli, home_with_store, revised_world_bank_file

from conftest import reference_file

# The World Bank GDP file shipped as edition 2026-02-24 (its "Last Updated Date").
WB_GDP_2026 = "worldbank/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_32.csv"
SIPRI_SUBSET = "sipri/SIPRI-Milex-data-1949-2024_2__SUBSET_NATO-EU-RU-CN-UA_2014-2024.xlsx"

REFUSED = {
    "banana": "not a date",
    "": "not a date",
    "../../etc/passwd": "not a date",
    "2025-04/../x": "not a date",
    "2025-04'; DROP TABLE x; --": "not a date",
    '2025-04"': "not a date",
    "2025-04;": "not a date",
    "2025-04+": "not a date",
    "2025-04+/x": "not a date",
    "2025-04 ": "not a date",
    "2025-04\n": "not a date",
    "2025-4": "not a date",
    "25-04": "not a date",
    "202": "not a date",
    "2025+": "not a date",
    "2025-13": "not a real date",
    "2025-00": "not a real date",
    "2025-02-30": "not a real date",
    "0000-01": "not a real date",
    "1850-01": "before 1900",
    "2025-04+" + "x" * 292: "300 characters long",
}
ACCEPTED = [
    "2025",
    "2025-04",
    "2024-08-31",
    "2024-02-29",
    "2026-02-24+3a179cd0",
    "2025-04+rev.2_b-1",
]


@pytest.mark.parametrize("edition", list(REFUSED))
def test_a_bad_edition_id_is_refused_saying_what_is_accepted(edition: str) -> None:
    assert REFUSED[edition] in (edition_problem(edition) or "")
    with pytest.raises(InvalidArgumentError) as refused:
        checked_edition_id(edition)
    message = refused.value.one_line()
    assert EDITION_FORMAT in message and "\n" not in message
    assert len(message) < 400  # a 300-character id is not echoed whole


@pytest.mark.parametrize("edition", ACCEPTED)
def test_date_editions_with_a_safe_suffix_are_accepted(edition: str) -> None:
    assert edition_problem(edition) is None
    assert checked_edition_id(edition) == edition


def test_every_stored_edition_is_an_accepted_id() -> None:
    """The shipped editions (from publication dates, the SIPRI rule, Kiel cut-offs) and the
    `+<sha8>` a modified copy gets all pass."""
    _, rows = query("SELECT DISTINCT edition FROM editions")
    assert len(rows) >= 10
    for (edition,) in rows:
        assert edition_problem(edition) is None, edition
        assert edition_problem(f"{edition}+3a179cd0", limit=60) is None, edition


def test_an_imf_export_dated_by_its_footer_year_alone_still_parses() -> None:
    """DataMapper exports carry only `©IMF, 2025`: their edition is the year."""
    from alliance.importing import parse_file

    parsed = parse_file(reference_file("imf/imf-dm-export-20251119_PPP.xls"))
    assert parsed.edition.edition == "2025"


def test_a_refused_edition_stores_nothing_and_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for edition in ["banana", "2025-04'; DROP TABLE x; --", "x" * 300, ""]:
        done = cli(home, "data", "import", str(reference_file(SIPRI_SUBSET)), "--edition", edition)
        assert done.code == 2, (edition, done.out, done.err)
        assert done.err.startswith("Error: Edition ") and done.err.count("\n") == 1, done.err
        assert "YYYY-MM, YYYY-MM-DD or YYYY" in done.err and "Traceback" not in done.err
    assert not list((home / "data" / "imports").rglob("*.parquet"))


def test_an_edition_read_from_a_file_is_checked_too(tmp_path: Path) -> None:
    """A World Bank CSV dated 1850 is refused, not stored under that id."""
    path = revised_world_bank_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'"{IMPORTED}"', '"1850-01-15"'), encoding="utf-8")
    with pytest.raises(InvalidArgumentError, match=r"read from wdi-gdp\.csv .* before 1900"):
        import_file(path, dry_run=True)


@pytest.fixture(scope="module")
def home_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return home_with_store(tmp_path_factory.mktemp("editions") / "home")


@pytest.fixture
def home(home_template: Path, tmp_path: Path) -> Path:
    import shutil

    copy = tmp_path / "home"
    shutil.copytree(home_template, copy)
    return copy


def modified_copy(folder: Path) -> Path:
    """The shipped 2026-02-24 World Bank GDP file with Germany's 2023 GDP changed."""
    text = reference_file(WB_GDP_2026).read_text(encoding="utf-8-sig")
    [german] = [line for line in text.splitlines() if line.startswith('"Germany","DEU"')]
    fields = german.split(",")
    fields[-3] = '"4500000000000"'  # 2023 (the columns end 2023, 2024, an empty one)
    path = folder / "wdi-gdp-modified.csv"
    path.write_text(text.replace(german, ",".join(fields)), encoding="utf-8")
    return path


def rezipped_sipri_subset(folder: Path) -> Path:
    """The shipped SIPRI subset workbook with its parts compressed anew: the same sheets, other
    bytes (so not the stored file), and like every SIPRI workbook no date (--edition names it)."""
    path = folder / "sipri-subset-rezipped.xlsx"
    with (
        zipfile.ZipFile(reference_file(SIPRI_SUBSET)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy,
    ):
        for member in source.infolist():
            copy.writestr(member.filename, source.read(member))
    return path


def served_edition(home: Path) -> str:
    done = cli(home, "data", "show", "gdp", "-c", "DEU", "--from", "2023", "--to", "2023",
               "--source", "wb", "--currency", "USD", "--format", "csv")  # fmt: skip
    assert done.code == 0, done.err
    [row] = done.out.splitlines()[1:]
    return row.split(",")[-3]


def test_a_modified_copy_that_takes_over_says_so_and_how_to_go_back(
    home: Path, tmp_path: Path
) -> None:
    assert served_edition(home) == "2026-02-24"
    done = cli(home, "data", "import", str(modified_copy(tmp_path)))
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    [edition] = [line.split("│")[2].strip() for line in lines if line.startswith("│ edition")]
    assert edition.startswith("2026-02-24+") and len(edition) == len("2026-02-24+3a179cd0")
    [line] = [line for line in lines if "by default" in line]
    assert line == (
        f"wb {edition} now answers by default for gdp (before: 2026-02-24); "
        f"to go back: alliance data remove wb {edition}"
    )
    assert served_edition(home) == edition
    assert cli(home, "data", "remove", "wb", edition).code == 0
    assert served_edition(home) == "2026-02-24"


def test_an_older_edition_imported_says_nothing_of_the_default(home: Path, tmp_path: Path) -> None:
    """A re-dated 2024-01 copy sorts before the shipped 2026-02-24: the default does not change."""
    path = revised_world_bank_file(tmp_path)
    path.write_text(path.read_text().replace(f'"{IMPORTED}"', '"2024-01-15"'), encoding="utf-8")
    done = cli(home, "data", "import", str(path), "--format", "json")
    assert done.code == 0, done.err
    assert '"value": "2024-01-15"' in done.out and "by default" not in done.out
    assert served_edition(home) == "2026-02-24"


def test_a_newer_edition_dry_run_says_it_would_answer(home: Path, tmp_path: Path) -> None:
    done = cli(home, "data", "import", str(revised_world_bank_file(tmp_path)), "--dry-run")
    assert done.code == 0, done.err
    assert f"wb {IMPORTED} would answer by default for gdp (before: 2026-02-24)" in done.out
    assert served_edition(home) == "2026-02-24"


def test_two_imports_of_one_file_at_once_store_it_once(home: Path, tmp_path: Path) -> None:
    """Two real processes import the same bytes under different --edition ids at the same time:
    one stores it, the other finds it stored (before the imports lock, both were stored)."""
    path = rezipped_sipri_subset(tmp_path)
    command = [sys.executable, "-c", "from alliance.cli.app import main; main()"]
    env = {"ALLIANCE_HOME": str(home), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.Popen(
            [*command, "data", "import", str(path), "--edition", edition, "--format", "csv"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for edition in ("2027-01", "2027-02")
    ]
    outputs = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    statuses = sorted(out.splitlines()[1].split(",")[1] for out, _ in outputs)
    assert statuses == ["already stored", "imported"], outputs
    stored = list((home / "data" / "imports" / "sipri").glob("*.parquet"))
    assert len(stored) == 1, stored
