"""The one word table: every word in both languages, lookups that fall back, tables that use it."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pandas as pd
import pytest

from hbomkb import labels, labels_text
from hbomkb.config import Region, Study
from hbomkb.present import tables

TABLES = {"LABELS": labels.LABELS, "COLUMNS": labels.COLUMNS, "VALUES": labels.VALUES}


def _study(language: str) -> Study:
    return Study(root=Path("/tmp/hbomkb-label-study"), name="t", title="t", language=language,
                 regions=(Region("noord", "Noord"),))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", TABLES)
def test_every_word_has_dutch_and_english_with_the_same_placeholders(table):
    for key, pair in TABLES[table].items():
        assert isinstance(pair, tuple) and len(pair) == len(labels.LANGUAGES), key
        nl, en = pair
        assert isinstance(nl, str) and nl.strip() and isinstance(en, str) and en.strip(), key
        assert _fields(nl) == _fields(en), key


def test_language_of_a_study_a_code_or_nothing():
    assert labels.language_of() == "nl"
    assert labels.language_of(" EN ") == "en"
    assert labels.language_of(_study("en")) == "en"
    assert labels.language_of("fr") == "nl"  # a language without words falls back to Dutch


def test_lookups_give_unknown_keys_back_unchanged():
    assert labels.label("no_such_key", "en") == "no_such_key"
    assert labels.column_label("respondent", "en") == "respondent"
    assert labels.value_label("H02", "en") == "H02"
    for v in (3, 2.5, None):
        assert labels.value_label(v, "en") == v
    missing = labels.value_label(float("nan"))
    assert missing != missing  # NaN passes through as NaN
    assert labels.value_label(pd.NA) is pd.NA


def test_label_fills_placeholders():
    assert labels.label("iso_line", o="12") == "O = 12"
    assert labels.label("reason_small", "en", n=2, min=3) == "n = 2 < 3 (min_group_size)"


def test_moved_words_give_the_dutch_of_before():
    # Report tables (written by present()) and the narrative depend on these exact words.
    assert labels.column_label("explore") == "exploreren/exploiteren"
    assert labels.column_label("W") == "Kendalls W"
    assert labels.column_label("reason") == "opmerking"
    assert labels.column_label("regions") == "regio's"
    assert labels.value_label("extreme") == "extreem"
    assert labels.label("extreme") == "extreme kans (O > 15)"  # figures say more than cells
    assert labels.value_label("worth_considering") == "overwegen waard"
    # the kind "form" in a table cell, named as the outcome kinds are: "samenwerkingsvormen"
    assert labels.value_label("form") == labels.label("form") == "samenwerkingsvormen"
    assert labels.label("side_hbo") == "het hbo" and labels.label("side_mkb") == "het mkb"
    assert [labels.label(f"w_{k}") for k in ("very_weak", "weak", "moderate", "strong",
                                              "very_strong")] == [
        "zeer zwak", "zwak", "matig", "sterk", "zeer sterk"]
    assert labels.label("name") == "naam" and labels.label("total") == "totaal"


def test_moved_words_in_english():
    assert labels.column_label("explore", "en") == "explore/exploit"
    assert labels.column_label("mean_rank", _study("en")) == "mean rank"
    assert labels.value_label("properly_served", "en") == "properly served"
    assert labels.label("side_mkb", "en") == "the mkb side"
    assert labels.label("w_moderate", "en") == "moderate"


def _fit() -> pd.DataFrame:
    return pd.DataFrame({"role": ["hbo"], "form": ["F01"], "scale": ["potential"],
                         "served": ["underserved"], "fit": [4.2], "n": [30]})


def test_present_speaks_dutch_by_default_and_english_for_language_en():
    names = {"F01": "Studentprojecten"}
    nl = tables.present(_fit(), names)
    assert list(nl.columns) == ["kant", "vorm", "vorm (naam)", "schaal", "bediening", "fit", "n"]
    assert nl.iloc[0].tolist() == ["hbo", "F01", "Studentprojecten", "potentieel",
                                   "onderbediend", 4.2, 30]
    en = tables.present(_fit(), names, language=_study("en"))
    assert list(en.columns) == ["side", "form", "form (name)", "scale", "served class", "fit",
                                "n"]
    assert en.iloc[0].tolist() == ["hbo", "F01", "Studentprojecten", "potential", "underserved",
                                   4.2, 30]


def test_table_words_outside_present_follow_the_language():
    counts = pd.DataFrame({"kind": "form", "measure": "notes", "code": ["F01", "F01", "F02"],
                           "region": ["noord", "all", "all"], "n": [2, 2, 5]})
    nl = tables.region_by_code(counts, "form", {"F01": "Projecten"}, {"noord": "Noord"})
    assert list(nl.columns) == ["code", "naam", "Noord", "totaal"]
    assert nl["code"].tolist() == ["F02", "F01"]  # by total, largest first
    en = tables.region_by_code(counts, "form", {}, {"noord": "Noord"}, language="en")
    assert list(en.columns) == ["code", "cluster name", "Noord", "total"]

    answers = pd.DataFrame({"role": ["mkb", "mkb"], "text": ["Loket", "Loket"]})
    assert list(tables.open_answers_summary(answers, "en").columns) == [
        "side", "missing desired outcome", "count"]

    t = {"participants": pd.DataFrame({"region": ["noord"] * 3, "role": ["hbo", "mkb", "mkb"]}),
         "outcome_notes": pd.DataFrame(index=range(4)), "form_notes": pd.DataFrame(index=range(2)),
         "outcome_ratings": pd.DataFrame(index=range(6))}
    nl_counts = tables.study_counts(t, {})
    assert nl_counts["deelnemers mkb"] == 2 and nl_counts["regio's (workshops)"] == 1
    assert list(nl_counts.values()) == list(tables.study_counts(t, {}, "en").values())
    assert tables.study_counts(t, {}, "en")["participants mkb"] == 2


def test_code_labels_fall_back_to_dutch_then_the_code():
    codebook = pd.DataFrame({"code": ["H01", "H02", "H03"],
                             "label_nl": ["Stages", "Kennis", None],
                             "label_en": ["Internships", None, None]})
    assert labels.code_labels(codebook, "en") == {"H01": "Internships", "H02": "Kennis",
                                                  "H03": "H03"}
    assert labels.code_labels(codebook)["H01"] == "Stages"
    assert labels.code_labels(pd.DataFrame()) == {}
    assert labels.region_labels(_study("nl")) == {"noord": "Noord"}
    assert labels.region_labels(None) == {}


def test_the_notebook_words_join_the_word_table_without_replacing_a_word():
    """hbomkb.labels_text holds the words of the notebooks' own cells; label() finds them, and
    none of their keys is also a key of labels.py itself (an update would silently win)."""
    tree = ast.parse(Path(labels.__file__).read_text(encoding="utf-8"))
    own = next({k.value for k in node.value.keys} for node in tree.body
               if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "LABELS")
    assert not own & set(labels_text.NOTEBOOK_LABELS)
    for key, (nl, en) in labels_text.NOTEBOOK_LABELS.items():
        assert labels.LABELS[key] == (nl, en)
    assert labels.label("caption_heatmap", _study("en"), side="mkb") == \
        "National clusters mkb per region (number of notes)"
    assert labels.label("caption_heatmap", _study("nl"), side="mkb") == \
        "Landelijke clusters mkb per regio (aantal notities)"
