"""Numbers as text for readers: fixed notation with thousands separators, never `2.93e+04`.

Python's `g` format switches to scientific notation for large and small magnitudes (29,300 with
four significant digits prints as 2.93e+04; 26.84 billion as 2.684e+10). Readers of a fact check
or a table should never have to decode that, so every message and report that shows a number of
unknown size uses `plain`.
"""

from __future__ import annotations

import math

# Below this many decimals a value shows as 0 rather than a long run of zeros.
MAX_DECIMALS = 10


def plain(value: float, significant: int = 4) -> str:
    """`value` in fixed notation with thousands separators: at least `significant` digits
    (whole-number digits are never rounded away), trailing zeros dropped.

    plain(29300.0) == "29,300"; plain(26843512345.0) == "26,843,512,345";
    plain(0.000123456) == "0.0001235"; plain(3.5) == "3.5".
    """
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = min(MAX_DECIMALS, max(0, significant - 1 - magnitude))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
