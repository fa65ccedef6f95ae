"""National coding, counts, common ground and coder agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hbomkb.analysis import cluster
from hbomkb.inputs.codebook import label_key


def codebook(theme=True) -> pd.DataFrame:
    cb = pd.DataFrame({
        "kind": ["outcome_hbo", "outcome_hbo", "outcome_hbo", "outcome_mkb", "outcome_mkb",
                 "form", "form"],
        "code": ["H01", "H02", "H03", "M01", "M02", "F01", "F02"],
        "label_nl": ["Stages", "Onderzoek", "Regio", "Talent", "Innovatie", "Projecten", "Labs"],
        "label_en": ["Internships", "Research", "Region", "Talent", "Innovation", "Projects",
                     "Labs"],
        "explore": ["exploit", "explore", "exploit", "exploit", "explore", "exploit", "explore"],
        "term": ["short", "long", "long", "short", "long", "short", "long"],
    })
    if theme:
        cb["theme"] = ["talent", "innovatie", "regio", "talent", "innovatie", None, None]
    return cb


def tables(theme=True) -> dict[str, pd.DataFrame]:
    """Two regions following docs/tables.md; noord's 'Onbekend' cluster is not in the mapping."""
    mapping = pd.DataFrame({
        "region": ["noord", "noord", "noord", "noord", "oost", "oost", "oost", "noord", "oost"],
        "kind": ["outcome_hbo", "outcome_hbo", "outcome_mkb", "outcome_mkb", "outcome_hbo",
                 "outcome_mkb", "outcome_mkb", "form", "form"],
        "cluster": ["Stageplekken", "Onderzoek samen", "Goede mensen", "Nieuwe producten",
                    "Stages", "Personeel", "Product", "Projecten", "Projecten"],
        "code": ["H01", "H02", "M01", "M02", "H01", "M01", "X99", "F01", "F01"],
        "code_coder2": ["H01", "H02", "M01", "M01", "H01", None, "M02", "F01", "F01"],
    })
    clusters = pd.DataFrame({
        "region": ["noord"] * 5 + ["oost"] * 3,
        "role": ["hbo", "hbo", "hbo", "mkb", "mkb", "hbo", "mkb", "mkb"],
        "cluster": ["stageplekken ", "Onderzoek  samen", "Onbekend", "Goede mensen",
                    "Nieuwe producten", "Stages", "Personeel", "Product"],
        "top3": pd.array([1, 2, 3, 1, 2, 1, 1, 2], dtype="Int64"),
        "code": pd.array([pd.NA] * 8, dtype="string"),
    })
    notes = pd.DataFrame({
        "region": ["noord", "noord", "noord", "noord", "noord", "noord", "oost", "oost"],
        "role": ["hbo", "hbo", "hbo", "hbo", "mkb", "mkb", "hbo", "mkb"],
        "participant": ["HBO-A", "HBO-B", "HBO-C", "HBO-D", "OND-A", "OND-B", "HBO-A", "OND-A"],
        "note_id": [f"n{i}" for i in range(8)],
        "text": ["meer stageplekken", "stages", "onderzoek met bedrijven", "iets anders",
                 "goede mensen", "nieuwe producten", "stageplaatsen", "personeel"],
        "cluster": ["Stageplekken", "Stageplekken", "Onderzoek samen", "Onbekend",
                    "Goede mensen", "Nieuwe producten", "Stages", "Personeel"],
        "code": pd.array([pd.NA] * 8, dtype="string"),
    })
    form_clusters = pd.DataFrame({"region": ["noord", "oost"], "mixed_group": [1, 1],
                                  "cluster": ["Projecten", "Projecten"], "top3": [1, 1],
                                  "code": pd.NA})
    form_notes = pd.DataFrame({"region": ["noord", "oost"], "mixed_group": [1, 1],
                               "participant": ["HBO-A", "OND-A"], "role": ["hbo", "mkb"],
                               "note_id": ["f1", "f2"], "text": ["studentproject", "project"],
                               "cluster": ["Projecten", "Projecten"], "code": pd.NA})
    return {"codebook_clusters": codebook(theme), "codebook_mapping": mapping,
            "outcome_clusters": clusters, "outcome_notes": notes,
            "form_clusters": form_clusters, "form_notes": form_notes}


def test_national_coding_matches_labels_ignoring_case_and_spacing():
    coded = cluster.national_coding(tables())
    c = coded["outcome_clusters"].set_index(["region", "cluster"])["code"]
    assert c[("noord", "stageplekken ")] == "H01"
    assert c[("noord", "Onderzoek  samen")] == "H02"
    assert pd.isna(c[("noord", "Onbekend")])
    # the same label means different things per region and kind: oost's "Product" -> X99
    assert c[("oost", "Product")] == "X99"
    assert list(coded["outcome_notes"]["code"][:3]) == ["H01", "H01", "H02"]


def test_coverage_reports_unmapped_unknown_and_unused():
    cov = cluster.coverage(tables())
    un = cov[cov["issue"] == "unmapped"]
    assert list(un["cluster"]) == ["Onbekend"] and un["n"].iloc[0] == 1
    bad = cov[cov["issue"] == "unknown_code"]
    assert list(bad["code"]) == ["X99"] and bad["kind"].iloc[0] == "outcome_mkb"
    unused = cov[cov["issue"] == "unused_code"]
    assert set(unused["code"]) == {"H03", "F02"}
    summ = cluster.coverage_summary(tables()).set_index(["kind", "unit"])
    assert summ.loc[("outcome_hbo", "notes"), "n"] == 5
    assert summ.loc[("outcome_hbo", "notes"), "coded"] == 4


def test_cluster_counts_notes_and_top3_per_region_and_nationally():
    coded = cluster.national_coding(tables())
    cc = cluster.cluster_counts(coded).set_index(["kind", "region", "code", "measure"])
    assert cc.loc[("outcome_hbo", "noord", "H01", "notes"), "n"] == 2
    assert cc.loc[("outcome_hbo", "all", "H01", "notes"), "n"] == 3
    assert cc.loc[("outcome_hbo", "all", "H01", "notes"), "share"] == pytest.approx(3 / 4)
    assert cc.loc[("outcome_hbo", "all", "H01", "top3"), "n"] == 2
    assert cc.loc[("form", "all", "F01", "top3"), "n"] == 2


def test_common_ground_by_theme():
    coded = cluster.national_coding(tables())
    cg = cluster.common_ground(coded)
    assert (cg["pairing"] == "theme").all()
    noord = cg[cg["region"] == "noord"].set_index("key")
    # noord: hbo H01 (talent), H02 (innovatie); mkb M01 (talent), M02 (innovatie)
    assert noord.loc["talent", "common"] and noord.loc["innovatie", "common"]
    assert noord.loc["talent", "hbo_codes"] == "H01" and noord.loc["talent", "mkb_codes"] == "M01"
    oost = cg[cg["region"] == "oost"].set_index("key")
    assert oost.loc["talent", "common"]  # H01 and M01; X99 is unknown and drops out
    nat = cg[cg["region"] == "all"].set_index("key")
    assert nat.loc["talent", "common"] and nat.loc["talent", "regions_common"] == 2
    assert nat.loc["talent", "n_hbo"] == 2 and nat.loc["talent", "n_mkb"] == 2


def test_common_ground_falls_back_to_quadrants_without_theme():
    coded = cluster.national_coding(tables(theme=False))
    cg = cluster.common_ground(coded)
    assert (cg["pairing"] == "quadrant").all()
    noord = cg[cg["region"] == "noord"].set_index("key")
    assert noord.loc["exploit/short", "common"]  # H01 and M01
    assert noord.loc["explore/long", "common"]  # H02 and M02


def test_alpha_matches_krippendorffs_published_nominal_examples():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", p. 8: four coders,
    # twelve units, values missing; nominal alpha = 0.743
    n = np.nan
    paper = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
                      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
                      [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
                      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]).T
    assert cluster.nominal_alpha(paper) == pytest.approx(0.743, abs=5e-4)
    # the same data as labels, missing as None: only equality of codes matters
    words = pd.DataFrame(paper).replace({1: "a", 2: "b", 3: "c", 4: "d", 5: "e"})
    words = words.astype(object).where(words.notna(), None)
    assert cluster.nominal_alpha(words) == pytest.approx(cluster.nominal_alpha(paper))
    # the krippendorff package's documented example (after Krippendorff's 2004 book): three
    # coders, fifteen units; nominal alpha = 0.691358
    book = np.array([[n, n, n, n, n, 3, 4, 1, 2, 1, 1, 3, 3, n, 3],
                     [1, n, 2, 1, 3, 3, 4, 3, n, n, n, n, n, n, n],
                     [n, n, 2, 1, 3, 4, 4, n, 2, 1, 1, 3, 3, n, 4]]).T
    assert cluster.nominal_alpha(book) == pytest.approx(0.691358, abs=1e-6)


def test_alpha_and_kappa_hand_worked_two_coders():
    # coincidences: aa 4, bb 2, ab 1, ba 1; n_a 5, n_b 3 -> alpha = 1 - 7 * 2 / 30
    data = np.array([["a", "a"], ["a", "a"], ["b", "b"], ["b", "a"]], dtype=object)
    assert cluster.nominal_alpha(data) == pytest.approx(1 - 14 / 30)
    mapping = pd.DataFrame({"region": "r", "kind": "form", "cluster": list("wxyz"),
                            "code": ["a", "a", "b", "b"], "code_coder2": ["a", "a", "b", "a"]})
    out = cluster.coder_agreement(mapping).iloc[0]
    assert out["kappa"] == pytest.approx(0.5)  # p_o 0.75, p_e 0.5
    assert out["alpha"] == pytest.approx(1 - 14 / 30) and out["n"] == 4
    assert out["agreement"] == pytest.approx(0.75)


def test_coder_agreement_uses_only_double_coded_clusters():
    out = cluster.coder_agreement(tables()["codebook_mapping"]).set_index("kind")
    assert out.loc["outcome_mkb", "n"] == 3  # Personeel has no second code
    assert out.loc["outcome_mkb", "agreement"] == pytest.approx(1 / 3)
    assert out.loc["outcome_hbo", "agreement"] == 1.0 and out.loc["outcome_hbo", "n"] == 3


# ------------------------------------------------------------------------------ on the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo study's tables (data/raw/demo, or generated when absent)."""
    from hbomkb.config import RAW_DIR, load_study
    from hbomkb.inputs import build as process

    root = RAW_DIR / "demo"
    if not (root / "study.yaml").exists():
        from hbomkb.demo.generator import generate

        root = generate(tmp_path_factory.mktemp("demo") / "demo")
    return process.load_tables(load_study(root))


def test_demo_coding_is_complete_and_a_dropped_mapping_shows_as_unmapped(demo):
    assert cluster.coverage(demo).empty
    assert (cluster.coverage_summary(demo)["share_coded"] == 1).all()
    # take one regional hbo cluster out of the mapping: it and its notes lose their code
    m = demo["codebook_mapping"].assign(_k=lambda d: d["cluster"].map(label_key))
    once = m[(m["kind"] == "outcome_hbo")
             & ~m.duplicated(["region", "kind", "_k"], keep=False)].iloc[0]
    tables = cluster.national_coding(
        dict(demo, codebook_mapping=demo["codebook_mapping"].drop(index=once.name)))
    notes = demo["outcome_notes"]
    own = (notes["region"] == once["region"]) & (notes["cluster"].map(label_key) == once["_k"])
    cov = cluster.coverage(tables)
    unmapped = cov[cov["issue"] == "unmapped"]
    assert len(unmapped) == 1
    row = unmapped.iloc[0]
    assert (row["region"], label_key(row["cluster"])) == (once["region"], once["_k"])
    assert row["n"] == own.sum() > 0
    assert set(cov["issue"]) <= {"unmapped", "unused_code"}
    summary = cluster.coverage_summary(tables).set_index(["kind", "unit"])
    assert summary.loc[("outcome_hbo", "notes"), "coded"] == (
        (notes["role"] == "hbo").sum() - own.sum())


def test_demo_coder_agreement(demo):
    out = cluster.coder_agreement(demo["codebook_mapping"])
    m = demo["codebook_mapping"].dropna(subset=["code", "code_coder2"])
    assert out["n"].sum() == len(m)
    assert out["kappa"].between(-1, 1).all() and out["alpha"].between(-1, 1).all()
