"""The notebook API: opening a report, showing tables, figures, provenance and the survey part."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hostile import shown_markdown  # noqa: E402

from hbomkb import config, files, notebook  # noqa: E402
from hbomkb.config import Region, Study, Thresholds  # noqa: E402
from hbomkb.inputs import build  # noqa: E402
from hbomkb.present import tables as display_tables  # noqa: E402
from hbomkb.publish import provenance  # noqa: E402


def _study(root: Path, synthetic: bool = True, language: str = "nl") -> Study:
    return Study(root=root, name="t", title="Teststudie", synthetic=synthetic,
                 language=language, regions=(Region("noord", "Noord"), Region("oost", "Oost")),
                 thresholds=Thresholds(), min_group_size=3)


def _report(tmp_path: Path, **study) -> notebook.Report:
    return notebook.Report(study=_study(tmp_path, **study), name="region-noord", region="noord",
                           tables_dir=tmp_path / "tables" / "region-noord",
                           figures_dir=tmp_path / "figures", parameters={},
                           raw_inputs=files.file_hashes(tmp_path))


@pytest.fixture
def shown(monkeypatch) -> list[dict]:
    """Every output bundle the notebook API displays, in order."""
    out: list[dict] = []
    monkeypatch.setattr(notebook, "display", lambda bundle, raw: out.append(bundle))
    return out


def test_show_table_records_csv_shows_caption_with_n_and_refuses_person_identifiers(
        tmp_path, shown):
    report = _report(tmp_path)
    df = pd.DataFrame({"kant": ["hbo", "mkb"], "n": [4, 4]})
    notebook.show_table(df, "Deelnemers per kant", report, n=8)
    saved = pd.read_csv(report.tables_dir / "deelnemers-per-kant.csv")
    pd.testing.assert_frame_equal(saved, df)
    assert "<caption>Deelnemers per kant (n = 8)</caption>" in shown[0]["text/html"]
    assert shown[0]["text/plain"].startswith("Deelnemers per kant (n = 8)\n")
    with pytest.raises(ValueError, match="identifying column"):
        notebook.show_table(df.assign(Participant="HBO-A"), "x", report)
    assert not (report.tables_dir / "x.csv").exists()


def test_a_table_brings_its_own_n_into_the_caption(tmp_path, shown):
    report = _report(tmp_path)
    participants = pd.DataFrame({"region": "noord", "participant": list("ABCDE"),
                                 "role": ["hbo"] * 2 + ["mkb"] * 3,
                                 "mixed_group": pd.array([1, 2, 1, 2, None], dtype="Int64")})
    notebook.show_table(display_tables.participant_counts(participants), "deelnemers", report,
                        caption="Deelnemers")
    notebook.show_table(pd.DataFrame({"a": [1, 2, 3]}), "zonder-n", report)
    (tmp_path / "en").mkdir()
    english = _report(tmp_path / "en", language="en")
    notebook.show_table(display_tables.participant_counts(participants, english.study),
                        "participants", english)
    captions = [b["text/plain"].splitlines()[0] for b in shown]
    assert captions == ["Deelnemers (n = 5 deelnemers)", "zonder-n (n = 3 rijen)",
                        "participants (n = 5 participants)"]
    # a table built in the report's language is shown, and recorded, in it
    assert "<th" in shown[2]["text/html"] and ">side</th>" in shown[2]["text/html"]
    assert ">kant</th>" in shown[0]["text/html"]
    saved = pd.read_csv(english.tables_dir / "participants.csv")
    assert list(saved.columns) == ["side", "MIX 1", "MIX 2", "no group", "total"]
    assert saved["side"].tolist() == ["hbo", "mkb", "total"]


def test_display_tables_carry_the_n_a_caption_states():
    clusters = pd.DataFrame({"role": ["hbo", "hbo"], "cluster": ["a", "b"], "top3": [1, None],
                             "code": ["H01", None]})
    notes = pd.DataFrame({"role": "hbo", "cluster": ["a", "a", "b", None],
                          "text": ["x", "y", "z", "w"]})
    overview = display_tables.cluster_overview(notes, clusters, {"H01": "Kennis"})
    assert (overview.attrs["n"], overview.attrs["n_unit"]) == (3, "notes_short")
    consensus = pd.DataFrame({"role": ["hbo", "hbo", "mkb"], "code": ["H01", "H02", "M01"],
                              "mean_rank": [1.5, 1.5, 1.0], "ci_low": [1.0, 1.0, None],
                              "ci_high": [2.0, 2.0, None], "borda": [3, 3, 1],
                              "top_third_share": [0.5, 0.5, 1.0], "n": [10, 9, 7]})
    table = display_tables.consensus_table(consensus, {})
    assert (table.attrs["n"], table.attrs["n_unit"]) == (17, "respondents")
    sides = pd.DataFrame({"form": ["F01", "F02"], "n": [12, 14]})
    assert display_tables.survey_result(sides, {}).attrs["n"] == 14


def test_show_figure_saves_png_and_svg_shows_it_described_and_closes_it(tmp_path, shown):
    report = _report(tmp_path)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    notebook.show_figure(fig, "Landschap hbo", report, caption="Kansen <hbo> & mkb")
    assert (report.figures_dir / "noord-landschap-hbo.png").read_bytes()[:8] == \
        b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (report.figures_dir / "noord-landschap-hbo.svg").read_bytes()[:400]
    assert not plt.get_fignums()  # closed, so the inline backend does not draw it twice
    page = shown[0]["text/html"]
    assert 'src="data:image/png;base64,' in page
    assert 'alt="Kansen &lt;hbo&gt; &amp; mkb"' in page
    assert "<figcaption><em>Kansen &lt;hbo&gt; &amp; mkb</em></figcaption>" in page


def test_open_report_hashes_the_raw_files_once(small_study, processed_root, monkeypatch,
                                               shown):
    build.process(config.load_study(small_study))
    calls = []
    real = files.file_hashes

    def counted(root):
        calls.append(root)
        return real(root)

    for module in (notebook, build, provenance, files):
        monkeypatch.setattr(module, "file_hashes", counted)
    reports_dir = small_study.parent / "r"
    report = notebook.open_report(small_study, "noord", reports_dir, small_study.parent / "f")
    notebook.show_provenance(report)
    assert len(calls) == 1
    assert set(report.tables) >= {"participants", "outcome_notes", "codebook_clusters"}
    assert report.tables_dir == reports_dir / "tables" / "region-noord"
    assert report.region_name == "Noord"
    block = shown_markdown(shown[-1]["text/markdown"])  # as a reader of the report sees it
    assert report.raw_inputs["sha256"].iloc[0] in block
    assert '"region": "noord"' in block


def test_open_report_names_the_regions_of_the_study_when_one_is_unknown(small_study):
    with pytest.raises(config.StudyError, match="noord, oost"):
        notebook.open_report(small_study, "zuid", load=False)


def test_provenance_shows_the_synthetic_banner_first(tmp_path, shown):
    (tmp_path / "study.yaml").write_text("x")
    notebook.show_provenance(_report(tmp_path))
    assert "SYNTHETISCHE DATA" in shown[0]["text/html"]
    assert shown[0]["text/plain"] == "SYNTHETISCHE DATA"
    assert shown[1]["text/markdown"].startswith("**Herkomst van dit rapport**")
    shown.clear()
    notebook.show_provenance(_report(tmp_path, language="en"))
    assert "SYNTHETIC DATA" in shown[0]["text/html"]
    assert shown[0]["text/plain"] == "SYNTHETIC DATA"
    shown.clear()
    notebook.show_provenance(_report(tmp_path, synthetic=False))
    assert len(shown) == 1 and "text/html" not in shown[0]


def test_without_survey_answers_the_survey_part_says_so_once_and_shows_nothing(tmp_path,
                                                                               shown):
    report = _report(tmp_path)
    report.tables = {"codebook_clusters": pd.DataFrame({"code": ["H01"]}),
                     "respondents": pd.DataFrame(columns=["respondent", "role", "complete"])}
    answers = {name: pd.DataFrame(columns=["respondent", "role"])
               for name in ("respondents", "rankings", "scores", "open_answers")}
    results = notebook.show_survey(report, answers, {})
    assert len(shown) == 1
    assert "geen (volledige) antwoorden" in shown[0]["text/markdown"]
    assert all(getattr(results, f) is None
               for f in ("consensus", "agreement", "fit", "change", "landscape"))
    assert not report.tables_dir.exists() and not report.figures_dir.exists()


def test_importing_the_notebook_api_leaves_the_runner_papermill_and_nbconvert_out():
    code = ("import sys, hbomkb.notebook; "
            "print(sorted(m for m in ('papermill', 'nbconvert', 'hbomkb.publish.run') "
            "if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=str(config.PROJECT_DIR))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def depth(text: str) -> int:
    """How deep parentheses nest in ``text``: 0 without any, 1 for "a (b)", 2 for "(a (b))"."""
    deepest = level = 0
    for ch in text:
        level += {"(": 1, ")": -1}.get(ch, 0)
        deepest = max(deepest, level)
    return deepest


def test_captions_never_nest_parentheses(tmp_path, shown):
    report = _report(tmp_path)
    table = pd.DataFrame({"kant": ["hbo", "mkb"], "n": [8, 6]})
    # a unit that is not a label key shows as it is, parentheses and all
    table.attrs.update(n=8, n_unit="respondenten per kant (max.)")
    notebook.show_table(table, "rangorde", report, caption="Rangorde (regio Noord)")
    notebook.show_table(table, "rangorde-2", report, caption="Rangorde", n="8 (hoogstens)")
    captions = [b["text/plain"].splitlines()[0] for b in shown]
    assert captions == ["Rangorde (regio Noord) (n = 8 respondenten per kant, max.)",
                        "Rangorde (n = 8, hoogstens)"]
    assert all(depth(c) == 1 for c in captions)
    assert "<caption>Rangorde (n = 8, hoogstens)</caption>" in shown[1]["text/html"]
    assert depth("(a (b))") == 2 and depth("a (b) (c)") == 1  # the measure itself


def test_show_table_shows_p_values_and_whole_numbers_readably_but_records_numbers(
        tmp_path, shown):
    df = pd.DataFrame({"kant": ["hbo", "mkb"], "Borda": [262.0, 244.0],
                       "vrijheidsgraden": [6.0, 6.0], "p": [0.0004, 0.0321]})
    notebook.show_table(df, "rangorde", _report(tmp_path), n=8)
    page = shown[0]["text/html"]
    for seen in (">262<", ">6<", ">&lt; 0,001<", ">0,032<"):
        assert seen in page, seen
    assert "262,00" not in page and "6,00" not in page and "0,00<" not in page
    # the CSV keeps the numbers, for anyone who computes with them
    saved = pd.read_csv(_report(tmp_path).tables_dir / "rangorde.csv")
    pd.testing.assert_frame_equal(saved, df)
    (tmp_path / "en").mkdir()
    notebook.show_table(df, "ranking", _report(tmp_path / "en", language="en"), n=8)
    assert ">&lt; 0.001<" in shown[1]["text/html"] and ">0.032<" in shown[1]["text/html"]
