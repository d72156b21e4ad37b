"""Results ready to show: the table, its records, its title and the lines under it.

The CLI prints a `View`, the web API returns it as JSON or CSV and the pages draw it, so a title,
a footer or a count is composed once, here, from the library's result types. One module per
concept: `views.coalitions` (coalition, aggregate, share, compare), `views.commitments`
(targets, target history, pledges, the allies' shares of GDP).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class View:
    """Rows under named columns, a title, and the lines under the table (method, sources,
    estimates, caveats); `editions` names every (source, edition, dataset) the rows came from."""

    columns: tuple[str, ...]
    rows: Sequence[Sequence[Any]]
    title: str = ""
    footer: tuple[str, ...] = ()
    editions: tuple[tuple[str, str, str], ...] = field(default=())

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([list(row) for row in self.rows], columns=list(self.columns))

    def transposed(self) -> View:
        """A one-row view as `field`/`value` rows, for reading on a screen."""
        (row,) = self.rows
        pairs = [[name, value] for name, value in zip(self.columns, row, strict=True)]
        return View(("field", "value"), pairs, self.title, self.footer, self.editions)

    def without(self, *columns: str) -> View:
        """The view less some columns (e.g. long texts that the footer already states once)."""
        keep = [i for i, name in enumerate(self.columns) if name not in columns]
        rows = [[row[i] for i in keep] for row in self.rows]
        names = tuple(self.columns[i] for i in keep)
        return View(names, rows, self.title, self.footer, self.editions)

    def to_dict(self) -> dict[str, Any]:
        """Title, records, the notes under the table and the editions used (for JSON)."""
        return {
            "title": self.title,
            "columns": list(self.columns),
            "records": self.records(),
            "notes": list(self.footer),
            "editions": [{"source_id": s, "edition": e, "dataset": d} for s, e, d in self.editions],
        }
