"""The README's Python quickstart, run as written: every ```python block, twice, in one process.

The second run catches names that change meaning after first use (issue 12: importing the
submodule `alliance.observations` replaced the function `alliance.observations` on the package).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from typing import Any

import alliance

README = Path(__file__).resolve().parents[1] / "README.md"


def quickstart_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_has_a_python_quickstart() -> None:
    blocks = quickstart_blocks()
    assert blocks, "README.md has no ```python block"
    assert any("alliance.observations(" in block for block in blocks)


def test_readme_python_quickstart_runs_twice_in_one_process() -> None:
    for run in (1, 2):
        namespace: dict[str, Any] = {}
        for block in quickstart_blocks():
            exec(compile(block, f"README.md python block (run {run})", "exec"), namespace)
        frame = namespace["frame"]
        assert set(frame["entity"]) == {"DEU", "POL"}
        assert frame.attrs["editions"], "the quickstart promises the editions used"


def test_no_submodule_import_shadows_a_public_function() -> None:
    exported = {name: getattr(alliance, name) for name in alliance.__all__}
    for module in pkgutil.walk_packages(alliance.__path__, "alliance."):
        if ".web" in module.name:  # optional extra; imported by its own tests
            continue
        importlib.import_module(module.name)
    for name, function in exported.items():
        assert getattr(alliance, name) is function, f"alliance.{name} changed after imports"
        assert callable(getattr(alliance, name)), name
    assert len(alliance.countries()) > 30
    assert not alliance.observations("defence", entities=["DEU"], source="nato").empty
