"""Where things live and what a study is: paths from the package root, study.yaml read or
refused."""

from __future__ import annotations

from pathlib import Path

import pytest

import hbomkb
from hbomkb import config
from hbomkb.config import StudyError, Thresholds, load_study, study_path


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_demo_study():
    st = load_study("demo")
    assert st.root == config.RAW_DIR / "demo" and st.slug == "demo"
    assert st.language == "nl" and st.synthetic
    assert st.region_slugs == ["noord", "oost", "zuid-west", "west-zuid", "west-noord"]
    assert st.region_names["zuid-west"] == "Zuid-West"
    assert (st.scale_min, st.scale_max, st.top_box, st.min_group_size) == (1, 5, 4, 3)
    assert st.thresholds == Thresholds(10.0, 12.0, 15.0)
    assert st.seed == 2018
    assert st.survey_responses_path == st.root / "survey" / "responses.csv"
    assert st.survey_structure_path.is_file() and st.codebook_path.is_file()
    assert st.processed_dir == config.PROCESSED_DIR / "demo"
    assert st.reports_dir == config.REPORTS_DIR / "demo"
    assert st.figures_dir == config.FIGURES_DIR / "demo"


def test_paths_resolve_from_the_package_root_whatever_the_working_directory(tmp_path,
                                                                             monkeypatch):
    assert config.PACKAGE_DIR == Path(hbomkb.__file__).resolve().parent
    assert config.PROJECT_DIR == config.PACKAGE_DIR.parent
    assert config.NOTEBOOKS_DIR == config.PROJECT_DIR / "notebooks"
    monkeypatch.chdir(tmp_path)
    assert study_path("demo") == config.RAW_DIR / "demo"
    assert study_path() == config.RAW_DIR / config.DEFAULT_STUDY
    assert load_study("demo").root == config.RAW_DIR / "demo"


def test_a_name_that_is_a_folder_here_is_taken_as_that_folder(tmp_path, monkeypatch):
    _write(tmp_path / "demo", "regions: [x]\n")
    monkeypatch.chdir(tmp_path)
    assert study_path("demo") == (tmp_path / "demo").resolve()
    assert load_study("demo").region_slugs == ["x"]


def test_a_study_given_by_path(tmp_path, monkeypatch):
    folder = _write(tmp_path / "studies" / "mine", "regions: [a]\n")
    monkeypatch.chdir(tmp_path)
    assert study_path("studies/mine") == folder.resolve()
    assert load_study(folder).root == folder.resolve()


def test_a_crafted_study_yaml(tmp_path):
    folder = _write(tmp_path / "eigen", """
name: eigen
title: Eigen studie
language: ' EN '
synthetic: yes
regions:
  - amsterdam
  - {slug: ' groningen ', name: ' Groningen '}
  - {slug: utrecht}
scale: {min: 0, max: 10, top_box: 8}
thresholds: {underserved: 9, high: '11.5', extreme: 14}
min_group_size: 5
survey: {structure: s/x.lss, responses: s/r.csv, include_partial: true}
seed: 7
""")
    st = load_study(folder)
    assert (st.name, st.title, st.language, st.synthetic) == ("eigen", "Eigen studie", "en", True)
    assert st.region_names == {"amsterdam": "amsterdam", "groningen": "Groningen",
                               "utrecht": "utrecht"}
    assert (st.scale_min, st.scale_max, st.top_box) == (0, 10, 8)
    assert st.thresholds == Thresholds(9.0, 11.5, 14.0)
    assert st.min_group_size == 5 and st.include_partial and st.seed == 7
    assert st.survey_structure_path == folder.resolve() / "s" / "x.lss"
    assert st.survey_responses_path == folder.resolve() / "s" / "r.csv"


def test_defaults_of_a_minimal_study_yaml(tmp_path):
    st = load_study(_write(tmp_path / "klein", "regions: [noord]\n"))
    assert (st.name, st.title, st.language, st.synthetic) == ("klein", "klein", "nl", False)
    assert st.thresholds == Thresholds() and st.min_group_size == 3
    assert st.survey_responses == "survey/responses.csv" and not st.include_partial


def _refused(path) -> str:
    with pytest.raises(StudyError) as e:
        load_study(path)
    return str(e.value)


def test_a_missing_folder_or_study_yaml_is_refused_with_where_and_what(tmp_path):
    gone = tmp_path / "nergens"
    assert _refused(gone) == (f"{gone.resolve()}:::: study folder not found; expected a folder "
                              "with study.yaml")
    (tmp_path / "leeg").mkdir()
    yml = (tmp_path / "leeg" / "study.yaml").as_posix()
    assert _refused(tmp_path / "leeg") == (f"{yml}:::: file missing; expected study.yaml in the "
                                           "study folder")


@pytest.mark.parametrize(("text", "message"), [
    ("regions: [a\n", ":::: not readable YAML (ParserError); expected a YAML mapping"),
    ("- a\n- b\n", ":::: not a mapping; expected keys such as name, regions"),
    ("name: x\n", ":::: no regions listed; expected at least one under 'regions'"),
    ("regions: [{name: Noord}]\n",
     ":regions:1:slug: region without slug; expected {slug: ..., name: ...}"),
    ("regions: [a, b, a]\n",
     ":regions::slug: a region slug is listed twice; expected each region once"),
    ("regions: [a]\nlanguage: fr\n", ":::language: 'fr'; expected nl or en"),
    ("regions: [a]\nthresholds: {high: hoog}\n",
     ":::: could not convert string to float: 'hoog'; expected numbers for scale, thresholds "
     "and min_group_size"),
])
def test_an_invalid_study_yaml_is_refused_with_where_and_what(tmp_path, text, message):
    folder = _write(tmp_path / "fout", text)
    assert _refused(folder) == (folder / "study.yaml").resolve().as_posix() + message


def test_a_study_yaml_that_is_not_utf8_is_refused(tmp_path):
    folder = tmp_path / "latin"
    folder.mkdir()
    (folder / "study.yaml").write_bytes("regions: [Zuid-Limburg é]\n".encode("utf-16"))
    assert "not readable YAML (UnicodeDecodeError)" in _refused(folder)
