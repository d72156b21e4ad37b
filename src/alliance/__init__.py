"""alliance: the open, sourced, reproducible model of Europe's collective defence.

    >>> import alliance
    >>> alliance.observations("defence_expenditure_share_gdp", entities=["DEU"], source="nato")
    >>> alliance.members("NATO", date(2014, 1, 1))

Functions are imported on first use so that `import alliance` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "observations": "alliance.observations",
    "editions": "alliance.observations",
    "resolve_country": "alliance.countries",
    "countries": "alliance.countries",
    "members": "alliance.memberships",
    "groups": "alliance.memberships",
    "import_file": "alliance.importing",
    "diff_editions": "alliance.importing",
    "run_sql": "alliance.store",
    "connect": "alliance.store",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'alliance' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
