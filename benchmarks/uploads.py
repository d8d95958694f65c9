"""How long the upload caps take (evidence/sources/limits.py), on a bomb and on a fair file.

    .venv/bin/python benchmarks/uploads.py [--repeats 5]

Files, made in memory: the bomb from issue 13 (8 million duplicate tidy lines, gzip), refused
by the row cap; and a file the size of the full national demo (2.2 million lines, gzip), which
passes every cap: what the check adds to a good upload before the reader starts. The two are
interleaved, ``--repeats`` times each; medians with min-max.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.dataset import DataError  # noqa: E402
from evidence.sources.limits import check_upload  # noqa: E402
from policy.storage import Settings  # noqa: E402

LINE = b'"employment","E06000001",2020,"2511",123,false,,,,,,,,,,,,,,,,,,\n'


def gzip_of(lines: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = LINE * 100_000
    return b"".join([packer.compress(block) for _ in range(lines // 100_000)]
                    + [packer.flush()])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    limits = Settings(home=Path("."), db_path=Path("unused")).upload_limits
    files = {"bomb, 8 M lines": gzip_of(8_000_000), "fair, 2.2 M lines": gzip_of(2_200_000)}
    times: dict[str, list[float]] = {name: [] for name in files}
    outcome = {}
    for _ in range(args.repeats):
        for name, data in files.items():
            start = time.perf_counter()
            try:
                check_upload(name, io.BytesIO(data), len(data), limits)
                outcome[name] = "passes"
            except DataError as exc:
                outcome[name] = f"refused ({exc.problems[0].code})"
            times[name].append(time.perf_counter() - start)
    for name, data in files.items():
        t = sorted(times[name])
        print(f"{name} ({len(data) / 1e6:.1f} MB gzip): {outcome[name]}; median "
              f"{statistics.median(t) * 1000:,.0f} ms ({t[0] * 1000:,.0f}-{t[-1] * 1000:,.0f})")


if __name__ == "__main__":
    main()
