"""Write the golden Recommendations of every bundled-demo district (tests/rules/test_golden.py).

Run ``python scripts/golden_recommendations.py OUT.json.gz`` (the fixture is
``tests/fixtures/golden/recommendations_bundled_demo.json.gz``) only when a change to the rules
or the evidence is meant to change the advice: the file is the engine's output before the
issue 14 speed-up, and the test checks the fast engine gives exactly the same recommended
lists, traces, scores and why-not reasons for every district.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.service import Evidence  # noqa: E402
from policy.catalogue import load_catalogue  # noqa: E402
from policy.session import StrategySession  # noqa: E402
from policy.walkthrough import default_ruleset, recommend  # noqa: E402


def golden() -> dict:
    """Each district's full ``Recommendations.model_dump(mode="json")``, by area code."""
    ev = Evidence.from_path(None)
    areas = ev.cube.areas
    ruleset, catalogue = default_ruleset(), load_catalogue()
    out = {}
    for code in areas.loc[areas["level"] == "lad", "area_code"]:
        code = str(code)
        recs = recommend(ev, StrategySession(area_code=code), ruleset, catalogue,
                         profile=ev.profile(code))
        out[code] = recs.model_dump(mode="json")
    return {"areas": out}


if __name__ == "__main__":
    with gzip.open(sys.argv[1], "wt", encoding="utf-8") as fh:
        json.dump(golden(), fh, sort_keys=True, separators=(",", ":"))
