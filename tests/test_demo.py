"""The synthetic demo study: deterministic, and shaped like the real workshops."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest

from hbomkb.config import load_study
from hbomkb.demo.generator import generate
from hbomkb.inputs.build import build


@pytest.fixture(scope="module")
def demo_tables(tmp_path_factory):
    study = load_study(generate(tmp_path_factory.mktemp("d") / "demo", seed=11,
                                with_survey=False))
    built = build(study)
    assert built.ok, [str(p) for p in built.problems]
    return study, built.tables


def _tree(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = generate(tmp_path / "a", seed=3, regions=["noord"], with_survey=False)
    b = generate(tmp_path / "b", seed=3, regions=["noord"], with_survey=False)
    assert _tree(a) == _tree(b)
    for rel in _tree(a):
        assert filecmp.cmp(a / rel, b / rel, shallow=False), rel


def test_another_seed_gives_other_notes(tmp_path):
    a = generate(tmp_path / "a", seed=3, regions=["noord"], with_survey=False)
    b = generate(tmp_path / "b", seed=4, regions=["noord"], with_survey=False)
    assert not filecmp.cmp(a / "workshops/noord.xlsx", b / "workshops/noord.xlsx",
                           shallow=False)


def test_five_regions_of_eight_participants_in_two_mixed_groups(demo_tables):
    study, t = demo_tables
    assert study.synthetic
    assert [r.name for r in study.regions] == ["Noord", "Oost", "Zuid-West", "West-Zuid",
                                               "West-Noord"]
    p = t["participants"]
    counts = p.groupby(["region", "role"]).size()
    assert (counts == 4).all() and len(counts) == 10
    assert set(p["mixed_group"].unique()) == {1, 2}
    mix = p.groupby(["region", "mixed_group", "role"]).size()
    assert (mix == 2).all()


def test_three_to_six_notes_per_person_worded_differently(demo_tables):
    _, t = demo_tables
    per_person = t["outcome_notes"].groupby(["region", "participant"]).size()
    assert per_person.between(3, 6).all()
    texts = t["outcome_notes"]["text"]
    assert texts.nunique() > 0.6 * len(texts)  # mostly different wording, some near-duplicates


def test_regional_labels_differ_between_regions(demo_tables):
    _, t = demo_tables
    c = t["outcome_clusters"]
    labels = c.groupby("code")["cluster"].nunique()
    assert (labels > 1).sum() >= len(labels) // 2  # the codebook does real work


def test_every_group_has_a_top3(demo_tables):
    _, t = demo_tables
    tops = t["outcome_clusters"].dropna(subset=["top3"]).groupby(["region", "role"])["top3"]
    assert (tops.apply(sorted).map(list) == pd.Series([[1, 2, 3]] * 10, index=tops.size().index)
            ).all()
    ftops = t["form_clusters"].dropna(subset=["top3"]).groupby(["region", "mixed_group"]).size()
    assert (ftops == 3).all()


def test_ratings_give_every_served_class(demo_tables):
    _, t = demo_tables
    r = t["outcome_ratings"]
    g = r.groupby(["region", "role", "code"])
    imp = g["importance"].apply(lambda s: (s >= 4).mean() * 10)
    sat = g["satisfaction"].apply(lambda s: (s >= 4).mean() * 10)
    opp = imp + (imp - sat).clip(lower=0)
    classes = set(pd.Series("proper", index=imp.index).mask(opp > 10, "under")
                  .mask(sat > imp, "over"))
    assert classes == {"under", "proper", "over"}


def test_forms_named_by_the_study_appear(demo_tables):
    _, t = demo_tables
    labels = set(t["codebook_clusters"].query("kind == 'form'")["label_nl"])
    for name in ("Studentprojecten (projectcases)", "Centres of Expertise",
                 "Fieldlabs en proeftuinen", "Innovatiewerkplaatsen"):
        assert name in labels
    # student project cases are in a top 3 in most regions, as in the study
    tops = t["form_clusters"].dropna(subset=["top3"])
    assert tops.query("code == 'F01'")["region"].nunique() >= 3


def test_regions_option_limits_the_study(tmp_path):
    study = load_study(generate(tmp_path / "s", seed=1, regions=["oost"], with_survey=False))
    assert study.region_slugs == ["oost"]
    assert sorted(p.name for p in (study.root / "workshops").iterdir()) == ["oost.xlsx"]


def test_any_region_names_make_a_valid_study_of_those_regions(tmp_path):
    study = load_study(generate(tmp_path / "s", seed=5, with_survey=False,
                                regions=["utrecht", "Zuid-Limburg", "Fryslân"]))
    assert [(r.slug, r.name) for r in study.regions] == [
        ("utrecht", "Utrecht"), ("zuid-limburg", "Zuid-Limburg"), ("fryslan", "Fryslân")]
    assert sorted(p.name for p in (study.root / "workshops").iterdir()) == sorted(
        f"{s}.xlsx" for s in study.region_slugs)
    built = build(study)
    assert built.ok, [str(p) for p in built.problems]
    assert set(built.tables["participants"]["region"]) == set(study.region_slugs)


def test_a_count_of_regions_goes_past_the_five_of_2018(tmp_path):
    study = load_study(generate(tmp_path / "s", seed=5, with_survey=False, regions=["7"]))
    assert len(study.regions) == 7
    assert study.region_names["regio-7"] == "Regio 7"
    assert study.region_slugs[:2] == ["noord", "oost"]


def test_names_that_share_a_file_name_are_refused(tmp_path):
    with pytest.raises(ValueError, match="share the file name"):
        generate(tmp_path / "s", regions=["Den Haag", "den-haag"])


def test_committed_demo_is_what_the_generator_makes(tmp_path):
    """data/raw/demo is `hbomkb demo --out data/raw/demo --seed 2018`, byte for byte."""
    from hbomkb.config import RAW_DIR

    committed = RAW_DIR / "demo"
    fresh = generate(tmp_path / "demo", seed=2018)
    assert _tree(fresh) == _tree(committed)
    for rel in _tree(fresh):
        assert filecmp.cmp(fresh / rel, committed / rel, shallow=False), (
            f"{rel} differs: regenerate with `hbomkb demo --out data/raw/demo --seed 2018`")


def test_demo_says_it_is_synthetic(tmp_path):
    from hbomkb.config import RAW_DIR

    assert load_study(RAW_DIR / "demo").synthetic
    assert "Synthetic" in (RAW_DIR / "demo" / "study.yaml").read_text()
