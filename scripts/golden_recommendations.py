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
from policy.calibration import each_area  # noqa: E402


def golden() -> dict:
    """Each district's full ``Recommendations.model_dump(mode="json")``, by area code."""
    return {"areas": {code: recs.model_dump(mode="json")
                      for code, _, _, recs in each_area(Evidence.from_path(None))}}

if __name__ == "__main__":
    with gzip.open(sys.argv[1], "wt", encoding="utf-8") as fh:
        json.dump(golden(), fh, sort_keys=True, separators=(",", ":"))
