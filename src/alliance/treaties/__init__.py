"""Treaty obligations: who is bound to help whom under North Atlantic Treaty Art. 5/6 and
TEU Art. 42(7), for a place and a date, and what the states bound bring.

    >>> obligations("Svalbard", date(2024, 3, 7)).clause("nat-5").applies
    'yes'
"""

from alliance.treaties.capacity import Capacity
from alliance.treaties.geo import parse_point
from alliance.treaties.resolve import (
    NAT_ART5,
    TEU_42_7,
    ClauseResult,
    ObligationsResult,
    Place,
    obligations,
    resolve_place,
)
from alliance.treaties.tables import (
    Clause,
    SeaArea,
    Territory,
    article_6_text,
    clauses,
    sea_areas,
    territories,
    territory,
)

__all__ = [
    "NAT_ART5",
    "TEU_42_7",
    "Capacity",
    "Clause",
    "ClauseResult",
    "ObligationsResult",
    "Place",
    "SeaArea",
    "Territory",
    "article_6_text",
    "clauses",
    "obligations",
    "parse_point",
    "resolve_place",
    "sea_areas",
    "territories",
    "territory",
]
