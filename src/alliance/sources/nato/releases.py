"""NATO's releases and the known transcriptions of its report, as published (hand-entered)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

SOURCE_ID: Final = "nato"
PUBLISHER: Final = "NATO Public Diplomacy Division"
LICENCE: Final = "NATO content-use terms: credit NATO; no sale or advertising"
TABLES_DATASET: Final = "tables"
TRANSCRIPTION_DATASET: Final = "share-of-gdp-transcription"
DEFAULT_TITLE: Final = "Defence Expenditure of NATO Countries"


@dataclass(frozen=True)
class Release:
    """A NATO release of the report, as NATO published it (hand-entered, with its URLs).

    A URL stays None unless it is known from a source (SOURCES.md §4, §5 and the transcription's
    provenance); it is never built from a pattern.
    """

    published: str
    tables_url: str | None
    report_url: str | None

    @property
    def url(self) -> str:
        return self.tables_url or self.report_url or ""


KNOWN_RELEASES: Final[dict[int, Release]] = {
    2024: Release(
        published="2024-06-17",
        tables_url="https://www.nato.int/nato_static_fl2014/assets/pdf/2024/6/pdf/"
        "240617-def-exp-2024-TABLES-en.xlsx",
        report_url=None,
    ),
    2025: Release(
        published="2025-08-28",
        tables_url=None,
        report_url="https://www.nato.int/content/dam/nato/webready/documents/finance/"
        "def-exp-2025-en.pdf",
    ),
}


@dataclass(frozen=True)
class Transcription:
    """Who transcribed a NATO table into CSV, for the citation (keyed by the file's sha256)."""

    transcriber: str
    origin: str


KNOWN_TRANSCRIPTIONS: Final[dict[str, Transcription]] = {
    "02c6200d15aa938f41fdc431ddca3653d147fe1b096005aa024327c9f0aac135": Transcription(
        transcriber="Datavisualiatie-UGent/project-dv26-2",
        origin="https://github.com/Datavisualiatie-UGent/project-dv26-2 at commit 497fd8f4 "
        "(497fd8f44e1a26124cbb5a20c97861dffa48a2fb), "
        "src/data-exploration/observable-exploration/files/7650b0b4...cb20.csv",
    ),
}
