"""Shared test fixtures: a private ALLIANCE_HOME per session, and paths to the reference files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("ALLIANCE_REFERENCE", REPO.parent / "shared" / "reference-data"))


@pytest.fixture(scope="session", autouse=True)
def alliance_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("alliance-home")
    os.environ["ALLIANCE_HOME"] = str(home)
    return home


def reference_file(relative: str) -> Path:
    """A file in ../shared/reference-data, or skip the test saying which file is absent.

    Under CI (`CI=true`) an absent file fails the test instead: a run that skipped the tests on
    real files would pass without having checked them.
    """
    path = REFERENCE / relative
    if not path.exists():
        message = f"reference file not present: {path}"
        if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
            pytest.fail(f"{message} (CI=true: reference files are required)", pytrace=False)
        pytest.skip(message)
    return path
