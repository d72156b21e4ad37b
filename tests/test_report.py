"""`alliance report`: one self-contained HTML file with the overview, the seed question's answer,
commitments, the fact-check of the shipped example and the sources."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory, alliance_home: Path) -> str:
    from alliance.web.report import write_report

    path = write_report(tmp_path_factory.mktemp("report") / "report.html", year=2024)
    return path.read_text(encoding="utf-8")


def test_report_is_self_contained(report_html: str) -> None:
    assert "<script" not in report_html
    assert "<link" not in report_html
    assert re.search(r'\ssrc="', report_html) is None  # no image, script or frame to fetch
    local = re.findall(r'href="(/[^"]*)"', report_html)
    assert local == []  # no link back to a server
    assert "<style>" in report_html
    assert report_html.count("<svg") >= 4  # map, ranked bars, seed shares, commitments


def test_report_holds_the_four_sections_and_their_figures(report_html: str) -> None:
    for section in ("overview", "coalition", "commitments", "factcheck", "sources"):
        assert f'id="{section}"' in report_html
    # NATO's August 2025 report: Poland 3.79 % of GDP in 2024 (estimate), in the ranked bars.
    assert "<title>Poland (e): 3.79</title>" in report_html
    # The fact-check of the shipped example gives its first claim (23 EU members in NATO).
    assert "the 23 bloc countries that are part of NATO" in report_html
    assert "EU members of NATO" in report_html


def test_report_lists_every_shipped_edition_with_its_checksum(report_html: str) -> None:
    editions = REPO / "src" / "alliance" / "data" / "editions.csv"
    with editions.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert row["sha256"] in report_html, row["edition"]


def test_report_charts_carry_their_csv(report_html: str) -> None:
    links = re.findall(
        r'href="data:text/csv;charset=utf-8,([^"]*)" download="([^"]*)"', report_html
    )
    names = {name for _, name in links}
    assert {"map-share-gdp.csv", "ranked-share-gdp.csv", "commitments-ranked.csv"} <= names
    ranked = next(unquote(data) for data, name in links if name == "ranked-share-gdp.csv")
    rows = list(csv.DictReader(ranked.splitlines()))
    poland = next(r for r in rows if r["iso3"] == "POL")
    assert poland["year"] == "2024" and poland["percent_of_gdp"].startswith("3.78")
    assert poland["estimate"] == "True" and poland["locator"] == "line 23"


def test_report_command_writes_the_file_and_refuses_other_suffixes(tmp_path: Path) -> None:
    code = (
        "import sys; from alliance.cli.app import main; "
        "sys.argv = ['alliance', *sys.argv[1:]]; main()"
    )
    command = [sys.executable, "-c", code]
    target = tmp_path / "out.html"
    done = subprocess.run(
        [*command, "report", "--output", str(target), "--year", "2023"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Defence spending in Europe and North America, 2023" in target.read_text("utf-8")
    refused = subprocess.run(
        [*command, "report", "--output", str(tmp_path / "out.pdf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == "Error: Cannot write the report to 'out.pdf': expected .html."
