"""Files the user names: checked before use, and any OS error while using them is one message.

Every command that reads or writes a file the user gave (an import, a claim file, --output,
--chart, a report) goes through these helpers, so that a missing file, a folder, a name too long
for the file system or a missing permission is a `FileAccessError` naming the path and what was
expected, never an `OSError` traceback.

Files are written whole or not at all (`write_bytes`, `write_text`, `write_with`): the content
goes to a temporary file beside the target, which then replaces it by rename, so a full disk, a
size limit or Ctrl-C leaves the old file (or none), never half a file. A target that is not a
regular file - a device such as /dev/full or /dev/null, a pipe, /dev/stdout - cannot be replaced
by rename (and must not be: renaming over /dev/full as root would remove the device), so it is
written in place; a pipe nobody reads is refused rather than waited on.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from alliance.errors import FileAccessError

# Plain words for the errors a user can cause by the name they give; others keep the OS's words.
_PROBLEMS = {
    errno.ENOENT: "it does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EEXIST: "a part of the path is not a folder",  # from mkdir: a file in the way
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ELOOP: "too many symbolic links",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "the file would exceed the size limit",
    errno.ENXIO: "nothing reads from it (a pipe without a reader, or a device not there)",
}


def _problem(error: OSError) -> str:
    known = _PROBLEMS.get(error.errno) if error.errno is not None else None
    return known or (error.strerror or str(error)).rstrip(".").lower()


@contextmanager
def file_errors(path: Path | str, action: str, expected: str) -> Iterator[None]:
    """Turn an OSError raised while reading or writing `path` into a FileAccessError.

    `action` is "read" or "write"; `expected` says what the path should be ("a claim file").
    A NUL character (possible from Python, not from a shell) is refused the same way.
    """
    try:
        yield
    except OSError as error:
        raise FileAccessError(str(path), action, _problem(error), expected) from None
    except ValueError as error:  # "embedded null byte" from os functions
        if "null" not in str(error):
            raise
        raise FileAccessError(
            str(path), action, "the name holds a NUL character", expected
        ) from None


def readable_file(path: Path | str, expected: str) -> Path:
    """`path` as a Path if it is an existing regular file this process may read."""
    file = Path(path)
    with file_errors(file, "read", expected):
        mode = file.stat().st_mode  # its errno says why: missing, a file in the way, too long
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder")
        if not stat.S_ISREG(mode):  # a device or a pipe could block or never end
            raise OSError(errno.EINVAL, "it is not a regular file")
        if not os.access(file, os.R_OK):
            raise PermissionError(errno.EACCES, "not readable")
    return file


def writable_file(path: Path | str, expected: str) -> Path:
    """`path` as a Path if a file can be written there: not a folder, a name the file system
    takes, and the nearest existing folder above it writable. Creates nothing."""
    file = Path(path)
    with file_errors(file, "write", expected):
        _check_writable(file)
    return file


def writable_folder(path: Path | str, expected: str) -> Path:
    """`path` as a Path if files can be written in it: an existing folder this process may
    write, or one that can be made under the nearest existing folder. Creates nothing."""
    folder = Path(path)
    with file_errors(folder, "write", expected):
        if folder.exists() and not folder.is_dir():
            raise FileAccessError(str(folder), "write", "it is not a folder", expected)
        if folder.is_dir():
            if not os.access(folder, os.W_OK | os.X_OK):
                raise PermissionError(errno.EACCES, "folder not writable")
        else:
            _check_writable(folder / "file")  # the checks of a file made inside it
    return folder


def _check_writable(file: Path) -> None:
    limit = _name_limit(file)
    if any(len(os.fsencode(part)) > limit for part in file.parts):
        raise OSError(errno.ENAMETOOLONG, "name too long")
    if file.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder")
    if file.exists():
        if not os.access(file, os.W_OK):
            raise PermissionError(errno.EACCES, "not writable")
        return
    folder = file.absolute().parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder")
    if not os.access(folder, os.W_OK):
        raise PermissionError(errno.EACCES, "folder not writable")


def _name_limit(file: Path) -> int:
    """The longest file name (in bytes) the file system under `file` takes; 255 if unknown."""
    folder = file.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def write_text(path: Path | str, text: str, expected: str) -> Path:
    """Write `text` (UTF-8) to `path` whole or not at all (see `write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"), expected)


def write_with(path: Path | str, write: Callable[[BinaryIO], object], expected: str) -> Path:
    """Write what `write(handle)` produces (matplotlib's savefig, openpyxl's save, pyarrow's
    write_table) to `path` whole or not at all.

    The writer fills a buffer in memory and only `write_bytes` touches the file system: a writer
    cut off by a full disk leaves half-built objects whose clean-up prints tracebacks (openpyxl),
    and its OS errors would come without the path. Outputs are tables and charts (megabytes).
    """
    buffer = io.BytesIO()
    write(buffer)
    return write_bytes(path, buffer.getvalue(), expected)


def write_bytes(path: Path | str, data: bytes, expected: str) -> Path:
    """Write `data` to `path`, creating its folder; any OS error is a FileAccessError.

    A regular file (or a new one) is written to a temporary file beside it and renamed over it,
    keeping the old file's permissions; a symbolic link stays a link and its target is replaced.
    A device, a pipe, or anything under /dev or /proc is written in place and never created.
    On failure nothing is left: no temporary file, no folder made for it, the old file intact.
    """
    file = Path(path)
    with file_errors(file, "write", expected):
        if _is_system_path(file):
            _write_in_place(file, data)
            return file
        target = Path(os.path.realpath(file))
        try:
            mode: int | None = target.stat().st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder")
        if mode is not None and not stat.S_ISREG(mode):
            _write_in_place(target, data)
        elif mode is not None and not os.access(target, os.W_OK):
            # a rename would replace a file its owner made read-only
            raise PermissionError(errno.EACCES, "not writable")
        else:
            _replace(target, data, mode)
    return file


def _is_system_path(file: Path) -> bool:
    """/dev/stdout, /dev/fd/N, /proc/self/fd/N: links the kernel resolves, not files to replace."""
    return file.absolute().parts[1:2] in (("dev",), ("proc",))


def _write_in_place(target: Path, data: bytes) -> None:
    """Open an existing device, pipe or /dev entry and write to it (a regular file behind
    /dev/stdout is truncated first, as a shell's `>` would)."""
    regular = stat.S_ISREG(target.stat().st_mode)
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC
    # O_NONBLOCK: opening a pipe that no process reads fails (ENXIO) instead of waiting forever
    flags |= os.O_TRUNC if regular else os.O_NONBLOCK
    handle = os.open(target, flags)
    try:
        if not regular:
            os.set_blocking(handle, True)
        _write_all(handle, data)
    finally:
        os.close(handle)


def _replace(target: Path, data: bytes, mode: int | None) -> None:
    created = _make_folders(target.parent)
    temporary = target.with_name(f".{target.name[:60]}.{secrets.token_hex(4)}.partial")
    try:
        # 0o666 and O_EXCL: a new output gets the usual permissions (after umask), and an
        # existing file of that name is never written through
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            try:
                _write_all(handle, data)
                os.fsync(handle)  # the rename must not land before the content on a crash
            finally:
                os.close(handle)
            if mode is not None:
                os.chmod(temporary, stat.S_IMODE(mode))
            os.replace(temporary, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary)
            raise
    except BaseException:
        for folder in reversed(created):
            with suppress(OSError):
                folder.rmdir()
        raise


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; return those created, outermost first."""
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    missing.reverse()
    created: list[Path] = []
    try:
        for each in missing:
            each.mkdir()
            created.append(each)
    except BaseException:
        for each in reversed(created):
            with suppress(OSError):
                each.rmdir()
        raise
    return created


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]
