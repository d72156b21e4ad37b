"""Projections of defence spending to 2035 with uncertainty (`alliance project`).

- `baseline.py`: the starting point read from the store (NATO share of GDP, else SIPRI; IMF GDP).
- `paths.py`: the paths of the share of GDP (current, trend, pledges, hague, a CSV file).
- `assumptions.py`: the model's parameters, shipped with their sources, overridable from YAML.
- `montecarlo.py`: the draws, vectorised over draws x countries x years, chunked, seeded.
- `projection.py`: `project(...)` and its result type (`.records()`, `.frame()`, `.to_dict()`).
- `charts.py`: the fan chart of P(meet target) and spending bands.

numpy is imported only when a projection runs: `from alliance.projections import project`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alliance.projections.projection import Projection as Projection
    from alliance.projections.projection import project as project


def __getattr__(name: str) -> Any:
    if name in ("project", "Projection"):
        from alliance.projections import projection

        return getattr(projection, name)
    raise AttributeError(name)
