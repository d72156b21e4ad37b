"""Charts: every format renders, carries its title, units, definition and sources, no scripts."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import matplotlib.image
import pytest
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

from alliance.chart_layout import (
    END_LABEL,
    GREY,
    MEMBERSHIP_LABEL,
    MEMBERSHIP_MARK,
    REFERENCE,
    SEGMENT_LABEL,
    VALUE_LABEL,
    ChartText,
)
from alliance.charts import (
    OUTSIDE_GREYS,
    STATUS_COLOURS,
    TARGET_LINES,
    line_chart,
    line_figure,
    ranked_bar_chart,
    ranked_bar_figure,
    share_segments,
    stacked_share_chart,
    stacked_share_figure,
)
from alliance.coalitions import membership_changes
from alliance.commitments import target_table, targets
from alliance.errors import InvalidArgumentError
from alliance.metrics import compare, comparison, share
from alliance.views.coalitions import comparison_chart_text, membership_marks, share_chart_text
from alliance.views.commitments import targets_chart_text, targets_status_words

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


def _data_span(axes: Axes, artist: Artist) -> tuple[float, float]:
    box = artist.get_window_extent(axes.figure.canvas.get_renderer())
    inverse = axes.transData.inverted()
    return inverse.transform((box.x0, 0))[0], inverse.transform((box.x1, 0))[0]


@pytest.mark.parametrize("target", [None, "hague-core-3.5", "hague-total-5", "equipment"])
def test_no_value_label_is_struck_through_by_a_reference_line(target: str | None) -> None:
    # 2024: the 2% line ran through 1.96, 1.95, 1.89 and 1.87, the 3.5% line through 3.37, 3.36.
    table = target_table(2024, target)
    chosen = table.target
    lines = (
        TARGET_LINES
        if chosen.measure == "defence_share_gdp"
        else ((chosen.threshold_percent, chosen.name),)
    )
    figure = ranked_bar_figure(table.frame(), lines)
    (axes,) = figure.axes
    drawn = [line.get_xdata()[0] for line in axes.lines if line.get_gid() == REFERENCE]
    assert sorted(drawn) == sorted(value for value, _ in lines)
    labels = [t for t in axes.texts if t.get_gid() == VALUE_LABEL]
    values = [r["value"] for r in table.rows if r["value"] is not None]
    assert sorted(float(t.get_text()) for t in labels) == sorted(round(v, 2) for v in values)
    for label in labels:
        left, right = _data_span(axes, label)
        assert not any(left <= x <= right for x in drawn), (label.get_text(), left, right)
    legend = axes.get_legend()
    left, right = _data_span(axes, legend)
    assert not any(left <= x <= right for x in drawn) or legend.get_frame_on()


def test_hague_chart_colours_each_ally_by_the_status_the_table_computes() -> None:
    table = target_table(2024, "hague-core-3.5")
    figure = ranked_bar_figure(table.frame(), TARGET_LINES, targets_status_words(table, 2024))
    (axes,) = figure.axes
    names = [tick.get_text().rstrip(" *") for tick in axes.get_yticklabels()]
    colours = [to_hex(bar.get_facecolor()) for bar in axes.patches if bar.get_height() == 0.7]
    status = {r["country"]: r["status"] for r in table.rows if r["value"] is not None}
    assert {names[i]: colours[i] for i in range(len(names))} == {
        name: STATUS_COLOURS[status[name]] for name in names
    }
    # The deadline is 2035: allies below 3.5% whose trend suffices are on track, not red.
    assert {"met", "on track", "off track"} <= set(status.values())
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert legend == ["At 3.5% already", "On track for 2035", "Off track for 2035"]
    text = targets_chart_text(table, 2024)
    on_track = sum(1 for s in status.values() if s == "on track")
    assert f"{on_track} more on track for 2035" in text.title and "Deadline 2035" in text.subtitle


def test_share_chart_shows_the_usa_as_its_own_segment_and_draws_the_totals() -> None:
    result = share("EU-NATO", "NATO", "defence", 2024, edition="2024-06")
    segments = share_segments(result)
    by_label = {s.label: s.value for s in segments}
    usa = next(f.numerator for f in result.whole.figures if f.entity == "USA")
    assert by_label["United States"] == usa
    assert by_label["16 other members of EU-NATO"] > 0
    assert sum(by_label.values()) == pytest.approx(result.of_value)
    part = sum(s.value for s in segments if s.colour not in (GREY, *OUTSIDE_GREYS))
    assert part == pytest.approx(result.value)
    figure = stacked_share_figure(result)
    (axes,) = figure.axes
    words = [t.get_text() for t in axes.texts]
    total = f"{result.value:,.0f} of NATO's {result.of_value:,.0f} billion USD"
    assert total in words
    # Every label drawn inside the bar fits inside its own segment.
    lefts = [0.0]
    for s in segments:
        lefts.append(lefts[-1] + s.value / result.of_value)
    for label in (t for t in axes.texts if t.get_gid() == SEGMENT_LABEL):
        left, right = _data_span(axes, label)
        centre = label.get_position()[0]
        index = next(i for i in range(len(segments)) if lefts[i] <= centre <= lefts[i + 1])
        assert lefts[index] <= left and right <= lefts[index + 1], label.get_text()
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert f"United States {usa / result.of_value:.1%}" in legend
    assert any(name.startswith("16 other members of EU-NATO ") for name in legend)


def test_chart_titles_use_peoples_names_for_metrics_and_countries() -> None:
    found = comparison(["POL", "DEU"], "defence_share_gdp", 2014, 2024, edition="2024-06")
    assert comparison_chart_text(found, 2014, 2024).title == (
        "Defence spending, % of GDP: Poland vs Germany, 2014-2024"
    )
    found = comparison(["NATO & EU", "NATO - EU - USA"], "gdp", 2022, 2023)
    assert comparison_chart_text(found, 2022, 2023).title == (
        "GDP: NATO & EU vs NATO - EU - United States, 2022-2023"
    )
    result = share("EU-NATO", "NATO", "defence", 2024, edition="2024-06")
    title = share_chart_text(result).title
    assert title == f"EU-NATO: {result.share:.1%} of NATO's defence spending, 2024"


def test_compare_chart_marks_brexit_on_the_eu_line_and_stops_at_the_last_year_with_data() -> None:
    found = comparison(["EU", "GBR"], "gdp", 2015, 2024)
    marks = membership_marks(found, 2015, 2024)
    assert [(m.coalition, m.year, m.label) for m in marks] == [("EU", 2020, "\u2212United Kingdom")]
    figure = line_figure(found.frame(), marks, {"GBR": "United Kingdom"})
    (axes,) = figure.axes
    (diamond,) = [line for line in axes.lines if line.get_gid() == MEMBERSHIP_MARK]
    eu_2020 = next(r["value"] for r in found.rows if r["coalition"] == "EU" and r["year"] == 2020)
    assert (diamond.get_xdata()[0], diamond.get_ydata()[0]) == (2020, eu_2020)
    (label,) = [t for t in axes.texts if t.get_gid() == MEMBERSHIP_LABEL]
    assert label.get_text() == "\u2212United Kingdom"
    ends = [t.get_text() for t in axes.texts if t.get_gid() == END_LABEL]
    assert [e.split("  ")[0] for e in ends] == ["EU", "United Kingdom"]
    text = comparison_chart_text(found, 2015, 2024)
    assert "EU 2020: \u2212United Kingdom" in text.notes[0]
    # NATO's 2026 figures are not published: the axis and the title stop at the last year drawn.
    found = comparison(["NATO", "NATO-Europe"], "defence_share_gdp", 2018, 2026)
    last = max(r["year"] for r in found.rows if r["value"] is not None)
    assert last < 2026
    (axes,) = line_figure(found.frame()).axes
    assert max(axes.get_xticks()) == last and axes.get_xlim()[1] < last + 1
    text = comparison_chart_text(found, 2018, 2026)
    assert text.title.endswith(f"2018-{last}") and "2026" not in " ".join(text.notes)
    marked = {(m.coalition, m.year, m.label) for m in membership_marks(found, 2018, 2026)}
    assert {("NATO", 2023, "+Finland"), ("NATO-Europe", 2024, "+Sweden")} <= marked


def test_membership_labels_overlap_no_line_and_no_other_label() -> None:
    found = comparison(["NATO & EU", "NATO - EU - USA", "USA"], "defence", 2014, 2024)
    figure = line_figure(found.frame(), membership_marks(found, 2014, 2024))
    (axes,) = figure.axes
    renderer = figure.canvas.get_renderer()
    labels = [t for t in axes.texts if t.get_gid() == MEMBERSHIP_LABEL]
    assert len(labels) == 5  # GBR out, FIN and SWE in; MNE in; GBR and MKD in
    boxes = [t.get_window_extent(renderer) for t in axes.texts]
    for label in labels:
        box = label.get_window_extent(renderer)
        assert sum(box.overlaps(other) for other in boxes) == 1, label.get_text()
        for line in axes.lines:
            path = line.get_transform().transform_path(line.get_path())
            assert not path.intersects_bbox(box, filled=False), label.get_text()
