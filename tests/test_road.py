"""The whole road of a new study, as the README's "Your own study" tells it: init → fill in the
workshops and the codebook → validate → survey lss → responses → run → reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from hbomkb import config
from hbomkb.cli import main
from hbomkb.config import load_study
from hbomkb.demo.generator import generate
from hbomkb.demo.survey import synthetic_responses, write_responses_csv
from hbomkb.inputs.build import build
from hbomkb.inputs.limesurvey import read_lss
from hbomkb.inputs.workshops import SHEETS

REGIONS = ["Drenthe", "Zuid-Limburg", "Fryslân"]


def _type_over(source: Path, target: Path, sheets) -> None:
    """Copy the rows of ``sheets`` from ``source`` into the workbook ``target`` made by init,
    row by row, as a researcher types the notes of a workshop into it."""
    src, wb = load_workbook(source), load_workbook(target)
    for sheet in sheets:
        for row in src[sheet].iter_rows(min_row=2, values_only=True):
            wb[sheet].append(list(row))
    wb.save(target)


def test_a_new_study_from_init_to_reports(tmp_path, capsys):
    data = tmp_path / "data"
    root = data / "raw" / "mijnstudie"
    assert main(["init", str(root), "--title", "Samen sterker in drie regio's", "--regions",
                 *REGIONS]) == 0
    assert main(["validate", "--study", str(root)]) == 2  # the checklist: nothing filled in
    study = load_study(root)
    slugs = study.region_slugs
    assert slugs == ["drenthe", "zuid-limburg", "fryslan"]

    # What the workshops produced, here from the project's generator for these regions.
    notes = generate(tmp_path / "aantekeningen", seed=31, regions=REGIONS, with_survey=False)
    for slug in slugs:
        _type_over(notes / "workshops" / f"{slug}.xlsx", root / "workshops" / f"{slug}.xlsx",
                   SHEETS)
    _type_over(notes / "codebook.xlsx", root / "codebook.xlsx", ["clusters", "mapping"])
    capsys.readouterr()
    assert main(["validate", "--study", str(root)]) == 0, capsys.readouterr().err
    assert "survey part of the reports will be empty" in capsys.readouterr().out

    # The survey: built from the codebook, fielded, the responses exported.
    lss = root / "survey" / "survey.lss"
    assert main(["survey", "lss", "--study", str(root), "--out", str(lss)]) == 0
    built = build(study)
    responses = synthetic_responses(study, built.tables["codebook_clusters"], built.tables,
                                    {"hbo": 20, "mkb": 30}, seed=32, structure=read_lss(lss))
    write_responses_csv(responses, root / "survey" / "responses.csv")
    capsys.readouterr()
    assert main(["validate", "--study", str(root)]) == 0, capsys.readouterr().err
    assert "survey part" not in capsys.readouterr().out

    # The reports.
    env = dict(os.environ, HBOMKB_DATA_DIR=str(data), HBOMKB_REPORTS_DIR=str(tmp_path / "r"),
               HBOMKB_FIGURES_DIR=str(tmp_path / "f"), PYTHONPATH=str(config.PROJECT_DIR))
    res = subprocess.run([sys.executable, "-m", "hbomkb", "run", "--study", "mijnstudie",
                          "--jobs", "2", "--no-progress"], env=env, capture_output=True,
                         text=True, timeout=1800)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "4 rendered, 0 unchanged, 0 failed" in res.stdout
    reports = tmp_path / "r" / "mijnstudie"
    names = [f"region-{s}" for s in slugs] + ["national"]
    for name in names:
        html = (reports / f"{name}.html").read_text(encoding="utf-8")
        assert "Samen sterker in drie regio" in html
    assert "Zuid-Limburg" in (reports / "region-zuid-limburg.html").read_text(encoding="utf-8")
    manifest = json.loads((reports / "manifest.json").read_text())
    assert manifest["last_run"] == dict.fromkeys(names, "ok")
    respondents = pd.read_parquet(data / "processed" / "mijnstudie" / "respondents.parquet")
    assert len(respondents) == 50
