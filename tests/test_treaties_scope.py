"""Treaty scope as a lawyer reads it: the territory, not the country's shape, and every text and
status at its date.

Expected answers come from the treaty texts (North Atlantic Treaty Art. 5 and 6 as signed in 1949
and as amended by the Protocol on the accession of Greece and Turkey, in force 18 February 1952;
TEU Art. 42(7)), German reunification on 3 October 1990 and the EU status changes of Saint-
Barthélemy (1 January 2012) and Mayotte (1 January 2014).
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from alliance.memberships import members
from alliance.treaties import NAT_ART5, TEU_42_7, obligations, resolve_place
from alliance.treaties.geo import TROPIC_OF_CANCER, boundaries

TODAY = date(2025, 6, 1)


def art5(target: str | tuple[float, float], on: date = TODAY) -> tuple[str, str]:
    result = obligations(target, on, with_capacity=False).clause(NAT_ART5)
    return result.applies, result.reason


# --- the territory, not the country's shape ----------------------------------------------------


def test_bouvet_island_is_norwegian_but_outside_article_6() -> None:
    place = resolve_place((-54.42, 3.36))
    assert place.name == "Bouvet Island" and place.sovereign == "NOR"
    applies, reason = art5((-54.42, 3.36))
    assert applies == "no"
    assert "South Atlantic" in reason


def test_no_part_of_a_partys_shape_south_of_the_tropic_is_covered() -> None:
    """Natural Earth draws some dependencies inside the Party's own unit (Norway's holds Bouvet
    Island): every part of every Party's shape south of the Tropic of Cancer must answer from its
    own territory, which Art. 6 does not cover."""
    parties = set(members("NATO", TODAY))
    wrong = []
    for unit in boundaries().units:
        if unit.iso3 not in parties:
            continue
        for part in getattr(unit.geometry, "geoms", [unit.geometry]):
            point = part.representative_point()
            if point.y >= TROPIC_OF_CANCER:
                continue
            applies, _ = art5((point.y, point.x))
            if applies == "yes":
                wrong.append((unit.a3, round(point.y, 2), round(point.x, 2)))
    assert wrong == []


@pytest.mark.parametrize(
    ("target", "sovereign"),
    [
        ("Queen Maud Land", "NOR"),
        ("Peter I Island", "NOR"),
        ("Adélie Land", "FRA"),
        ("British Antarctic Territory", "GBR"),
    ],
)
def test_antarctic_claims_of_parties_are_outside_article_6(target: str, sovereign: str) -> None:
    place = resolve_place(target)
    assert place.sovereign == sovereign
    applies, reason = art5(target)
    assert applies == "no"
    assert "Antarctic Treaty" in reason


def test_a_point_in_queen_maud_land_answers_from_the_claim() -> None:
    place = resolve_place((-72.0, 5.0))
    assert place.name == "Queen Maud Land"
    assert art5((-72.0, 5.0))[0] == "no"


# --- Spain's places off Morocco ----------------------------------------------------------------

PLAZAS = [
    # name, a point on the place (from Natural Earth's ESP polygons and the Spanish charts)
    ("Chafarinas Islands", (35.182, -2.432)),
    ("Peñón de Vélez de la Gomera", (35.1725, -4.2995)),
    ("Peñón de Alhucemas", (35.2158, -3.9025)),
]


@pytest.mark.parametrize(("name", "point"), PLAZAS)
def test_spains_places_off_morocco_are_answered_like_ceuta(
    name: str, point: tuple[float, float]
) -> None:
    for target in (name, point):
        place = resolve_place(target)
        assert place.sovereign == "ESP", (target, place)
        assert place.territory_id is not None and place.territory_id != "esp", (target, place)
        result = obligations(target, TODAY, with_capacity=False)
        nat = result.clause(NAT_ART5)
        assert nat.applies == "contested", (target, nat.reason)
        assert "Reading 1" in nat.reason and "Reading 2" in nat.reason
        assert result.clause(TEU_42_7).applies == "yes"


def test_the_moroccan_coast_beside_alhucemas_stays_moroccan() -> None:
    assert resolve_place((35.17, -3.93)).sovereign == "MAR"


# --- the Crown Dependencies --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Jersey", "Guernsey", "Isle of Man"])
def test_crown_dependencies_are_islands_under_a_partys_jurisdiction(name: str) -> None:
    applies, reason = art5(name)
    assert applies == "yes"
    assert (
        "islands under the jurisdiction of any of the parties in the north atlantic"
        in reason.lower()
    )


# --- EU status at the date ---------------------------------------------------------------------


def art42(target: str | tuple[float, float], on: date) -> tuple[str, str]:
    result = obligations(target, on, with_capacity=False).clause(TEU_42_7)
    return result.applies, result.reason


@pytest.mark.parametrize(
    ("name", "on", "applies", "phrase"),
    [
        ("Mayotte", date(2013, 12, 31), "contested", "overseas country and territory"),
        ("Mayotte", date(2014, 1, 1), "yes", "outermost region"),
        ("Saint Barthélemy", date(2011, 12, 31), "yes", "outermost region"),
        ("Saint Barthélemy", date(2012, 1, 1), "contested", "overseas country and territory"),
    ],
)
def test_eu_status_is_dated(name: str, on: date, applies: str, phrase: str) -> None:
    answer, reason = art42(name, on)
    assert answer == applies, reason
    assert phrase in reason


def test_eu_status_of_the_row_is_read_at_a_date() -> None:
    from alliance.treaties import territory

    mayotte = territory("mayotte")
    assert mayotte.eu_on(date(2013, 6, 1))[0] == "oct"
    assert mayotte.eu_on(date(2014, 6, 1))[0] == "outermost"


# --- territory changes of Parties are dated ----------------------------------------------------

DRESDEN = (51.05, 13.74)
LEIPZIG = (51.34, 12.37)
HAMBURG = (53.55, 10.0)
MUNICH = (48.14, 11.58)


def test_east_germany_before_reunification_was_not_a_partys_territory() -> None:
    before, after = date(1990, 6, 1), date(1990, 10, 3)
    for point in (DRESDEN, LEIPZIG):
        applies, reason = art5(point, before)
        assert applies == "no", reason
        assert "German Democratic Republic" in reason and "1990-10-03" in reason
        result = obligations(point, before, with_capacity=False).clause(NAT_ART5)
        assert result.bound == ()
        assert art5(point, after)[0] == "yes"
    for point in (HAMBURG, MUNICH):
        assert art5(point, before)[0] == "yes"


def test_east_germany_by_name_is_dated() -> None:
    assert resolve_place("East Germany", date(1989, 11, 9)).sovereign == "DDR"
    assert art5("East Germany", date(1989, 11, 9))[0] == "no"
    later = resolve_place("East Germany", date(2000, 1, 1))
    assert later.sovereign == "DEU" and "1990-10-03" in later.how
    assert art5("East Germany", date(2000, 1, 1))[0] == "yes"


def test_berlin_before_reunification_is_contested() -> None:
    applies, reason = art5((52.52, 13.40), date(1985, 1, 1))
    assert applies == "contested"
    assert "Reading 1" in reason and "Reading 2" in reason
    assert art5((52.52, 13.40), date(1991, 1, 1))[0] == "yes"


# --- clause texts are dated --------------------------------------------------------------------

WESTERN_MEDITERRANEAN = (39.5, 5.0)  # between the Balearics and Sardinia, > 12 nm from land
NORTH_SEA = (56.0, 3.0)


def test_mediterranean_at_sea_before_the_greece_turkey_protocol() -> None:
    applies, reason = art5(WESTERN_MEDITERRANEAN, date(1951, 6, 1))
    assert applies == "no", reason
    assert "1949" in reason and "18 February 1952" in reason
    assert (
        obligations(WESTERN_MEDITERRANEAN, date(1951, 6, 1), with_capacity=False)
        .clause(NAT_ART5)
        .bound
        == ()
    )
    applies, reason = art5(WESTERN_MEDITERRANEAN, date(1952, 2, 18))
    assert applies == "yes", reason


def test_north_atlantic_at_sea_is_covered_by_both_texts() -> None:
    for on in (date(1951, 6, 1), date(1952, 6, 1)):
        assert art5(NORTH_SEA, on)[0] == "yes"
    assert "1949" in art5(NORTH_SEA, date(1951, 6, 1))[1]


def test_the_article_6_text_in_force_is_cited() -> None:
    from alliance.treaties import article_6_text

    assert "occupation forces of any Party in Europe" in article_6_text(date(1951, 6, 1)).excerpt
    assert "the Mediterranean Sea" not in article_6_text(date(1951, 6, 1)).excerpt
    assert "the Mediterranean Sea" in article_6_text(date(1952, 2, 18)).excerpt


# The official English text of Art. 5 (nato.int, official_texts_17120), unchanged since 1949.
ARTICLE_5 = (
    "The Parties agree that an armed attack against one or more of them in Europe or North "
    "America shall be considered an attack against them all and consequently they agree that, if "
    "such an armed attack occurs, each of them, in exercise of the right of individual or "
    "collective self-defence recognised by Article 51 of the Charter of the United Nations, will "
    "assist the Party or Parties so attacked by taking forthwith, individually and in concert with "
    "the other Parties, such action as it deems necessary, including the use of armed force, to "
    "restore and maintain the security of the North Atlantic area. Any such armed attack and all "
    "measures taken as a result thereof shall immediately be reported to the Security Council. "
    "Such measures shall be terminated when the Security Council has taken the measures necessary "
    "to restore and maintain international peace and security."
)


def test_article_5_excerpt_marks_every_omission() -> None:
    from alliance.treaties import clauses

    excerpt = next(c for c in clauses() if c.clause_id == NAT_ART5).excerpt
    pieces = [p.strip() for p in excerpt.split("[...]")]
    position = 0
    for piece in filter(None, pieces):
        found = ARTICLE_5.find(piece, position)
        assert found >= 0, piece
        position = found + len(piece)
    assert excerpt.startswith(ARTICLE_5[:40]) or excerpt.startswith("[...]")
    assert position == len(ARTICLE_5) or excerpt.rstrip().endswith("[...]")


# --- wording at sea ----------------------------------------------------------------------------

OFF_NUUK = (64.10, -52.05)  # about 15 km off Greenland's coast, inside the 12-nautical-mile sea


def test_a_point_in_greenlands_territorial_sea_is_described_as_inside_it() -> None:
    result = obligations(OFF_NUUK, TODAY, with_capacity=False).clause(TEU_42_7)
    assert result.applies == "contested"
    assert "beyond" not in result.reason
    assert "inside the territorial sea of Greenland" in result.reason
    assert "overseas country and territory" in result.reason


# --- answers read as sentences (issue 14) ------------------------------------------------------


def test_obligations_read_as_sentences() -> None:
    from alliance.cli.obligations import _table

    sea = obligations((69.5, 5.0), TODAY, with_capacity=False)
    assert _table(sea).title.startswith("If the Norwegian Sea is attacked")
    for target in ("Germany", "Jersey", "Svalbard", "Madeira"):
        for item in obligations(target, TODAY, with_capacity=False).clauses:
            words = item.reason.replace(":", " ").split()
            doubled = [w for a, w in pairwise(words) if a == w]
            assert not doubled, item.reason
            assert "Art. 6: Art. 6" not in item.reason
            assert "the Treaties apply there: the Treaties apply" not in item.reason
