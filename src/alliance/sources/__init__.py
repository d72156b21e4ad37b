"""Importers for official releases, one module per publisher.

Every importer module exposes:

    KIND: str                                  # 'sipri', 'nato', 'wb', 'imf', 'kiel', 'fed'
    def sniff(path: Path) -> bool               # recognises its files by content, not name
    def parse(path: Path) -> ParsedFile         # raises InvalidFileError with a full report

Layouts (header rows, sheets, columns, units) live in `sources/layouts/*.csv`; publisher
country names map to entities through `sources/names/<kind>.csv` (columns: name, entity, note).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from alliance.provenance import Edition
    from alliance.validation import ValidationReport


@dataclass
class ParsedFile:
    """What an importer returns: the edition record, the long observations and the report.

    `table` holds the observations as Arrow, with exactly the columns of
    `alliance.schema.OBSERVATION_COLUMNS` (types: `alliance.schema.observation_arrow_schema`);
    the import path reads only that, so it never imports pandas. `observations` is the same
    table as a pandas DataFrame, for the Python API. `report` holds warnings that did not refuse
    the file (it is empty when all went well).
    """

    edition: Edition
    table: pa.Table
    report: ValidationReport
    schema_checked: bool = False  # the importer already ran schema.validate_observations
    # `observations` once built; not copied by dataclasses.replace, which may change `table`.
    _frame: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_frame(
        cls,
        edition: Edition,
        frame: pd.DataFrame,
        report: ValidationReport,
        schema_checked: bool = False,
    ) -> ParsedFile:
        """For importers that build a pandas frame: the frame is kept as `observations`."""
        parsed = cls(edition, observation_table(frame), report, schema_checked)
        parsed._frame = frame
        return parsed

    @property
    def observations(self) -> pd.DataFrame:
        """The observations as a pandas DataFrame (converted from `table` once, then kept)."""
        if self._frame is None:
            self._frame = self.table.to_pandas()
        return self._frame


def observation_table(frame: pd.DataFrame) -> pa.Table:
    """A pandas observation frame as an Arrow table of the schema's columns and types."""
    import pyarrow as pa

    from alliance.schema import OBSERVATION_COLUMNS, observation_arrow_schema

    table = pa.Table.from_pandas(
        frame[list(OBSERVATION_COLUMNS)], schema=observation_arrow_schema(), preserve_index=False
    )
    return table.replace_schema_metadata(None)  # pandas' own metadata: not part of the data
