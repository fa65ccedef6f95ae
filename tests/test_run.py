"""``hbomkb run``: the plan, and a real run end to end (outputs, skipping, a failing region)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from hbomkb import config
from hbomkb.config import Region, Study, Thresholds
from hbomkb.publish import run as report_run


def _study(root: Path, synthetic: bool = True) -> Study:
    return Study(root=root, name="t", title="Teststudie", synthetic=synthetic,
                 regions=(Region("noord", "Noord"), Region("oost", "Oost")),
                 thresholds=Thresholds(), min_group_size=3)


def test_plan_has_one_notebook_per_region_then_national(tmp_path):
    st = _study(tmp_path)
    jobs = report_run.plan(st)
    assert [j.name for j in jobs] == ["region-noord", "region-oost", "national"]
    assert jobs[0].parameters == {"study": str(tmp_path), "region": "noord"}
    assert [j.name for j in report_run.plan(st, ["oost"])] == ["region-oost", "national"]
    with pytest.raises(config.StudyError, match="zuid"):
        report_run.plan(st, ["zuid"])


# --------------------------------------------------------------------------------- the run

def _env(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(HBOMKB_DATA_DIR=str(tmp / "data"), HBOMKB_REPORTS_DIR=str(tmp / "reports"),
               HBOMKB_FIGURES_DIR=str(tmp / "figures"), PYTHONPATH=str(config.PROJECT_DIR),
               MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", str(tmp / "mpl")))
    return env


def _run(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hbomkb", "run", "--study", "mini", "--jobs",
                           "2", *args], env=_env(tmp), capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A two-region synthetic study, run once through ``hbomkb run`` into a temp folder."""
    from hbomkb.demo.generator import generate

    tmp = tmp_path_factory.mktemp("run")
    generate(tmp / "data" / "raw" / "mini", seed=11, regions=["noord", "oost"])
    res = _run(tmp)
    assert res.returncode == 0, res.stderr
    # quiet terminal: the progress bar only, no kernel or library warnings
    assert "warn" not in res.stderr.lower() and "error" not in res.stderr.lower(), res.stderr
    assert "3 rendered, 0 unchanged, 0 failed" in res.stdout
    return tmp


def test_run_writes_every_output(run_dir):
    out = run_dir / "reports" / "mini"
    for name in ("region-noord", "region-oost", "national"):
        for suffix in (".ipynb", ".html", "-review.html"):
            assert (out / f"{name}{suffix}").is_file(), f"{name}{suffix}"
        assert list((out / "tables" / name).glob("*.csv")), name
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in ("region-noord.html", "region-oost-review.html", "national.html", "tables.xlsx"):
        assert f'href="{href}"' in index
    sheets = pd.read_excel(out / "tables.xlsx", sheet_name=None)
    assert len(sheets["inhoud"]) == len(list((out / "tables").glob("*/*.csv")))
    figs = run_dir / "figures" / "mini"
    pngs, svgs = sorted(figs.glob("*.png")), sorted(figs.glob("*.svg"))
    assert pngs and [p.stem for p in pngs] == [s.stem for s in svgs]


def test_run_html_embeds_figures_and_review_has_no_code(run_dir):
    out = run_dir / "reports" / "mini"
    for name in ("region-noord", "national"):
        full = (out / f"{name}.html").read_text(encoding="utf-8")
        review = (out / f"{name}-review.html").read_text(encoding="utf-8")
        assert 'src="data:image/png;base64,' in full
        assert not re.search(r'<img[^>]+src="(?!data:)', full)  # no linked images
        assert review.count('src="data:image/png;base64,') == full.count(
            'src="data:image/png;base64,')
        assert "open_report" in full and "open_report" not in review
        assert not re.search(r"class=\"[^\"]*jp-InputArea-editor", review)
        assert re.search(r"class=\"[^\"]*jp-InputArea-editor", full)
        assert "SYNTHETISCHE DATA" in full


def test_run_html_keeps_inputs_and_outputs_focusable_and_images_described(run_dir):
    # what nbconvert's exporter adds for keyboard and screen-reader users
    out = run_dir / "reports" / "mini"
    for name in ("region-noord.html", "national-review.html"):
        page = (out / name).read_text(encoding="utf-8")
        divs = re.findall(r'<div class="[^"]*\bjp-OutputArea-output\b[^"]*"[^>]*>', page)
        assert divs and all('tabindex="0"' in d for d in divs)
        if "review" not in name:
            inputs = re.findall(r'<div class="[^"]*\bjp-Cell-inputWrapper\b[^"]*"[^>]*>', page)
            assert inputs and all('tabindex="0"' in d for d in inputs)
        images = re.findall(r"<img\b[^>]*>", page)
        assert images and all(re.search(r'\balt="[^"]+"', i) for i in images)


def test_every_table_of_a_report_states_its_n(run_dir):
    out = run_dir / "reports" / "mini"
    for name in ("region-noord", "national"):
        captions = re.findall(r"<caption>(.*?)</caption>",
                              (out / f"{name}-review.html").read_text(encoding="utf-8"))
        assert captions and all(re.search(r"\(n = \d+ \w", c) for c in captions), captions

def test_executed_notebooks_name_the_published_folders(run_dir):
    out = run_dir / "reports" / "mini"
    nb = nbformat.read(out / "region-noord.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert f'reports_dir = "{out}"' in injected[0].source
    assert f'figures_dir = "{run_dir / "figures" / "mini"}"' in injected[0].source
    assert ".staging" not in json.dumps(nb.metadata)
    assert not any("execution" in c.metadata or "papermill" in c.metadata for c in nb.cells)


def test_run_notebooks_show_no_warnings_or_errors(run_dir):
    out = run_dir / "reports" / "mini"
    for name in ("region-noord", "region-oost", "national"):
        nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
        streams = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type in ("stream", "error") and o.get("name") != "stdout"]
        assert streams == [], (name, streams[:1])
        assert "Warning" not in (out / f"{name}.html").read_text(encoding="utf-8")


def test_unchanged_run_skips_every_notebook(run_dir):
    out = run_dir / "reports" / "mini"
    before = (out / "region-noord.html").stat().st_mtime_ns
    res = _run(run_dir, "--no-progress")
    assert res.returncode == 0, res.stderr
    # (fails if hbomkb's source changed since the fixture ran: that rightly forces a rerun)
    assert "0 rendered, 3 unchanged, 0 failed" in res.stdout, res.stdout
    assert (out / "region-noord.html").stat().st_mtime_ns == before
    assert res.stderr == "", res.stderr  # quiet terminal: no kernel or library warnings


def _light_notebooks(folder: Path) -> Path:
    """Notebooks named like the real ones that record one table and fail for region 'oost'."""
    folder.mkdir()
    for name, region in ((report_run.REGION_NOTEBOOK, True),
                         (report_run.NATIONAL_NOTEBOOK, False)):
        params = nbformat.v4.new_code_cell(
            'study: str = "demo"\n' + ('region: str = "noord"\n' if region else "")
            + 'reports_dir: str = ""\nfigures_dir: str = ""')
        params.metadata["tags"] = ["parameters"]
        body = nbformat.v4.new_code_cell(
            "import pandas as pd\nfrom hbomkb import notebook\n"
            f"report = notebook.open_report(study, {'region' if region else 'None'}, "
            "reports_dir, figures_dir, load=False)\n"
            "notebook.show_table(pd.DataFrame({'kant': ['hbo'], 'n': [4]}), 'licht', report, n=4)")
        fail = nbformat.v4.new_code_cell(
            "if globals().get('region') == 'oost':\n    raise RuntimeError('kapot in oost')")
        nb = nbformat.v4.new_notebook(cells=[params, body, fail])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, folder / name)
    return folder


def test_failing_region_keeps_last_good_report_and_exits_nonzero(run_dir, tmp_path):
    out = run_dir / "reports" / "mini"
    nb_dir = _light_notebooks(tmp_path / "notebooks")
    old_oost = (out / "region-oost.html").read_bytes()
    old_oost_tables = sorted(p.name for p in (out / "tables" / "region-oost").glob("*.csv"))
    res = _run(run_dir, "--notebooks", str(nb_dir), "--no-progress")
    assert res.returncode == 1
    assert "2 rendered, 0 unchanged, 1 failed" in res.stdout
    # execution count 4: parameters, papermill's injected parameters, body, the failing cell
    assert ("region-oost: failed in cell [4] (if globals().get('region') == 'oost':): "
            "RuntimeError: kapot in oost") in res.stderr
    # the failing report keeps its last good version, tables included
    assert (out / "region-oost.html").read_bytes() == old_oost
    assert sorted(p.name for p in (out / "tables" / "region-oost").glob("*.csv")) == \
        old_oost_tables
    assert (out / "failed" / "region-oost.ipynb").is_file()
    # the others were rendered by this run
    for name in ("region-noord", "national"):
        assert "licht" in (out / f"{name}.html").read_text(encoding="utf-8")
        assert [p.name for p in (out / "tables" / name).glob("*.csv")] == ["licht.csv"]
    # the index never calls a report failed while its last good version is published: it
    # shows that version, with its date, and says what this run could not do
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "MISLUKT" not in index
    row = re.search(r"<tr><td>Regio Oost</td>.*?</tr>", index, re.S).group()
    manifest = json.loads((out / report_run.MANIFEST).read_text())
    assert "laatste goede versie getoond" in row
    assert manifest["notebooks"]["region-oost"]["finished"] in row
    assert "kapot in oost" in row
    assert "key" not in manifest["notebooks"]["region-oost"]  # runs again next time
    assert np.isfinite(manifest["notebooks"]["region-noord"]["seconds"])

