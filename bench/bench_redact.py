"""What does redaction cost? One long answer, and processing the demo study, in one go.

    python bench/bench_redact.py [--repeat 3] [--no-run]

1. **A long answer**: open survey answers of 25,000 to 200,000 characters (ordinary sentences
   with names, phone numbers, e-mail addresses and links in them), redacted with deduce already
   loaded; the time per character shows whether time grows linearly with length. Then the same
   for a hostile text made only of first names, deduce's worst case. Loading deduce's name
   lookups (once per process) is timed apart.
2. **Processing the demo** (``hbomkb.inputs.build.process`` of data/raw/demo into a temporary
   folder), each in a fresh process: *none* without any redaction (the floor), *cold* with an
   empty result cache (every text through deduce, which is loaded), *warm* with the results of
   the cold run on disk (deduce never loaded). Measured ``--repeat`` times interleaved, fastest
   counts.
3. **A run**: ``hbomkb run --force`` of the demo into a temporary folder, once, to say what the
   warm redaction adds to a whole run (skip with ``--no-run``).

Goals (issue 11): a 100,000-character answer in about a second; processing with a warm
redaction cache adds under 10 % to a run. The script prints the numbers; it does not judge them.
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
BIN = Path(sys.executable).parent

SENTENCE = ("Meer stageplekken bij kleine bedrijven in de regio; bel Jan de Vries op "
            "06-12345678 of mail p.jansen@bedrijf.nl, zie ook bit.ly/abc. Binnen 5 jaar in "
            "Rotterdam, samen met Fontys. ")

PROCESS = """
import json, sys, time
from pathlib import Path
from hbomkb.config import load_study
from hbomkb.inputs import build, redact
mode, out, results = sys.argv[1:4]
redact.cache_path = lambda: Path(results)
if mode == "none":
    build.redacted = lambda tables: tables
t = time.perf_counter()
build.process(load_study("demo"), out)
print(json.dumps({"seconds": time.perf_counter() - t, "deduce": "deduce" in sys.modules}))
"""


def long_answers() -> None:
    from hbomkb.inputs import redact

    t = time.perf_counter()
    redact.names()
    print(f"deduce's name lookups loaded in {time.perf_counter() - t:.2f} s (once per process)")
    print(f"{'characters':>12} {'ordinary s':>11} {'µs/char':>8} {'names only s':>13} "
          f"{'µs/char':>8}")
    base = None
    for n in (25_000, 50_000, 100_000, 200_000):
        row = [f"{n:>12,}"]
        for unit in (SENTENCE, "Jan Piet Klaas "):
            if unit is not SENTENCE and n > 100_000:
                row += [f"{'-':>13}", f"{'-':>8}"]
                continue
            text = (unit * (n // len(unit) + 1))[:n]
            t = time.perf_counter()
            redact.redact_text(text)
            s = time.perf_counter() - t
            row += [f"{s:>11.2f}" if unit is SENTENCE else f"{s:>13.2f}", f"{s / n * 1e6:>8.1f}"]
            if unit is SENTENCE and n == 100_000:
                base = s
        print(" ".join(row))
    print(f"a 100,000-character answer: {base:.2f} s")


def processing(repeat: int, run: bool) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory(prefix="bench-redact-") as tmp:
        results = Path(tmp) / "results-bench.sqlite"
        times: dict[str, list[float]] = {"none": [], "cold": [], "warm": []}
        for i in range(repeat):
            for mode in ("none", "cold", "warm"):
                if mode == "cold":
                    results.unlink(missing_ok=True)
                out = Path(tmp) / f"{mode}-{i}"
                done = subprocess.run([str(BIN / "python"), "-c", PROCESS, mode, str(out),
                                       str(results)], capture_output=True, text=True, env=env,
                                      cwd=PROJECT, check=True)
                res = json.loads(done.stdout.strip().splitlines()[-1])
                times[mode].append(res["seconds"])
                if mode == "warm" and res["deduce"]:
                    print("warning: the warm run loaded deduce")
        best = {m: min(v) for m, v in times.items()}
        print(f"processing the demo (fastest of {repeat}): without redaction "
              f"{best['none']:.2f} s, cold cache {best['cold']:.2f} s, warm cache "
              f"{best['warm']:.2f} s")
        added = best["warm"] - best["none"]
        print(f"warm redaction adds {added:+.2f} s = {added / best['none'] * 100:+.1f} % to "
              f"processing; cold adds {best['cold'] - best['none']:+.2f} s")
        if not run:
            return
        t = time.perf_counter()
        subprocess.run([str(BIN / "hbomkb"), "run", "--study", str(PROJECT / "data" / "raw"
                                                                    / "demo"), "--force",
                        "--out", f"{tmp}/reports", "--figures", f"{tmp}/figures",
                        "--no-progress"], env={**env, "HBOMKB_DATA_DIR": f"{tmp}/data"},
                       cwd=PROJECT, check=False, capture_output=True)
        whole = time.perf_counter() - t
        print(f"hbomkb run --force of the demo: {whole:.1f} s; warm redaction adds "
              f"{added / whole * 100:+.1f} % to it")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-run", dest="run", action="store_false")
    args = p.parse_args()
    long_answers()
    processing(args.repeat, args.run)


if __name__ == "__main__":
    main()
