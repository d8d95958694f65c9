"""Tables of the analysis step (pure functions, no Streamlit): the supply-chain table and the
related opportunities. The step's charts - the feasible-next bubbles and the cluster hex map -
are defined once, as plain Vega-Lite dicts, in :mod:`evidence.chart_specs`
(``feasible_next_spec``, ``cluster_map_spec``): the app draws them and the reports embed them,
so a report shows what the walkthrough showed.
"""

from __future__ import annotations

import pandas as pd

from evidence.chart_specs import opportunity_rows
from evidence.models import AreaProfile, SupplyChain

__all__ = ["opportunities_frame", "supply_chain_frame"]


def supply_chain_frame(chain: SupplyChain, year: int) -> pd.DataFrame:
    """Suppliers and buyers of one sector as rows: role, industry, name, value, local LQ."""
    rows = [{"Role": "supplier", "IO industry": s.industry, "Industry": s.name,
             "Coefficient (per GBP of output, 2019)": s.coefficient,
             f"Local LQ vs GB, {year}": s.local_lq} for s in chain.suppliers]
    rows += [{"Role": "buyer", "IO industry": b.industry, "Industry": b.name,
              "Coefficient (per GBP of output, 2019)": b.share,
              f"Local LQ vs GB, {year}": b.local_lq} for b in chain.buyers]
    return pd.DataFrame(rows)


def opportunities_frame(p: AreaProfile) -> pd.DataFrame:
    """The related opportunities as a table (one row a class: the feasible-next chart's
    rows, :func:`evidence.chart_specs.opportunity_rows`)."""
    return pd.DataFrame(opportunity_rows(p))
