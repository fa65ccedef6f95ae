"""A corpus of broken studies: each is the demo with one realistic mistake made in Excel.

Every case runs ``hbomkb validate`` as a researcher would and checks the exit code and the
exact place and wording of the message.
"""

from __future__ import annotations

import shutil

import pytest
from openpyxl import load_workbook
from studyedit import edit, get_cell, header_col, rows, set_cell, to_csv_folder

from hbomkb.cli import main


def _noord(study):
    return study / "workshops" / "noord.xlsx"


def _first(study, sheet, **match):
    for r in rows(_noord(study), sheet):
        if all(r.get(k) == v for k, v in match.items()):
            return r
    raise AssertionError(f"no row {match} in {sheet}")


# Each case: (id, mutation(study) -> expected substring, expected exit code)
def m_space_in_id(s):
    set_cell(_noord(s), "outcome_notes", 2, "participant", "OND A")
    return "workshops/noord.xlsx:outcome_notes:2:participant: 'OND A' read as 'OND-A'", 0


def m_lowercase_id(s):
    r = _first(s, "outcome_ratings")
    set_cell(_noord(s), "outcome_ratings", r["row"], "participant", r["participant"].lower())
    return f"outcome_ratings:{r['row']}:participant: '{r['participant'].lower()}' read as", 0


def m_dotted_id(s):
    set_cell(_noord(s), "participants", 2, "participant", "Ond. A")
    return "participants:2:participant: 'Ond. A' read as 'OND-A'", 0


def m_duplicate_participant(s):
    set_cell(_noord(s), "participants", 3, "participant", "OND-A")
    set_cell(_noord(s), "participants", 3, "mixed_group", 1)
    return "participants:3:participant: duplicate id 'OND-A' (also row 2)", 2


def m_unknown_role(s):
    set_cell(_noord(s), "participants", 2, "role", "ondernemer")
    return "participants:2:role: unknown role 'ondernemer'; expected hbo or mkb", 2


def m_role_mismatch(s):
    set_cell(_noord(s), "participants", 2, "role", "hbo")
    return "participants:2:role: role 'hbo' does not fit id 'OND-A'", 2


def m_unknown_participant(s):
    set_cell(_noord(s), "outcome_notes", 3, "participant", "OND-Z")
    return "outcome_notes:3:participant: participant 'OND-Z' does not exist", 2


def m_note_without_cluster(s):
    set_cell(_noord(s), "outcome_notes", 4, "cluster", None)
    return "outcome_notes:4:cluster: note has no cluster", 2


def m_note_cluster_typo(s):
    label = get_cell(_noord(s), "outcome_notes", 2, "cluster")
    set_cell(_noord(s), "outcome_notes", 2, "cluster", label + "x")
    return f"outcome_notes:2:cluster: cluster '{label}x' is not on sheet outcome_clusters", 2


def m_top3_out_of_range(s):
    set_cell(_noord(s), "outcome_clusters", 2, "top3", 4)
    return "outcome_clusters:2:top3: top-3 place '4' is outside 1-3", 2


def m_top3_repeated(s):
    r = _first(s, "outcome_clusters", top3=1)
    other = next(x for x in rows(_noord(s), "outcome_clusters")
                 if x["role"] == r["role"] and x["top3"] is None)
    set_cell(_noord(s), "outcome_clusters", other["row"], "top3", 1)
    return f"top-3 place 1 is given 2 times in role {r['role']}", 2


def m_four_top3(s):
    role = _first(s, "outcome_clusters", top3=1)["role"]
    other = next(x for x in rows(_noord(s), "outcome_clusters")
                 if x["role"] == role and x["top3"] is None)
    set_cell(_noord(s), "outcome_clusters", other["row"], "top3", 3)
    return f"4 top-3 places in role {role}; expected at most three", 2


def m_rating_off_scale(s):
    set_cell(_noord(s), "outcome_ratings", 5, "importance", 6)
    return "outcome_ratings:5:importance: rating '6' is off the scale; expected a whole number " \
        "from 1 to 5", 2


def m_rating_as_word(s):
    set_cell(_noord(s), "outcome_ratings", 6, "satisfaction", "vier")
    return "outcome_ratings:6:satisfaction: rating 'vier' is off the scale", 2


def m_rating_decimal(s):
    set_cell(_noord(s), "outcome_ratings", 7, "importance", 3.5)
    return "outcome_ratings:7:importance: rating '3.5' is off the scale", 2


def m_rating_unknown_cluster(s):
    set_cell(_noord(s), "outcome_ratings", 2, "cluster", "Iets anders")
    return "outcome_ratings:2:cluster: rating of cluster 'Iets anders', which is not a cluster", 2


def m_duplicate_rating(s):
    first = rows(_noord(s), "outcome_ratings")[0]

    def dup(ws):
        ws.append([first[c] for c in ("participant", "cluster", "importance", "satisfaction")])
    edit(_noord(s), "outcome_ratings", dup)
    return f"rated '{first['cluster']}' twice (also row 2)", 2


def m_cluster_not_in_codebook(s):
    r = _first(s, "outcome_clusters")
    new = r["cluster"] + " en meer"

    def rename(ws):
        col = header_col(ws, "cluster")
        for row in ws.iter_rows(min_row=2):
            if row[col - 1].value == r["cluster"]:
                row[col - 1].value = new
    wb = load_workbook(_noord(s))
    for sheet in ("outcome_clusters", "outcome_notes", "outcome_ratings"):
        rename(wb[sheet])
    wb.save(_noord(s))
    return (f"outcome_clusters:{r['row']}:cluster: cluster '{new}' (outcome_{r['role']}) is "
            "missing from the codebook mapping for region 'noord'", 2)


def m_mapping_unknown_code(s):
    set_cell(s / "codebook.xlsx", "mapping", 2, "code", "X99")
    return "codebook.xlsx:mapping:2:code: national code 'X99' does not exist", 2


def m_mapping_wrong_kind(s):
    code = get_cell(s / "codebook.xlsx", "mapping", 2, "code")
    other = "F01" if not code.startswith("F") else "H01"
    set_cell(s / "codebook.xlsx", "mapping", 2, "code", other)
    return "codebook.xlsx:mapping:2:code: code '" + other + "' is a", 2


def m_codebook_bad_code(s):
    set_cell(s / "codebook.xlsx", "clusters", 2, "code", "H 01")
    return "codebook.xlsx:clusters:2:code: code 'H 01' has characters LimeSurvey does not allow", 2


def m_codebook_bad_axis(s):
    set_cell(s / "codebook.xlsx", "clusters", 3, "explore", "exploreren")
    return "codebook.xlsx:clusters:3:explore: 'exploreren'; expected explore or exploit", 2


def m_missing_sheet(s):
    wb = load_workbook(_noord(s))
    del wb["outcome_ratings"]
    wb.save(_noord(s))
    return "workshops/noord.xlsx:outcome_ratings::: sheet missing", 2


def m_missing_column(s):
    edit(_noord(s), "outcome_ratings",
         lambda ws: setattr(ws.cell(row=1, column=header_col(ws, "importance")), "value",
                            "gewicht"))
    return "workshops/noord.xlsx:outcome_ratings:1:importance: column missing", 2


def m_header_case_and_spaces(s):
    edit(_noord(s), "participants",
         lambda ws: setattr(ws.cell(row=1, column=1), "value", "  Participant "))
    return None, 0


def m_missing_workbook(s):
    (s / "workshops" / "oost.xlsx").unlink()
    return "workshops/oost.xlsx:::: file missing; expected a workbook for region 'oost'", 2


def m_unlisted_region(s):
    shutil.copy(_noord(s), s / "workshops" / "zuid.xlsx")
    return "workshops/zuid.xlsx:::: workbook for region 'zuid', which study.yaml does not list", 2


def m_empty_file(s):
    (s / "workshops" / "oost.xlsx").write_bytes(b"")
    return "workshops/oost.xlsx:::: file is empty", 2


def m_unreadable_file(s):
    (s / "workshops" / "oost.xlsx").write_text("dit is geen werkmap")
    return "workshops/oost.xlsx:::: not a readable Excel workbook", 2


def m_saved_as_xls(s):
    (s / "workshops" / "oost.xlsx").rename(s / "workshops" / "oost.xls")
    return "workshops/oost.xls:::: unsupported file type '.xls'", 2


def m_form_group_mismatch(s):
    r = rows(_noord(s), "form_notes")[0]
    set_cell(_noord(s), "form_notes", r["row"], "mixed_group", 3 - int(r["mixed_group"]))
    return f"form_notes:{r['row']}:mixed_group: {r['participant']} is in mixed group", 2


def m_group_as_word(s):
    set_cell(_noord(s), "participants", 4, "mixed_group", "een")
    return "participants:4:mixed_group: 'een' is not a group number", 2


def m_empty_note_text(s):
    set_cell(_noord(s), "outcome_notes", 5, "note", None)
    return "outcome_notes:5:note: empty note left out", 0


def m_csv_cp1252_semicolon(s):
    set_cell(_noord(s), "outcome_notes", 2, "note", "Ideeën voor café-ondernemers")
    to_csv_folder(_noord(s), encoding="cp1252", delimiter=";")
    return None, 0


def m_csv_bom_comma(s):
    to_csv_folder(s / "workshops" / "oost.xlsx", encoding="utf-8-sig", delimiter=",")
    return None, 0


def m_csv_empty_file(s):
    folder = to_csv_folder(s / "workshops" / "oost.xlsx")
    (folder / "form_clusters.csv").write_text("")
    return "workshops/oost/form_clusters.csv:::: file is empty", 2


def m_excel_lock_file(s):
    (s / "workshops" / "~$noord.xlsx").write_bytes(b"\x00lock")
    return None, 0


def m_missing_study_yaml(s):
    (s / "study.yaml").unlink()
    return "study.yaml:::: file missing; expected study.yaml in the study folder", 2


def m_missing_codebook(s):
    (s / "codebook.xlsx").unlink()
    return "codebook.xlsx:::: file missing; expected the national codebook", 2


CASES = [v for k, v in sorted(globals().items()) if k.startswith("m_")]


@pytest.mark.parametrize("mutate", CASES, ids=[c.__name__[2:] for c in CASES])
def test_broken_study(mutate, small_study, capsys):
    expected, code = mutate(small_study)
    rc = main(["validate", "--study", str(small_study)])
    out, err = capsys.readouterr()
    assert rc == code, err
    assert "Traceback" not in err
    if expected:
        assert expected in err, err
    if code == 2:
        assert "error(s)" in err
    else:
        assert "valid" in out


def test_corpus_is_large_enough():
    assert len([c for c in CASES if c.__name__ != "m_header_case_and_spaces"]) >= 25


def test_every_problem_reported_at_once(small_study, capsys):
    m_rating_off_scale(small_study)
    m_unknown_participant(small_study)
    m_missing_workbook(small_study)
    assert main(["validate", "--study", str(small_study)]) == 2
    err = capsys.readouterr().err
    assert "off the scale" in err and "does not exist" in err and "file missing" in err
