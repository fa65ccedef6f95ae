"""Notebook helpers, collected outputs, and the run end to end."""

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
from hbomkb.publish import run as report


def _study(root: Path, synthetic: bool = True) -> Study:
    return Study(root=root, name="t", title="Teststudie", synthetic=synthetic,
                 regions=(Region("noord", "Noord"), Region("oost", "Oost")),
                 thresholds=Thresholds(), min_group_size=3)


# --------------------------------------------------------------------------------- helpers

def _ctx(tmp_path) -> report.Context:
    return report.Context(study=_study(tmp_path), name="region-noord", region="noord",
                          tables_dir=tmp_path / "tables" / "region-noord",
                          figures_dir=tmp_path / "figures", parameters={})


def test_show_table_records_csv_and_refuses_person_identifiers(tmp_path):
    ctx = _ctx(tmp_path)
    df = pd.DataFrame({"kant": ["hbo", "mkb"], "n": [4, 4]})
    report.show_table(df, "Deelnemers per kant", ctx, n=8)
    saved = pd.read_csv(ctx.tables_dir / "deelnemers-per-kant.csv")
    pd.testing.assert_frame_equal(saved, df)
    assert ctx.shown == [{"table": "deelnemers-per-kant", "caption": "Deelnemers per kant",
                          "n": 8, "rows": 2}]
    with pytest.raises(ValueError, match="identifying column"):
        report.show_table(df.assign(Participant="HBO-A"), "x", ctx)
    assert not (ctx.tables_dir / "x.csv").exists()


def test_table_html_formats_numbers_the_dutch_way_and_escapes_text():
    df = pd.DataFrame({"naam": ["<b>Stage</b>", None], "I": [7.5, np.nan],
                       "n": pd.array([4, None], dtype="Int64"), "gem.": [1.0, 2.345]})
    page = report.table_html(df, "Kansen & n", decimals=2, decimal=",")
    assert page.startswith('<table class="dataframe"><caption>Kansen &amp; n</caption>')
    header = re.findall(r"<th>(.*?)</th>", page)
    assert header == ["naam", "I", "n", "gem."]  # no index column
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr><td>.*?</tr>", page)]
    assert rows == [["&lt;b&gt;Stage&lt;/b&gt;", "7,50", "4", "1,00"],
                    ["–", "–", "–", "2,35"]]
    assert "<td>7.50</td>" in report.table_html(df, "x", decimal=".")


def test_show_figure_saves_png_and_svg(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ctx = _ctx(tmp_path)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    report.show_figure(fig, "Landschap hbo", ctx, caption="Kansenlandschap")
    assert (ctx.figures_dir / "noord-landschap-hbo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (ctx.figures_dir / "noord-landschap-hbo.svg").read_bytes()[:400]
    assert not plt.get_fignums()  # closed, so the inline backend does not draw it twice


def test_collect_tables_builds_one_workbook_with_contents(tmp_path):
    for rep, name, df in [("region-noord", "top3", pd.DataFrame({"rang": [1, 2]})),
                          ("national", "top3", pd.DataFrame({"code": ["H01"], "n": [3]})),
                          ("national", "x" * 40, pd.DataFrame({"a": [1.5]}))]:
        (tmp_path / "tables" / rep).mkdir(parents=True, exist_ok=True)
        df.to_csv(tmp_path / "tables" / rep / f"{name}.csv", index=False)
    path = report.collect_tables(tmp_path)
    sheets = pd.read_excel(path, sheet_name=None)
    contents = sheets["inhoud"]
    assert len(contents) == 3
    assert all(len(s) <= 31 for s in sheets)
    assert len(set(sheets)) == 4
    row = contents[contents["csv"] == "tables/national/top3.csv"].iloc[0]
    pd.testing.assert_frame_equal(sheets[row["blad"]], pd.DataFrame({"code": ["H01"], "n": [3]}))


def test_table_book_writes_done_reports_early_and_the_rest_when_saved(tmp_path):
    # a run writes the sheets of reports that are done while others still run; the tables of
    # those still running are read only when the workbook is saved, after they finished
    for rep in ("region-noord", "national"):
        (tmp_path / "tables" / rep).mkdir(parents=True)
        pd.DataFrame({"n": [1]}).to_csv(tmp_path / "tables" / rep / "top3.csv", index=False)
    book = report.TableBook(tmp_path)
    book.add_reports(skip={"national"})
    pd.DataFrame({"n": [7]}).to_csv(tmp_path / "tables" / "national" / "top3.csv", index=False)
    (tmp_path / "tables" / "national" / "extra.csv").write_text("a,b\nx,\n", encoding="utf-8")
    sheets = pd.read_excel(book.save(), sheet_name=None)
    assert list(sheets) == ["inhoud", "national.extra", "national.top3", "noord.top3"]
    assert sheets["national.top3"]["n"].tolist() == [7]
    assert sheets["noord.top3"]["n"].tolist() == [1]
    assert sheets["national.extra"]["a"].tolist() == ["x"]
    assert sheets["national.extra"]["b"].isna().all()  # an empty CSV field stays empty


def test_sheet_names_stay_unique_when_cut_to_31_characters():
    names = report._sheet_names(["a" * 40, "a" * 35, "inhoud"])
    assert len(set(n.lower() for n in names)) == 3
    assert all(len(n) <= 31 for n in names)
    assert "inhoud" not in names


def test_plan_has_one_notebook_per_region_then_national(tmp_path):
    st = _study(tmp_path)
    jobs = report.plan(st)
    assert [j.name for j in jobs] == ["region-noord", "region-oost", "national"]
    assert jobs[0].parameters == {"study": str(tmp_path), "region": "noord"}
    assert [j.name for j in report.plan(st, ["oost"])] == ["region-oost", "national"]
    with pytest.raises(config.StudyError, match="zuid"):
        report.plan(st, ["zuid"])


# --------------------------------------------------------------------------------- the run

def _env(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(HBOMKB_DATA_DIR=str(tmp / "data"), HBOMKB_REPORTS_DIR=str(tmp / "reports"),
               HBOMKB_FIGURES_DIR=str(tmp / "figures"), PYTHONPATH=str(config.PROJECT_DIR),
               MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", str(tmp / "mpl")))
    return env


def _run(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hbomkb.publish.run", "--study", "mini", "--jobs",
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
    assert "3 bijgewerkt, 0 ongewijzigd, 0 mislukt" in res.stdout
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
    assert "0 bijgewerkt, 3 ongewijzigd, 0 mislukt" in res.stdout, res.stdout
    assert (out / "region-noord.html").stat().st_mtime_ns == before
    assert res.stderr == "", res.stderr  # quiet terminal: no kernel or library warnings


def _light_notebooks(folder: Path) -> Path:
    """Notebooks named like the real ones that record one table and fail for region 'oost'."""
    folder.mkdir()
    for name, region in ((report.REGION_NOTEBOOK, True), (report.NATIONAL_NOTEBOOK, False)):
        params = nbformat.v4.new_code_cell(
            'study: str = "demo"\n' + ('region: str = "noord"\n' if region else "")
            + 'reports_dir: str = ""\nfigures_dir: str = ""')
        params.metadata["tags"] = ["parameters"]
        body = nbformat.v4.new_code_cell(
            "import pandas as pd\nfrom hbomkb.publish import run as report\n"
            f"ctx = report.open_report(study, {'region' if region else 'None'}, reports_dir, "
            "figures_dir, load=False)\n"
            "report.show_table(pd.DataFrame({'kant': ['hbo'], 'n': [4]}), 'licht', ctx, n=4)")
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
    assert "2 bijgewerkt, 0 ongewijzigd, 1 mislukt" in res.stdout
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
    assert "MISLUKT" in (out / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((out / report.MANIFEST).read_text())
    assert "region-oost" not in manifest["notebooks"]  # runs again next time
    assert np.isfinite(manifest["notebooks"]["region-noord"]["seconds"])


def test_a_report_that_drops_a_figure_takes_its_old_files_away(tmp_path):
    figures, listing = tmp_path / "figures", tmp_path / "reports" / ".published" / "national.json"
    figures.mkdir()
    (figures / "noord-a.png").write_text("another report's figure")
    for names in (["nationaal-a.png", "nationaal-a.svg", "nationaal-b.png"], ["nationaal-b.png"]):
        staged = tmp_path / "staging"
        staged.mkdir()
        for name in names:
            (staged / name).write_text(name)
        assert report.publish_figures(staged, figures, listing) == sorted(names)
        staged.rmdir()  # everything moved
    assert sorted(p.name for p in figures.iterdir()) == ["nationaal-b.png", "noord-a.png"]
