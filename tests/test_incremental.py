"""Incremental runs: a change re-renders only the reports, and rebuilds only the processed
tables, that depend on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from hbomkb.demo.generator import generate
from hbomkb.inputs.build import MANIFEST as PROCESSED_MANIFEST
from hbomkb.inputs.survey import empty_tables
from hbomkb.inputs.workshops import COLUMNS as WORKSHOP_TABLES
from hbomkb.publish import run as report_run


def _light_notebooks(folder: Path) -> Path:
    """Notebooks named like the real ones that open their report and record one table."""
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
        nb = nbformat.v4.new_notebook(cells=[params, body])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, folder / name)
    return folder


@pytest.fixture
def runner(tmp_path, processed_root, monkeypatch):
    # The package's source is held still: these tests are about which raw files a report
    # depends on, and a source change (another edit in the working tree) rightly reruns all.
    monkeypatch.setattr(report_run.provenance, "source_hash", lambda: "source held still")
    study = generate(tmp_path / "drie", seed=9, regions=["Utrecht", "Twente", "Zeeland"])
    notebooks = _light_notebooks(tmp_path / "notebooks")

    def run(**kw):
        result = report_run.run(study, out_dir=tmp_path / "reports",
                                figures_dir=tmp_path / "figures", notebooks_dir=notebooks,
                                kernel="python3", progress=False, jobs=2, **kw)
        assert result.ok, [o.describe() for o in result.failures]
        manifest = json.loads((tmp_path / "reports" / report_run.MANIFEST).read_text())
        executed = {name for name, status in manifest["last_run"].items() if status == "ok"}
        processed = json.loads((processed_root / "drie" / PROCESSED_MANIFEST).read_text())
        return executed, processed

    return study, run


def _edit_note(path: Path) -> None:
    wb = load_workbook(path)
    cell = wb["outcome_notes"]["B2"]
    cell.value = f"{cell.value} (herschreven)"
    wb.save(path)


def test_one_region_changed_renders_that_region_and_the_national_report(runner):
    study, run = runner
    executed, processed = run()
    assert executed == {"region-utrecht", "region-twente", "region-zeeland", "national"}
    assert run()[0] == set()  # nothing changed: nothing runs

    _edit_note(study / "workshops" / "twente.xlsx")
    executed, processed = run()
    assert executed == {"region-twente", "national"}
    # only the workshop tables were rebuilt; the survey and codebook tables were left alone
    assert set(processed["rebuilt"]) == set(WORKSHOP_TABLES)


def test_a_survey_change_renders_every_report_that_shows_survey_results(runner):
    study, run = runner
    run()
    responses = study / "survey" / "responses.csv"
    lines = responses.read_bytes().splitlines(keepends=True)
    responses.write_bytes(b"".join(lines[:-1]))  # the last respondent withdrew
    executed, processed = run()
    assert executed == {"region-utrecht", "region-twente", "region-zeeland", "national"}
    survey_tables = set(empty_tables()) - {"exclusions"}
    assert set(processed["rebuilt"]) == survey_tables
    assert processed["tables"]["respondents"] == len(lines) - 2  # header, one respondent less


def test_a_codebook_change_renders_and_rebuilds_everything(runner):
    study, run = runner
    run()
    wb = load_workbook(study / "codebook.xlsx")
    wb["clusters"]["D2"] = "Current practice knowledge in lectures"
    wb.save(study / "codebook.xlsx")
    executed, processed = run()
    assert executed == {"region-utrecht", "region-twente", "region-zeeland", "national"}
    assert set(processed["rebuilt"]) >= set(WORKSHOP_TABLES) | {"codebook_clusters"}


def test_a_skipped_report_keeps_the_time_of_its_last_good_build_in_manifest_and_index(runner,
                                                                                     tmp_path):
    study, run = runner
    run()
    manifest_path = tmp_path / "reports" / report_run.MANIFEST
    first = json.loads(manifest_path.read_text())["notebooks"]
    # the first build is recorded as long ago, so a rebuild now shows another time
    for entry in first.values():
        entry["finished"] = "2018-04-19T10:00:00+02:00"
    data = json.loads(manifest_path.read_text())
    data["notebooks"] = first
    manifest_path.write_text(json.dumps(data))
    _edit_note(study / "workshops" / "twente.xlsx")
    executed, _ = run()
    assert executed == {"region-twente", "national"}
    notebooks = json.loads(manifest_path.read_text())["notebooks"]
    assert notebooks["region-utrecht"]["finished"] == "2018-04-19T10:00:00+02:00"
    assert notebooks["region-twente"]["finished"] != "2018-04-19T10:00:00+02:00"
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", index, re.S))
    assert '<time datetime="2018-04-19T10:00:00+02:00"' in rows["Regio Utrecht"]
    assert "19-04-2018 10:00" in rows["Regio Utrecht"]
    assert f'<time datetime="{notebooks["region-twente"]["finished"]}"' in rows["Regio Twente"]
    assert "ongewijzigd" not in index
