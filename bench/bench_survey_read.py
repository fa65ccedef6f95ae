"""Benchmark: reading a LimeSurvey export of the demo survey's shape into the tidy tables.

Writes a synthetic export of 100,000 responses (the demo codebook: 7 hbo and 7 mkb outcomes,
10 forms) to a folder, then measures, each in a fresh process doing only that read (so that one
measurement cannot inflate the other):

- the time of a plain ``pandas.read_csv`` of the file (the baseline),
- the time of ``hbomkb.inputs.survey.read_survey`` (export + structure to the tidy tables),
- peak memory: the resident-set high-water mark during the read minus the resident set just
  before it. The child process imports everything and loads the codebook, then resets the
  kernel's high-water mark (``/proc/self/clear_refs``, value 5) and notes ``VmRSS``; after the
  read it takes ``VmHWM`` from ``/proc/self/status``. This counts every allocator (Python,
  numpy, pyarrow's pool, the pages the reader maps for the scores table) and nothing from
  before the read. (``getrusage``'s ``ru_maxrss`` is not used: Linux carries it over
  ``fork``/``exec``, so a child reports the parent's peak. tracemalloc is not used either: it
  sees neither pyarrow's pool nor memory mapped outside ``malloc``.)

Prints the ratios to the baseline time and to the file size. Goal: time <= 2.5x read_csv,
peak memory <= 3x the file size. Runs are repeated (``--repeat``, interleaved) and the
fastest counts, since the machine may be shared; memory is reported from that same run, with
the lowest and highest peak of all runs after it. Beside the ratio of the fastest runs, the
median of the ratios of each ``read_csv`` run and the ``read_survey`` run right after it is
printed: when the machine's load changes during the bench, the two fastest runs may come
from different loads, a pair seldom does. The
CPU time (``time.process_time``, all threads) is printed too: it does not depend on how busy
the machine is, but counts the work of every thread (``pyarrow.csv.read_csv``, which the
reader uses, parses on every core; pandas too takes more CPU than wall time).

    python bench/bench_survey_read.py [--n 100000] [--seed 1] [--repeat 3] [--folder DIR]

With ``--folder`` the export is written there and reused when it is already present for the
same ``--n`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from hbomkb.config import Region, Study  # noqa: E402
from hbomkb.demo import content as C  # noqa: E402
from hbomkb.demo.survey import synthetic_responses, write_responses_csv  # noqa: E402
from hbomkb.inputs import limesurvey as ls  # noqa: E402
from hbomkb.inputs.instrument import build_structure  # noqa: E402

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import pandas as pd
from hbomkb.inputs import survey
from hbomkb.config import Study, Region
folder, what = {folder!r}, {what!r}
clusters = pd.read_parquet(folder + "/clusters.parquet")
study = Study(root=__import__("pathlib").Path(folder), name="bench", title="bench",
              regions=tuple(Region(s, s) for s in {regions!r}))
def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset VmHWM to the current resident set
before = status("VmRSS")
t, cpu = time.perf_counter(), time.process_time()
if what == "read_csv":
    out = pd.read_csv(folder + "/survey/responses.csv", sep=";")
    n = len(out)
else:
    tables, problems = survey.read_survey(study, clusters)
    n = len(tables["respondents"])
    assert not [p for p in problems if p.is_error], problems[:3]
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({{"seconds": elapsed, "cpu": cpu, "rss_growth": status("VmHWM") - before,
                  "n": n}}))
"""


def demo_codebook():
    rows = []
    for kind, catalogue in (("outcome_hbo", C.OUTCOMES_HBO), ("outcome_mkb", C.OUTCOMES_MKB),
                            ("form", C.FORMS)):
        for code, entry in catalogue.items():
            rows.append({"kind": kind, "code": code, "label_nl": entry[0], "label_en": entry[1],
                         "explore": "explore", "term": "short"})
    return pd.DataFrame(rows).astype("string"), [s for s, _ in C.REGIONS]


def run_child(folder: Path, what: str, regions) -> dict:
    code = CHILD.format(root=str(ROOT), folder=str(folder), what=what, regions=regions)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"{what} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def write_export(folder: Path, n_responses: int, seed: int, regions, clusters) -> Path:
    """The synthetic export (and the structure and codebook) in ``folder``; reused if there."""
    path = folder / "survey" / "responses.csv"
    stamp = folder / "bench.json"
    want = {"n": n_responses, "seed": seed}
    if path.exists() and stamp.exists() and json.loads(stamp.read_text()) == want:
        print(f"reusing {path}")
        return path
    t = time.perf_counter()
    study = Study(root=folder, name="bench", title="bench",
                  regions=tuple(Region(s, s) for s in regions))
    structure = build_structure(study, clusters)
    ls.write_lss(structure, folder / "survey" / "survey.lss")
    n = {"hbo": n_responses * 2 // 5, "mkb": n_responses - n_responses * 2 // 5}
    responses = synthetic_responses(study, clusters, {}, n, seed, structure)
    write_responses_csv(responses, path)
    del responses
    clusters.to_parquet(folder / "clusters.parquet")
    stamp.write_text(json.dumps(want))
    print(f"wrote {n_responses:,} responses in {time.perf_counter() - t:.1f} s")
    return path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5,
                    help="runs of each measurement; the fastest counts (the machine is shared)")
    ap.add_argument("--folder", type=Path, default=None,
                    help="write (or reuse) the export here instead of a temporary folder")
    args = ap.parse_args(argv)

    clusters, regions = demo_codebook()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = write_export(folder, args.n, args.seed, regions, clusters)
        size = path.stat().st_size
        print(f"export: {args.n:,} responses, {size / 1e6:.1f} MB")
        base, ours, peaks, pairs = None, None, [], []
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            b = run_child(folder, "read_csv", regions)
            o = run_child(folder, "read_survey", regions)
            base = b if base is None or b["seconds"] < base["seconds"] else base
            ours = o if ours is None or o["seconds"] < ours["seconds"] else ours
            peaks.append(o["rss_growth"])
            pairs.append(o["seconds"] / b["seconds"])

    def mb(x):
        return f"{x / 1e6:.0f} MB"

    for name, r in (("pandas.read_csv", base), ("read_survey", ours)):
        print(f"{name:<16}: {r['seconds']:.2f} s ({r['cpu']:.2f} s CPU); peak RSS growth "
              f"{mb(r['rss_growth'])} ({r['rss_growth'] / size:.2f}x file)")
    print(f"time ratio      : {ours['seconds'] / base['seconds']:.2f}x read_csv (goal <= 2.5x); "
          f"median of the {len(pairs)} back-to-back pairs {statistics.median(pairs):.2f}x; "
          f"CPU time {ours['cpu'] / base['cpu']:.2f}x")
    print(f"memory ratio    : {ours['rss_growth'] / size:.2f}x file size (goal <= 3x); "
          f"all {len(peaks)} runs: {min(peaks) / size:.2f}x to {max(peaks) / size:.2f}x")


if __name__ == "__main__":
    main()
