"""Scenarios: transparent models a user can rerun, inspect and change.

One module per scenario, each returning a typed result with `.frame()`, `.records()`, a title
and source lines, so that the CLI (`alliance scenario NAME`) and the web layer call the same
function:

- `europe_without_us`: what replacing the US contribution to Europe's defence would cost,
  from editable parameters (`data/scenarios/europe-without-us.yaml`) whose defaults reproduce
  Burilkov and Wolff (Bruegel/Kiel, 21 February 2025).
- `ukraine`: the Kiel Ukraine Support Tracker's commitments by donor, in euros and as a share
  of the donor's GDP, and the cost of replacing the US share.
- `vs_russia`: a coalition's defence spending against Russia's, historical and projected.
"""
