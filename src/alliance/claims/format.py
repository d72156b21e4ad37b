"""Numbers as a fact-check shows them: shares as percent, amounts with their scale and currency."""

from __future__ import annotations

from alliance.numerals import plain

SCALES = {"unit": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_CURRENCY_WORDS = {"USD": "US$", "INTL": "int. $", "EUR": "€"}
COUNTED_AS_ZERO = "no figure — counted as 0 as in NATO's totals"


def unit_scale(unit: str) -> tuple[float, str] | None:
    """'billion USD' -> (1e9, 'USD'); 'persons' -> (1.0, 'persons'); None for unknown scales."""
    words = unit.split()
    if len(words) == 2 and words[0] in SCALES:
        return SCALES[words[0]], words[1]
    if len(words) == 1 and words[0] not in ("fraction", "percent", "count", "ratio", "boolean"):
        return 1.0, words[0]
    if len(words) == 1 and words[0] == "thousand_persons":
        return 1e3, "persons"
    return None


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "fraction":
        return f"{value * 100:.1f} %"
    if unit == "percent":
        return f"{value:.2f} %"
    if unit in ("count", "boolean"):
        return plain(value, 6)
    if unit == "ratio":
        return f"{value:.2f}"
    scaled = unit_scale(unit)
    if scaled is None:
        return f"{plain(value)} {unit}"
    factor, currency = scaled
    if currency == "persons":
        return f"{value * factor:,.0f} persons"
    return _money(value * factor, currency)


def _money(amount: float, currency: str) -> str:
    symbol = _CURRENCY_WORDS.get(currency, currency + " ")
    for word, size in (("tn", 1e12), ("bn", 1e9), ("m", 1e6)):
        if abs(amount) >= size:
            return f"{symbol}{amount / size:,.1f} {word}"
    return f"{symbol}{amount:,.0f}"
