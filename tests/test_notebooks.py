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
from hbomkb.publish import run as report_run

NOTEBOOKS = [config.NOTEBOOKS_DIR / report_run.REGION_NOTEBOOK,
             config.NOTEBOOKS_DIR / report_run.NATIONAL_NOTEBOOK]
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
    assert nb.metadata["kernelspec"]["name"] == report_run.KERNEL_NAME


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
        {"region"} if path.name == report_run.REGION_NOTEBOOK else set())
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_code_reads_with_full_names_and_no_hidden_links(path):
    """Names a reader understands (no `t`, `st`, `ctx` …), and no cell that pre-sets results
    to None so that a later cell can run when an earlier one skipped its work."""
    nb = nbformat.read(path, as_version=4)
    names, presets = set(), []
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[0])
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and node.value.value is None:
                presets.append(ast.unparse(node))
    assert not {n for n in names if len(n) < 3}, names
    assert not presets


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_words_shown_by_code_cells_come_from_the_word_table(path):
    """A caption or message in a code cell is ``labels.label(...)`` (or generated text), never
    a string typed in place: only the word table makes it English for ``language: en``."""
    nb = nbformat.read(path, as_version=4)
    typed = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if not isinstance(node, ast.Call):
                continue
            shown = [k.value for k in node.keywords if k.arg == "caption"]
            if ast.unparse(node.func) == "notebook.show_markdown":
                shown += node.args[:1]
            typed += [ast.unparse(v) for v in shown
                      if isinstance(v, ast.Constant | ast.JoinedStr | ast.BinOp)]
    assert not typed, typed


# The figures of the study's deck each report shows, as the files the run publishes:
# region: opportunity_landscape, side_comparison; national: region_heatmap, top3_bars,
# quadrant_bubbles, side_comparison, and from the survey ranking_plot, form_heatmaps,
# form_fit_plot, opportunity_landscape.
REQUIRED_FIGURES = {
    report_run.REGION_NOTEBOOK: {"noord-landschap", "noord-hbo-mkb"},
    report_run.NATIONAL_NOTEBOOK: {
        "nationaal-heatmap-hbo", "nationaal-heatmap-mkb", "nationaal-heatmap-vormen",
        "nationaal-top3-per-regio", "nationaal-kwadranten-outcome-hbo",
        "nationaal-kwadranten-outcome-mkb", "nationaal-kwadranten-form", "nationaal-hbo-mkb",
        "nationaal-rangorde", "nationaal-vormen-hbo", "nationaal-vormen-mkb", "nationaal-fit",
        "nationaal-landschap"},
}


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
    if report_run.kernel_name() != report_run.KERNEL_NAME:  # `make kernel` not run: use python3
        cmd += ["--nbval-kernel-name", "python3"]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900,
                         cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    # the default folders were redirected: the notebooks wrote their tables and figures there
    assert list((tmp_path / "reports" / "demo" / "tables" / "region-noord").glob("*.csv"))
    figures = {p.stem for p in (tmp_path / "figures" / "demo").glob("*.png")}
    for name, required in REQUIRED_FIGURES.items():
        assert required <= figures, (name, required - figures)
    assert {p.stem for p in (tmp_path / "figures" / "demo").glob("*.svg")} == figures
