"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright.

The app runs in a thread on a free 127.0.0.1 port with the test ALLIANCE_HOME. Every page must
load without a console error or a failed request; the tests then use the pages as a reader would
(change the year and edition, type an expression, click the map, upload a claim file, download a
chart) and check what is shown against figures from the source tables. Screenshots at 1280 and
375 px go to out/screenshots/.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "out" / "screenshots"
PAGES = (
    "/",
    "/country/POL",
    "/country",
    "/coalitions",
    "/commitments",
    "/obligations",
    "/factcheck?example=true",
    "/sources",
    "/scenarios",
    "/scenarios/ukraine",
    "/projections?draws=2000",
)
WIDTHS = (1280, 375)

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which("chromium") is None,
    reason="Debian's chromium is not installed (make test installs it)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(alliance_home: Path) -> Iterator[str]:
    import uvicorn

    from alliance.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


class Watched:
    """A browser page that records console errors and failed requests."""

    def __init__(self, browser: Any, width: int) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    page = Watched(browser, 1280)
    yield page
    page.close()


def _shot_name(path: str, width: int) -> str:
    stem = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "overview"
    return f"{stem}-{width}.png"


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_loads_cleanly_and_fits_the_width(
    base_url: str, browser: Any, width: int
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    watched = Watched(browser, width)
    try:
        for path in PAGES:
            response = watched.page.goto(base_url + path)
            assert response is not None and response.status == 200, path
            watched.page.wait_for_load_state("networkidle")
            assert watched.page.locator("h1").first.is_visible(), path
            overflow = watched.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} is {overflow} px wider than {width} px"
            watched.page.screenshot(path=SHOTS / _shot_name(path, width), full_page=True)
        assert watched.problems == []
    finally:
        watched.close()


def _bar_values(page: Any) -> dict[str, str]:
    """Country label -> value text, read from the ranked bars' tooltips."""
    titles = page.locator("#ranked-share-gdp svg g > title").all_text_contents()
    return dict(title.rsplit(": ", 1) for title in titles)


def test_overview_year_and_edition_change_the_figures(base_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(base_url + "/")
    page.select_option("select[name=edition]", "2024-06")
    page.wait_for_function("location.search.includes('edition=2024-06')")
    page.select_option("select[name=year]", "2024")
    page.wait_for_function("location.search.includes('year=2024')")
    # NATO's June 2024 tables: Poland 4.12 % of GDP in 2024 (estimate); Spain 1.28 %.
    values = _bar_values(page)
    assert values["Poland (e)"] == "4.12"
    assert values["Spain (e)"] == "1.28"
    assert "2024" in page.locator("#ranked-share-gdp .chart-title").inner_text()
    page.select_option("select[name=edition]", "2025-08")
    page.wait_for_function("location.search.includes('edition=2025-08')")
    # The August 2025 report revised Poland's 2024 figure to 3.79 %.
    assert _bar_values(page)["Poland (e)"] == "3.79"
    assert (
        page.locator("#ranked-share-gdp .chart-sub").inner_text().endswith("Edition nato 2025-08.")
    )
    # Estimates are marked on the map (hatched overlay) and named under it.
    assert page.locator("#map-share-gdp path[fill='url(#estimate-hatch)']").count() > 20
    page.select_option("select[name=definition]", "sipri")
    page.wait_for_function("location.search.includes('definition=sipri')")
    assert "SIPRI definition" in page.locator("#map-share-gdp .chart-sub").inner_text()
    assert page.locator("#map-share-gdp path[data-iso3=RUS]").get_attribute("fill") != "#dddddd"
    assert watched.problems == []


def test_overview_opens_on_the_latest_year_every_ally_has(base_url: str, watched: Watched) -> None:
    from alliance.observations import latest_covered_year

    page = watched.page
    page.goto(base_url + "/")
    # NATO's August 2025 tables have no 2025 figure for Germany: the page opens on 2024.
    expected = latest_covered_year("defence_expenditure_share_gdp", source="nato")
    assert expected == 2024
    assert page.locator("select[name=year]").input_value() == "2024"
    assert _bar_values(page)["Germany (e)"] == "2.00"
    assert watched.problems == []


BOXES = """(selector) => {
  const svg = document.querySelector(selector);
  const box = (e) => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
  return {
    lines: [...svg.querySelectorAll("line[stroke-dasharray]")].map((l) => l.x1.baseVal.value),
    values: [...svg.querySelectorAll("text.value")].map(box),
    names: [...svg.querySelectorAll("text[text-anchor=end]")].map(box),
    legend: [...svg.querySelectorAll("g.legend")].map(box),
    countries: [...svg.querySelectorAll("path[data-iso3]")].map(box),
  };
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("path", ["/?edition=2025-08&year=2024", "/commitments?year=2024"])
def test_ranked_bar_labels_are_whole_and_clear_of_the_lines(
    base_url: str, watched: Watched, path: str
) -> None:
    page = watched.page
    page.goto(base_url + path)
    found = page.evaluate(BOXES, "figure[id$=ranked] svg, #ranked-share-gdp svg")
    assert found["lines"] and len(found["values"]) >= 30
    for left, _, right, _ in found["values"]:
        assert not any(left <= x <= right for x in found["lines"]), (left, right)
    # The longest name ("North Macedonia (e)") starts inside the drawing, not cut at its edge.
    assert min(left for left, _, _, _ in found["names"]) >= 0
    assert watched.problems == []


def test_the_map_legend_hides_no_country(base_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(base_url + "/")
    found = page.evaluate(BOXES, "#map-share-gdp svg")
    (legend,) = found["legend"]
    assert not any(_overlap(legend, country) for country in found["countries"])
    assert (
        "North America, 27 % of Europe's scale" in page.locator("#map-share-gdp svg").inner_html()
    )
    assert watched.problems == []


def test_a_country_on_the_map_opens_its_page(base_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(base_url + "/?edition=2024-06&year=2024")
    page.locator("#map-share-gdp a:has(path[data-iso3=POL])").first.click()
    page.wait_for_url("**/country/POL")
    assert page.locator("h1").inner_text().startswith("Poland")
    figures = page.locator("table").last.inner_text()
    assert "defence_expenditure_share_gdp" in figures and "line 23" in figures
    assert watched.problems == []


def test_coalition_expression_with_suggestions_and_date(base_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(base_url + "/coalitions")
    box = page.locator("#expression")
    box.fill("")
    box.press_sequentially("NATO & E")
    options = page.locator("#expression-list li")
    options.first.wait_for()
    assert "EU: European Union" in options.all_text_contents()[0]
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "NATO & EU"
    page.fill("input[name=on]", "2014-01-01")
    box.press("Enter")
    page.wait_for_function("location.search.includes('on=2014-01-01')")
    # 22 EU states were NATO Allies on 1 January 2014 (Finland and Sweden joined in 2023-24).
    assert page.locator("#member-count").inner_text() == "22"
    assert "Finland" not in page.locator("ul.members").inner_text()
    page.fill("input[name=on]", "2025-12-26")
    box.press("Enter")
    page.wait_for_function("location.search.includes('on=2025-12-26')")
    assert page.locator("#member-count").inner_text() == "23"
    assert watched.problems == []


def test_the_seed_question_is_answered_as_the_library_answers_it(
    base_url: str, watched: Watched
) -> None:
    from alliance.metrics import share

    watched.page.goto(base_url + "/coalitions")
    answers = watched.page.locator(".seed .answer .big").all_text_contents()
    gdp = share("NATO & EU", "NATO", "gdp", 2024, source="imf").share
    defence = share("NATO & EU", "NATO", "defence", 2024, definition="nato").share
    assert gdp is not None and defence is not None
    assert answers == [f"{gdp * 100:.1f} %", f"{defence * 100:.1f} %"]
    assert "23" in watched.page.locator(".seed").inner_text()


def _click_at(page: Any, lat: float, lon: float) -> None:
    from alliance.web.pages_map import map_frame, to_view

    x, y = to_view(lat, lon)
    frame = map_frame()
    box = page.locator("svg.clickable-map").bounding_box()
    page.mouse.click(
        box["x"] + x / frame.width * box["width"], box["y"] + y / frame.height * box["height"]
    )


def test_clicking_the_map_asks_about_that_place(base_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(base_url + "/obligations?on=2025-06-01")
    _click_at(page, 72.0, -40.0)  # the Greenland ice sheet
    page.wait_for_function("location.search.includes('at=')")
    heading = page.locator("#obligations-title").inner_text()
    assert "Greenland" in heading
    clauses = page.locator("table").first.inner_text()
    assert "North Atlantic Treaty Article 5\tyes" in clauses
    _click_at(page, 70.5, 2.0)  # the Norwegian Sea
    page.wait_for_function("!location.search.includes('at=72')")
    assert "Norwegian Sea" in page.locator("#obligations-title").inner_text()
    page.fill("input[name=place]", "Sweden")
    page.fill("input[name=at]", "")
    page.fill("input[name=on]", "2024-03-06")
    page.press("input[name=place]", "Enter")
    page.wait_for_function("location.search.includes('place=Sweden')")
    # The day before Sweden's accession: Art. 5 does not apply, Art. 42(7) does.
    clauses = page.locator("table").first.inner_text()
    assert "North Atlantic Treaty Article 5\tno" in clauses
    assert "Treaty on European Union Article 42(7)\tyes" in clauses
    assert watched.problems == []


CLAIM_FILE = """\
format: alliance-claims/1
title: Browser test claims
defaults:
  speaker: A test
  date: 2025-12-26
  url: https://example.org/interview
claims:
  - id: eu-in-nato
    quote: 23 EU countries are in NATO
    check:
      type: count
      expression: EU & NATO
      on: 2025-12-26
      expected: 23
  - id: eu-in-nato-2014
    quote: 28 EU countries were in NATO in 2014
    check:
      type: count
      expression: EU & NATO
      on: 2014-01-01
      expected: 28
"""


def test_uploading_a_claim_file_shows_the_verdicts(
    base_url: str, watched: Watched, tmp_path: Path
) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIM_FILE, encoding="utf-8")
    page = watched.page
    page.goto(base_url + "/factcheck")
    with page.expect_navigation():
        page.set_input_files("#claim-file", str(claims))
    page.wait_for_load_state()
    assert "23 EU countries are in NATO" in page.locator("#claims").input_value()
    rows = page.locator("#results table tbody tr")
    assert rows.count() == 2, page.locator("#results").inner_text()
    assert rows.nth(0).locator(".verdict").inner_text() == "accurate"
    assert rows.nth(1).locator(".verdict").inner_text() == "inaccurate"
    assert "22" in rows.nth(1).inner_text()
    page.click("text=Open the shipped example")
    page.wait_for_url("**/factcheck?example=true")
    assert page.locator("#results table tbody tr").count() >= 9
    assert watched.problems == []


def test_a_malformed_claim_file_is_refused_in_words(base_url: str, browser: Any) -> None:
    watched = Watched(browser, 1280)
    try:
        page = watched.page
        page.goto(base_url + "/factcheck")
        page.fill("#claims", "format: alliance-claims/1\nclaims: 12\n")
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "Cannot answer" in page.locator(".error").inner_text()
        assert all("400" in problem for problem in watched.problems)  # the refusal itself
    finally:
        watched.close()


def test_chart_downloads_carry_title_and_sources(base_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(base_url + "/commitments?year=2024")
    figure = page.locator("#commitments-ranked")
    with page.expect_download() as svg_download:
        figure.locator("button[data-download=svg]").click()
    svg = Path(svg_download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Allies against 2 %, 3.5 % and 5 % of GDP, 2024" in svg
    assert "NATO Public Diplomacy Division" in svg
    with page.expect_download() as png_download:
        figure.locator("button[data-download=png]").click()
    assert Path(png_download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as csv_download:
        figure.locator("a[download$='.csv']").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "iso3,country,year,value,estimate,edition,locator"
    assert any(line.startswith("POL,Poland,2024,3.78") for line in text.splitlines())
    assert watched.problems == []


def test_sources_page_offers_every_edition_as_csv(base_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(base_url + "/sources")
    text = page.locator("table").inner_text()
    assert "CC BY 4.0" in text and "nato\n2024-06" in text
    link = page.locator("a[href='/sources/nato/2024-06/tables.csv']")
    body = page.request.get(base_url + link.get_attribute("href")).text()
    lines = body.splitlines()
    assert lines[0].startswith("source_id,edition,dataset,")
    polish = [
        line
        for line in lines
        if ",POL,2024,defence_expenditure_share_gdp," in line and line.startswith("nato,2024-06")
    ]
    assert len(polish) == 1 and ",4.12" in polish[0]
    assert watched.problems == []


def test_keyboard_reaches_skip_link_navigation_and_controls(
    base_url: str, watched: Watched
) -> None:
    page = watched.page
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    focused: list[str] = []
    for _ in range(6):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.name || document.activeElement.tagName")
        if name not in ("BODY", "MAIN") and (not focused or focused[-1] != name):
            focused.append(name)
    assert focused[:4] == ["year", "definition", "edition", "BUTTON"]
    page.focus("select[name=year]")
    page.keyboard.press("ArrowUp")  # a keyboard change of year reloads the figures
    page.wait_for_function("location.search.includes('year=')")
    assert watched.problems == []


def _column(page: Any, container: str, header: str) -> list[str]:
    """The cells of one column of the first table in `container`, by header text."""
    headers = page.locator(f"{container} table thead th").all_text_contents()
    index = headers.index(header) + 1
    return page.locator(f"{container} table tbody tr td:nth-child({index})").all_text_contents()


def test_europe_without_us_shows_the_published_figures_beside_the_model(
    base_url: str, watched: Watched
) -> None:
    from alliance.scenarios.europe_without_us import europe_without_us

    page = watched.page
    page.goto(base_url + "/scenarios")
    # Burilkov and Wolff (Bruegel/Kiel, Feb 2025): 300,000 troops, 50 brigades, 1,400 tanks,
    # 2,000 IFVs, EUR 250 bn a year, 3.5 % of GDP after the increase.
    published = _column(page, "#results", "published")
    assert published[:4] == ["300,000", "50.00", "1,400", "2,000"]
    assert "250.00" in published and "3.50" in published
    assert set(_column(page, "#results", "within")) == {"yes"}
    result = europe_without_us()
    today = _column(page, "#results", f"model, today: {result.today_economy.label}")
    assert today[5] == f"{result.today.build_up_eur_bn:,.2f}"
    tornado = page.locator("#europe-without-us-tornado svg")
    assert "which assumption moves the bill most?" in tornado.inner_html()
    page.fill("input[name=coalition]", "NATO-Europe")
    page.press("input[name=coalition]", "Enter")
    page.wait_for_function("location.search.includes('coalition=NATO-Europe')")
    assert "NATO-Europe" in page.locator("#europe-title").inner_text()
    assert watched.problems == []


def test_ukraine_scenario_shows_coalitions_and_donors(base_url: str, watched: Watched) -> None:
    from alliance.scenarios.ukraine import ukraine

    page = watched.page
    page.goto(base_url + "/scenarios/ukraine?coalitions=EU,%20USA")
    result = ukraine(["EU", "USA"])
    usa = next(r for r in result.records() if r["coalition"] == "USA")
    coalitions = page.locator("#ukraine-coalitions table tbody tr")
    assert coalitions.count() == 2
    row = coalitions.nth(1).locator("td").all_text_contents()
    assert row[0] == "USA"
    key = next(k for k in usa if k.endswith("_eur_bn"))
    assert f"{usa[key]:,.2f}" in row
    assert page.locator("#ukraine-donors table tbody tr").count() >= 20
    assert watched.problems == []


def test_projections_page_runs_the_library_with_the_seed(base_url: str, watched: Watched) -> None:
    from alliance.projections import project

    page = watched.page
    page.goto(base_url + "/projections?expression=NATO-Europe&path=hague&draws=2000&seed=7")
    rows = project("NATO-Europe", path="hague", draws=2000, seed=7).records("coalition")
    shown = _column(page, "#projection-odds", "P(≥ 3.5 %)")
    assert shown == [f"{r['p_meet_3_5'] * 100:.1f} %" for r in rows]
    assert page.locator("#projection-fan svg").count() == 1
    page.goto(base_url + "/projections?draws=20001")
    assert page.locator("#results").count() == 0  # refused by the route: over the page's cap
    assert any("422" in problem for problem in watched.problems)
