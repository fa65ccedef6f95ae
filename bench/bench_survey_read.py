"""Benchmark: reading a LimeSurvey export of the demo survey's shape into the tidy tables.

Writes a synthetic export of 100,000 responses (the demo codebook: 7 hbo and 7 mkb outcomes,
10 forms) to a temporary folder, then measures, each in a fresh process so that one
measurement cannot inflate the other:

- the time of a plain ``pandas.read_csv`` of the file (the baseline),
- the time of ``hbomkb.survey.read_survey`` (export + structure to the tidy tables),
- the peak memory of each: growth of the peak resident set size over the size just before the
  read (``resource.getrusage``), which also counts memory allocated by pyarrow; and, in a
  separate run (tracemalloc slows allocation-heavy code), the tracemalloc peak, which counts
  only what Python and numpy allocate.

Prints the ratios to the baseline time and to the file size. Goal: time <= 2.5x read_csv,
peak memory <= 3x the file size.

    python bench/bench_survey_read.py [--n 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
import pandas as pd
from hbomkb import survey
from hbomkb.config import Study, Region
folder, what = {folder!r}, {what!r}
clusters = pd.read_parquet(folder + "/clusters.parquet")
study = Study(root=__import__("pathlib").Path(folder), name="bench", title="bench",
              regions=tuple(Region(s, s) for s in {regions!r}))
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()
before = rss()
if {trace!r}:
    tracemalloc.start()
t = time.perf_counter()
if what == "read_csv":
    out = pd.read_csv(folder + "/survey/responses.csv", sep=";")
    n = len(out)
else:
    tables, problems = survey.read_survey(study, clusters)
    n = len(tables["respondents"])
    assert not [p for p in problems if p.is_error], problems[:3]
elapsed = time.perf_counter() - t
traced = tracemalloc.get_traced_memory()[1] if {trace!r} else 0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": elapsed, "rss_growth": peak - before, "traced": traced, "n": n}}))
"""


def demo_codebook():
    import pandas as pd

    from hbomkb import demo_content as C

    rows = []
    for kind, catalogue in (("outcome_hbo", C.OUTCOMES_HBO), ("outcome_mkb", C.OUTCOMES_MKB),
                            ("form", C.FORMS)):
        for code, entry in catalogue.items():
            rows.append({"kind": kind, "code": code, "label_nl": entry[0], "label_en": entry[1],
                         "explore": "explore", "term": "short"})
    return pd.DataFrame(rows).astype("string"), [s for s, _ in C.REGIONS]


def run_child(folder: Path, what: str, regions, trace: bool = False) -> dict:
    code = CHILD.format(root=str(ROOT), folder=str(folder), what=what, regions=regions,
                        trace=trace)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each measurement; the fastest counts (the machine is shared)")
    args = ap.parse_args(argv)

    from hbomkb import survey
    from hbomkb.config import Region, Study

    clusters, regions = demo_codebook()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        study = Study(root=folder, name="bench", title="bench",
                      regions=tuple(Region(s, s) for s in regions))
        t = time.perf_counter()
        structure = survey.build_structure(study, clusters)
        from hbomkb import limesurvey as ls
        ls.write_lss(structure, folder / "survey" / "survey.lss")
        n = {"hbo": args.n * 2 // 5, "mkb": args.n - args.n * 2 // 5}
        responses = survey.synthetic_responses(study, clusters, {}, n, args.seed, structure)
        path = survey.write_responses_csv(responses, folder / "survey" / "responses.csv")
        del responses
        clusters.to_parquet(folder / "clusters.parquet")
        size = path.stat().st_size
        print(f"wrote {args.n:,} responses, {size / 1e6:.1f} MB, "
              f"in {time.perf_counter() - t:.1f} s")
        base = min((run_child(folder, "read_csv", regions) for _ in range(args.repeat)),
                   key=lambda r: r["seconds"])
        ours = min((run_child(folder, "read_survey", regions) for _ in range(args.repeat)),
                   key=lambda r: r["seconds"])
        ours["traced"] = run_child(folder, "read_survey", regions, trace=True)["traced"]
    print(f"pandas.read_csv : {base['seconds']:.2f} s, peak RSS growth "
          f"{base['rss_growth'] / 1e6:.0f} MB ({base['rss_growth'] / size:.2f}x file)")
    print(f"read_survey     : {ours['seconds']:.2f} s, peak RSS growth "
          f"{ours['rss_growth'] / 1e6:.0f} MB, tracemalloc peak {ours['traced'] / 1e6:.0f} MB")
    print(f"time ratio      : {ours['seconds'] / base['seconds']:.2f}x read_csv (goal <= 2.5x)")
    print(f"memory ratio    : {ours['rss_growth'] / size:.2f}x file size by RSS, "
          f"{ours['traced'] / size:.2f}x by tracemalloc (goal <= 3x)")


if __name__ == "__main__":
    main()
