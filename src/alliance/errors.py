"""Every error `alliance` raises on purpose. Each says what was wrong and what is accepted.

The CLI turns any `AllianceError` into one line on stderr and exit code 2; nothing else in the
package prints errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol


class AllianceError(Exception):
    """Base class: a user-facing error with a one-line message."""

    def one_line(self) -> str:
        """The message as the CLI prints it (a subclass may say more in `str`)."""
        return str(self)


# Characters that would break the one line or act on the terminal (ESC sequences, bidi overrides,
# line and paragraph separators, lone surrogates from undecodable arguments) are shown escaped.
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def printable(text: str) -> str:
    """`text` on one line with every control or format character escaped as Python writes it
    (a tab as \\t, ESC as \\x1b, U+202E as \\u202e), for echoing user input in a message."""
    import unicodedata

    return "".join(
        char.encode("unicode_escape", "backslashreplace").decode("ascii")
        if unicodedata.category(char) in _UNPRINTABLE_CATEGORIES
        else char
        for char in text
    )


def _did_you_mean(suggestions: Iterable[str]) -> str:
    hint = ", ".join(suggestions)
    return f" Did you mean: {hint}?" if hint else ""


class UnknownCountryError(AllianceError):
    def __init__(self, text: str, suggestions: Iterable[str] = ()) -> None:
        super().__init__(
            f"Unknown country {text!r}: expected an ISO3 code (DEU), an ISO2 code (DE) "
            f"or a name (Germany).{_did_you_mean(suggestions)}"
        )
        self.text = text


class UnknownGroupError(AllianceError):
    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"Unknown group {name!r}: expected one of {', '.join(sorted(known))}.")
        self.name = name


class UnknownEditionError(AllianceError):
    def __init__(self, source: str, edition: str, known: Iterable[str]) -> None:
        choices = ", ".join(sorted(known)) or "none stored"
        super().__init__(f"Unknown edition {edition!r} of source {source!r}: expected {choices}.")


class UnknownSourceError(AllianceError):
    def __init__(self, source: str, known: Iterable[str]) -> None:
        super().__init__(f"Unknown source {source!r}: expected one of {', '.join(sorted(known))}.")


class UnknownIndicatorError(AllianceError):
    def __init__(self, indicator: str, known: Iterable[str]) -> None:
        super().__init__(
            f"Unknown indicator {indicator!r}: expected one of {', '.join(sorted(known))}."
        )


class YearOutOfRangeError(AllianceError):
    def __init__(self, year: int, first: int, last: int, what: str = "the data") -> None:
        super().__init__(f"Year {year} is outside {what}: expected a year from {first} to {last}.")


class InvalidDateError(AllianceError):
    def __init__(self, text: str) -> None:
        super().__init__(f"Invalid date {text!r}: expected YYYY-MM-DD, e.g. 2024-07-01.")


class InvalidArgumentError(AllianceError):
    """A value outside the accepted set, named with what is accepted."""


class ReadOnlyQueryError(AllianceError):
    """SQL refused because it is not one statement that only reads; `found` says what it is."""

    def __init__(self, statement: str, found: str = "a statement that writes") -> None:
        super().__init__(
            f"Refused {printable(statement.strip()[:60])!r}: alliance sql is read-only and this "
            f"is {found}; expected one SELECT (or WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE), "
            "PRAGMA table_info / show_tables / version, or EXPLAIN [ANALYZE] of a SELECT."
        )


class QueryError(AllianceError):
    """SQL that DuckDB could not run; carries DuckDB's own message."""


class QueryStoppedError(QueryError):
    """A query stopped before it ended: it ran past its time limit."""


class ExpressionError(AllianceError):
    """A coalition expression that does not parse; the message points at the character."""

    def __init__(self, expression: str, position: int, expected: str) -> None:
        pointer = " " * position + "^"
        super().__init__(
            f"Cannot parse coalition expression at character {position + 1}: expected {expected}.\n"
            f"  {expression}\n  {pointer}"
        )
        self.expression = expression
        self.position = position
        self.expected = expected

    def one_line(self) -> str:
        """Without the caret line: "... at position 7 of 'NATO && EU': expected ..."."""
        return (
            f"Cannot parse coalition expression at position {self.position + 1} of "
            f"{_excerpt(self.expression, self.position)}: expected {self.expected}."
        )


def _excerpt(text: str, position: int, width: int = 60) -> str:
    """`text` quoted; a long one cut to `width` characters around `position`, marked with ..."""
    if len(text) <= width:
        return repr(text)
    start = max(0, min(position - width // 2, len(text) - width))
    cut = text[start : start + width]
    return ("..." if start else "") + repr(cut) + ("..." if start + width < len(text) else "")


class MissingDataError(AllianceError):
    """Strict mode refused to answer because members lack data."""


class FileProblem(Protocol):
    """One problem of a report (`alliance.validation.Problem`)."""

    @property
    def message(self) -> str: ...
    @property
    def value(self) -> str | None: ...
    def location(self) -> str: ...


class FileReport(Protocol):
    """What InvalidFileError carries (`alliance.validation.ValidationReport`); a protocol, so
    that this module imports nothing of the package."""

    @property
    def file(self) -> str: ...
    @property
    def problems(self) -> Sequence[FileProblem]: ...
    def records(self) -> list[dict[str, Any]]: ...


class InvalidFileError(AllianceError):
    """A file refused by an importer or loader; carries the full validation report."""

    def __init__(self, report: FileReport) -> None:
        first = report.problems[0] if report.problems else None
        where = first.location() if first else str(report.file)
        count = len(report.problems)
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        message = first.message if first else "invalid file"
        super().__init__(f"Refused {report.file}: {where}: {message}{more}")
        self.report = report


class FileAccessError(AllianceError):
    """A file the user named that cannot be read or written (missing, a folder, name too long,
    no permission): names the path, the problem and what was expected."""

    def __init__(self, path: str, action: str, problem: str, expected: str) -> None:
        super().__init__(f"Cannot {action} {path!r}: {problem}; expected {expected}.")
        self.path = path


class StoreError(AllianceError):
    """The embedded store is missing, corrupt or locked."""


class ClaimFileError(AllianceError):
    """A claim file that is not valid YAML or does not follow the claim schema.

    Where the place is known, `line` and `column` are 1-based, as editors show them.
    """

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        where = f"{file}:{line}:{column}: " if file and line is not None else ""
        super().__init__(f"{where}{message}")
        self.file = file
        self.line = line
        self.column = column


class UnknownPlaceError(AllianceError):
    """A place that is neither a known territory nor a country."""

    def __init__(self, text: str, suggestions: Iterable[str] = ()) -> None:
        super().__init__(
            f"Unknown place {text!r}: expected a country (name, ISO2 or ISO3 code), a territory "
            f"name or id (Greenland, svalbard), or --at LAT,LON.{_did_you_mean(suggestions)}"
        )
        self.text = text


class ParameterFileError(AllianceError):
    """A model's parameter file (YAML) that cannot be read or breaks its rules."""

    def __init__(self, file: str, key: str, problem: str, expected: str) -> None:
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(f"Refused {where}{problem}; expected {expected}.")
        self.file = file
        self.key = key


# The errors that mean the store holds no figure for what was asked (a source or edition not
# stored, a year outside the data, members without figures under --strict): a caller that can
# do without the figure catches these, never a blind `except Exception`.
NO_DATA_ERRORS: tuple[type[AllianceError], ...] = (
    MissingDataError,
    UnknownEditionError,
    UnknownSourceError,
    YearOutOfRangeError,
)
