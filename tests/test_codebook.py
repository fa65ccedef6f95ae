"""The national codebook: reading it, and the one national coding of regional clusters."""

from __future__ import annotations

import pandas as pd
from studyedit import set_cell

from hbomkb.config import load_study
from hbomkb.inputs.codebook import apply_codebook, kind_of, label_key, read_codebook

MAPPING = pd.DataFrame({
    "region": ["noord", "noord", "noord", "oost"],
    "kind": ["outcome_hbo", "outcome_mkb", "form", "outcome_hbo"],
    "cluster": ["Stages", "Stages", "Projecten", "stages "],
    "code": ["H01", "M03", "F02", "H02"],
}, dtype="string")


def test_labels_compare_without_case_and_spacing():
    assert label_key("  Meer   Stages\n") == label_key("meer stages") == "meer stages"


def test_kind_of_a_row_follows_the_table_and_the_role():
    frame = pd.DataFrame({"role": ["hbo", "mkb"]})
    assert kind_of(frame, "outcome_notes").tolist() == ["outcome_hbo", "outcome_mkb"]
    assert kind_of(frame, "form_clusters").tolist() == ["form", "form"]


def test_coding_is_by_region_kind_and_label():
    notes = pd.DataFrame({"region": ["noord", "noord", "oost", "oost", "noord"],
                          "role": ["hbo", "mkb", "hbo", "mkb", "hbo"],
                          "cluster": ["STAGES", "stages", "Stages", "Stages", "Onbekend"],
                          "text": ["a", "b", "c", "d", "e"]})
    coded = apply_codebook(notes, "outcome_notes", MAPPING)
    assert coded["code"].tolist() == ["H01", "M03", "H02", pd.NA, pd.NA]
    assert str(coded["code"].dtype) == "string"
    assert list(coded.columns) == ["region", "role", "cluster", "text", "code"]
    forms = pd.DataFrame({"region": ["noord"], "mixed_group": [1], "cluster": ["projecten"]})
    assert apply_codebook(forms, "form_clusters", MAPPING)["code"].tolist() == ["F02"]


def test_an_existing_code_column_is_filled_in_place():
    ratings = pd.DataFrame({"region": ["noord"], "role": ["hbo"], "cluster": ["Stages"],
                            "code": pd.array([pd.NA], dtype="string"), "importance": [4]})
    coded = apply_codebook(ratings, "outcome_ratings", MAPPING)
    assert list(coded.columns) == list(ratings.columns)
    assert coded["code"].tolist() == ["H01"]
    empty = apply_codebook(ratings.iloc[:0], "outcome_ratings", MAPPING)
    assert empty.empty and list(empty.columns) == list(ratings.columns)


def test_codebook_of_a_study_reads_to_its_tables(small_study):
    tables, problems, excluded = read_codebook(load_study(small_study))
    assert problems == [] and excluded.empty
    clusters, mapping = tables["codebook_clusters"], tables["codebook_mapping"]
    assert list(clusters.columns) == ["kind", "code", "label_nl", "label_en", "explore",
                                      "term", "theme"]
    assert set(clusters["kind"]) == {"outcome_hbo", "outcome_mkb", "form"}
    assert set(mapping["region"]) == {"noord", "oost"}
    assert mapping["code"].isin(clusters["code"]).all()


def test_codebook_problems_are_located(small_study):
    set_cell(small_study / "codebook.xlsx", "mapping", 3, "kind", "uitkomst")
    _, problems, _ = read_codebook(load_study(small_study))
    assert [(p.file, p.sheet, p.row, p.column) for p in problems] == [
        ("codebook.xlsx", "mapping", 3, "kind")]
    assert "unknown kind 'uitkomst'" in problems[0].message


def test_a_region_the_study_lacks_is_one_problem_not_one_per_row(small_study):
    # a codebook taken over from a study that also had 'oost', in a study of 'noord' alone
    path = small_study / "study.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(line for line in text.splitlines() if "oost" not in line.lower())
                    + "\n", encoding="utf-8")
    study = load_study(small_study)
    assert study.region_slugs == ["noord"]
    _, problems, _ = read_codebook(study)
    region = [p for p in problems if p.column == "region"]
    assert len(region) == 1, [str(p) for p in region]
    rows = sorted(r for r in pd.read_excel(small_study / "codebook.xlsx", sheet_name="mapping")
                  .reset_index().query("region == 'oost'")["index"] + 2)
    assert region[0].row == rows[0]
    assert f"unknown region 'oost' (and {len(rows) - 1} more rows up to row {rows[-1]})" \
        in region[0].message
