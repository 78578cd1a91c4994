"""Run the suite again and again with one core kept busy, to show it never hangs:
`python scripts/soak.py [RUNS] [pytest args…]` (default 20 runs of the tests that
need no browser). Prints each run's outcome and time, then one line of JSON."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def burn() -> None:  # pragma: no cover - runs in its own process
    while True:
        pass


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    args = sys.argv[2:] or ["-m", "not browser", "-p", "no:cacheprovider", "-q"]
    # Started before any thread exists here, and only spins: nothing to inherit.
    busy = multiprocessing.get_context("spawn").Process(target=burn, daemon=True)
    busy.start()
    results = []
    try:
        for number in range(1, runs + 1):
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "pytest", *args], cwd=ROOT, capture_output=True, text=True
            )
            seconds = round(time.monotonic() - started, 1)
            tail = done.stdout.strip().splitlines()[-1:] or [""]
            results.append({"run": number, "exit": done.returncode, "seconds": seconds})
            print(f"run {number}: exit {done.returncode} in {seconds} s  {tail[0]}", flush=True)
    finally:
        busy.terminate()
    print(
        json.dumps(
            {
                "runs": runs,
                "all_passed": all(r["exit"] == 0 for r in results),
                "slowest_s": max(r["seconds"] for r in results),
                "total_s": round(sum(r["seconds"] for r in results), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
