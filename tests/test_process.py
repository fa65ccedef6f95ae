"""Processing: every raw row accounted for, raw files untouched, atomic output, no personal data."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from studyedit import header_col, rows, set_cell, to_csv_folder

from hbomkb.cli import main
from hbomkb.config import load_study
from hbomkb.demo.survey import synthetic_responses, write_responses_csv
from hbomkb.inputs.build import EXCLUSIONS, MANIFEST, build, load_tables, process
from hbomkb.inputs.instrument import write_survey_lss
from hbomkb.inputs.workshops import SHEETS


def _hashes(root):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def _mtimes(root):
    return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_every_raw_row_is_processed_or_excluded(small_study, processed_root):
    # two rows that must be left out, with their reasons
    set_cell(small_study / "workshops/noord.xlsx", "outcome_notes", 3, "note", None)
    set_cell(small_study / "workshops/oost.xlsx", "outcome_ratings", 4, "importance", None)
    set_cell(small_study / "workshops/oost.xlsx", "outcome_ratings", 4, "satisfaction", None)
    study = load_study(small_study)
    out = process(study)
    excluded = pd.read_csv(out / EXCLUSIONS)
    assert set(excluded["reason"]) == {"empty note text", "no ratings"}
    for sheet in SHEETS:
        raw = sum(len(rows(small_study / "workshops" / f"{r}.xlsx", sheet))
                  for r in study.region_slugs)
        processed = len(pd.read_parquet(out / f"{sheet}.parquet"))
        left_out = int((excluded["sheet"] == sheet).sum())
        assert raw == processed + left_out, sheet
    codebook_rows = len(rows(small_study / "codebook.xlsx", "mapping"))
    assert len(pd.read_parquet(out / "codebook_mapping.parquet")) == codebook_rows


def test_processing_never_writes_raw_files(small_study, processed_root):
    before_hash, before_time = _hashes(small_study), _mtimes(small_study)
    process(load_study(small_study))
    main(["validate", "--study", str(small_study)])
    assert _hashes(small_study) == before_hash
    assert _mtimes(small_study) == before_time


def test_failed_run_leaves_earlier_output_untouched(small_study, processed_root, capsys):
    study = load_study(small_study)
    out = process(study)
    before = _hashes(out)
    set_cell(small_study / "workshops/noord.xlsx", "outcome_ratings", 2, "importance", 9)
    assert main(["process", "--study", str(small_study)]) == 2
    err = capsys.readouterr().err
    assert "off the scale" in err and "nothing was written" in err
    assert _hashes(out) == before
    assert [p.name for p in processed_root.iterdir()] == ["small"]  # no temp folders left


def test_tables_are_typed_and_tidy(small_study, processed_root):
    tables = load_tables(load_study(small_study))
    r = tables["outcome_ratings"]
    assert str(r["importance"].dtype) == "Int64"
    assert r["importance"].between(1, 5).all()
    notes = tables["outcome_notes"]
    assert notes["note_id"].is_unique
    assert notes["code"].notna().all()
    assert set(tables["participants"].columns) >= {"region", "participant", "role"}


def test_personal_data_in_notes_is_redacted(small_study, processed_root):
    set_cell(small_study / "workshops/noord.xlsx", "outcome_notes", 2, "note",
             "Stage regelen met Jan de Vries, j.devries@bedrijf.nl of 06-12345678")
    out = process(load_study(small_study))
    text = pd.read_parquet(out / "outcome_notes.parquet").loc[0, "text"]
    assert text == "Stage regelen met [naam], [e-mail] of [telefoon]"
    blob = b"".join(p.read_bytes() for p in out.iterdir())
    assert b"devries" not in blob and b"12345678" not in blob


def test_personal_data_in_open_survey_answers_is_redacted(small_study, processed_root):
    study = load_study(small_study)
    tables = build(study).tables
    clusters = tables["codebook_clusters"]
    write_survey_lss(study, clusters, study.survey_structure_path)
    responses = synthetic_responses(study, clusters, tables, {"hbo": 3, "mkb": 3}, seed=1)
    first = responses.index[responses["rol"] == "mkb"][0]
    responses.loc[first, "openmkb"] = "Bel Jan de Vries op 06-12345678 of mail jan@bedrijf.nl"
    write_responses_csv(responses, study.survey_responses_path)
    out = process(study)
    answers = pd.read_parquet(out / "open_answers.parquet")
    mine = answers.loc[answers["respondent"] == int(responses.loc[first, "id"]), "text"]
    assert mine.tolist() == ["Bel [naam] op [telefoon] of mail [e-mail]"]
    blob = b"".join(p.read_bytes() for p in out.iterdir())
    assert b"Vries" not in blob and b"12345678" not in blob and b"bedrijf.nl" not in blob


def test_load_tables_reads_processed_data_only_when_current(small_study, processed_root):
    study = load_study(small_study)
    out = process(study)
    manifest = json.loads((out / MANIFEST).read_text())
    assert "workshops/noord.xlsx" in manifest["inputs"]
    assert len(load_tables(study)["outcome_notes"]) == manifest["tables"]["outcome_notes"]
    set_cell(small_study / "workshops/noord.xlsx", "outcome_notes", 2, "note", "Nieuw geeltje")
    fresh = load_tables(study)["outcome_notes"]
    assert "Nieuw geeltje" in set(fresh["text"])


def test_build_reports_problems_without_raising(small_study):
    (small_study / "workshops/noord.xlsx").write_text("kapot")
    built = build(load_study(small_study))
    assert not built.ok
    assert any("not a readable Excel workbook" in str(p) for p in built.problems)


def test_process_cli_prints_what_it_wrote(small_study, processed_root, capsys):
    assert main(["process", "--study", str(small_study)]) == 0
    out = capsys.readouterr().out
    assert "wrote" in out and str(processed_root / "small") in out
    assert "noord" in out and "participants" in out


@pytest.mark.parametrize("args", [["validate"], ["process"]])
def test_no_traceback_for_a_missing_study(args, tmp_path, capsys):
    assert main([*args, "--study", str(tmp_path / "nergens")]) == 2
    err = capsys.readouterr().err
    assert "study folder not found" in err and "Traceback" not in err


def _rename_cluster(study, old: str, new: str) -> None:
    """Rename a regional cluster of noord everywhere a researcher would: its workshop sheets
    and the codebook mapping."""
    def rename(path, sheets):
        wb = load_workbook(path)
        for sheet in sheets:
            ws = wb[sheet]
            col = header_col(ws, "cluster")
            for row in ws.iter_rows(min_row=2):
                if row[col - 1].value == old:
                    row[col - 1].value = new
        wb.save(path)
    rename(study / "workshops/noord.xlsx", ["outcome_clusters", "outcome_notes",
                                            "outcome_ratings"])
    rename(study / "codebook.xlsx", ["mapping"])


def test_cluster_labels_are_redacted_after_coding_and_stay_distinct(small_study, processed_root):
    clusters = [r for r in rows(small_study / "workshops/noord.xlsx", "outcome_clusters")
                if r["role"] == "hbo"][:2]
    before = build(load_study(small_study)).tables["outcome_clusters"]
    codes = {r["cluster"]: before.loc[(before["region"] == "noord")
                                      & (before["cluster"] == r["cluster"]), "code"].item()
             for r in clusters}
    new = ["Stage bij Jan de Vries", "Stage bij Piet Jansen"]
    for r, label in zip(clusters, new, strict=True):
        _rename_cluster(small_study, r["cluster"], label)
    out = process(load_study(small_study))
    t = {name: pd.read_parquet(out / f"{name}.parquet") for name in
         ("outcome_clusters", "outcome_notes", "outcome_ratings", "codebook_mapping")}
    noord = t["outcome_clusters"][t["outcome_clusters"]["region"] == "noord"]
    got = noord.set_index("cluster")["code"]
    # coded as written, then redacted: the two labels stay apart and keep their own codes
    assert got["Stage bij [naam]"] == codes[clusters[0]["cluster"]]
    assert got["Stage bij [naam] (2)"] == codes[clusters[1]["cluster"]]
    for name in ("outcome_notes", "outcome_ratings", "codebook_mapping"):
        labels = set(t[name].loc[t[name]["region"] == "noord", "cluster"])
        assert {"Stage bij [naam]", "Stage bij [naam] (2)"} <= labels, name
    assert t["outcome_notes"]["code"].notna().all()
    blob = b"".join(p.read_bytes() for p in out.iterdir())
    assert b"Vries" not in blob and b"Jansen" not in blob


def test_sector_and_firm_size_are_redacted(small_study, processed_root):
    set_cell(small_study / "workshops/noord.xlsx", "participants", 2, "sector",
             "bouw, mail info@bouwbedrijf.nl")
    set_cell(small_study / "workshops/noord.xlsx", "participants", 2, "firm_size",
             "10-49 (bel 06-12345678)")
    out = process(load_study(small_study))
    people = pd.read_parquet(out / "participants.parquet")
    first = people[(people["region"] == "noord") & (people["participant"] == "OND-A")]
    assert first[["sector", "firm_size"]].values.tolist() == [["bouw, mail [e-mail]",
                                                               "10-49 (bel [telefoon])"]]
    blob = b"".join(p.read_bytes() for p in out.iterdir())
    assert b"bouwbedrijf" not in blob and b"12345678" not in blob


def test_a_control_character_in_a_note_is_reported_and_removed(small_study, processed_root,
                                                              capsys):
    folder = to_csv_folder(small_study / "workshops/noord.xlsx")
    notes = folder / "outcome_notes.csv"
    lines = notes.read_text(encoding="utf-8-sig").splitlines()
    participant, _, cluster = lines[1].split(",", 2)
    lines[1] = f"{participant},Meer stages\x00\x1b[2J met\x07 bel,{cluster}"
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", "--study", str(small_study)]) == 0
    out, err = capsys.readouterr()
    assert ("workshops/noord:outcome_notes:2:note: control character(s) "
            "U+0000, U+0007, U+001B removed; expected plain text [warning]") in err
    out = process(load_study(small_study))
    texts = pd.read_parquet(out / "outcome_notes.parquet")["text"]
    assert "Meer stages[2J met bel" in set(texts)
    # and so every text of processed data goes into a workbook cell (tables.xlsx)
    ws = Workbook().active
    for f in out.glob("*.parquet"):
        for col in pd.read_parquet(f).select_dtypes(include=["string", "object"]).columns:
            for value in pd.read_parquet(f)[col].dropna():
                ws.append([str(value)])
