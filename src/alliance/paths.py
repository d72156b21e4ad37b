"""Files the user names: checked before use, and any OS error while using them is one message.

Every command that reads or writes a file the user gave (an import, a claim file, --output,
--chart, a report) goes through these helpers, so that a missing file, a folder, a name too long
for the file system or a missing permission is a `FileAccessError` naming the path and what was
expected, never an `OSError` traceback.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
        limit = _name_limit(file)
        if any(len(os.fsencode(part)) > limit for part in file.parts):
            raise OSError(errno.ENAMETOOLONG, "name too long")
        if file.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder")
        if file.exists():
            if not os.access(file, os.W_OK):
                raise PermissionError(errno.EACCES, "not writable")
            return file
        folder = file.absolute().parent
        while not folder.exists():
            folder = folder.parent
        if not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder")
        if not os.access(folder, os.W_OK):
            raise PermissionError(errno.EACCES, "folder not writable")
    return file


def _name_limit(file: Path) -> int:
    """The longest file name (in bytes) the file system under `file` takes; 255 if unknown."""
    folder = file.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def write_text(path: Path, text: str, expected: str) -> Path:
    """Write `text` (UTF-8) to `path`, creating its folder; errors as FileAccessError."""
    with file_errors(path, "write", expected):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path
