"""What does the results deck cost? Against a full ``hbomkb run``, in one go.

    python bench/bench_deck.py [--seed 2018] [--jobs N]

Generates the demo study in a temporary folder (the repository's data/, reports/ and figures/
are not touched), runs ``hbomkb run --force`` on it (which writes the deck at its end), then
builds the deck again on its own (``hbomkb deck``, every source read, every slide written) and
prints both wall times and their ratio. Goal: the deck costs at most 25 % of the run. Both are
measured in this one process tree on the same machine, so the ratio is what counts; the
script prints the numbers, it does not judge them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2018)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hbomkb-bench-deck-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, HBOMKB_DATA_DIR=str(tmp / "data"),
                   HBOMKB_REPORTS_DIR=str(tmp / "reports"),
                   HBOMKB_FIGURES_DIR=str(tmp / "figures"), PYTHONPATH=str(PROJECT))
        hbomkb = [sys.executable, "-m", "hbomkb"]
        subprocess.run(hbomkb + ["demo", "--out", str(tmp / "data" / "raw" / "demo"),
                                 "--seed", str(args.seed)], env=env, check=True,
                       capture_output=True)
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        t0 = time.perf_counter()
        subprocess.run(hbomkb + ["run", "--force", "--no-progress", *jobs], env=env, check=True,
                       capture_output=True)
        run = time.perf_counter() - t0
        t0 = time.perf_counter()
        done = subprocess.run(hbomkb + ["deck"], env=env, check=True, capture_output=True,
                              text=True)
        deck = time.perf_counter() - t0
    print(done.stdout.strip())
    print(f"hbomkb run --force: {run:7.1f} s")
    print(f"hbomkb deck:        {deck:7.1f} s")
    print(f"deck / run:         {deck / run:7.1%}  (goal: at most 25 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
