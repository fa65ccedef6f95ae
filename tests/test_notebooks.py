"""The committed report notebooks: clean, parameterised the papermill way, and runnable as-is.

``test_notebooks_run_with_default_parameters`` runs ``pytest --nbval-lax`` over notebooks/ in a
subprocess (the defaults: study "demo", region "noord"), with every output folder redirected to
a temporary one. It needs the demo study in data/raw/demo (``hbomkb demo --out data/raw/demo``).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import nbformat
import papermill as pm
import pytest

from hbomkb import config
from hbomkb.publish import run as report

NOTEBOOKS = [config.NOTEBOOKS_DIR / report.REGION_NOTEBOOK,
             config.NOTEBOOKS_DIR / report.NATIONAL_NOTEBOOK]
IDS = [p.name for p in NOTEBOOKS]
# metadata keys that only say who ran the notebook where; a committed notebook has none of them
NOISE = {"papermill", "execution", "widgets", "collapsed", "scrolled", "ExecuteTime"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_notebook_has_no_outputs_or_run_metadata(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], cell.source[:60]
            assert cell.execution_count is None, cell.source[:60]
        assert not NOISE & set(cell.metadata), cell.metadata
    assert not NOISE & set(nb.metadata)
    assert nb.metadata["kernelspec"]["name"] == report.KERNEL_NAME


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_cell_is_typed_commented_and_derives_nothing(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse(tagged[0].source)
    for node in tree.body:
        # only `name: type = literal` lines: nothing computed from something else
        assert isinstance(node, ast.AnnAssign), ast.unparse(node)
        ast.literal_eval(node.value)
    for line in tagged[0].source.splitlines():
        if re.match(r"\w+\s*:", line):
            assert "#" in line, f"parameter without a comment: {line}"
    # papermill must read every parameter (a second '=' on a line makes it skip that line)
    params = pm.inspect_notebook(str(path))
    expected = {"study", "reports_dir", "figures_dir"} | (
        {"region"} if path.name == report.REGION_NOTEBOOK else set())
    assert set(params) == expected
    assert params["study"]["default"] == '"demo"'
    assert all(p["inferred_type_name"] == "str" for p in params.values())
    if "region" in params:
        assert params["region"]["default"] == '"noord"'


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_code_is_thin(path):
    """Short code cells, prose between them, no function definitions: the library computes."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(prose) >= len(code) // 2
    for cell in code:
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)
                       for n in ast.walk(tree)), cell.source[:60]
        assert len(cell.source.splitlines()) <= 25, cell.source[:60]


# The figures of the study's deck (plots functions) each notebook must show.
REQUIRED_FIGURES = {
    report.REGION_NOTEBOOK: {"opportunity_landscape", "side_comparison"},
    report.NATIONAL_NOTEBOOK: {"top3_bars", "region_heatmap", "quadrant_bubbles",
                               "side_comparison", "ranking_plot", "form_heatmaps",
                               "form_fit_plot", "opportunity_landscape"},
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_shows_every_figure_of_the_deck(path):
    nb = nbformat.read(path, as_version=4)
    shown = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            # report.show_figure(plots.<figure>(...), ...)
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "show_figure" and node.args
                    and isinstance(node.args[0], ast.Call)
                    and isinstance(node.args[0].func, ast.Attribute)):
                shown.add(node.args[0].func.attr)
    assert REQUIRED_FIGURES[path.name] <= shown, REQUIRED_FIGURES[path.name] - shown


def test_notebooks_run_with_default_parameters(tmp_path):
    if not (config.RAW_DIR / config.DEFAULT_STUDY / "study.yaml").is_file():
        pytest.skip("no demo study; create it with `hbomkb demo --out data/raw/demo`")
    env = dict(os.environ, HBOMKB_REPORTS_DIR=str(tmp_path / "reports"),
               HBOMKB_FIGURES_DIR=str(tmp_path / "figures"),
               PYTHONPATH=os.pathsep.join(p for p in (str(config.PROJECT_DIR),
                                                      os.environ.get("PYTHONPATH", "")) if p),
               MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", str(tmp_path / "mpl")))
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
           "--rootdir", str(tmp_path), *map(str, NOTEBOOKS)]
    if report.kernel_name() != report.KERNEL_NAME:  # `make kernel` not run: use python3
        cmd += ["--nbval-kernel-name", "python3"]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900,
                         cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    # the default folders were redirected: the notebooks wrote their tables and figures there
    assert list((tmp_path / "reports" / "demo" / "tables" / "region-noord").glob("*.csv"))
    assert list((tmp_path / "figures" / "demo").glob("noord-*.png"))
    assert list((tmp_path / "figures" / "demo").glob("nationaal-*.svg"))
