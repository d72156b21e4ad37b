"""Importers for official releases, one module per publisher.

Every importer module exposes:

    KIND: str                                  # 'sipri', 'nato', 'wb', 'imf', 'kiel', 'fed'
    def sniff(path: Path) -> bool               # recognises its files by content, not name
    def parse(path: Path) -> ParsedFile         # raises InvalidFileError with a full report

Layouts (header rows, sheets, columns, units) live in `sources/layouts/*.csv`; publisher
country names map to entities through `sources/names/<kind>.csv` (columns: name, entity, note).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from alliance.provenance import Edition
    from alliance.validation import ValidationReport


@dataclass
class ParsedFile:
    """What an importer returns: the edition record, the long observations and the report.

    `observations` follows `alliance.schema.OBSERVATION_COLUMNS` exactly. `report` holds warnings
    that did not refuse the file (it is empty when all went well).
    """

    edition: Edition
    observations: pd.DataFrame
    report: ValidationReport
    schema_checked: bool = False  # the importer already ran schema.validate_observations
