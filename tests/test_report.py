"""Reports: provenance, generated Dutch text, report tables, the run and its outputs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from hbomkb import config, files
from hbomkb.config import Region, Study, Thresholds
from hbomkb.present import narrative
from hbomkb.present import tables as rt
from hbomkb.publish import provenance
from hbomkb.publish import run as report

# SHA-256 of b"abc" (FIPS 180-2, appendix B.1).
SHA_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def _study(root: Path, synthetic: bool = True) -> Study:
    return Study(root=root, name="t", title="Teststudie", synthetic=synthetic,
                 regions=(Region("noord", "Noord"), Region("oost", "Oost")),
                 thresholds=Thresholds(), min_group_size=3)


# --------------------------------------------------------------------------------- provenance

def test_file_hashes_are_sha256_of_contents_and_skip_hidden_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_bytes(b"abc")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / ".hidden").write_bytes(b"x")
    (tmp_path / "~$lock.xlsx").write_bytes(b"x")
    h = files.file_hashes(tmp_path)
    assert h["file"].tolist() == ["b.txt", "sub/a.txt"]
    assert h.loc[h["file"] == "sub/a.txt", "sha256"].item() == SHA_ABC
    # SHA-256 of the empty string, from the same standard's test vectors
    assert h.loc[h["file"] == "b.txt", "sha256"].item() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert h["bytes"].tolist() == [0, 3]


def test_combined_hash_changes_with_content_and_with_name(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"abc")
    first = files.combined_hash(files.file_hashes(tmp_path))
    assert first == files.combined_hash(files.file_hashes(tmp_path))
    (tmp_path / "a.txt").write_bytes(b"abd")
    second = files.combined_hash(files.file_hashes(tmp_path))
    (tmp_path / "a.txt").rename(tmp_path / "c.txt")
    (tmp_path / "c.txt").write_bytes(b"abc")
    third = files.combined_hash(files.file_hashes(tmp_path))
    assert len({first, second, third}) == 3


def test_provenance_block_names_version_study_hashes_and_time(tmp_path):
    (tmp_path / "study.yaml").write_bytes(b"abc")
    when = datetime(2018, 4, 19, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    prov = provenance.collect(_study(tmp_path), {"region": "noord"}, now=when)
    md = prov.to_markdown()
    assert f"`{SHA_ABC}`" in md
    assert "| synthetische data | ja |" in md
    assert '"region": "noord"' in md
    assert "2018-04-19T10:30:00+02:00" in md
    assert prov.package_version in md
    assert prov.as_dict()["raw_inputs"] == [{"file": "study.yaml", "bytes": 3,
                                             "sha256": SHA_ABC}]


# --------------------------------------------------------------------------------- narrative

def test_dutch_numbers_and_lists():
    assert narrative.nummer(7.25, 1) == "7,2"  # round half to even, as Python formats
    assert narrative.nummer(12) == "12,0"
    assert narrative.nummer(float("nan")) == "–"
    assert narrative.nummer(None) == "–"
    assert narrative.p_waarde(0.0004) == "p < 0,001"
    assert narrative.p_waarde(0.0123) == "p = 0,012"
    assert narrative.opsomming(["a"]) == "a"
    assert narrative.opsomming(["a", "b", "c"]) == "a, b en c"
    assert narrative.w_band(0.05) == "zeer zwak"
    assert narrative.w_band(0.55) == "matig"
    assert narrative.w_band(0.95) == "zeer sterk"


def _odi_rows() -> pd.DataFrame:
    # I and S by hand: (10, 0) -> O 20 underserved; (7.5, 5) -> O 10 properly served;
    # (2.5, 10) -> O 2.5 overserved.
    return pd.DataFrame({
        "role": "hbo", "region": "noord", "cluster": ["Stages", "Kennis", "Loket"],
        "code": ["H02", "H04", "H07"], "I": [10.0, 7.5, 2.5], "S": [0.0, 5.0, 10.0],
        "O": [20.0, 10.0, 2.5], "served": ["underserved", "properly_served", "overserved"],
        "n": pd.array([4, 4, 4], dtype="Int64")})


def test_served_sentence_states_the_numbers_it_was_given():
    labels = {"H02": "Stageplekken", "H04": "Docenten", "H07": "Zichtbaarheid"}
    text = narrative.served_sentence(_odi_rows(), labels, "hbo")
    assert text.startswith("Van de 3 clusters van het hbo (beoordeeld door 4 deelnemers)")
    assert "is er 1 onderbediend" in text
    assert "‘Stages’ (H02) met O = 20,0 (I = 10,0, S = 0,0)" in text
    assert "overbediend (S > I): ‘Loket’ (H07)" in text
    rows = _odi_rows().assign(served="properly_served")
    assert "is geen enkel cluster onderbediend" in narrative.served_sentence(rows, labels, "hbo")


def test_region_summary_follows_its_inputs(tmp_path):
    st = _study(tmp_path)
    top3 = pd.DataFrame({"region": "noord", "role": ["hbo"] * 3 + ["mkb"] * 3,
                         "rank": [1, 2, 3, 1, 2, 3],
                         "cluster": ["Stages", "Kennis", "Loket", "Talent", "Proces", "Kosten"],
                         "code": ["H02", "H04", "H07", "M02", "M04", "M04"], "n": 3})
    common = pd.DataFrame({"region": "noord", "pairing": "theme", "key": ["talent", "proces"],
                           "hbo_codes": ["H02", ""], "mkb_codes": ["M02", "M04"],
                           "hbo": [True, False], "mkb": [True, True],
                           "common": [True, False]})
    forms = pd.DataFrame({"region": "noord", "mixed_group": [1, 1, 1, 2, 2, 2],
                          "rank": [1, 2, 3, 1, 2, 3],
                          "cluster": ["Cases", "Stage", "Lab", "Hub", "Projecten", "Afstuderen"],
                          "code": ["F01", "F02", "F04", "F05", "F01", "F02"], "n": 2})
    people = pd.DataFrame({"role": ["hbo"] * 4 + ["mkb"] * 4})
    labels = {"H02": "Stageplekken", "M02": "Toegang tot talent", "F01": "Studentprojecten",
              "F02": "Stages"}
    text = narrative.region_summary(st, "noord", top3, _odi_rows(), common, forms, people,
                                    labels, n_respondents=2)
    assert "**Samenvatting regio Noord.**" in text
    assert "4 hbo-vertegenwoordigers en 4 ondernemers" in text
    assert "1. ‘Stages’ (H02), 2. ‘Kennis’ (H04) en 3. ‘Loket’ (H07)" in text
    assert "*talent* (Stageplekken (H02) en Toegang tot talent (M02))" in text
    assert "*proces*" not in text  # only the shared theme is common ground
    assert "Beide groepen noemden Studentprojecten (F01) en Stages (F02)." in text
    assert "minder dan 3 respondenten" in text
    assert "synthetische" in text
    real = narrative.region_summary(_study(tmp_path, synthetic=False), "noord", top3,
                                    _odi_rows(), common, forms, people, labels, 5)
    assert "synthetische" not in real and "deden 5 respondenten" in real


def test_national_best_form_says_when_the_lead_is_within_uncertainty(tmp_path):
    fit = pd.DataFrame({"role": "mkb", "form": ["F01", "F02"], "scale": "potential",
                        "fit": [4.0, 3.9], "ci_low": [3.8, 3.7], "ci_high": [4.2, 4.1]})
    labels = {"F01": "Studentprojecten", "F02": "Stages"}
    assert "valt binnen de onzekerheid" in narrative._best(fit, labels)
    apart = fit.assign(ci_low=[3.95, 3.0], ci_high=[4.1, 3.5])
    assert "duidelijk voor Stages (F02)" in narrative._best(apart, labels)


def test_methods_use_the_study_thresholds(tmp_path):
    st = Study(root=tmp_path, name="t", title="T", synthetic=False,
               regions=(Region("noord", "Noord"),),
               thresholds=Thresholds(underserved=9, high=11.5, extreme=14), min_group_size=5)
    text = narrative.methods(st, {"deelnemers": 8})
    assert "*onderbediend* als $O > 9$" in text
    assert "$S = 2I - 11,5$" in text and "$S = 2I - 14$" in text
    assert "vanaf n = 5" in text
    assert "| deelnemers | 8 |" in text
    assert "niets is\ngesimuleerd" in text or "niets is gesimuleerd" in text


# --------------------------------------------------------------------------------- tables

def test_participant_counts_by_side_and_group():
    p = pd.DataFrame({"region": "noord",
                      "participant": ["HBO-A", "HBO-B", "HBO-C", "OND-A", "OND-B", "OND-C"],
                      "role": ["hbo", "hbo", "hbo", "mkb", "mkb", "mkb"],
                      "mixed_group": pd.array([1, 2, 2, 1, 1, None], dtype="Int64")})
    out = rt.participant_counts(p)
    assert "participant" not in out.columns
    assert out.set_index("kant").to_dict("index") == {
        "hbo": {"MIX 1": 1, "MIX 2": 2, "geen groep": 0, "totaal": 3},
        "mkb": {"MIX 1": 2, "MIX 2": 0, "geen groep": 1, "totaal": 3},
        "totaal": {"MIX 1": 3, "MIX 2": 2, "geen groep": 1, "totaal": 6}}


def test_respondent_counts_hide_groups_below_min_group_size(tmp_path):
    st = _study(tmp_path)
    r = pd.DataFrame({"respondent": range(9), "region": ["noord"] * 7 + ["oost"] * 2,
                      "role": ["hbo"] * 5 + ["mkb"] * 2 + ["hbo"] * 2,
                      "complete": [True] * 4 + [False] + [True] * 2 + [True, False]})
    out = rt.respondent_counts(r, st).set_index(["regio", "kant"])
    assert out.loc[("noord", "hbo"), "volledig"] == 4
    assert out.loc[("noord", "hbo"), "gedeeltelijk"] == "< 3"
    assert out.loc[("noord", "mkb"), "volledig"] == "< 3"
    assert out.loc[("noord", "mkb"), "gedeeltelijk"] == 0
    assert out.loc[("oost", "hbo"), "volledig"] == "< 3"


def test_cluster_overview_counts_notes_and_keeps_top3():
    notes = pd.DataFrame({"role": "hbo", "participant": ["HBO-A", "HBO-B", "HBO-A"],
                          "note_id": ["GR1", "GR2", "GR3"], "text": ["a", "b", "c"],
                          "cluster": ["Stages", "Stages", "Loket"]})
    clusters = pd.DataFrame({"role": "hbo", "cluster": ["Stages", "Loket", "Leeg"],
                             "top3": pd.array([2, 1, None], dtype="Int64"),
                             "code": ["H02", "H07", "H01"]})
    out = rt.cluster_overview(notes, clusters, {"H02": "Stageplekken"})
    assert out["cluster"].tolist() == ["Loket", "Stages", "Leeg"]
    assert out["notities"].tolist() == [1, 2, 0]
    assert out.loc[1, "notities (tekst)"] == "a · b"
    assert out.loc[1, "landelijk cluster"] == "Stageplekken"
    assert "participant" not in out.columns


def test_top3_side_by_side():
    t = pd.DataFrame({"role": ["hbo", "hbo", "mkb"], "rank": [1, 2, 1],
                      "cluster": ["A", "B", "C"], "code": ["H01", None, "M01"]})
    out = rt.top3_side_by_side(t, {})
    assert out.to_dict("records") == [{"rang": 1, "hbo": "A (H01)", "mkb": "C (M01)"},
                                      {"rang": 2, "hbo": "B (–)", "mkb": "–"}]


def test_present_translates_columns_and_values_and_labels_codes():
    fit = pd.DataFrame({"role": ["hbo"], "form": ["F01"], "scale": ["potential"],
                        "fit": [4.2], "n": [30]})
    out = rt.present(fit, {"F01": "Studentprojecten"})
    assert list(out.columns) == ["kant", "vorm", "vorm (naam)", "schaal", "fit", "n"]
    assert out.iloc[0].tolist() == ["hbo", "F01", "Studentprojecten", "potentieel", 4.2, 30]


def test_open_answers_are_counted_per_side_without_respondents():
    answers = pd.DataFrame({"respondent": [1, 2, 3, 4], "role": ["mkb", "mkb", "mkb", "hbo"],
                            "text": ["Eén loket", " Eén loket", "Subsidies", None]})
    out = rt.open_answers_summary(answers)
    assert out.to_dict("records") == [
        {"kant": "mkb", "ontbrekend gewenst resultaat": "Eén loket", "aantal": 2},
        {"kant": "mkb", "ontbrekend gewenst resultaat": "Subsidies", "aantal": 1}]


def test_survey_for_region_keeps_only_that_regions_respondents():
    tables = {
        "respondents": pd.DataFrame({"respondent": pd.array([1, 2, 3], dtype="Int64"),
                                     "region": ["noord", "oost", "noord"]}),
        "rankings": pd.DataFrame({"respondent": pd.array([1, 2, 3, 3], dtype="Int64"),
                                  "code": ["H01", "H01", "H01", "H02"]}),
        "scores": pd.DataFrame({"respondent": pd.array([2], dtype="Int64")}),
        "open_answers": pd.DataFrame({"respondent": pd.array([], dtype="Int64")}),
    }
    out = rt.survey_for_region(tables, "noord")
    assert out["respondents"]["respondent"].tolist() == [1, 3]
    assert out["rankings"]["respondent"].tolist() == [1, 3, 3]
    assert out["scores"].empty


def test_national_conclusions_before_the_survey_cover_workshops_only(tmp_path):
    top = pd.DataFrame({"role": ["hbo", "mkb"], "code": ["H06", "M07"], "n": [4, 3],
                        "regions": [4, 3], "groups": [5, 5]})
    common = pd.DataFrame({"region": "all", "pairing": "theme", "key": ["talent"],
                           "hbo_codes": ["H02"], "mkb_codes": ["M02"], "hbo": [True],
                           "mkb": [True], "common": [True]})
    text = narrative.national_conclusions(_study(tmp_path), {"H06": "Nieuwe onderwijsvormen"},
                                          top, common, n_regions=5)
    assert "(uit 5 regionale workshops (nog zonder enquête))" in text
    assert "het hbo Nieuwe onderwijsvormen (H06) het vaakst als kans: in 4 van de 5 regio's" \
        in text
    assert "geen antwoorden" in text and "Kendalls W" not in text


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
