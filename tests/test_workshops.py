"""The workshop reader as a library: ids, sheets, problems as objects, tidy output."""

from __future__ import annotations

import subprocess
import sys

import pytest
from studyedit import rows, set_cell, to_csv_folder

from hbomkb.config import load_study
from hbomkb.inputs.build import read_workshops, validate
from hbomkb.inputs.sheets import as_int, norm_name
from hbomkb.inputs.workshops import collect, normalise_participant
from hbomkb.problems import ERROR, WARNING, InputError


@pytest.mark.parametrize("raw, expected", [
    ("OND-A", "OND-A"), ("OND A", "OND-A"), ("ond-a", "OND-A"), ("Ond. A", "OND-A"),
    ("hbo_c", "HBO-C"), (" HBO  D ", "HBO-D"), ("MKB-B", "OND-B"), ("OND-A.", "OND-A"),
    ("Jan", None), ("OND-AB", None), ("", None), (None, None),
])
def test_participant_ids_are_normalised(raw, expected):
    assert normalise_participant(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("  Outcome Notes ", "outcome_notes"), ("TOP3", "top3"), ("mixed-group", "mixed_group"),
])
def test_names_ignore_case_spacing_and_separators(raw, expected):
    assert norm_name(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    (4, 4), (4.0, 4), ("4", 4), (" 5 ", 5), ("3,0", 3), (3.5, "3.5"), ("vier", "vier"),
    (None, None), ("", None), (True, "True"),
])
def test_cells_as_whole_numbers(raw, expected):
    assert as_int(raw) == expected


def test_validate_returns_located_problems(small_study):
    set_cell(small_study / "workshops/oost.xlsx", "outcome_ratings", 3, "satisfaction", 0)
    set_cell(small_study / "workshops/oost.xlsx", "participants", 2, "participant", "ond a")
    problems = validate(load_study(small_study))
    err = next(p for p in problems if p.severity == ERROR)
    assert (err.file, err.sheet, err.row, err.column) == (
        "workshops/oost.xlsx", "outcome_ratings", 3, "satisfaction")
    warn = next(p for p in problems if p.severity == WARNING)
    assert (warn.sheet, warn.row, warn.column) == ("participants", 2, "participant")
    assert str(warn).endswith("[warning]")


def test_read_workshops_raises_with_every_error(small_study):
    set_cell(small_study / "workshops/oost.xlsx", "outcome_ratings", 3, "importance", 8)
    set_cell(small_study / "workshops/noord.xlsx", "outcome_clusters", 2, "top3", 0)
    with pytest.raises(InputError) as e:
        read_workshops(load_study(small_study))
    assert len(e.value.problems) == 2


def test_csv_folder_reads_like_the_workbook(small_study):
    study = load_study(small_study)
    before = read_workshops(study)
    to_csv_folder(small_study / "workshops/noord.xlsx", encoding="cp1252", delimiter=";")
    after = read_workshops(study)
    for name, df in before.items():
        assert df.equals(after[name]), name


def test_tables_follow_the_contract(small_study):
    t = read_workshops(load_study(small_study))
    assert list(t["outcome_notes"].columns) == ["region", "role", "participant", "note_id",
                                                "text", "cluster", "code"]
    assert t["outcome_clusters"]["top3"].dropna().isin([1, 2, 3]).all()
    assert set(t["participants"]["region"]) == {"noord", "oost"}


def test_command_line_shows_no_traceback(small_study):
    (small_study / "workshops/noord.xlsx").write_bytes(b"PK\x03\x04 kapot")
    res = subprocess.run([sys.executable, "-m", "hbomkb.cli", "validate", "--study",
                          str(small_study)], capture_output=True, text=True)
    assert res.returncode == 2
    assert "workshops/noord.xlsx:::: not a readable Excel workbook" in res.stderr
    assert "Traceback" not in res.stderr


def test_collect_reads_as_written_and_says_where_each_row_came_from(small_study):
    set_cell(small_study / "workshops/noord.xlsx", "outcome_notes", 2, "note",
             "Bel Jan de Vries")
    read = collect(load_study(small_study))
    notes = read.tables["outcome_notes"]
    assert notes["code"].isna().all()            # coding is processing's job
    assert notes["text"].iloc[0] == "Bel Jan de Vries"   # and so is redaction
    for name, table in read.tables.items():
        origin = read.origin[name]
        assert list(origin.columns) == ["file", "sheet", "row"] and len(origin) == len(table)
        assert set(origin["sheet"]) == {name}
    clusters = read.origin["outcome_clusters"]
    assert clusters.iloc[0].tolist() == ["workshops/noord.xlsx", "outcome_clusters", 2]
    assert set(clusters["file"]) == {"workshops/noord.xlsx", "workshops/oost.xlsx"}
    processed = read_workshops(load_study(small_study))
    assert processed["outcome_notes"]["code"].notna().all()
    assert processed["outcome_notes"]["text"].iloc[0] == "Bel [naam]"


def test_clusters_the_codebook_lacks_are_located_region_by_region(small_study):
    for region in ("oost", "noord"):
        path = small_study / "workshops" / f"{region}.xlsx"
        first = rows(path, "form_clusters")[0]
        for sheet in ("form_clusters", "form_notes"):
            for r in rows(path, sheet):
                if (r["cluster"], r["mixed_group"]) == (first["cluster"], first["mixed_group"]):
                    set_cell(path, sheet, r["row"], "cluster", "Iets nieuws")
    problems = [p for p in validate(load_study(small_study)) if "codebook mapping" in p.message]
    assert [(p.file, p.sheet, p.row, p.column) for p in problems] == [
        ("workshops/noord.xlsx", "form_clusters", 2, "cluster"),
        ("workshops/oost.xlsx", "form_clusters", 2, "cluster")]
    assert problems[0].message.startswith("cluster 'Iets nieuws' (form) is missing from the "
                                          "codebook mapping for region 'noord'")
