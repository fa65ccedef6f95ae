"""`hbomkb init`: a complete, empty study, and what validate says about it."""

from __future__ import annotations

import yaml
from openpyxl import load_workbook

from hbomkb.cli import main
from hbomkb.config import load_study
from hbomkb.inputs.workshops import SHEETS


def _init(tmp_path, *extra):
    return main(["init", str(tmp_path / "studie"), "--title", "Samen sterker 2025",
                 "--regions", "Amsterdam", "Groningen", "Zuid-Holland (Den Haag)", *extra])


def test_init_writes_a_complete_empty_study(tmp_path, capsys):
    assert _init(tmp_path) == 0
    root = tmp_path / "studie"
    study = load_study(root)
    assert study.title == "Samen sterker 2025" and study.language == "nl"
    assert not study.synthetic
    assert [(r.slug, r.name) for r in study.regions] == [
        ("amsterdam", "Amsterdam"), ("groningen", "Groningen"),
        ("zuid-holland-den-haag", "Zuid-Holland (Den Haag)")]
    assert sorted(p.name for p in (root / "workshops").iterdir()) == [
        "amsterdam.xlsx", "groningen.xlsx", "zuid-holland-den-haag.xlsx"]
    wb = load_workbook(root / "workshops" / "groningen.xlsx")
    assert wb.sheetnames[0] == "instructies" and set(SHEETS) <= set(wb.sheetnames)
    cb = load_workbook(root / "codebook.xlsx")
    assert cb.sheetnames == ["instructies", "clusters", "mapping"]
    assert "Codeboek" in cb["instructies"]["A1"].value
    regions = [dv.formula1 for dv in cb["mapping"].data_validations.dataValidation]
    assert '"amsterdam,groningen,zuid-holland-den-haag"' in regions
    assert "survey.lss" in (root / "survey" / "README.md").read_text(encoding="utf-8")


def test_validate_on_a_new_study_gives_a_short_checklist_per_file(tmp_path, capsys):
    _init(tmp_path)
    capsys.readouterr()
    assert main(["validate", "--study", str(tmp_path / "studie")]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) <= 8, err  # a checklist, not a row error per sheet
    items = [line for line in lines if line.startswith("  [ ] ")]
    assert [i.split(":")[0] for i in items] == [
        "  [ ] codebook.xlsx", "  [ ] workshops/amsterdam.xlsx", "  [ ] workshops/groningen.xlsx",
        "  [ ] workshops/zuid-holland-den-haag.xlsx"]
    assert "sheets participants, outcome_notes, outcome_clusters" in items[1]
    assert "no hbo participants" not in err
    assert "the survey part of the reports will be empty" in err


def test_validate_lists_only_what_is_left_once_the_workshops_are_in(small_study, capsys):
    """A study whose codebook mapping is still empty: one line for it, not one per cluster."""
    wb = load_workbook(small_study / "codebook.xlsx")
    wb.remove(wb["mapping"])
    wb.create_sheet("mapping").append(["region", "kind", "cluster", "code", "code_coder2"])
    wb.save(small_study / "codebook.xlsx")
    assert main(["validate", "--study", str(small_study)]) == 2
    err = capsys.readouterr().err
    assert "  [ ] codebook.xlsx: sheet mapping: empty; fill in one row per regional cluster" in err
    assert "missing from the codebook mapping" not in err
    assert len(err.strip().splitlines()) <= 4, err


def test_a_study_without_survey_is_valid_and_says_the_survey_part_is_empty(small_study, capsys):
    assert main(["validate", "--study", str(small_study)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "the survey part of the reports will be empty" in out


def test_init_never_overwrites_a_study_without_force(tmp_path, capsys):
    _init(tmp_path)
    yml = tmp_path / "studie" / "study.yaml"
    yml.write_text(yml.read_text(encoding="utf-8") + "# mijn aantekening\n", encoding="utf-8")
    capsys.readouterr()
    assert _init(tmp_path) == 2
    assert "exists" in capsys.readouterr().err
    assert "mijn aantekening" in yml.read_text(encoding="utf-8")
    assert _init(tmp_path, "--force", "--language", "en") == 0
    doc = yaml.safe_load(yml.read_text(encoding="utf-8"))
    assert doc["language"] == "en" and "mijn aantekening" not in yml.read_text(encoding="utf-8")


def test_region_names_that_share_a_file_name_are_refused(tmp_path, capsys):
    assert main(["init", str(tmp_path / "s"), "--title", "t", "--regions", "Den Haag",
                 "den-haag"]) == 2
    assert "share the file name 'den-haag.xlsx'" in capsys.readouterr().err
    assert not (tmp_path / "s" / "study.yaml").exists()


def test_demo_and_survey_lss_never_overwrite_without_force(small_study, tmp_path, capsys):
    before = (small_study / "study.yaml").read_bytes()
    assert main(["demo", "--out", str(small_study), "--regions", "2"]) == 2
    assert "exists" in capsys.readouterr().err
    assert (small_study / "study.yaml").read_bytes() == before
    lss = tmp_path / "survey.lss"
    lss.write_text("mijn export")
    assert main(["survey", "lss", "--study", str(small_study), "--out", str(lss)]) == 2
    assert lss.read_text() == "mijn export"
    assert main(["survey", "lss", "--study", str(small_study), "--out", str(lss),
                 "--force"]) == 0
    assert "<document>" in lss.read_text(encoding="utf-8")
