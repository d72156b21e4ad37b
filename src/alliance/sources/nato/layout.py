"""Where each NATO table and block stands is data: `layouts/nato.csv`, one row per block.

A row names what a block measures and how to recognise it, never a fixed cell:

- `title`: a regular expression matched against the table's title ("Table 3 : Defence
  expenditure as a share of GDP and annual real change"; "core defence expenditure" in the 2026
  edition's wording is accepted), whitespace collapsed and case ignored. The sheet holding that
  title is the table's sheet, whatever its name; `sheet` is its name in the June 2024 tables,
  quoted in messages only.
- `block_label`: a regular expression matched against the label above the block's rows
  ("Current prices", "Constant 2015 prices"); empty for a table of one block.
- `columns`: `years` for the header's year labels (2014, '2019', '2024e'), or a regular expression
  on header labels with groups `year` and `e` (Table 4's "Share of real GDP 2024e (%)").
- `price_basis`: `current`, empty, or `constant`, whose base year is read from the block label
  (group `base`) or the table's subtitle ("Based on 2015 prices", "2015 prices and exchange
  rates"), so that an edition at 2021 prices needs no new row.
- `expected_entities`: rows of countries and aggregates a block must hold (golden count).
- `role`: `emit` the figures, `check` them against the emitted ones, or `skip` them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

TABLE_ID: Final = re.compile(r"^table\s+(\d+[a-z]?)\b", re.I)


@dataclass(frozen=True)
class Measure:
    """What a figure measures: everything in its key but who, when and where from."""

    indicator: str
    unit: str
    currency: str | None
    price_basis: str | None
    exchange_basis: str | None


@dataclass(frozen=True)
class BlockLayout:
    """One block of one table, as `layouts/nato.csv` describes it."""

    table: str
    sheet: str
    title: str
    block: int
    block_label: str
    columns: str
    indicator: str
    unit: str
    currency: str | None
    price_basis: str | None
    exchange_basis: str | None
    expected_entities: int | None
    role: str  # emit | check | skip
    note: str

    def measure(self, base_year: int | None) -> Measure:
        """The block's measure, `constant` prices made `constant_<base_year>`."""
        price_basis = self.price_basis
        if price_basis == "constant":
            price_basis = f"constant_{base_year}"
        return Measure(self.indicator, self.unit, self.currency, price_basis, self.exchange_basis)


@cache
def layouts() -> tuple[BlockLayout, ...]:
    text = resources.files("alliance.sources").joinpath("layouts", "nato.csv").read_text("utf-8")
    return tuple(_block_layout(row) for row in csv.DictReader(io.StringIO(text)))


def _block_layout(row: dict[str, str]) -> BlockLayout:
    def optional(name: str) -> str | None:
        return row[name].strip() or None

    return BlockLayout(
        table=row["table"],
        sheet=row["sheet"],
        title=row["title"],
        block=int(row["block"]),
        block_label=row["block_label"],
        columns=row["columns"],
        indicator=row["indicator"],
        unit=row["unit"],
        currency=optional("currency"),
        price_basis=optional("price_basis"),
        exchange_basis=optional("exchange_basis"),
        expected_entities=int(row["expected_entities"]) if row["expected_entities"] else None,
        role=row["role"],
        note=row["note"],
    )


def table_blocks() -> dict[str, list[BlockLayout]]:
    """Table id ('1', '8a') -> its blocks, in the layout's order."""
    by_table: dict[str, list[BlockLayout]] = {}
    for block in layouts():
        by_table.setdefault(block.table, []).append(block)
    return by_table
