"""Coalition expressions: membership at dates, set algebra, presets and parse errors."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.coalitions import coalition, coalition_in_year, parse
from alliance.errors import ExpressionError, UnknownCountryError

# --- against the shipped membership table (dates known from NATO and the EU) ------------------


@pytest.mark.parametrize(
    ("expression", "year", "count"),
    [
        ("NATO", 2014, 28),  # before Montenegro (2017)
        ("NATO", 2017, 29),  # Montenegro joined 5 June 2017, before 1 July
        ("NATO", 2020, 30),  # North Macedonia, 27 March 2020
        ("NATO", 2023, 31),  # Finland, 4 April 2023
        ("NATO", 2024, 32),  # Sweden, 7 March 2024
        ("EU", 2019, 28),  # the UK left on 31 January 2020
        ("EU", 2020, 27),
        ("NATO & EU", 2024, 23),
        ("EU-NATO", 2024, 23),
        ("NATO - USA", 2024, 31),
        ("NATO-Europe", 2024, 30),
        ("NATO-Europe-and-Canada", 2024, 31),
    ],
)
def test_member_counts_by_year(expression: str, year: int, count: int) -> None:
    assert len(coalition_in_year(expression, year)) == count


def test_eu_of_2019_includes_the_uk_and_2020_does_not() -> None:
    assert "GBR" in coalition_in_year("EU", 2019)
    assert "GBR" not in coalition_in_year("EU", 2020)


def test_dates_inside_a_year_matter() -> None:
    assert "SWE" not in coalition("NATO", date(2024, 3, 6))
    assert "SWE" in coalition("NATO", date(2024, 3, 7))
    assert coalition("NATO", "2014-06-30").on == date(2014, 6, 30)


def test_countries_by_code_and_quoted_or_bare_name() -> None:
    by_code = coalition("EU | GBR | NOR", "2024-07-01").members
    by_name = coalition('EU | "United Kingdom" | Norway', "2024-07-01").members
    bare = coalition("EU | United Kingdom | Norway", "2024-07-01").members
    assert by_code == by_name == bare
    assert len(by_code) == 29


def test_nested_difference() -> None:
    members = coalition("(NATO - EU) - USA", "2024-07-01").members
    assert members == ("ALB", "CAN", "GBR", "ISL", "MKD", "MNE", "NOR", "TUR")


def test_presets_equal_their_expansions() -> None:
    on = "2024-07-01"
    assert coalition("ARCTIC-ALLIES", on).members == coalition("ARCTIC_COUNCIL & NATO", on).members
    assert coalition("NATO-Europe", on).members == coalition("NATO - USA - CAN", on).members


def test_unknown_name_points_at_it() -> None:
    with pytest.raises(ExpressionError) as caught:
        coalition("NATO & Atlantis", "2024-07-01")
    assert caught.value.position == 7


# --- set algebra against Python's own set operators --------------------------------------------

UNIVERSE = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF")
GROUPS = ("G1", "G2", "G3")


def _fake_country(text: str) -> str:
    if text.upper() in UNIVERSE:
        return text.upper()
    raise UnknownCountryError(text)


names = st.sampled_from(GROUPS + UNIVERSE[:3])


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(names)
    operator = draw(st.sampled_from(["|", "&", "-"]))
    left = draw(expressions(depth=depth - 1))
    right = draw(expressions(depth=depth - 1))
    return f"({left} {operator} {right})" if draw(st.booleans()) else f"{left} {operator} {right}"


@settings(max_examples=200, deadline=None)
@given(
    expression=expressions(),
    contents=st.lists(st.sets(st.sampled_from(UNIVERSE)), min_size=3, max_size=3),
)
def test_expression_matches_python_set_algebra(expression: str, contents: list[set[str]]) -> None:
    groups = dict(zip(GROUPS, contents, strict=True))
    result = coalition(
        expression,
        "2024-07-01",
        group_members=lambda name, on: sorted(groups[name]),
        group_names=set(GROUPS),
        resolve_country=_fake_country,
    )
    # Python's set operators have the precedence the grammar promises: - before & before |.
    scope = {**{g: frozenset(v) for g, v in groups.items()}}
    scope.update({c: frozenset({c}) for c in UNIVERSE})
    expected = eval(expression, {"__builtins__": {}}, scope)
    assert result.members == tuple(sorted(expected))


@settings(max_examples=200, deadline=None)
@given(expression=expressions(), data=st.data())
def test_parse_errors_point_at_the_offending_character(
    expression: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(expression)))
    broken = expression[:position] + "#" + expression[position:]
    with pytest.raises(ExpressionError) as caught:
        parse(broken)
    assert caught.value.position == position
    assert str(caught.value).splitlines()[-1].index("^") - 2 == position
    # The CLI's line: the same place, 1-based, with the expression quoted, on one line.
    line = caught.value.one_line()
    assert "\n" not in line and f"at position {position + 1} of " in line
    if len(broken) <= 60:
        assert repr(broken) in line


@pytest.mark.parametrize(
    ("text", "position"),
    [("NATO &", 6), ("NATO && EU", 6), ("(NATO", 5), ("NATO)", 4), ("", 0), ('"abc', 0)],
)
def test_syntax_errors(text: str, position: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.position == position
    assert f"at position {position + 1} of {text!r}: expected " in caught.value.one_line()
