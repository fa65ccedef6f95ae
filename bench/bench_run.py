"""How fast is ``hbomkb run``? Against the floor and against the naive way, in one go.

    python bench/bench_run.py [--jobs N] [--seed 2018] [--regions noord oost ...]

All three work on the same freshly generated demo study in a temporary folder (the repository's
data/, reports/ and figures/ are not touched):

1. **run**: ``hbomkb run --force`` (validate, process, execute every region notebook and the
   national one in the worker pool, render HTML, tables.xlsx, index).
2. **floor**: the same number of notebooks, each only importing what the real one imports (the
   import statements of its code cells, read from the notebook: the hbomkb modules, which
   bring numpy, pandas, scipy, matplotlib and seaborn; the national one also pingouin, which
   the library imports for the survey), executed and rendered through the same pool
   (``hbomkb.publish.run.run`` with those notebooks, no processing). Nothing can be faster
   than starting the kernels and importing.
3. **naive**: the papermill command line once per notebook in sequence, then
   ``jupyter nbconvert --to html`` once per notebook (processed tables already on disk, which
   favours naive).

Goal: run within 1.6x of the floor, and at least 3x faster than naive. Wall-clock numbers depend
on the machine and its load: run and floor are measured ``--repeat`` times, interleaved, and the
fastest of each counts (the usual way to see through other processes' noise); naive once. On
Linux it also reports the busy CPU seconds of the whole machine during each run and floor: the
work done, which varies less than wall time. The script prints the numbers, it does not judge
them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Imported inside the library by the national notebook only (survey_scores.ranking_agreement).
NATIONAL_EXTRA_IMPORTS = "import pingouin"


def notebook_imports(path: Path) -> str:
    """The import statements of a notebook's code cells, as they stand there."""
    import ast

    import nbformat

    nb = nbformat.read(path, as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines += [ast.unparse(node) for node in ast.parse(cell.source).body
                      if isinstance(node, ast.Import | ast.ImportFrom)]
    return "\n".join(lines)


def floor_notebooks(folder: Path) -> None:
    """Notebooks named like the real ones whose only work is importing what they import."""
    import nbformat

    from hbomkb.config import NOTEBOOKS_DIR
    from hbomkb.publish import run as report

    for name, region, extra in ((report.REGION_NOTEBOOK, True, ""),
                                (report.NATIONAL_NOTEBOOK, False, NATIONAL_EXTRA_IMPORTS)):
        imports = "\n".join(filter(None, (notebook_imports(NOTEBOOKS_DIR / name), extra)))
        params = 'study: str = "demo"\n' + ('region: str = "noord"\n' if region else "") + \
            'reports_dir: str = ""\nfigures_dir: str = ""'
        cell = nbformat.v4.new_code_cell(params)
        cell.metadata["tags"] = ["parameters"]
        nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_code_cell(imports)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, folder / name)


def busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine spent busy so far (Linux /proc/stat), else None."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


CPU: dict[str, list[float]] = {}  # busy CPU seconds per measured command, by label


def timed(cmd: list[str], env: dict, cwd: Path | None = None, label: str = "") -> float:
    cpu0, start = busy_cpu_seconds(), time.perf_counter()
    res = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    cpu1 = busy_cpu_seconds()
    if res.returncode != 0:
        raise SystemExit(f"failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr[-3000:]}")
    if label and cpu0 is not None and cpu1 is not None:
        CPU.setdefault(label, []).append(round(cpu1 - cpu0, 1))
    return took


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=None, help="pool size (default: CPU count)")
    ap.add_argument("--seed", type=int, default=2018, help="demo seed (as `hbomkb demo`)")
    ap.add_argument("--regions", nargs="+", default=None, help="demo regions (default: all)")
    ap.add_argument("--repeat", type=int, default=3, help="measurements of run and floor")
    ap.add_argument("--skip-naive", action="store_true", help="only run and floor")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="hbomkb-bench-"))
    env = dict(os.environ, HBOMKB_DATA_DIR=str(tmp / "data"),
               HBOMKB_REPORTS_DIR=str(tmp / "reports"), HBOMKB_FIGURES_DIR=str(tmp / "figures"),
               PYTHONPATH=os.pathsep.join(p for p in (str(PROJECT),
                                                      os.environ.get("PYTHONPATH", "")) if p),
               MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", str(tmp / "mpl")))
    os.environ.update({k: env[k] for k in ("HBOMKB_DATA_DIR", "HBOMKB_REPORTS_DIR",
                                            "HBOMKB_FIGURES_DIR")})
    sys.path.insert(0, str(PROJECT))
    from hbomkb.demo.generator import generate
    from hbomkb.publish import run as report

    study = generate(tmp / "data" / "raw" / "demo", seed=args.seed, regions=args.regions)
    from hbomkb.config import load_study

    st = load_study(study)
    n_notebooks = len(st.regions) + 1
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    py = sys.executable

    # warm the OS file cache and matplotlib's font cache once, outside every measurement
    timed([py, "-c", notebook_imports(PROJECT / "notebooks" / report.NATIONAL_NOTEBOOK)
           + "\n" + NATIONAL_EXTRA_IMPORTS], env)

    floor_dir = tmp / "floor-notebooks"
    floor_dir.mkdir()
    floor_notebooks(floor_dir)
    run_cmd = [py, "-m", "hbomkb", "run", "--study", str(study), "--force", "--no-progress",
               *jobs]
    floor_cmd = [py, "-c", (
        "import sys; from hbomkb.publish import run as report; "
        f"r = report.run({str(study)!r}, jobs={args.jobs!r}, force=True, process=False, "
        f"progress=False, notebooks_dir={str(floor_dir)!r}, out_dir={str(tmp / 'floor')!r}, "
        f"figures_dir={str(tmp / 'floor-fig')!r}); sys.exit(r.exit_code)")]
    runs, floors = [], []
    for _ in range(max(1, args.repeat)):
        runs.append(timed(run_cmd, env, label="run"))
        floors.append(timed(floor_cmd, env, label="floor"))
    t_run, t_floor = min(runs), min(floors)

    result = {"notebooks": n_notebooks, "jobs": args.jobs or os.cpu_count(),
              "run_s": round(t_run, 2), "floor_s": round(t_floor, 2),
              "run_over_floor": round(t_run / t_floor, 2),
              "run_all_s": [round(t, 1) for t in runs],
              "floor_all_s": [round(t, 1) for t in floors],
              # busy CPU seconds of the whole machine during each measurement: the work done,
              # less sensitive than wall time to other processes slowing this one down
              "run_cpu_s": CPU.get("run"), "floor_cpu_s": CPU.get("floor")}
    if not args.skip_naive:
        kernel = report.kernel_name()
        naive_out = tmp / "naive"
        naive_out.mkdir()
        start = time.perf_counter()
        jobs_list = report.plan(st)
        for j in jobs_list:
            out = naive_out / f"{j.name}.ipynb"
            cmd = [str(BIN / "papermill"), str(j.notebook), str(out), "-k", kernel,
                   "--cwd", str(j.notebook.parent)]
            params = dict(j.parameters, reports_dir=str(naive_out),
                          figures_dir=str(naive_out / "figures"))
            for k, v in params.items():
                cmd += ["-p", k, str(v)]
            timed(cmd, env)
        for j in jobs_list:
            timed([str(BIN / "jupyter"), "nbconvert", "--to", "html",
                   str(naive_out / f"{j.name}.ipynb")], env)
        t_naive = time.perf_counter() - start
        result.update(naive_s=round(t_naive, 2), naive_over_run=round(t_naive / t_run, 2))
    if args.keep:
        result["folder"] = str(tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, indent=2))
    print(f"run is {result['run_over_floor']}x the floor (goal <= 1.6)"
          + (f"; naive is {result['naive_over_run']}x the run (goal >= 3)"
             if "naive_s" in result else ""))
    return result


if __name__ == "__main__":
    main()
