"""The commitments tracker: alliance targets and national pledges against NATO's figures.

`facts`: the targets and pledges as hand-entered, cited records; `figures`: NATO's per-ally
figures they are held against; `targets`: each ally's status against a target, and the yearly
count at 2 %; `pledges`: each pledge's path and gap. The public names are importable from here.
"""

from alliance.commitments.facts import (
    Pledge,
    Target,
    all_pledges,
    all_targets,
    default_target,
    find_target,
    pledges_for,
)
from alliance.commitments.pledges import STRAIGHT_LINE, PledgeReport, pledge
from alliance.commitments.targets import (
    TARGET_COLUMNS,
    TREND_YEARS,
    TargetRow,
    TargetTable,
    target_table,
    targets,
    targets_history,
    targets_history_records,
)

__all__ = [
    "STRAIGHT_LINE",
    "TARGET_COLUMNS",
    "TREND_YEARS",
    "Pledge",
    "PledgeReport",
    "Target",
    "TargetRow",
    "TargetTable",
    "all_pledges",
    "all_targets",
    "default_target",
    "find_target",
    "pledge",
    "pledges_for",
    "target_table",
    "targets",
    "targets_history",
    "targets_history_records",
]
