"""alliance: the open, sourced, reproducible model of Europe's collective defence.

    >>> import alliance
    >>> alliance.observations("defence_expenditure_share_gdp", entities=["DEU"], source="nato")
    >>> alliance.members("NATO", date(2014, 1, 1))

Functions are imported on first use so that `import alliance` stays fast.

Two public functions share their name with the submodule that defines them (`observations`,
`countries`). Python's import system binds a submodule to its package's attribute of the same name
when the submodule is first imported, which replaced the function with the module (issue 12: the
second `alliance.observations(...)` raised "'module' object is not callable"). The package's
module class therefore keeps every public name bound to its function; the submodules stay
reachable through `from alliance.observations import ...` and `sys.modules`.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real signatures, for users' type checkers and editors
    from alliance.countries import countries as countries
    from alliance.countries import resolve_country as resolve_country
    from alliance.importing import diff_editions as diff_editions
    from alliance.importing import import_file as import_file
    from alliance.memberships import groups as groups
    from alliance.memberships import members as members
    from alliance.observations import editions as editions
    from alliance.observations import observations as observations
    from alliance.sandbox import run_sql as run_sql
    from alliance.store import connect as connect

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
    "run_sql": "alliance.sandbox",
    "connect": "alliance.store",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        function = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = function  # bound once; _Package keeps it bound
        return function
    raise AttributeError(f"module 'alliance' has no attribute {name!r}")


class _Package(types.ModuleType):
    """The package module: a submodule being imported never replaces a public function."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return  # the import system binding `alliance.<name>` to the submodule
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = sorted(_EXPORTS)
