"""The workshop load test (issue 13): 20 participants score at once, the server is killed with
SIGKILL mid-way and restarted, and no acknowledged score is lost.

The "server" is a child process (``load_worker``) with one thread and one store per participant;
each appends a line to a log after every committed save. The test kills it after about half the
rounds, checks the database's integrity and that every participant's stored sheet is at least
their last acknowledged round (a save is all or nothing: never half a sheet), restarts it to
finish, and checks every sheet holds the final round. The figures (saves per second, median
and 95th-percentile save time) are printed for the README.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from policy.session import StrategySession
from policy.workshop import WorkshopStore
from tests.paths import ROOT
from tests.policy.workshop.test_workshop import hand_state

PARTICIPANTS = 20
ROUNDS = 30
KILL_AFTER = PARTICIPANTS * ROUNDS // 2  # acknowledged saves before the kill
TIME_LIMIT = 90.0


def _acknowledged(log: Path) -> list[tuple[str, int, float]]:
    if not log.exists():
        return []
    rows = []
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3:
            rows.append((parts[0], int(parts[1]), float(parts[2])))
    return rows


def _sheets(store: WorkshopStore, code: str) -> dict[str, set[float]]:
    out: dict[str, set[float]] = {}
    for s in store.scores(code):
        out.setdefault(s.participant_id, set()).add(s.value)
    return out


def _worker(db: Path, code: str, tokens: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.policy.workshop.load_worker", str(db),
                             code, str(tokens), str(log), str(ROUNDS)], cwd=ROOT, env=env)


def test_twenty_participants_scoring_survive_a_killed_server(tmp_path: Path) -> None:
    db = tmp_path / "policymix.sqlite3"
    store = WorkshopStore(db)
    session = StrategySession(session_id="s1", area_code="E06000001", appraisal=hand_state())
    code = store.start_workshop(session).code
    t0 = time.perf_counter()
    joined = [store.join(code, f"Participant {i}") for i in range(PARTICIPANTS)]
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("".join(f"{p.id} {t}\n" for p, t in joined))
    log = tmp_path / "acks.log"

    server = _worker(db, code, tokens, log)
    deadline = time.monotonic() + TIME_LIMIT
    while len(_acknowledged(log)) < KILL_AFTER and server.poll() is None:
        assert time.monotonic() < deadline, "the first server did not get half way"
        time.sleep(0.02)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    acked = _acknowledged(log)

    after_kill = WorkshopStore(db)  # "the restarted server": a new store on the same file
    with after_kill.db.reader() as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    last = {}
    for pid, rnd, _ in acked:
        last[pid] = max(last.get(pid, 0), rnd)
    sheets = _sheets(after_kill, code)
    cells = len(store.get_workshop(code).cells)
    for pid, rnd in last.items():
        values = sheets[pid]
        assert len(values) == 1, f"{pid}: half a sheet {values}"  # all or nothing
        assert values.pop() >= rnd, f"{pid}: acknowledged round {rnd} lost"
    assert len(store.scores(code)) <= PARTICIPANTS * cells

    restarted = _worker(db, code, tokens, log)
    assert restarted.wait(timeout=TIME_LIMIT) == 0
    elapsed = time.perf_counter() - t0
    final = _sheets(WorkshopStore(db), code)
    assert final == {p.id: {float(ROUNDS)} for p, _ in joined}
    times = sorted(s for _, _, s in _acknowledged(log))
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"\nworkshop load: {PARTICIPANTS} participants x {ROUNDS} sheets of {cells} scores, "
          f"killed after {len(acked)} acknowledged saves, restarted; {len(times)} saves in "
          f"{elapsed:.1f} s ({len(times) / elapsed:.0f}/s); save median "
          f"{statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; nothing lost")
