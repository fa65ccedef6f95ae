"""What does an incremental run save? A full run against the run after one region changed.

    python bench/bench_incremental.py [--jobs N] [--seed 2018] [--region oost]

On a freshly generated demo study in a temporary folder (the repository's data/, reports/ and
figures/ are not touched), in one go:

1. **full**: ``hbomkb run --force`` (every region notebook and the national one);
2. **one region changed**: one note of ``--region``'s workbook rewritten, then ``hbomkb run``:
   only that region's report and the national one execute, and only the workshop tables are
   processed again.

Both are timed as wall clock of the whole command; the script prints both, their ratio, and
which reports each run executed (from the run's manifest). It prints the numbers, it does not
judge them: the national report is the longest, so the ratio stays well above
(1 region + national) / (all regions + national).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def _run(env: dict, study: str, jobs: int, force: bool) -> tuple[float, list[str]]:
    cmd = [sys.executable, "-m", "hbomkb", "run", "--study", study, "--jobs", str(jobs),
           "--no-progress", *(["--force"] if force else [])]
    start = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if res.returncode != 0:
        sys.exit(f"hbomkb run failed:\n{res.stdout}\n{res.stderr}")
    manifest = json.loads((Path(env["HBOMKB_REPORTS_DIR"]) / study / "manifest.json")
                          .read_text(encoding="utf-8"))
    executed = sorted(n for n, s in manifest.get("last_run", {}).items() if s == "ok")
    return seconds, executed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="notebooks executed side by side (default: number of CPUs)")
    ap.add_argument("--seed", type=int, default=2018, help="demo seed (default: 2018)")
    ap.add_argument("--region", default="oost", help="the region whose workbook changes")
    args = ap.parse_args(argv)

    # deferred: the generator and openpyxl are needed only once the folders are set up
    from openpyxl import load_workbook

    from hbomkb.demo.generator import generate

    with tempfile.TemporaryDirectory(prefix="hbomkb-bench-inc-") as tmp:
        tmp = Path(tmp)
        generate(tmp / "data" / "raw" / "demo", seed=args.seed)
        env = dict(os.environ, HBOMKB_DATA_DIR=str(tmp / "data"),
                   HBOMKB_REPORTS_DIR=str(tmp / "reports"),
                   HBOMKB_FIGURES_DIR=str(tmp / "figures"), PYTHONPATH=str(PROJECT))
        _run(env, "demo", args.jobs, force=True)  # warm: caches, processed tables
        full, full_executed = _run(env, "demo", args.jobs, force=True)

        book = tmp / "data" / "raw" / "demo" / "workshops" / f"{args.region}.xlsx"
        wb = load_workbook(book)
        cell = wb["outcome_notes"]["B2"]
        cell.value = f"{cell.value} (herschreven)"
        wb.save(book)
        one, one_executed = _run(env, "demo", args.jobs, force=False)

    print(f"full run --force          : {full:6.1f} s  executed {', '.join(full_executed)}")
    print(f"after {args.region} changed{'':{max(0, 11 - len(args.region))}}: {one:6.1f} s  "
          f"executed {', '.join(one_executed)}")
    print(f"ratio (one region / full) : {one / full:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
