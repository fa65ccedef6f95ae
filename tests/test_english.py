"""``language: en``: a study in English gets English reports, all but its own data.

The notebooks' Markdown cells come from the sidecars ``notebooks/<stem>.en.md``
(:mod:`hbomkb.publish.translate`); captions, generated sentences and figure words from
:mod:`hbomkb.labels` and :mod:`hbomkb.present.narrative`. The end-to-end tests run a small
synthetic study (two regions, with a survey) set to English through ``hbomkb run`` and look for
Dutch words in what a reader sees: the report pages (headings, prose, captions, table headers,
generated text), the index and the figures' SVG text. The study's own data (notes, cluster and
codebook labels, region names, the title, survey answers; Dutch in the demo) stay as written,
so every string of the processed tables is removed before the words are counted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import lxml.etree
import lxml.html
import nbformat
import pandas as pd
import pytest
import yaml

from hbomkb import config
from hbomkb.present import narrative, narrative_survey
from hbomkb.present.sentences import Words, capital
from hbomkb.publish import run as report_run
from hbomkb.publish import translate

NOTEBOOKS = [config.NOTEBOOKS_DIR / report_run.REGION_NOTEBOOK,
             config.NOTEBOOKS_DIR / report_run.NATIONAL_NOTEBOOK]
IDS = [p.name for p in NOTEBOOKS]

# Words that are Dutch and not English (nor a name or term the reports use in both languages,
# such as "hbo", "mkb", "Borda", "interval", "extreme").
DUTCH = frozenset("""
de het een van voor niet met zijn naar bij ook wordt worden door deze dit heeft hebben geen meer
dan tot wat waar alle elk elke maar nog welke wie hoe en op dat als aan te wel zij er uit
landelijk landelijke regio regionale notities notitie deelnemers kansen kans kant gewenste gewenst
resultaten resultaat samenwerkingsvormen samenwerkingsvorm huidige huidig potentiële potentieel
aantal totaal rang rangorde naam volledig gedeeltelijk onderbediend overbediend indicatief
klasse klassen zonder enquête gemeenschappelijke gemeenschappelijk thema kwadrant kwadranten
groepen groep gemengde vorm vormen rijen verschil belang tevredenheid situatie codering codeurs
bron rapport uitgevoerd synthetische gegevens onzeker plaats plaatsen keer gekozen bovenste
onderste derde middengroep overwegen waard groot extreem sterk zwak matig zeer gelijk stand
respondenten beoordelingen soort eenheid ja nee gem aandeel punten herkomst pakket invoer
""".split())
SVG_TEXT = "{http://www.w3.org/2000/svg}text"
# Columns of the processed tables whose every value is the study's own text (a codebook theme
# such as "regio" included), however Dutch it is.
FREE_TEXT = frozenset({"text", "cluster", "label_nl", "label_en", "theme", "answer"})


# --------------------------------------------------------------------------------- sidecars

@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_markdown_cell_has_an_english_text_and_none_is_stale(path):
    nb = nbformat.read(path, as_version=4)
    cells = translate.read_sidecar(translate.sidecar(path, "en"))
    ids = translate.markdown_ids(nb)
    assert sorted(cells) == sorted(ids), (set(ids) - set(cells), set(cells) - set(ids))
    dutch = {c.get("id"): c.source for c in nb.cells if c.cell_type == "markdown"}
    # each section says which Dutch text it translates: a Dutch cell edited since is stale
    stale = {i for i, h in translate.translated_from(translate.sidecar(path, "en")).items()
             if h != translate.source_hash(dutch[i])}
    assert not stale, f"Dutch text changed since its translation: {sorted(stale)}"
    for cell_id, text in cells.items():
        assert text.strip(), cell_id
        assert text != dutch[cell_id], cell_id
        # a heading stays a heading of the same level
        assert re.match(r"#*", text).group(0) == re.match(r"#*", dutch[cell_id]).group(0)
        assert not dutch_words(text), (cell_id, dutch_words(text))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_an_english_run_executes_the_notebook_with_english_prose_and_the_same_code(path):
    nb = nbformat.read(path, as_version=4)
    en = translate.notebook_source(path, "en")
    assert [c.get("id") for c in en.cells] == [c.get("id") for c in nb.cells]
    for dutch, english in zip(nb.cells, en.cells, strict=True):
        if dutch.cell_type == "code":
            assert english.source == dutch.source
        else:
            assert english.source != dutch.source
    assert nbformat.read(path, as_version=4) == nb  # the committed notebook is not touched
    # Dutch, the notebooks' own language, runs the committed file itself
    assert translate.notebook_source(path, "nl") == str(path)


def test_a_missing_or_doubled_translation_is_an_error(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Kop", id="a"),
                                         nbformat.v4.new_code_cell("x = 1", id="b"),
                                         nbformat.v4.new_markdown_cell("Tekst", id="c")])
    with pytest.raises(ValueError, match="c"):
        translate.translate_notebook(nb, {"a": "# Heading"})
    out = translate.translate_notebook(nb, {"a": "# Heading", "c": "Text"})
    assert [c.source for c in out.cells] == ["# Heading", "x = 1", "Text"]
    assert nb.cells[0].source == "# Kop"
    twice = tmp_path / "x.en.md"
    twice.write_text("<!-- cell: a -->\nOne\n<!-- cell: a -->\nTwo\n", encoding="utf-8")
    with pytest.raises(ValueError, match="twice"):
        translate.read_sidecar(twice)


def test_the_sidecar_is_part_of_what_an_english_report_is_made_from():
    path = NOTEBOOKS[0]
    assert translate.source_files(path, "nl") == [path]
    assert translate.source_files(path, "en") == [path, path.with_name("10-region.en.md")]
    assert all(p.is_file() for p in translate.source_files(path, "en"))


# ------------------------------------------------------------------------- generated text

def test_numbers_and_lists_follow_the_language():
    nl, en = Words.of("nl"), Words.of("en")
    assert (nl.num(3.25, 2), en.num(3.25, 2)) == ("3,25", "3.25")
    assert (nl.p(0.0123), en.p(0.0123)) == ("p = 0,012", "p = 0.012")
    assert (nl.p(0.0001), en.p(0.0001)) == ("p < 0,001", "p < 0.001")
    assert nl.list(["a", "b", "c"]) == "a, b en c"
    assert en.list(["a", "b", "c"], "or") == "a, b or c"
    assert en.interval(1, 2.5) == "1.0–2.5"


# ----------------------------------------------------------------- an English run, end to end

def dutch_words(text: str, data: list[str] = ()) -> list[str]:
    """The Dutch words of ``text`` once every data string is taken out (Markdown escapes
    undone first: data go into Markdown escaped, "a\\: b")."""
    text = " ".join(re.sub(r"\\(.)", r"\1", text).split())
    for d in sorted(data, key=len, reverse=True):  # a label before a shorter one inside it
        text = re.sub(rf"(?<!\w){re.escape(d)}(?!\w)", " ", text)
    # whole words only: letters inside a hash or code ("266de0e3") are no word
    return sorted({w for w in re.findall(r"\b[a-zà-ÿ]+\b", text.lower()) if w in DUTCH})


def in_context(text: str, data: list[str]) -> str:
    """Each Dutch word of ``text`` with the words around it (data shown as «»): a failure
    message that says where to look."""
    flat = " ".join(re.sub(r"\\(.)", r"\1", text).split())
    for d in sorted(data, key=len, reverse=True):
        flat = re.sub(rf"(?<!\w){re.escape(d)}(?!\w)", "«»", flat)
    lines = []
    for word in dutch_words(text, data):
        m = re.search(rf".{{0,40}}\b{word}\b.{{0,30}}", flat, re.IGNORECASE)
        lines.append(f"{word}: …{m.group(0) if m else ''}…")
    return "\n".join(lines)


def data_strings(root: Path, study: str) -> list[str]:
    """Every text of the study's data: the string cells of its processed tables, its title and
    region names."""
    found: set[str] = set()
    for f in (root / "data" / "processed" / study).glob("*.parquet"):
        df = pd.read_parquet(f)
        for c in df.columns:
            if df[c].dtype == object or str(df[c].dtype).startswith("string"):
                values = {" ".join(str(v).split()) for v in df[c].dropna().unique()}
                if c not in FREE_TEXT:
                    # a value that is one Dutch word on its own (an answer code, a status)
                    # would hide that word wherever a heading uses it: it stays in
                    values = {v for v in values if v.lower() not in DUTCH}
                found |= values
    st = yaml.safe_load((root / "data" / "raw" / study / "study.yaml").read_text("utf-8"))
    found |= {st["title"], *(r["name"] for r in st["regions"])}
    return sorted(s for s in found if s.strip())


def page_text(path: Path, without: str = "") -> str:
    """The text a reader sees on a page (``without`` the elements of that tag too)."""
    doc = lxml.html.parse(str(path)).getroot()
    for node in doc.xpath("//script|//style" + (f"|//{without}" if without else "")):
        node.drop_tree()  # its tail (the text after it) stays
    return doc.text_content()


@pytest.fixture(scope="module")
def english_run(tmp_path_factory) -> Path:
    """A two-region synthetic study with a survey, set to English, run through ``hbomkb run``."""
    from hbomkb.demo.generator import generate

    tmp = tmp_path_factory.mktemp("english")
    study = generate(tmp / "data" / "raw" / "mini", seed=11, regions=["noord", "oost"])
    yml = study / "study.yaml"
    text = yml.read_text(encoding="utf-8")
    assert "language: nl" in text
    yml.write_text(text.replace("language: nl", "language: en"), encoding="utf-8")
    env = dict(os.environ, HBOMKB_DATA_DIR=str(tmp / "data"),
               HBOMKB_REPORTS_DIR=str(tmp / "reports"), HBOMKB_FIGURES_DIR=str(tmp / "figures"),
               PYTHONPATH=str(config.PROJECT_DIR),
               MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", str(tmp / "mpl")))
    res = subprocess.run([sys.executable, "-m", "hbomkb", "run", "--study", "mini", "--jobs",
                          "2"], env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr
    assert "3 rendered, 0 unchanged, 0 failed" in res.stdout, res.stdout
    return tmp


@pytest.fixture(scope="module")
def data(english_run) -> list[str]:
    return data_strings(english_run, "mini")


REPORTS = ["region-noord", "region-oost", "national"]


@pytest.mark.parametrize("name", REPORTS)
def test_headings_prose_and_generated_text_are_english(english_run, data, name):
    """The Markdown of the executed report: the notebook's prose and headings, and what the
    cells show as Markdown (summaries, conclusions, the methods section). The provenance block
    is left to the page test below."""
    nb = nbformat.read(english_run / "reports" / "mini" / f"{name}.ipynb", as_version=4)
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    texts += ["".join(o.get("data", {}).get("text/markdown", ""))
              for c in nb.cells if c.cell_type == "code" and "show_provenance" not in c.source
              for o in c.outputs]
    headings = [line for t in texts for line in t.splitlines() if line.startswith("#")]
    assert len(headings) >= 5
    found = {w: [t for t in texts if w in dutch_words(t, data)][0][:200]
             for w in dutch_words("\n".join(texts), data)}
    assert not found, found


@pytest.mark.parametrize("name", REPORTS)
def test_report_pages_are_english(english_run, data, name):
    """Everything a reader of the page sees, captions and table headers included."""
    text = page_text(english_run / "reports" / "mini" / f"{name}-review.html")
    assert "Summary" in text or "Conclusions" in text
    assert not dutch_words(text, data), in_context(text, data)


def test_the_index_is_english(english_run, data):
    """The index's words; file names (in code font: the tables' CSV files, which keep their
    names in every language so that scripts and the deck find them) are names, not words."""
    text = page_text(english_run / "reports" / "mini" / "index.html", without="code")
    assert not dutch_words(text, data), in_context(text, data)


def test_figure_text_is_english(english_run, data):
    found = {}
    svgs = sorted((english_run / "figures" / "mini").glob("*.svg"))
    assert len(svgs) >= 10
    for svg in svgs:
        tree = lxml.etree.parse(str(svg))
        text = " ".join("".join(e.itertext()) for e in tree.iter(SVG_TEXT))
        assert text.strip(), svg.name  # svg.fonttype none keeps the words as <text>
        if dutch_words(text, data):
            found[svg.name] = in_context(text, data)
    assert not found, found


def test_a_dutch_word_in_a_report_would_be_found(data):
    """The check itself: data are exempt, a Dutch word in the text around them is not."""
    label = next(d for d in data if len(d.split()) > 2)
    assert dutch_words(f"Summary: {label}.", data) == []
    assert dutch_words(f"Samenvatting van {label}.", data) == ["van"]


def test_english_conclusions_without_a_survey_name_no_dutch():
    study = config.Study(root=Path("."), name="t", title="T", language="en",
                         regions=(config.Region("noord", "North"),))
    empty = pd.DataFrame(columns=["role", "code", "n", "groups", "rank"])
    text = narrative.national_conclusions(study, {}, empty, pd.DataFrame(), n_regions=1).text
    assert text.startswith("**Conclusions**")
    assert not dutch_words(text), text


# ---------------------------------------------------- generated sentences, one by one, in English

def _english_study(root: Path, synthetic: bool = True) -> config.Study:
    return config.Study(root=root, name="t", title="Test study", synthetic=synthetic,
                        language="en", regions=(config.Region("noord", "North"),),
                        thresholds=config.Thresholds(), min_group_size=3)


def test_an_english_region_summary_says_the_same_in_english(tmp_path):
    from test_narrative import _odi_rows, _respondents

    top3 = pd.DataFrame({"region": "noord", "role": ["hbo"] * 3 + ["mkb"] * 3,
                         "rank": [1, 2, 3, 1, 2, 3],
                         "cluster": ["Stages", "Kennis", "Loket", "Talent", "Proces", "Kosten"],
                         "code": ["H02", "H04", "H07", "M02", "M04", "M04"], "n": 3})
    common = pd.DataFrame({"region": "noord", "pairing": "theme", "key": ["talent"],
                           "hbo_codes": ["H02"], "mkb_codes": ["M02"], "common": [True]})
    forms = pd.DataFrame({"region": "noord", "mixed_group": [1, 1, 2, 2], "rank": [1, 2, 1, 2],
                          "cluster": ["Cases", "Stage", "Hub", "Projecten"],
                          "code": ["F01", "F02", "F05", "F01"], "n": 2})
    people = pd.DataFrame({"role": ["hbo"] * 4 + ["mkb"] * 4})
    labels = {"H02": "Stageplekken", "M02": "Toegang tot talent", "F01": "Studentprojecten"}
    out = narrative.region_summary(_english_study(tmp_path), "noord", top3, _odi_rows(),
                                   common, forms, people, labels,
                                   respondents=_respondents("< 3", 7, "en"))
    text = out.text
    assert text.startswith("**Summary of region North.** 4 hbo representatives and 4 "
                           "entrepreneurs took part in the workshop.")
    assert "The opportunities (top 3) of the hbo side: 1. ‘Stages’ (H02), 2. ‘Kennis’ (H04) " \
        "and 3. ‘Loket’ (H07)." in text
    assert ("Of the 3 clusters of the hbo side, 1 is underserved (O > 10; indicative, n = 4); "
            "most strongly, with O = 20.0: ‘Stages’ (H02) with I = 10.0 and S = 0.0; "
            "overserved (S > I): ‘Loket’ (H07).") in text
    assert "Common ground (theme in the top 3 of both sides): *talent*" in text
    assert "Both groups named Studentprojecten (F01)." in text
    assert "fewer than 3 hbo respondents and 7 mkb respondents" in text
    assert "*synthetic*" in text
    assert all(capital(s.text) == s.text for s in out.sentences)
    data = ["Stages", "Kennis", "Loket", "Talent", "Proces", "Kosten", "Cases", "Stage", "Hub",
            "Projecten", "talent", *labels.values()]
    assert not dutch_words(text, data), dutch_words(text, data)


def test_english_conclusions_with_the_survey_state_their_numbers_the_english_way(tmp_path):
    from test_narrative import _fit, _lead

    top = pd.DataFrame({"role": ["hbo", "mkb", "mkb"], "code": ["H06", "M07", "M04"],
                        "n": [4, 3, 3], "groups": [5, 5, 5]})
    common = pd.DataFrame({"region": "all", "pairing": "theme", "key": ["talent"],
                           "hbo_codes": ["H02"], "mkb_codes": ["M02"], "mkb_tied": ["M02"],
                           "hbo_tied": [""], "common": [True]})
    sensitivity = pd.DataFrame({"rule": ["groups", "points", "picks"],
                                "common": ["talent", "", "talent"], "same": [True, False, True]})
    consensus = pd.DataFrame({"role": "mkb", "code": ["M02", "M04"], "mean_rank": [1.5, 2.25],
                              "ci_low": [1.25, 2.0], "ci_high": [1.75, 2.5], "n": [40, 40]})
    agreement = pd.DataFrame({"role": ["mkb"], "W": [0.55], "p": [0.0123]})
    change = pd.DataFrame({"role": "mkb", "form": ["F01", "F02"], "p_holm": [0.01, 0.2],
                           "current": [3.0, 3.0], "potential": [4.0, 3.5]})
    landscape = pd.DataFrame({"role": "mkb", "code": ["M02", "M04"], "O": [12.5, 9.0],
                              "O_low": [11.0, 8.0], "O_high": [14.0, 10.5], "rank": [1.0, 2.0],
                              "rank_low": [1.0, 1.0], "rank_high": [1.0, 2.0],
                              "class": ["top", "uncertain"], "n": 40})
    labels = {"H06": "Nieuwe onderwijsvormen", "M02": "Toegang tot talent",
              "F01": "Studentprojecten", "F02": "Stages"}
    out = narrative.national_conclusions(
        _english_study(tmp_path), labels, top, common, consensus, agreement, _fit((4.0, 3.0)),
        change, landscape, n_regions=5, sensitivity=sensitivity,
        differences=_lead(0.9, 1.1))
    text = out.text
    assert text.startswith("**Conclusions** (from 5 regional workshops and the validation "
                           "survey)\n\n- In the workshops the hbo side chose Nieuwe "
                           "onderwijsvormen (H06) most often as an opportunity: in 4 of the 5 "
                           "regions.")
    assert "the mkb side chose M07 and M04 most often as an opportunity, each in 3 of" in text
    assert "Toegang tot talent (M02), only through a tie for third place" in text
    assert "That conclusion depends on the counting rule: if ties are broken by points, " \
        "there is no common ground" in text
    assert ("In the survey the mkb side puts Toegang tot talent (M02) first (mean rank 1.50, "
            "95% interval 1.25–1.75; n = 40); the agreement on the order is moderate "
            "(Kendall's W = 0.55, p = 0.012).") in text
    assert ("the difference from the runner-up, Stages (F02), is 0.10 (95% interval 0.90–1.10) "
            "and lies above zero.") in text
    assert ("For 1 of the 2 collaboration forms the mkb side scores the potential significantly "
            "higher than the current situation (Wilcoxon signed-rank test, Holm-corrected "
            "p < 0.05).") in text
    assert "uncertain, since the interval of their place crosses a class boundary: M04" in text
    assert all(capital(s.text) == s.text for s in out.sentences)
    data = [*labels.values(), "talent"]
    assert not dutch_words(text, data), dutch_words(text, data)


def test_the_english_methods_section_uses_the_study_settings(tmp_path):
    st = config.Study(root=tmp_path, name="t", title="T", synthetic=False, language="en",
                      regions=(config.Region("noord", "North"),),
                      thresholds=config.Thresholds(underserved=9, high=11.5, extreme=14),
                      min_group_size=5)
    text = narrative.methods(st, {"participants": 8})
    flat = " ".join(text.split())
    assert text.startswith("## Method\n")
    assert "*underserved* if $O > 9$" in flat
    assert "$S = 2I - 11.5$" in flat and "$S = 2I - 14$" in flat
    assert "from n = 5 only" in flat and "| participants | 8 |" in text
    assert "< 0.2 very weak, < 0.4 weak, < 0.6 moderate, < 0.8 strong, otherwise very strong" \
        in flat
    assert "$\\alpha = 0.05$" in flat and "nothing is simulated" in flat
    assert not dutch_words(text), dutch_words(text)
    synthetic = narrative.methods(_english_study(tmp_path), {})
    assert "**All data in this report are synthetic**" in synthetic


def test_english_coding_quality_and_ordinal_model_sentences():
    coverage = pd.DataFrame({"kind": ["outcome_hbo"], "unit": ["notes"], "coded": [9], "n": [10],
                             "share_coded": [0.9]})
    agreement = pd.DataFrame({"kind": ["outcome_hbo"], "agreement": [0.8], "kappa": [0.7],
                              "alpha": [0.7], "n": [10]})
    text_agreement = pd.DataFrame({"kind": ["outcome_hbo"], "ari": [0.42]})
    disagreement = pd.DataFrame({"kind": ["outcome_hbo"], "code": ["H01"], "share_main": [0.4],
                                 "shared_with": ["H02"]})
    out = narrative_survey.coding_quality(coverage, agreement, text_agreement, disagreement,
                                          {}, "en").text
    assert "Not everything has a national code: desired outcomes hbo, notes: 90.0 % (9 of 10)" \
        in out
    assert "(Cohen's kappa 0.70, Krippendorff's alpha 0.70; n = 10)" in out
    assert "enough for tentative conclusions only" in out
    assert "The text analysis joins what the codebook separates: H01 and H02." in out
    assert not dutch_words(out), dutch_words(out)
    model = pd.DataFrame({"term": ["scale[potential]"], "group": ["scale"], "n": [400],
                          "odds_ratio": [2.5], "ci_low": [1.5],
                          "ci_high": [4.0], "p": [0.0004]})
    check = pd.DataFrame({"cut": ["> 1", "> 2"], "odds_ratio": [2.0, 3.0], "chi2": [5.1, 5.1],
                          "df": [1, 1], "p": [0.02, 0.02]})
    out = narrative_survey.ordinal_summary(model, check, "en").text
    assert "the odds of a higher score in the potential situation are 2.50 times" in out
    assert "(95% interval 1.50–4.00; p < 0.001)" in out
    assert "Proportional odds does not hold for the situation (Wald χ² = 5.1, degrees of " \
        "freedom 1, p = 0.020)" in out
    assert not dutch_words(out), dutch_words(out)
