"""The metric catalogue (src/alliance/metrics/definitions/*.csv) checked as data: every series
exists in the store, every metric answers its defaults, no two variants answer the same choices,
and every refused choice is said in one line naming what was wrong."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from alliance.errors import InvalidArgumentError
from alliance.metrics import METRIC_ALIASES, METRICS, UNIT_SCALE, metric_spec
from alliance.metrics.catalogue import NOT_NAMED, catalogue
from alliance.schema import INDICATORS

CATALOGUE = catalogue()
PRICES = (None, "current", "constant")


@pytest.mark.parametrize("key", sorted(CATALOGUE.series))
def test_every_series_has_figures_in_the_store(key: str) -> None:
    from alliance.observations import observation_records

    series = CATALOGUE.series[key]
    assert series.indicator in INDICATORS
    assert series.unit in UNIT_SCALE
    rows = observation_records(
        series.indicator,
        source=series.source,
        unit=series.unit,
        currency=series.currency,
        price_basis=series.price_basis,
        exchange_basis=series.exchange_basis,
    )
    datasets = {row["dataset"] for row in rows}
    assert rows, f"{key}: no stored figure"
    assert series.dataset is None or series.dataset in datasets, (key, datasets)


def test_every_series_is_used_and_every_metric_has_variants() -> None:
    used = {
        s for variants in CATALOGUE.variants.values() for v in variants for s in v.spec.series()
    }
    used |= {s.fallback for s in used if s.fallback}
    assert set(CATALOGUE.series.values()) == used
    assert all(CATALOGUE.variants[name] for name in CATALOGUE.metrics)
    assert set(METRIC_ALIASES.values()) <= set(CATALOGUE.metrics)


@pytest.mark.parametrize("name", sorted(CATALOGUE.metrics))
def test_variants_answer_distinct_choices(name: str) -> None:
    seen: dict[tuple[str, str, str | None], str] = {}
    for variant in CATALOGUE.variants[name]:
        assert variant.spec.name == name
        assert variant.source.split(",")[0] == variant.spec.primary_source
        for prices, gdp in itertools.product(variant.prices, variant.gdp_sources or (None,)):
            choice = (variant.source, prices, gdp)
            assert choice not in seen, f"{name}: {choice} answered twice"
            seen[choice] = variant.spec.definition


@pytest.mark.parametrize("name", sorted(CATALOGUE.metrics))
def test_defaults_answer_at_every_prices(name: str) -> None:
    """Without --source, a metric answers at the prices its variants accept."""
    accepted = {p for v in CATALOGUE.variants[name] for p in v.prices}
    for prices in PRICES:
        if (prices or NOT_NAMED) in accepted:
            assert metric_spec(name, prices=prices).name == name


def test_help_lists_every_metric_but_the_usd_twins() -> None:
    unlisted = set(CATALOGUE.metrics) - set(METRICS)
    assert unlisted == {f"{m}_usd" for m in METRICS if m.startswith("ukraine_aid")}


@pytest.mark.parametrize(
    ("metric", "options", "said"),
    [
        # A KeyError traceback before the catalogue was data.
        ("personnel", {"source": "imf"}, "Unknown personnel source 'imf': expected nato or wb."),
        # These answered with another source than the one named.
        ("population", {"source": "nato"}, "only from the World Bank: drop --source nato"),
        ("defence_share_gdp", {"source": "wb"}, "use --gdp-source wb with --definition sipri"),
        ("defence_share_gdp", {"definition": "x"}, "Unknown definition 'x'"),
        # As before.
        ("gdp", {"source": "wb", "prices": "constant"}, "use --source nato (got --source wb)"),
        ("defence_share_gdp", {"gdp_source": "wb"}, "GDP comes from NATO's Table 5"),
        ("defence_share_gdp", {"definition": "sipri", "prices": "constant"}, "drop --prices"),
        ("defence_share_gdp", {"definition": "sipri", "gdp_source": "oecd"}, "'oecd'"),
        ("ukraine_aid_usd", {"source": "wb"}, "ukraine_aid_usd comes only from the Kiel"),
        ("ukraine_aid", {"prices": "constant"}, "Kiel publishes ukraine_aid at current prices"),
        ("equipment_share", {"definition": "sipri"}, "only from NATO (Table 8a)"),
    ],
)
def test_refusals_name_what_was_wrong(metric: str, options: dict[str, str], said: str) -> None:
    with pytest.raises(InvalidArgumentError, match=None) as raised:
        metric_spec(metric, **options)
    assert said in str(raised.value)


def test_a_refused_choice_is_one_line_and_exit_2() -> None:
    args = ["aggregate", "NATO", "--metric", "personnel", "--source", "imf", "--year", "2024"]
    entry = "import sys; from alliance.cli.app import main; sys.argv[0] = 'alliance'; main()"
    done = subprocess.run(
        [sys.executable, "-c", entry, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Error: Unknown personnel source 'imf': expected nato or wb."
    ]


def test_specs_against_hand_written_cases() -> None:
    """What the builders produced before the catalogue was data (their code, read by hand)."""
    gdp = metric_spec("gdp")
    ((series, power),) = gdp.numerator.parts
    assert (series.source, series.unit, power, gdp.scale) == ("wb", "unit", 1, 1e9)
    assert series.fallback is not None and series.fallback.source == "imf"
    assert gdp.fallback_note.startswith("{year}: every member's figure from the IMF WEO")
    assert metric_spec("gdp", source="wb").numerator.parts[0][0].fallback is None
    constant = metric_spec("GDP", prices="Constant")
    assert constant.numerator.parts[0][0].price_basis == "constant_2015"
    share = metric_spec("share_gdp", definition="sipri")
    assert share.denominator is not None and share.denominator.factor == 100.0
    assert [p for _, p in share.denominator.parts] == [1, -1]
    assert share.multiplier == 100.0 and share.primary_source == "sipri"
    nato = metric_spec("defence_share_gdp")
    assert nato.numerator.factor == 0.01
    weights = nato.denominator.parts[0][0] if nato.denominator else None
    assert weights is not None and not weights.follows_edition
    aid = metric_spec("ukraine_aid_military_usd")
    assert aid.unit == "billion USD" and aid.period_of_edition is not None
    assert aid.period_of_edition("2024-08-31") == "24 Jan 2022 – 31 Aug 2024, cumulative"
