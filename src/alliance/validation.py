"""Validation reports: every problem at once, each with file, sheet, row, column and value."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem in one place. Rows are 1-based as a spreadsheet or text editor shows them."""

    message: str
    expected: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def location(self) -> str:
        parts = []
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts) or "file"


@dataclass
class ValidationReport:
    file: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(
        self,
        message: str,
        *,
        expected: str = "",
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        shown = None if value is None else str(value)[:80]
        self.problems.append(Problem(message, expected, sheet, row, column, shown))

    def extend(self, other: ValidationReport) -> None:
        self.problems.extend(other.problems)

    def records(self) -> list[dict[str, Any]]:
        return [{"file": self.file, **asdict(p)} for p in self.problems]

    def raise_if_failed(self) -> None:
        from alliance.errors import InvalidFileError

        if self.problems:
            raise InvalidFileError(self)

    @classmethod
    def for_path(cls, path: Path | str) -> ValidationReport:
        return cls(file=str(path))
