"""Observation records of NATO figures, and the checks every NATO parse ends with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from alliance.provenance import Edition
from alliance.schema import split_locator
from alliance.sources import ParsedFile
from alliance.sources.nato.layout import Measure
from alliance.sources.nato.releases import SOURCE_ID, TABLES_DATASET
from alliance.validation import ValidationReport

if TYPE_CHECKING:
    import pandas as pd

INVALID: Final = object()  # a cell refused (its problem recorded)
SHARE_INDICATORS: Final = frozenset(
    {
        "defence_expenditure_share_gdp",
        "equipment_share",
        "personnel_share",
        "infrastructure_share",
        "other_share",
    }
)


def record(
    measure: Measure,
    entity: str,
    year: int,
    estimate: bool,
    value: float | None,
    currency: str | None,
    note: str | None,
) -> dict[str, Any]:
    return {
        "source_id": SOURCE_ID,
        "edition": None,
        "dataset": TABLES_DATASET,
        "entity": entity,
        "year": year,
        "indicator": measure.indicator,
        "value": value,
        "unit": measure.unit,
        "currency": currency,
        "price_basis": measure.price_basis,
        "exchange_basis": measure.exchange_basis,
        "definition": "nato",
        "period": "calendar",
        "estimate": estimate,
        "estimate_kind": "estimate" if estimate else None,
        "missing": "no_data" if value is None else None,
        "note": note,
        "locator": None,
    }


def validated(
    edition: Edition | None,
    records: list[dict[str, Any]],
    report: ValidationReport,
    warnings: ValidationReport,
) -> ParsedFile | None:
    """Schema checks run even when other problems were found, so all are reported at once."""
    frame = _frame(records, edition.edition if edition else "undated")
    _validate(frame, report)
    return ParsedFile.from_frame(edition, frame, warnings, schema_checked=True) if edition else None


def _frame(records: list[dict[str, Any]], edition: str) -> pd.DataFrame:
    import pandas as pd

    from alliance.schema import OBSERVATION_COLUMNS

    frame = pd.DataFrame.from_records(records, columns=list(OBSERVATION_COLUMNS))
    frame["edition"] = edition
    return frame.astype({"year": "int64", "value": "float64", "estimate": "bool"})


def _validate(frame: pd.DataFrame, report: ValidationReport) -> None:
    from alliance.schema import validate_observations

    validate_observations(frame, report)
    share = frame["indicator"].isin(list(SHARE_INDICATORS - {"defence_expenditure_share_gdp"}))
    outside = share & ((frame["value"] < 0) | (frame["value"] > 100))
    for _, row in frame[outside].iterrows():
        sheet, column, line = split_locator(row["locator"])
        report.add(
            f"{row['indicator']} outside 0-100 %",
            expected="a percentage of total defence expenditure",
            sheet=sheet,
            row=line,
            column=column,
            value=row["value"],
        )
