"""``hbomkb run``: the plan, and a real run end to end (outputs, skipping, a failing region)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from test_outputs import links_outside

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
    # each sheet named after its table (no code, no cut-off word where 31 characters allow)
    contents = sheets["inhoud"]
    assert list(sheets)[1:] == contents["blad"].tolist()
    for blad, report, table in contents[["blad", "rapport", "tabel"]].itertuples(index=False):
        full = f"{report.removeprefix('region-')}.{table}"
        assert blad == full if len(full) <= 31 else len(blad) <= 31 and "~" not in blad
    figs = run_dir / "figures" / "mini"
    pngs, svgs = sorted(figs.glob("*.png")), sorted(figs.glob("*.svg"))
    assert pngs and [p.stem for p in pngs] == [s.stem for s in svgs]
    # the provenance block names the study (outside the project) by its folder name only
    # (checked here, before later tests of this module publish other notebooks)
    full = (out / "region-noord.html").read_text(encoding="utf-8")
    assert "(<code>mini</code>)" in full


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


def test_no_caption_of_a_report_nests_parentheses(run_dir):
    # "(n = 8 respondenten per kant (max.))" reads badly: a caption's parentheses stay flat
    def depth(text: str) -> int:
        deepest = level = 0
        for ch in text:
            level += {"(": 1, ")": -1}.get(ch, 0)
            deepest = max(deepest, level)
        return deepest

    out = run_dir / "reports" / "mini"
    pages = sorted(out.glob("*.html"))
    captions = [c for page in pages for c in re.findall(
        r"<caption>(.*?)</caption>", page.read_text(encoding="utf-8"), re.S)]
    assert {f"{r}{s}.html" for r in ("region-noord", "region-oost", "national")
            for s in ("", "-review")} <= {p.name for p in pages}
    assert len(captions) > 30
    assert [c for c in captions if depth(c) > 1] == []

def test_executed_notebooks_name_the_published_folders(run_dir):
    out = run_dir / "reports" / "mini"
    nb = nbformat.read(out / "region-noord.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    # outside the project, every folder is named by its name only (never this machine's path)
    assert 'study = "mini"' in injected[0].source
    assert 'reports_dir = "mini"' in injected[0].source
    assert 'figures_dir = "mini"' in injected[0].source
    assert nb.metadata["papermill"]["parameters"]["study"] == "mini"
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
    # the index shows when each skipped report was last built, kept in the manifest
    manifest = json.loads((out / report_run.MANIFEST).read_text())
    index = (out / "index.html").read_text(encoding="utf-8")
    for label, name in (("Regio Noord", "region-noord"), ("Nationaal", "national")):
        row = re.search(rf"<tr><td>{label}</td>.*?</tr>", index, re.S).group()
        assert manifest["last_run"][name] == "skipped"
        assert f'<time datetime="{manifest["notebooks"][name]["finished"]}"' in row
    assert "ongewijzigd" not in index


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


# ------------------------------------------------------------- a reports folder to send away

# Long runs of base64 (embedded images), which may spell anything by chance.
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/=]|\\n|\n){200,}")


def machine_paths_in(folder: Path, *more: Path) -> list[str]:
    """Every file in ``folder`` whose text (or, for a zip such as tables.xlsx, any member's
    text) names a folder of this machine: the project, home, temp or one of ``more``."""
    words = [str(config.PROJECT_DIR), "/work/", "/tmp/", tempfile.gettempdir() + "/",
             os.path.expanduser("~") + "/", *(str(m) for m in more)]
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        texts = [data]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                texts = [z.read(n) for n in z.namelist()]
        for raw in texts:
            text = _BASE64.sub("", raw.decode("utf-8", errors="ignore"))
            hits = [w for w in words if w in text]
            if hits:
                found.append(f"{path.relative_to(folder)}: {hits}")
    return found


def test_published_files_name_no_folder_of_this_machine(run_dir):
    out = run_dir / "reports" / "mini"
    assert machine_paths_in(out, run_dir) == []


def test_the_reports_folder_links_only_inside_itself(run_dir):
    out = run_dir / "reports" / "mini"
    assert links_outside(out) == []
    figures = sorted(p.name for p in (run_dir / "figures" / "mini").glob("[!.]*.*"))
    copies = out / "figures"
    assert figures and sorted(p.name for p in copies.iterdir()) == figures
    assert all((copies / f).read_bytes() == (run_dir / "figures" / "mini" / f).read_bytes()
               for f in figures)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="figures/"' in index


def _report_notebooks(folder: Path) -> Path:
    """Light notebooks named like the real ones that show their provenance, a table and a
    figure."""
    folder.mkdir()
    for name, region in ((report_run.REGION_NOTEBOOK, True),
                         (report_run.NATIONAL_NOTEBOOK, False)):
        params = nbformat.v4.new_code_cell(
            'study: str = "demo"\n' + ('region: str = "noord"\n' if region else "")
            + 'reports_dir: str = ""\nfigures_dir: str = ""')
        params.metadata["tags"] = ["parameters"]
        body = nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nimport pandas as pd\nfrom hbomkb import notebook\n"
            f"report = notebook.open_report(study, {'region' if region else 'None'}, "
            "reports_dir, figures_dir, load=False)\nnotebook.show_provenance(report)\n"
            "notebook.show_table(pd.DataFrame({'kant': ['hbo'], 'n': [4]}), 'licht', report, n=4)\n"
            "fig, ax = plt.subplots(figsize=(2, 2))\nax.plot([1, 2], [2, 1])\n"
            "notebook.show_figure(fig, 'lijn', report, caption='een lijn')")
        nb = nbformat.v4.new_notebook(cells=[params, body])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, folder / name)
    return folder


def test_a_study_given_by_an_absolute_path_outside_the_project_is_named_by_its_folder(
        run_dir, tmp_path):
    study = tmp_path / "elders" / "mijnstudie"
    shutil.copytree(run_dir / "data" / "raw" / "mini", study)
    out, figures = tmp_path / "uit", tmp_path / "figuren"
    res = subprocess.run(
        [sys.executable, "-m", "hbomkb", "run", "--study", str(study), "--jobs", "2",
         "--notebooks", str(_report_notebooks(tmp_path / "nb")), "--out", str(out),
         "--figures", str(figures), "--no-progress"],
        env=_env(run_dir), capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "3 rendered, 0 unchanged, 0 failed" in res.stdout
    nb = nbformat.read(out / "region-noord.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'study = "mijnstudie"' in injected.source
    provenance_md = next(o.data["text/markdown"] for c in nb.cells if c.cell_type == "code"
                         for o in c.outputs if "Herkomst" in o.get("data", {}).get(
                             "text/markdown", ""))
    assert "(<code>mijnstudie</code>)" in provenance_md
    assert machine_paths_in(out, tmp_path, run_dir) == []
    assert links_outside(out) == []
    names = sorted(f"{r}-lijn.{s}" for r in ("nationaal", "noord", "oost") for s in ("png", "svg"))
    assert sorted(p.name for p in figures.glob("[!.]*.*")) == names
    assert sorted(p.name for p in (out / "figures").iterdir()) == names
