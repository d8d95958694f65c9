"""One number, one figure: a sector's LQ reads the same in every finding that quotes it.

The cross-boundary cluster and isolated-specialism findings once printed the LQ from the
cluster row, kept to 3 places, so 1.5653 showed as 1.56 beside the specialisation finding's
1.57 (the same LQ rounded once)."""

from __future__ import annotations

import re

from evidence.service import Evidence
from evidence.sources.demo import bundled_demo_path

_LQ = re.compile(r"(?:location quotient of|LQ) (\d+\.\d\d)")


def test_cluster_findings_quote_the_specialisation_lq() -> None:
    ev = Evidence.from_path(str(bundled_demo_path()))
    compared = 0
    areas = ev.cube.areas
    codes = areas.loc[areas["level"] == "lad", "area_code"].astype(str).tolist()
    for profile in ev.profiles(codes):
        spec = {f.sector: _LQ.search(f.text).group(1) for f in profile.findings
                if f.topic == "specialisation" and _LQ.search(f.text)}
        for f in profile.findings:
            if f.topic in ("cross_boundary_cluster", "isolated_specialism") and f.sector in spec:
                shown = _LQ.search(f.text)
                assert shown is not None, f.text
                assert shown.group(1) == spec[f.sector], (profile.area.code, f.text)
                lq = next(s.lq for s in profile.sectors if s.sector == f.sector)
                assert shown.group(1) == f"{lq:.2f}"
                compared += 1
    assert compared >= 20  # the demo has many clustered specialisms: the test compares them
