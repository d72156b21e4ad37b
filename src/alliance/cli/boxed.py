"""A boxed text table in the style of Rich's default table, fitted to the terminal without ever
cutting a value.

Importing `rich.console` and laying out a 44-row table with Rich costs several times what this
does, a large share of a `data show` call (bench/RESULTS.md, import costs).
Rich also shortens cells to fit a narrow terminal ("35,…" for 35,394.2), which no figure may be.
Here a table too wide for the terminal first wraps its text columns at spaces; if it is still too
wide, columns are left out from the right and named under the table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

_BOLD, _DIM, _ITALIC, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[3m", "\x1b[0m"

# Columns that answer the question a table asks and the estimate flags that qualify the answer:
# never folded away, and with the year the answer is for, the last to be left out when space runs
# short.
_ANSWER_COLUMNS = frozenset({"value", "change", "status", "share", "met", "verdict", "figure"})
_KEY_COLUMNS = frozenset({"year"})
_ANSWER_PREFIXES = ("value", "change", "share", "gap", "estimate")
# A word without spaces longer than this (a URL, a path) may break across lines; a shorter one (a
# code, a figure, an edition) never does.
_BREAKABLE_WORD = 24
# A constant cell this long found in the footer is the footer restating it; a shorter one ("2024",
# "USD") may appear there by chance (in a citation) and is still said.
_RESTATED = 12


def cell_width(text: str) -> int:
    """Terminal columns `text` takes: wide East Asian characters count 2, combining marks 0."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _text_width(text: str) -> int:
    """Width of a cell or title that may hold several lines: its widest line."""
    return max(cell_width(line) for line in text.split("\n"))


def _one_column_per_character(text: str) -> bool:
    """True when `len` is the width: no line break, no wide or combining character."""
    if "\n" in text:
        return False
    return text.isascii() or all(_char_width(c) == 1 for c in set(text) if not c.isascii())


def _column_width(name: str, cells: Sequence[str], plain: bool) -> int:
    if plain:  # the common case, at C speed
        return max(cell_width(name), max(map(len, cells), default=0))
    return max([cell_width(name), *(_text_width(c) for c in cells)])


@dataclass(frozen=True)
class Layout:
    """Which columns are shown, how wide each is, and whether any cell must wrap."""

    shown: list[int]  # positions of the columns drawn, left to right
    widths: list[int]  # width of each shown column, without its padding
    hidden: list[str]  # names of the columns left out to fit
    plain: bool  # every shown cell fits on one line and `len` is its width

    @property
    def width(self) -> int:
        return _table_width(self.widths)


def _table_width(widths: Sequence[int]) -> int:
    return sum(w + 3 for w in widths) + 1  # "│ " before each cell, " " after, a closing "│"


def layout(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    right_aligned: Sequence[bool],
    max_width: int | None = None,
) -> Layout:
    """Natural column widths; with `max_width`, text columns wrapped and then columns hidden."""
    by_column = list(zip(*rows, strict=True)) or [() for _ in columns]
    plain = [_one_column_per_character("".join(cells)) for cells in by_column]
    natural = [
        _column_width(name, cells, one_line)
        for name, cells, one_line in zip(columns, by_column, plain, strict=True)
    ]
    shown = list(range(len(columns)))
    if max_width is None or _table_width(natural) <= max_width:
        return Layout(shown, natural, [], all(plain))
    narrowest = [_narrowest(columns[i], [r[i] for r in rows], right_aligned[i]) for i in shown]
    widths = _shrink(natural, narrowest, max_width)
    leave_out = _leave_out_order(columns)
    while _table_width(widths) > max_width and len(shown) > 1:
        shown.remove(leave_out.pop(0))
        widths = _shrink([natural[i] for i in shown], [narrowest[i] for i in shown], max_width)
    hidden = [columns[i] for i in range(len(columns)) if i not in shown]
    fits = all(plain[i] and w == natural[i] for i, w in zip(shown, widths, strict=True))
    return Layout(shown, widths, hidden, fits)


def is_answer_column(name: str) -> bool:
    """A value, change, status, share or estimate column: what the reader came for."""
    return name in _ANSWER_COLUMNS or name.startswith(_ANSWER_PREFIXES)


def _leave_out_order(columns: Sequence[str]) -> list[int]:
    """Columns in the order they are left out: others from the right, then answers from the
    right; the first column (what each row is about) never."""
    kept = [is_answer_column(name) or name in _KEY_COLUMNS for name in columns]
    others = [i for i in range(len(columns) - 1, 0, -1) if not kept[i]]
    answers = [i for i in range(len(columns) - 1, 0, -1) if kept[i]]
    return others + answers


def _narrowest(name: str, cells: Sequence[str], right_aligned: bool) -> int:
    """A number or a code keeps its whole width; text may wrap down to its longest word, and a
    word longer than a code (a URL) may break."""
    widest = max([cell_width(name), *(_text_width(c) for c in cells)])
    if right_aligned:
        return widest
    longest_word = max((cell_width(word) for c in cells for word in c.split()), default=0)
    if longest_word > _BREAKABLE_WORD:
        return max(cell_width(name), _BREAKABLE_WORD)
    if not any(" " in c for c in cells):
        return widest
    return max(cell_width(name), longest_word)


def fold_constant_columns(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    right_aligned: Sequence[bool],
    footer: Sequence[str] = (),
) -> tuple[list[str], list[list[str]], list[bool], str]:
    """Move the columns that hold the same cell on every row out of the table, into one line
    for the note under it ("On every row: unit percent, currency —"); a table of one row, the
    first column and answer columns stay as they are. A value the footer already states is not
    said twice."""
    if len(rows) < 2:
        return list(columns), [list(r) for r in rows], list(right_aligned), ""
    constant = {
        i
        for i, name in enumerate(columns)
        if i > 0 and not is_answer_column(name) and len({r[i] for r in rows}) == 1
    }
    if not constant:
        return list(columns), [list(r) for r in rows], list(right_aligned), ""
    keep = [i for i in range(len(columns)) if i not in constant]
    said = "\n".join(footer)
    stated = [
        f"{columns[i]} {rows[0][i] or '—'}"
        for i in sorted(constant)
        if not (len(rows[0][i]) >= _RESTATED and rows[0][i] in said)
    ]
    note = "On every row: " + ", ".join(stated) if stated else ""
    return (
        [columns[i] for i in keep],
        [[r[i] for i in keep] for r in rows],
        [right_aligned[i] for i in keep],
        note,
    )


def _shrink(widths: Sequence[int], narrowest: Sequence[int], max_width: int) -> list[int]:
    """Narrow the widest shrinkable column, one character at a time, until the table fits."""
    widths = list(widths)
    while _table_width(widths) > max_width:
        candidates = [i for i, w in enumerate(widths) if w > narrowest[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def render(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    right_aligned: Sequence[bool],
    title: str = "",
    footer: Sequence[str] = (),
    styled: bool = False,
    max_width: int | None = None,
) -> str:
    """The table as text; `styled` adds ANSI bold header, italic title and dim footer lines."""
    fitted = layout(columns, rows, right_aligned, max_width)
    widths, shown = fitted.widths, fitted.shown
    right = [right_aligned[i] for i in shown]
    bold, dim, italic, reset = (_BOLD, _DIM, _ITALIC, _RESET) if styled else ("", "", "", "")
    lines = [f"{italic}{line}{reset}" for line in _wrap(title, max_width)]
    lines.append(_rule("┏", "━", "┳", "┓", widths))
    header = (_pad(columns[i], w, r) for i, w, r in zip(shown, widths, right, strict=True))
    lines.append("┃ " + " ┃ ".join(f"{bold}{name}{reset}" for name in header) + " ┃")
    lines.append(_rule("┡", "━", "╇", "┩", widths))
    if fitted.plain:  # nothing wraps and `len` is the width: one format string for every row
        fields = (f"{{:{'>' if r else '<'}{w}}}" for w, r in zip(widths, right, strict=True))
        template = "│ " + " │ ".join(fields) + " │"
        lines.extend(template.format(*[row[i] for i in shown]) for row in rows)
    else:
        for row in rows:
            lines.extend(_row_lines([row[i] for i in shown], widths, right))
    lines.append(_rule("└", "─", "┴", "┘", widths))
    notes = list(footer)
    if fitted.hidden:
        notes.insert(
            0,
            f"Not shown, to fit {max_width} columns: {', '.join(fitted.hidden)} "
            "(a wider terminal shows them; --format csv or json gives every column).",
        )
    lines.extend(f"{dim}{part}{reset}" for line in notes for part in _wrap(line, max_width))
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int | None, break_words: bool = False) -> list[str]:
    """Text over lines of at most `width` columns (its own line breaks kept), broken at spaces;
    a word wider than `width` (a URL in a note) stays whole unless `break_words`."""
    lines = []
    for line in text.split("\n") if text else []:
        if width is None or cell_width(line) <= width:
            lines.append(line)
        else:
            lines.extend(_wrap_line(line, width, break_words))
    return lines


def _wrap_line(line: str, width: int, break_words: bool) -> list[str]:
    """Greedy word wrap by terminal columns (textwrap counts characters, not columns)."""
    words = [piece for word in line.split() for piece in _pieces(word, width, break_words)]
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for word in words:
        size = cell_width(word)
        if current and used + 1 + size > width:
            lines.append(" ".join(current))
            current, used = [], 0
        used = size if not current else used + 1 + size
        current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


def _pieces(word: str, width: int, break_words: bool) -> list[str]:
    if not break_words or cell_width(word) <= width:
        return [word]
    pieces, current, used = [], "", 0
    for char in word:
        size = _char_width(char)
        if current and used + size > width:
            pieces.append(current)
            current, used = "", 0
        current += char
        used += size
    return [*pieces, current]


def _row_lines(cells: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> list[str]:
    """One row, its wrapped cells side by side over as many lines as the tallest needs."""
    wrapped = [_wrap(c, w, break_words=True) or [""] for c, w in zip(cells, widths, strict=True)]
    height = max(len(parts) for parts in wrapped)
    lines = []
    for line in range(height):
        parts = (p[line] if line < len(p) else "" for p in wrapped)
        padded = (_pad(p, w, r) for p, w, r in zip(parts, widths, right, strict=True))
        lines.append("│ " + " │ ".join(padded) + " │")
    return lines


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - cell_width(text))
    return fill + text if right else text + fill


def _rule(left: str, line: str, cross: str, right: str, widths: Sequence[int]) -> str:
    return left + cross.join(line * (w + 2) for w in widths) + right
