"""Treaty obligations: territories, points on land and at sea, dates, errors and capacity.

Expected answers come from the treaty texts (Art. 5/6 NAT, Art. 42(7) TEU), the accession dates
(NATO: Finland 2023-04-04, Sweden 2024-03-07; EU: UK left after 2020-01-31; Lisbon in force
2009-12-01; Algeria 1962-07-03) and the figures quoted in shared/reference-data/SOURCES.md.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.errors import InvalidArgumentError, UnknownPlaceError
from alliance.memberships import members
from alliance.treaties import (
    NAT_ART5,
    TEU_42_7,
    clauses,
    obligations,
    parse_point,
    resolve_place,
    sea_areas,
    territories,
)
from alliance.treaties.geo import boundaries

TODAY = date(2025, 6, 1)


def answer(target: str | tuple[float, float], on: date = TODAY) -> tuple[str, str]:
    result = obligations(target, on, with_capacity=False)
    return result.clause(NAT_ART5).applies, result.clause(TEU_42_7).applies


# (target, Art. 5, Art. 42(7), a phrase the Art. 5 reason must contain)
TERRITORY_CASES = [
    ("Greenland", "yes", "contested", "North Atlantic area north of the Tropic"),
    ("Faroe Islands", "yes", "contested", "North Atlantic"),
    ("Svalbard", "yes", "no", "Norwegian territory in Europe"),
    ("Jan Mayen", "yes", "no", "North Atlantic"),
    ("Åland", "yes", "yes", "Finnish territory in Europe"),
    ("Azores", "yes", "yes", "north of the Tropic"),
    ("Madeira", "yes", "yes", "north of the Tropic"),
    ("Canary Islands", "yes", "yes", "about 28°N"),
    ("Ceuta", "contested", "yes", "Reading 2"),
    ("Melilla", "contested", "yes", "African mainland"),
    ("Gibraltar", "yes", "no", "British territory in Europe"),
    ("Akrotiri", "contested", "no", "Western Asia"),
    ("Dhekelia Sovereign Base Area", "contested", "no", "Reading 1"),
    ("Bermuda", "yes", "no", "about 32°N"),
    ("Falklands", "no", "no", "south of the Tropic"),
    ("French Guiana", "no", "yes", "South American mainland"),
    ("Guadeloupe", "no", "yes", "south of the Tropic"),
    ("Martinique", "no", "yes", "south of the Tropic"),
    ("Réunion", "no", "yes", "Indian Ocean"),
    ("Mayotte", "no", "yes", "Indian Ocean"),
    ("Saint-Pierre-et-Miquelon", "yes", "contested", "North America"),
    ("New Caledonia", "no", "contested", "South Pacific"),
    ("French Polynesia", "no", "contested", "South Pacific"),
    ("Alaska", "yes", "no", "North America"),
    ("Hawaii", "no", "no", "1965"),
    ("Guam", "no", "no", "Pacific"),
    ("Puerto Rico", "no", "no", "south of the Tropic"),
    ("US Virgin Islands", "no", "no", "south of the Tropic"),
    ("Aruba", "no", "contested", "south of the Tropic"),
    ("Curaçao", "no", "contested", "south of the Tropic"),
    ("Sint Maarten", "no", "contested", "south of the Tropic"),
    ("Bonaire", "no", "contested", "south of the Tropic"),
    ("Kerguelen", "no", "contested", "Indian Ocean"),
    ("Diego Garcia", "no", "no", "Indian Ocean"),
    ("Kaliningrad", "no", "no", "Russia"),
    ("Cyprus", "no", "yes", "not a party"),
    ("Northern Cyprus", "no", "contested", "not a party"),
    ("Heligoland", "yes", "yes", "Europe"),
    ("Türkiye", "yes", "no", "territory of Turkey"),
    ("Jersey", "yes", "no", "Crown Dependency"),
]


@pytest.mark.parametrize(("target", "art5", "art42", "phrase"), TERRITORY_CASES)
def test_territory_status_and_reason(target: str, art5: str, art42: str, phrase: str) -> None:
    result = obligations(target, TODAY, with_capacity=False)
    assert (result.clause(NAT_ART5).applies, result.clause(TEU_42_7).applies) == (art5, art42)
    assert phrase in result.clause(NAT_ART5).reason


def test_contested_rows_give_both_readings() -> None:
    contested = [t for t in territories() if t.art6_status == "contested"]
    assert len(contested) >= 6
    for item in contested:
        if item.sovereign in ("GBR", "ESP"):
            assert "Reading 1" in item.art6_reason and "Reading 2" in item.art6_reason, item.id


@pytest.mark.parametrize(
    ("point", "art5", "art42", "where"),
    [
        ((69.5, 5.0), "yes", "contested", "Norwegian Sea"),  # Norwegian Sea
        ((35.0, 18.0), "yes", "contested", "Mediterranean Sea"),  # Ionian Sea
        ((15.0, -75.0), "no", "contested", "south of the Tropic"),  # Caribbean
        ((0.0, -160.0), "no", "contested", "south of the Tropic"),  # mid-Pacific
        ((35.0, -140.0), "no", "contested", "open sea outside"),  # N Pacific, north of Tropic
        ((56.0, 19.0), "yes", "contested", "Baltic Sea"),  # central Baltic
        ((74.0, 40.0), "contested", "contested", "Barents Sea"),
        ((43.0, 34.0), "contested", "contested", "Black Sea"),
        ((40.0, -40.0), "yes", "contested", "North Atlantic area"),  # mid-Atlantic
        ((59.5, 24.7), "yes", "yes", "territorial sea"),  # off Tallinn
    ],
)
def test_points_at_sea(point: tuple[float, float], art5: str, art42: str, where: str) -> None:
    result = obligations(point, TODAY, with_capacity=False)
    assert result.place.kind == "sea"
    assert (result.clause(NAT_ART5).applies, result.clause(TEU_42_7).applies) == (art5, art42)
    assert where in result.place.name + result.clause(NAT_ART5).reason


def test_sea_clause_binds_every_party_since_the_flag_state_is_unknown() -> None:
    result = obligations((69.5, 5.0), TODAY, with_capacity=False)
    assert list(result.clause(NAT_ART5).bound) == members("NATO", TODAY)


@pytest.mark.parametrize(
    ("point", "territory_id"),
    [
        ((48.85, 2.35), "fra"),  # Paris
        ((36.14, -5.35), "gibraltar"),
        ((35.89, -5.32), "ceuta"),
        ((21.31, -157.86), "hawaii"),  # Honolulu
        ((66.5, -45.0), "greenland"),  # inland ice sheet
        ((78.22, 15.65), "svalbard"),  # Longyearbyen
        ((28.47, -16.25), "canary_islands"),  # Santa Cruz de Tenerife
        ((61.2, -149.9), "alaska"),  # Anchorage
        ((34.59, 32.98), "akrotiri"),
        ((54.71, 20.51), "kaliningrad"),
        ((60.1, 19.93), "aland"),  # Mariehamn
    ],
)
def test_points_on_land_resolve_to_territories(
    point: tuple[float, float], territory_id: str
) -> None:
    assert resolve_place(point).territory_id == territory_id


def test_every_territory_point_resolves_to_itself() -> None:
    for item in territories():
        on = date.fromordinal(item.valid_until.toordinal() - 1) if item.valid_until else TODAY
        assert resolve_place((item.lat, item.lon), on).territory_id == item.id, item.id


def test_point_in_a_non_member_state() -> None:
    result = obligations((55.75, 37.62), TODAY, with_capacity=False)  # Moscow
    assert result.place.sovereign == "RUS"
    assert answer((55.75, 37.62)) == ("no", "no")


def test_sweden_either_side_of_accession() -> None:
    before = obligations("Sweden", date(2024, 3, 6), with_capacity=False).clause(NAT_ART5)
    after = obligations("Sweden", date(2024, 3, 7), with_capacity=False).clause(NAT_ART5)
    assert (before.applies, after.applies) == ("no", "yes")
    assert "2024-03-07" in before.reason
    assert (
        "SWE" not in after.bound and len(after.bound) == len(members("NATO", date(2024, 3, 7))) - 1
    )


def test_finland_either_side_of_accession() -> None:
    assert answer("Finland", date(2023, 4, 3))[0] == "no"
    assert answer("Finland", date(2023, 4, 4))[0] == "yes"
    # Finland is bound to help Estonia only from its accession day.
    assert (
        "FIN" not in obligations("EE", date(2023, 4, 3), with_capacity=False).clause(NAT_ART5).bound
    )
    assert "FIN" in obligations("EE", date(2023, 4, 4), with_capacity=False).clause(NAT_ART5).bound


def test_uk_and_article_42_7_around_brexit() -> None:
    assert answer("United Kingdom", date(2020, 1, 31))[1] == "yes"
    assert answer("United Kingdom", date(2020, 2, 1))[1] == "no"
    france_before = obligations("France", date(2020, 1, 31), with_capacity=False)
    france_after = obligations("France", date(2020, 2, 1), with_capacity=False)
    assert "GBR" in france_before.clause(TEU_42_7).bound
    assert "GBR" not in france_after.clause(TEU_42_7).bound
    assert answer("Gibraltar", date(2020, 1, 31)) == ("yes", "yes")


def test_article_42_7_starts_with_lisbon() -> None:
    assert answer("France", date(2009, 11, 30))[1] == "no"
    assert answer("France", date(2009, 12, 1))[1] == "yes"
    assert "2009-12-01" in obligations("FR", date(2009, 11, 30)).clause(TEU_42_7).reason


def test_algeria_before_and_after_independence() -> None:
    in_1960 = obligations("Algeria", date(1960, 1, 1), with_capacity=False).clause(NAT_ART5)
    in_1963 = obligations("Algeria", date(1963, 1, 1), with_capacity=False).clause(NAT_ART5)
    assert in_1960.applies == "yes" and in_1960.attacked == "FRA"
    assert in_1963.applies == "no" and "3 July 1962" in in_1963.reason
    assert answer("Algeria", date(1962, 7, 2))[0] == "yes"
    assert answer("Algeria", date(1962, 7, 3))[0] == "no"


def test_nothing_before_the_treaty() -> None:
    assert answer("Belgium", date(1949, 8, 23)) == ("no", "no")
    assert answer("Belgium", date(1949, 8, 24))[0] == "yes"


def test_country_names_and_codes_resolve_to_metropolitan_territory() -> None:
    assert resolve_place("NO").territory_id == "nor"
    assert resolve_place("USA").territory_id == "usa"
    assert resolve_place("Japan").sovereign == "JPN"
    assert answer("Japan") == ("no", "no")


def test_unknown_place_suggests_names() -> None:
    with pytest.raises(UnknownPlaceError, match="Greenland"):
        resolve_place("Greenlnd")


@pytest.mark.parametrize("point", [(91.0, 0.0), (0.0, 181.0), (float("nan"), 0.0)])
def test_impossible_coordinates(point: tuple[float, float]) -> None:
    with pytest.raises(InvalidArgumentError, match="Impossible"):
        obligations(point, TODAY, with_capacity=False)


def test_parse_point() -> None:
    assert parse_point("69.5, 5") == (69.5, 5.0)
    with pytest.raises(InvalidArgumentError):
        parse_point("north")


@settings(max_examples=40, deadline=None)
@given(st.floats(-89.9, 89.9), st.floats(-179.9, 179.9))
def test_any_point_gets_an_answer_and_no_clause_binds_without_applying(
    lat: float, lon: float
) -> None:
    result = obligations((lat, lon), TODAY, with_capacity=False)
    for item in result.clauses:
        assert item.applies in ("yes", "no", "contested")
        assert item.reason
        assert (item.applies == "no") == (not item.bound)
    if lat < 23.0 and result.place.kind == "sea":
        assert result.clause(NAT_ART5).applies == "no"


# --- the data tables ----------------------------------------------------------------------------


def test_every_member_has_a_metropolitan_row() -> None:
    rows = {t.sovereign for t in territories() if t.kind == "metropolitan"}
    assert set(members("NATO", TODAY)) | set(members("EU", TODAY)) <= rows


def test_rows_are_cited_and_valid() -> None:
    ne_units = {u.a3 for u in boundaries().units}
    for item in territories():
        assert item.art6_citation.startswith("http"), item.id
        assert item.eu_status in ("eu", "outermost", "oct", "outside"), item.id
        assert item.art6_status in ("covered", "not_covered", "contested"), item.id
        assert set(item.units) <= ne_units, item.id
        assert len(item.units) == 1 or item.boxes, item.id  # several units: the box decides
        assert -90 <= item.lat <= 90 and -180 <= item.lon <= 180
    assert len({t.id for t in territories()}) == len(territories())
    for area in sea_areas():
        assert area.citation.startswith("http")
    assert {c.clause_id for c in clauses()} >= {NAT_ART5, TEU_42_7}
    assert next(c for c in clauses() if c.clause_id == TEU_42_7).in_force_from == date(2009, 12, 1)


def test_boundaries_file_is_small_and_documented() -> None:
    folder = resources.files("alliance") / "data" / "treaties"
    raw = (folder / "boundaries.geojson").read_bytes()
    assert len(raw) < 3_000_000
    meta = json.loads(raw)["properties"]
    assert meta["licence"] == "public domain" and meta["version"]
    assert "Natural Earth" in (folder / "README.md").read_text(encoding="utf-8")


def test_clause_excerpts_are_verbatim_quotes() -> None:
    text = {
        r["clause_id"]: r["excerpt"]
        for r in csv.DictReader(
            (resources.files("alliance") / "data" / "treaties" / "clauses.csv").open(
                encoding="utf-8"
            )
        )
    }
    assert "the Algerian Departments of France" in text["nat-6"]
    assert "north of the Tropic of Cancer" in text["nat-6"]
    assert "victim of armed aggression on its territory" in text[TEU_42_7]


# --- JSON, CLI and map --------------------------------------------------------------------------


def test_json_shape() -> None:
    record = obligations("Svalbard", date(2024, 3, 7), with_capacity=False).to_dict()
    assert {"target", "on", "clauses", "capacity"} <= set(record)
    first = record["clauses"][0]
    assert {"treaty", "article", "applies", "reason", "bound"} <= set(first)
    assert record["on"] == "2024-03-07"
    json.dumps(record)


def test_cli_json_and_errors() -> None:
    from typer.testing import CliRunner

    from alliance.cli.app import app

    runner = CliRunner()
    done = runner.invoke(
        app, ["obligations", "--at", "69.5,5", "--on", "2024-03-06", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    record = json.loads(done.stdout)
    art5 = next(c for c in record["clauses"] if c["article"] == "Article 5")
    assert art5["applies"] == "yes" and "SWE" not in art5["bound"] and "FIN" in art5["bound"]
    refused = runner.invoke(app, ["obligations", "--at", "100,0"])
    assert refused.exit_code != 0


def test_map_files(tmp_path: pytest.TempPathFactory) -> None:
    from alliance.treaties.maps import render_map

    result = obligations("Ceuta", TODAY, with_capacity=False)
    png = render_map(result, tmp_path / "ceuta.png")  # type: ignore[operator]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = render_map(result, tmp_path / "ceuta.html").read_text(encoding="utf-8")  # type: ignore[operator]
    assert "<svg" in page and "<script" not in page and "Ceuta" in page
    with pytest.raises(InvalidArgumentError):
        render_map(result, tmp_path / "ceuta.pdf")  # type: ignore[operator]


# --- capacity, checked against figures in the reference files -------------------------------------

SIPRI_USA_2024_BN = 997.309  # SIPRI Milex 2025-04, current US$ m 997,309 (SOURCES.md)
NATO_USA_2024_BN = 967.707  # NATO tables 2024-06, Table 2, US$ m 967,707 (SOURCES.md)
NATO_USA_PERSONNEL_2024 = 1300.2  # NATO Table 7, thousands (SOURCES.md)


def _capacity(result, metric: str):  # type: ignore[no-untyped-def]
    return next(c for c in result.clause(NAT_ART5).capacity if c.metric == metric)


def test_capacity_with_and_without_the_united_states_sipri() -> None:
    result = obligations("Poland", TODAY)
    defence = _capacity(result, "defence")
    assert defence.year == 2024
    assert defence.value is not None and defence.value_without_usa is not None
    assert defence.value - defence.value_without_usa == pytest.approx(SIPRI_USA_2024_BN, abs=0.01)
    assert "sipri" in defence.edition


def test_capacity_nato_definition() -> None:
    result = obligations("Poland", TODAY, definition="nato")
    defence, personnel = _capacity(result, "defence"), _capacity(result, "personnel")
    assert defence.year == 2024 and personnel.year == 2024
    assert defence.value - defence.value_without_usa == pytest.approx(NATO_USA_2024_BN, abs=0.01)
    assert personnel.value - personnel.value_without_usa == pytest.approx(
        NATO_USA_PERSONNEL_2024, abs=0.05
    )


def test_capacity_of_eu_clause_has_no_united_states() -> None:
    result = obligations("Poland", TODAY)
    for figure in result.clause(TEU_42_7).capacity:
        assert figure.value == figure.value_without_usa
    assert obligations("Hawaii", TODAY).clause(NAT_ART5).capacity == ()
