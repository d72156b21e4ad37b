"""The user's imports: one Parquet file per edition beside the store, its `Edition` record in the
file's metadata, validated together with the store (the checks of `store_writer`) before a single
rename makes it visible: an import lands whole or not at all.

Each file's SHA-256 and size go to the manifest of the data home (`store_trust`) before the rename,
under the imports lock: queries serve only files recorded there, so a file that another program
wrote or changed in the imports folder is reported and ignored, never served.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from alliance import store, store_newest, store_trust, store_writer
from alliance.paths import file_errors
from alliance.provenance import Edition, sha256_of
from alliance.schema import OBSERVATION_COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

_WRITABLE_IMPORTS = "a writable folder for imports, with free space (in the data home; "
_WRITABLE_IMPORTS += "ALLIANCE_HOME chooses another)"


def import_path(edition: Edition) -> Path:
    safe = f"{edition.edition}__{edition.dataset}".replace("/", "_")
    return store.imports_dir() / edition.source_id / f"{safe}.parquet"


@contextlib.contextmanager
def imports_lock() -> Iterator[None]:
    """Hold the imports lock (one import or removal at a time across processes; re-entrant in
    a thread): wrap a whole check-then-write in it so that two imports cannot both pass it."""
    homes = store.trust_homes()
    with contextlib.ExitStack() as held:
        with file_errors(homes.data, "write", _WRITABLE_IMPORTS):
            homes.data.mkdir(parents=True, exist_ok=True)
            held.enter_context(store_trust.file_lock(homes.data / store_trust.LOCK_NAME))
        yield


def write_import(edition: Edition, observations: pa.Table) -> Path:
    """Validate an imported edition against the store, then make it visible in one rename.

    `observations` has the columns of OBSERVATION_COLUMNS (`alliance.sources.ParsedFile.table`).
    The file is written under a hidden name (ignored by every reader), checked together with the
    store (known countries, no duplicate keys, plausible ranges), recorded in the manifest and
    renamed into place.
    """
    import pyarrow.parquet as pq

    table = observations.select(list(OBSERVATION_COLUMNS))
    metadata = {
        **(table.schema.metadata or {}),
        store.EDITION_METADATA_KEY: json.dumps(edition.record()),
    }
    table = table.replace_schema_metadata(metadata)
    target = import_path(edition)
    with imports_lock():
        replaced = [p for p in store.imported_files() if p == target]  # also sweeps leftovers
        store_trust.sweep_temporaries(store.trust_homes().data)
        with file_errors(target.parent, "write", _WRITABLE_IMPORTS):
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(
                prefix=".importing-", suffix=".parquet", dir=target.parent
            )
            os.close(handle)
        temporary = Path(name)
        try:
            with file_errors(target.parent, "write", _WRITABLE_IMPORTS):
                pq.write_table(table, temporary)
            # Checked with the store and the file it would replace: every other import holds
            # another edition (a file's name is its edition and dataset), so no key of theirs
            # can clash, and reading them all made each import heavier than the last.
            with store.open_store([*replaced, temporary], store.imports_dir()) as connection:
                report = store_writer._validate(connection, only_file=temporary.name)
            report.file = str(edition.file_name)
            report.raise_if_failed()
            _land(temporary, target, replaced)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    _update_newest()  # here, so that the next query does not pay for it
    return target


def _land(temporary: Path, target: Path, replaced: list[Path]) -> None:
    """Record the file, rename it into place, and remember it as verified."""
    homes = store.trust_homes()
    relative = target.relative_to(homes.imports).as_posix()
    sha256, size = sha256_of(temporary), temporary.stat().st_size
    # Recorded before the rename (a reader never sees it unrecorded); the file it replaces stays
    # acceptable until then, so a reader in between serves the old edition, not a warning.
    previous = [(d[0], d[1]) for d in (store_trust.manifest(homes) or {}).get(relative, [])]
    with file_errors(homes.data, "write", _WRITABLE_IMPORTS):
        store_trust.record(homes, relative, [*previous[: len(replaced)], (sha256, size)])
        os.replace(temporary, target)
        store_trust.record(homes, relative, [(sha256, size)])
    store_trust.remember_verified(
        homes, {relative: store_trust.verified_entry(target, sha256, store.store_key())}
    )


def remove_import(edition: Edition) -> None:
    remove_file(import_path(edition))


def remove_file(path: Path) -> None:
    """Delete an imported file and its record."""
    homes = store.trust_homes()
    with imports_lock(), file_errors(path, "write", "a file in the imports folder"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        store_trust.record(homes, path.relative_to(homes.imports).as_posix(), [])
    _update_newest()


def _update_newest() -> None:
    """The newest rows of the imports queries serve now (`store_newest`; a cache, never fatal)."""
    store_newest.ensure(store.home()[0], store.imported_files())


def ignored_files(source_id: str, edition: str) -> list[Path]:
    """Files of `edition` of `source_id` in the imports folder that queries ignore (reported
    when read): `alliance data remove` removes these too."""
    folder = store.imports_dir() / source_id
    prefix = f"{edition}__".replace("/", "_")
    if folder.parent != store.imports_dir() or source_id in ("", ".", ".."):
        return []
    served = set(store.imported_files())
    with contextlib.suppress(OSError):
        return sorted(
            p
            for p in folder.iterdir()
            if p.name.startswith(prefix) and p.suffix == ".parquet" and p not in served
        )
    return []


def ignored_edition(path: Path) -> Edition:
    """What `alliance data remove` says it removed for an ignored file: its name's edition."""
    edition, _, dataset = path.stem.partition("__")
    return Edition(
        source_id=path.parent.name,
        edition=edition,
        dataset=dataset,
        publisher="",
        title="",
        published=None,
        url="",
        licence="",
        citation="",
        file_name=path.name,
        sha256="",
        origin="imported",
        notes=f"an ignored file: {path}",
    )


__all__ = [
    "ignored_edition",
    "ignored_files",
    "import_path",
    "imports_lock",
    "remove_file",
    "remove_import",
    "write_import",
]
