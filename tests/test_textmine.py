"""The text second opinion on the national coding: tokens, text clusters, review list."""

from __future__ import annotations

import pandas as pd
import pytest

from hbomkb.analysis import textmine


def test_tokens_drop_stop_words_and_stem_dutch():
    toks = textmine.tokens("Graag meer stageplekken bij de bedrijven voor studenten "
                           "(belangrijk) [e-mail]")
    # graag, meer, bij, de, voor and the partner word "bedrijven" dropped; aside too
    assert len(toks) == 2
    assert toks == textmine.tokens("stageplek student")  # plural and singular meet


TEXT_GROUPS = {
    "A": ["stageplekken bij bedrijven", "meer stageplaatsen voor studenten",
          "stageplek voor studenten in bedrijven", "studenten op stage bij bedrijven"],
    "B": ["onderzoek met lectoraat", "praktijkgericht onderzoek lectoraat",
          "lectoraat doet onderzoek", "onderzoeksprojecten met lectoren"],
    "C": ["bijscholing van personeel", "personeel bijscholing cursus",
          "cursus voor ons personeel", "scholing personeel cursussen"],
}


def text_tables(groups=TEXT_GROUPS, miscode=None):
    rows = []
    for code, texts in groups.items():
        for i, t in enumerate(texts):
            rows.append({"region": "noord", "role": "hbo", "participant": "HBO-A",
                         "note_id": f"{code}{i}", "text": t, "cluster": code, "code": code})
    notes = pd.DataFrame(rows)
    if miscode:
        notes.loc[notes["note_id"] == miscode[0], "code"] = miscode[1]
    cb = pd.DataFrame({"kind": "outcome_hbo", "code": list(groups), "label_nl": list(groups),
                       "label_en": list(groups), "explore": "explore", "term": "long"})
    return {"outcome_notes": notes, "codebook_clusters": cb}


def test_text_clustering_recovers_clear_groups_deterministically():
    t = text_tables()
    a = textmine.text_clusters(t, "outcome_hbo")
    b = textmine.text_clusters(t, "outcome_hbo")
    assert (a["text_cluster"] == b["text_cluster"]).all()
    agree = textmine.text_agreement(t, kinds=("outcome_hbo",)).iloc[0]
    assert agree["ari"] == pytest.approx(1.0) and agree["nmi"] == pytest.approx(1.0)
    assert agree["n"] == 12 and agree["k"] == 3


def test_review_list_flags_a_miscoded_note():
    t = text_tables(miscode=("C2", "A"))  # "cursus voor ons personeel" coded as stages
    rv = textmine.review_list(t, kinds=("outcome_hbo",))
    assert rv.iloc[0]["note_id"] == "C2" and rv.iloc[0]["nearest_code"] == "C"
    assert rv.iloc[0]["margin"] > 0
    assert "C2" not in set(textmine.review_list(text_tables(), kinds=("outcome_hbo",))
                           ["note_id"])


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


@pytest.mark.parametrize("kind,bound", [("form", 0.5), ("outcome_mkb", 0.5),
                                        ("outcome_hbo", 0.5)])
def test_demo_text_clustering_recovers_the_codebook(demo, kind, bound):
    out = textmine.text_agreement(demo, kinds=(kind,)).iloc[0]
    assert out["ari"] >= bound
    assert out["k"] == (demo["codebook_clusters"]["kind"] == kind).sum()
    rv = textmine.review_list(demo, kinds=(kind,), limit=10)
    assert len(rv) <= 10 and (rv["margin"] > 0).all()
    assert (rv["code"] != rv["nearest_code"]).all()


def test_notes_without_shared_text_are_left_out_not_a_crash():
    """A note of only punctuation has no text vector; clustering skips it."""
    notes = pd.DataFrame({
        "note_id": range(5), "region": "noord", "role": "hbo", "code": ["H01", "H01", "H02",
                                                                        "H02", "H01"],
        "text": ["stages voor studenten", "stages in bedrijven", "onderzoek samen doen",
                 "samen onderzoek", "?! ... !?"]})
    codebook = pd.DataFrame({"kind": ["outcome_hbo"] * 2, "code": ["H01", "H02"]})
    out = textmine.text_clusters({"outcome_notes": notes, "codebook_clusters": codebook},
                                 "outcome_hbo")
    assert len(out) < len(notes)
    assert "?! ... !?" not in set(out["text"])
    assert out["text_cluster"].nunique() == 2
