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
     ":regions:3:slug: slug 'a' is listed twice (region 1); expected each region once, with "
     "slugs that differ in more than '-' versus '_'"),
    ("regions: [a]\nlanguage: fr\n", ":::language: 'fr'; expected nl or en"),
    ("regions: [a]\nthresholds: {high: hoog}\n",
     ":thresholds::high: 'hoog' is not a number; expected a number from 0 to 20"),
    # study.yaml is checked, not trusted: wrong shapes are located messages, not tracebacks
    ("regions: 5\n", ":::regions: '5' is not a list; expected a list of regions, each a slug "
     "or {slug: ..., name: ...}"),
    ("regions: [a]\nsurvey: 5\n", ":::survey: '5' is not a mapping; expected survey: with "
     "structure, responses and include_partial"),
    ("regions: [a]\nscale: 5\n", ":::scale: '5' is not a mapping; expected scale: with min, "
     "max and top_box"),
    ("regions: [a]\nthresholds: [10, 12]\n", ":::thresholds: '[10, 12]' is not a mapping; "
     "expected thresholds: with underserved, high and extreme"),
    ("regions: [a]\nsynthetic: misschien\n",
     ":::synthetic: 'misschien' is not true or false; expected true or false"),
    ("regions: [a]\nmin_group_size: 1\n",
     ":::min_group_size: '1'; expected a whole number of at least 2"),
    ("regions: [a]\nmin_group_size: 2.5\n",
     ":::min_group_size: '2.5'; expected a whole number of at least 2"),
    ("regions: [a]\nmin_group_size: true\n",
     ":::min_group_size: 'True'; expected a whole number of at least 2"),
    ("regions: [a]\nthresholds: {extreme: .inf}\n",
     ":thresholds::extreme: 'inf' is not a number; expected a number from 0 to 20"),
    ("regions: [a]\nthresholds: {high: .nan}\n",
     ":thresholds::high: 'nan' is not a number; expected a number from 0 to 20"),
    ("regions: [a]\nthresholds: {extreme: 25}\n", ":thresholds::extreme: '25' is outside 0-20; "
     "expected a number from 0 to 20 (the range of the opportunity score)"),
    ("regions: [a]\nthresholds: {underserved: 13}\n",
     ":thresholds::: underserved 13, high 12, extreme 15 are not in increasing order; expected "
     "underserved < high < extreme, such as 10, 12, 15"),
    ("regions: [a]\nscale: {min: 5, max: 1}\n",
     ":scale::max: max 1 is not above min 5; expected a scale such as min: 1, max: 5"),
    ("regions: [a]\nscale: {top_box: 6}\n", ":scale::top_box: top_box 6 is not in 2-5; "
     "expected the lowest score that counts as high (4 on a 1-5 scale)"),
    ("regions: [a]\nseed: -1\n", ":::seed: '-1'; expected a whole number of 0 or more"),
    ("regions: [zuid-west, zuid_west]\n",
     ":regions:2:slug: slug 'zuid_west' names the same files as 'zuid-west' (region 1); "
     "expected each region once, with slugs that differ in more than '-' versus '_'"),
    ("regions: [noord, nationaal]\n", ":regions:2:slug: slug 'nationaal' is a name the "
     "national report uses; expected another slug than national, nationaal, all"),
    ("regions: [national]\n", ":regions:1:slug: slug 'national' is a name the national report "
     "uses; expected another slug than national, nationaal, all"),
    ("regions: [{slug: ../../etc, name: X}]\n", ":regions:1:slug: slug '../../etc' is not a "
     "safe file name; expected lower-case letters a-z, digits, '-' or '_' (at most 40, "
     "starting and ending with a letter or digit)"),
    ("regions: ['zuid west']\n", ":regions:1:slug: slug 'zuid west' is not a safe file name; "
     "expected lower-case letters a-z, digits, '-' or '_' (at most 40, starting and ending "
     "with a letter or digit)"),
    ("regions: [a]\nsurvey: {responses: ../elders/responses.csv}\n",
     ":survey::responses: '../elders/responses.csv' lies outside the study folder; expected a "
     "path inside it, such as survey/responses.csv"),
    ("regions: [a]\nsurvey: {structure: /etc/passwd}\n",
     ":survey::structure: '/etc/passwd' lies outside the study folder; expected a path inside "
     "it, such as survey/responses.csv"),
])
def test_an_invalid_study_yaml_is_refused_with_where_and_what(tmp_path, text, message):
    folder = _write(tmp_path / "fout", text)
    assert _refused(folder) == (folder / "study.yaml").resolve().as_posix() + message


@pytest.mark.parametrize(("text", "synthetic"), [
    ("synthetic: 'false'", False), ("synthetic: 'False'", False), ("synthetic: nee", False),
    ("synthetic: 0", False), ("synthetic: false", False), ("", False),
    ("synthetic: 'true'", True), ("synthetic: ja", True), ("synthetic: true", True),
])
def test_synthetic_as_text_means_what_it_says(tmp_path, text, synthetic):
    assert load_study(_write(tmp_path / "s", f"regions: [a]\n{text}\n")).synthetic is synthetic


def test_region_slugs_are_lower_case_and_a_path_inside_the_folder_is_fine(tmp_path):
    folder = _write(tmp_path / "s", "regions: [Noord, {slug: Zuid-West, name: Zuid-West}]\n"
                    "survey: {responses: export/../survey/r.csv}\n")
    st = load_study(folder)
    assert st.region_names == {"noord": "Noord", "zuid-west": "Zuid-West"}
    assert st.survey_responses_path == folder.resolve() / "export/../survey/r.csv"


def test_a_survey_file_linked_from_outside_the_folder_is_refused(tmp_path):
    (tmp_path / "elders").mkdir()
    (tmp_path / "elders" / "responses.csv").write_text("id\n1\n")
    folder = _write(tmp_path / "s", "regions: [a]\n")
    (folder / "survey").mkdir()
    (folder / "survey" / "responses.csv").symlink_to(tmp_path / "elders" / "responses.csv")
    assert _refused(folder).endswith(":survey::responses: 'survey/responses.csv' lies outside "
                                     "the study folder; expected a path inside it, such as "
                                     "survey/responses.csv")


def test_a_study_yaml_that_is_not_utf8_is_refused(tmp_path):
    folder = tmp_path / "latin"
    folder.mkdir()
    (folder / "study.yaml").write_bytes("regions: [Zuid-Limburg é]\n".encode("utf-16"))
    assert "not readable YAML (UnicodeDecodeError)" in _refused(folder)


def test_a_published_study_path_runs_again_from_the_notebooks_folder(tmp_path, monkeypatch):
    # a published notebook names its study data/raw/demo and runs in notebooks/
    monkeypatch.chdir(config.NOTEBOOKS_DIR)
    assert study_path("data/raw/demo") == (config.PROJECT_DIR / "data" / "raw" / "demo")
    assert load_study("data/raw/demo").slug == "demo"
    # a relative path the working directory has wins
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "raw" / "demo").mkdir(parents=True)
    assert study_path("data/raw/demo") == tmp_path / "data" / "raw" / "demo"
