"""Where alliance keeps its files: the cache folder (the store and the caches beside it) and the
data folder (imports). Apart from `alliance.store`, which re-exports `home`, so that a map or a
chart worker finds its caches without importing DuckDB."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> tuple[Path, Path]:
    """(cache folder for the store, data folder for imports); ALLIANCE_HOME puts both in one."""
    override = os.environ.get("ALLIANCE_HOME")
    if override:
        root = Path(override)
        return root / "cache", root / "data"
    import platformdirs

    return Path(platformdirs.user_cache_dir("alliance")), Path(
        platformdirs.user_data_dir("alliance")
    )
