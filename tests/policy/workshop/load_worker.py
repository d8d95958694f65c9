"""The "server" of the workshop load test: 20 participants scoring at once, in threads.

Run as ``python -m tests.policy.workshop.load_worker DB CODE TOKENS LOG ROUNDS``. Each thread is
one participant (their own store object, as each browser session is on a real server) and
submits a full score sheet ROUNDS times, value = round number; after each *committed* save it
appends ``participant round seconds`` to LOG and flushes, so the parent knows exactly which
saves were acknowledged when it kills this process with SIGKILL.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from policy.workshop import ScoreInput, WorkshopStore


def score(store: WorkshopStore, code: str, token: str, pid: str, rounds: int, start: int,
          log: Path, lock: threading.Lock) -> None:
    workshop = store.get_workshop(code)
    assert workshop is not None
    for rnd in range(start, rounds + 1):
        items = [ScoreInput(option_id=o, criterion_id=c, value=rnd)
                 for o, c in workshop.cells]
        t0 = time.perf_counter()
        store.save_scores(code, token, items)
        elapsed = time.perf_counter() - t0
        with lock, log.open("a", encoding="utf-8") as out:
            out.write(f"{pid} {rnd} {elapsed:.4f}\n")
            out.flush()
            os.fsync(out.fileno())


def main(argv: list[str]) -> None:
    db, code, tokens_file, log, rounds = argv
    pairs = [line.split() for line in Path(tokens_file).read_text().splitlines()]
    done: dict[str, int] = {}
    if Path(log).exists():  # a restart: carry on from each participant's last acknowledged round
        for line in Path(log).read_text().splitlines():
            pid, rnd, _ = line.split()
            done[pid] = max(done.get(pid, 0), int(rnd))
    lock = threading.Lock()
    threads = [threading.Thread(target=score, args=(
        WorkshopStore(db), code, token, pid, int(rounds), done.get(pid, 0) + 1, Path(log), lock))
        for pid, token in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main(sys.argv[1:])
