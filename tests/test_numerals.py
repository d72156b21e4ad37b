"""Numbers never print in scientific notation (issue 14: `2.93e+04` and `2.684e+10` in `check`)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.numerals import plain

SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")


@pytest.mark.parametrize(
    ("value", "significant", "expected"),
    [
        (29300.0, 4, "29,300"),  # was 2.93e+04
        (26843512345.0, 4, "26,843,512,345"),  # was 2.684e+10: whole digits are never rounded
        (664.44, 4, "664.4"),
        (8.2724, 4, "8.272"),
        (0.000123456, 4, "0.0001235"),
        (-0.00001, 6, "-0.00001"),  # was -1e-05
        (3.5, 6, "3.5"),
        (2.0, 6, "2"),
        (0.0, 4, "0"),
        (-1234567.891, 4, "-1,234,568"),
    ],
)
def test_plain_numbers(value: float, significant: int, expected: str) -> None:
    assert plain(value, significant) == expected


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_plain_is_fixed_notation_and_reads_back_close(value: float) -> None:
    text = plain(value)
    assert not SCIENTIFIC.search(text)
    shown = float(text.replace(",", ""))
    assert abs(shown - value) <= max(abs(value) * 1e-3, 1e-10)


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "html"])
def test_check_outputs_hold_no_scientific_notation(fmt: str) -> None:
    from typer.testing import CliRunner

    from alliance.cli.app import build_app

    result = CliRunner().invoke(build_app(("check",)), ["check", "--example", "--format", fmt])
    assert result.exit_code == 0, result.output
    found = [m.group() for m in re.finditer(r"[\d.,]+[eE][+-]\d+", result.output)]
    assert not found
    if fmt in ("markdown", "html"):  # the source rows, written out: the USA's IMF GDP 2024
        assert "USA 2024 at NGDPD!AT190 = 29,298" in result.output  # was 2.93e+04
