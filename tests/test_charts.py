"""Charts: every format renders, carries its title, units, definition and sources, no scripts."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import matplotlib.image
import pytest

from alliance.charts import ChartText, line_chart, ranked_bar_chart, stacked_share_chart
from alliance.coalitions import membership_changes
from alliance.commitments import targets
from alliance.errors import InvalidArgumentError
from alliance.metrics import compare, share

SVG = "{http://www.w3.org/2000/svg}"
TEXT = ChartText(
    title="Defence spending of coalitions",
    subtitle="NATO definition; billion USD",
    sources=["Source: NATO, Defence Expenditure of NATO Countries (2014-2024) [nato 2024-06]"],
    notes=["Estimates for 2023-2024."],
)


@pytest.mark.parametrize("suffix", [".png", ".svg", ".html"])
def test_each_chart_renders_in_each_format(tmp_path: Path, suffix: str) -> None:
    frame = compare(["NATO", "NATO - USA"], "defence", 2020, 2024, edition="2024-06")
    paths = [
        line_chart(frame, tmp_path / f"line{suffix}", TEXT),
        ranked_bar_chart(targets(2024, edition="2024-06"), tmp_path / f"bars{suffix}", TEXT),
        stacked_share_chart(
            share("NATO & EU", "NATO", "gdp", 2024, source="nato"),
            tmp_path / f"share{suffix}",
            TEXT,
        ),
    ]
    for path in paths:
        assert path.stat().st_size > 2000
        if suffix == ".png":
            height, width, _ = matplotlib.image.imread(path).shape
            assert width > 800 and height > 400
        else:
            text = path.read_text(encoding="utf-8")
            assert "<svg" in text
        if suffix == ".html":
            assert "<script" not in text and "src=" not in text
            assert "Source: NATO" in text and TEXT.title in text


def test_wrong_suffix_is_refused_before_drawing(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"\.png, \.svg or \.html"):
        line_chart(compare(["NATO"], "defence", 2023, 2024), tmp_path / "chart.pdf", TEXT)
    assert not (tmp_path / "chart.pdf").exists()


def test_membership_changes_date_brexit_and_the_nordic_accessions() -> None:
    # The UK left the EU on 31 January 2020 (memberships.csv); on 1 July 2019 it was a member.
    (brexit,) = membership_changes("EU", range(2015, 2025))
    assert (brexit.year, brexit.joined, brexit.left) == (2020, (), ("GBR",))
    nato = {c.year: c.joined for c in membership_changes("NATO", range(2014, 2025))}
    # Montenegro 5 June 2017, North Macedonia 27 March 2020, Finland 4 April 2023, Sweden
    # 7 March 2024: each counted from its own year under the 1 July rule.
    assert nato == {2017: ("MNE",), 2020: ("MKD",), 2023: ("FIN",), 2024: ("SWE",)}
    # Leaving the EU moved the UK into "NATO without the EU and the US" in the same year.
    outside = membership_changes("NATO - EU - USA", [2019, 2020])
    assert [(c.year, c.joined, c.left) for c in outside] == [(2020, ("GBR", "MKD"), ())]
    assert membership_changes("NATO", [2024]) == []


@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_svg_text_stays_text(tmp_path: Path, suffix: str) -> None:
    path = line_chart(
        compare(["NATO", "NATO - USA"], "defence", 2022, 2024, edition="2024-06"),
        tmp_path / f"line{suffix}",
        TEXT,
    )
    markup = path.read_text(encoding="utf-8")
    svg = ElementTree.fromstring(markup[markup.find("<svg") : markup.find("</svg>") + 6])
    texts = ["".join(node.itertext()) for node in svg.iter(f"{SVG}text")]
    assert TEXT.title in texts and TEXT.subtitle in texts
    # Outlined text would be <use> references to glyph paths with ids like "DejaVuSans-47".
    assert "DejaVuSans-" not in markup
