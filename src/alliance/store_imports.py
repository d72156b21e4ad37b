"""The user's imports: one Parquet file per edition beside the store, its `Edition` record in the
file's metadata, validated together with the store (the checks of `store_writer`) before a single
rename makes it visible: an import lands whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from alliance import store, store_writer
from alliance.provenance import Edition
from alliance.schema import OBSERVATION_COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa


def import_path(edition: Edition) -> Path:
    safe = f"{edition.edition}__{edition.dataset}".replace("/", "_")
    return store.imports_dir() / edition.source_id / f"{safe}.parquet"


def write_import(edition: Edition, observations: pa.Table) -> Path:
    """Validate an imported edition against the store, then make it visible in one rename.

    `observations` has the columns of OBSERVATION_COLUMNS (`alliance.sources.ParsedFile.table`).
    The file is written under a hidden name (ignored by every reader), checked together with the
    store (known countries, no duplicate keys, plausible ranges), and renamed into place.
    """
    import pyarrow.parquet as pq

    table = observations.select(list(OBSERVATION_COLUMNS))
    metadata = {
        **(table.schema.metadata or {}),
        store.EDITION_METADATA_KEY: json.dumps(edition.record()),
    }
    table = table.replace_schema_metadata(metadata)
    target = import_path(edition)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".importing-", suffix=".parquet", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        pq.write_table(table, temporary)
        # Checked with the store and the file it would replace: every other import holds another
        # edition (a file's name is its edition and dataset), so no key of theirs can clash, and
        # reading them all made each import heavier than the last.
        replaced = [p for p in store.imported_files() if p == target]
        with store.open_store([*replaced, temporary], store.imports_dir()) as connection:
            report = store_writer._validate(connection, only_file=temporary.name)
        report.file = str(edition.file_name)
        report.raise_if_failed()
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return target


def remove_import(edition: Edition) -> None:
    path = import_path(edition)
    if path.exists():
        path.unlink()


__all__ = ["import_path", "remove_import", "write_import"]
