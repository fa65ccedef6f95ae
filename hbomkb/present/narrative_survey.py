"""Sentences about the validation survey, the ordinal model and the coding quality.

Each function returns :class:`~hbomkb.present.sentences.Sentence` objects (or a
:class:`~hbomkb.present.sentences.Text`) whose sources name the report table rows they quote;
:mod:`hbomkb.present.narrative` puts the survey's sentences into the national conclusions.
Wording follows the test behind a claim: "significant hoger" for a Holm-corrected Wilcoxon test,
a difference "boven nul" only where its bootstrap interval excludes 0, a class only where the
interval of its place stays inside it; where items tie, every item is named. The wording is in
the study's language (``language``: Dutch, or English for ``language: en``).
"""

from __future__ import annotations

import math

import pandas as pd

from hbomkb.labels import column_label, label, value_label
from hbomkb.present import markdown as md
from hbomkb.present.sentences import (
    LANGUAGE,
    Sentence,
    Source,
    Text,
    Words,
    naam,
    tied_at,
)

# Reading of Kendall's W after Schmidt (1997): W near .1 very weak, .3 weak, .5 moderate, .7
# strong, .9 unusually strong; bands halfway between: (upper bound, word in hbomkb.labels).
# Stated in the methods section.
W_BANDS = ((0.2, "w_very_weak"), (0.4, "w_weak"), (0.6, "w_moderate"), (0.8, "w_strong"),
           (math.inf, "w_very_strong"))
ALPHA = 0.05
# Krippendorff (2004, p. 241): alpha >= .800 reliable; .667 <= alpha < .800 for tentative
# conclusions only; below that the coding is not reliable enough.
ALPHA_RELIABLE, ALPHA_TENTATIVE = 0.800, 0.667

# The report tables the sentences quote (file names in tables/national/).
T_RANKING = "rangorde"
T_AGREEMENT = "overeenstemming"
T_FIT = "fit"
T_FIT_DIFFERENCES = "fit-verschillen"
T_CHANGE = "potentieel-vs-huidig"
T_COVERAGE = "codering-dekking"
T_CODERS = "codeurs"
T_TEXT = "tekst-overeenstemming"
T_TEXT_DISAGREEMENT = "tekst-verschillen"
T_ORDINAL = "ordinaal-model"
T_PROPORTIONAL_ODDS = "proportionele-odds"


def w_band(w: float, language: object = LANGUAGE) -> str:
    """The reading of Kendall's W (:data:`W_BANDS`): "zeer zwak" … "zeer sterk"."""
    return label(next(key for bound, key in W_BANDS if w < bound), language)


def _col(name: str, language: object) -> str:
    return column_label(name, language)


def ranking_sentence(consensus: pd.DataFrame, agreement: pd.DataFrame | None,
                     labels: dict[str, str], role: str, language: object = LANGUAGE
                     ) -> list[Sentence]:
    """Which outcome(s) a side's respondents put first (all of them where mean ranks tie as
    shown), with the interval and n, and how much they agree on the order (Kendall's W)."""
    w = Words.of(language)
    c = consensus[consensus["role"] == role]
    if c.empty:
        return []
    first = tied_at(c, "mean_rank", 2, largest=False)
    key = _col("role", language)
    sources = [Source.of(T_RANKING, [{key: role, "code": code} for code in first["code"]])]

    def detail(r: pd.Series) -> str:
        ci = (f", {w.pick('95%-interval', '95% interval')} "
              f"{w.interval(r['ci_low'], r['ci_high'], 2)}" if pd.notna(r["ci_low"]) else "")
        return f"{w.pick('gemiddelde rang', 'mean rank')} {w.num(r['mean_rank'], 2)}{ci}"

    n = int(first["n"].iloc[0])
    if len(first) == 1:
        r = first.iloc[0]
        text = w.pick(f"In de enquête staat bij {w.side(role)} {naam(r['code'], labels)} "
                      f"bovenaan ({detail(r)}; n = {n})",
                      f"In the survey {w.side(role)} puts {naam(r['code'], labels)} first "
                      f"({detail(r)}; n = {n})")
    else:
        names = w.list([naam(r["code"], labels, extra=detail(r)) for _, r in first.iterrows()])
        text = w.pick(f"In de enquête staan bij {w.side(role)} {names} gelijk bovenaan "
                      f"(n = {n})",
                      f"In the survey {w.side(role)} puts {names} level first (n = {n})")
    a = agreement[agreement["role"] == role] if agreement is not None else pd.DataFrame()
    if len(a) and not pd.isna(a.iloc[0]["W"]):
        kw = float(a.iloc[0]["W"])
        sources.append(Source.of(T_AGREEMENT, [{key: role}]))
        stat = f"{w.num(kw, 2)}, {w.p(a.iloc[0]['p'])}"
        text += w.pick(f"; de overeenstemming over de volgorde is {w_band(kw, w.language)} "
                       f"(Kendalls W = {stat})",
                       f"; the agreement on the order is {w_band(kw, w.language)} "
                       f"(Kendall's W = {stat})")
    return [Sentence(text + ".", tuple(sources), ("95%",))]


def fit_sentence(fit: pd.DataFrame, differences: pd.DataFrame | None, labels: dict[str, str],
                 role: str, scale: str, language: object = LANGUAGE) -> list[Sentence]:
    """Which form serves a side's opportunities best in one situation (all forms tied at the
    top as shown), and whether its lead over the runner-up is more than chance: the
    bootstrap interval of the difference, never two overlapping intervals."""
    w = Words.of(language)
    f = fit[(fit["role"] == role) & (fit["scale"] == scale)]
    if f.empty:
        return []
    key, form, sc = _col("role", language), _col("form", language), _col("scale", language)
    shown = value_label(scale, language)
    best = tied_at(f, "fit", 2)
    sources = [Source.of(T_FIT, [{key: role, form: c, sc: shown} for c in best["form"]])]
    where = (w.pick("in de potentiële situatie", "in the potential situation")
             if scale == "potential" else w.pick("in de huidige situatie",
                                                 "in the current situation"))
    ci_word = w.pick("95%-interval", "95% interval")

    def detail(r: pd.Series) -> str:
        ci = (f", {ci_word} {w.interval(r['ci_low'], r['ci_high'], 2)}"
              if pd.notna(r["ci_low"]) else "")
        return f"fit {w.num(r['fit'], 2)}{ci}"

    if len(best) > 1:
        names = w.list([naam(r["form"], labels, extra=detail(r)) for _, r in best.iterrows()])
        n = int(best["n"].max())
        text = w.pick(f"Voor de kansen van {w.side(role)} scoren {where} {names} gelijk het best "
                      f"(n = {n})",
                      f"For the opportunities of {w.side(role)}, {names} score level best "
                      f"{where} (n = {n})")
        return [Sentence(text + ".", tuple(sources), ("95%",))]
    r = best.iloc[0]
    text = w.pick(f"Voor de kansen van {w.side(role)} scoort {where} {naam(r['form'], labels)} "
                  f"het best ({detail(r)}; n = {int(r['n'])})",
                  f"For the opportunities of {w.side(role)}, {naam(r['form'], labels)} scores "
                  f"best {where} ({detail(r)}; n = {int(r['n'])})")
    d = pd.DataFrame() if differences is None else differences[
        (differences["role"] == role) & (differences["comparison"] == "lead")
        & (differences["scale"] == scale) & (differences["form"] == r["form"])]
    if len(d):
        nearest = d.sort_values("diff").iloc[0]
        comp, versus = _col("comparison", language), _col("versus", language)
        sources.append(Source.of(T_FIT_DIFFERENCES, [{
            key: role, comp: value_label("lead", language), sc: shown, form: r["form"],
            versus: nearest["versus"]}]))
        other, diff = naam(nearest["versus"], labels), w.num(nearest["diff"], 2)
        text += w.pick(f"; het verschil met de nummer twee, {other}, is {diff}",
                       f"; the difference from the runner-up, {other}, is {diff}")
        if pd.notna(nearest["ci_low"]):
            verdict = (w.pick("ligt boven nul", "lies above zero") if nearest["ci_low"] > 0 else
                       w.pick("is niet van nul te onderscheiden",
                              "cannot be told apart from zero"))
            text += (f" ({ci_word} {w.interval(nearest['ci_low'], nearest['ci_high'], 2)}) "
                     f"{w.pick('en', 'and')} {verdict}")
    return [Sentence(text + ".", tuple(sources), ("95%",))]


def change_sentence(change: pd.DataFrame, role: str, language: object = LANGUAGE
                    ) -> list[Sentence]:
    """How many forms a side scores significantly higher in potential than now (Wilcoxon,
    Holm-corrected), worded no stronger than that test: "significant hoger", and lower ones
    too."""
    w = Words.of(language)
    ch = change[change["role"] == role]
    if ch.empty:
        return []
    key, form = _col("role", language), _col("form", language)
    alpha = f"p < {w.num(ALPHA, 2)}"
    tested = ch.dropna(subset=["p_holm"])
    up = tested[(tested["p_holm"] < ALPHA) & (tested["potential"] > tested["current"])]
    down = tested[(tested["p_holm"] < ALPHA) & (tested["potential"] < tested["current"])]
    sources = [Source.of(T_CHANGE, [{key: role, form: f} for f in ch["form"]])]
    if len(up):
        sources.append(Source.of(T_CHANGE, [{key: role, form: f} for f in up["form"]]))
        if len(up) < len(ch):
            text = w.pick(f"Bij {len(up)} van de {len(ch)} samenwerkingsvormen scoort "
                          f"{w.side(role)} potentieel significant hoger dan huidig",
                          f"For {len(up)} of the {len(ch)} collaboration forms "
                          f"{w.side(role)} scores the potential significantly higher than the "
                          "current situation")
        else:
            text = w.pick(f"Bij alle {len(ch)} samenwerkingsvormen scoort {w.side(role)} "
                          "potentieel significant hoger dan huidig",
                          f"For all {len(ch)} collaboration forms {w.side(role)} scores the "
                          "potential significantly higher than the current situation")
    else:
        text = w.pick(f"Bij geen van de {len(ch)} samenwerkingsvormen scoort {w.side(role)} "
                      "potentieel significant hoger dan huidig",
                      f"For none of the {len(ch)} collaboration forms {w.side(role)} scores the "
                      "potential significantly higher than the current situation")
    if len(down):
        sources.append(Source.of(T_CHANGE, [{key: role, form: f} for f in down["form"]]))
        text += w.pick(f"; bij {len(down)} significant lager",
                       f"; for {len(down)} significantly lower")
    text += w.pick(f" (Wilcoxon-rangtekentoets, Holm-gecorrigeerd {alpha}).",
                   f" (Wilcoxon signed-rank test, Holm-corrected {alpha}).")
    return [Sentence(text, tuple(sources), (alpha,))]


def landscape_sentence(landscape: pd.DataFrame, labels: dict[str, str], role: str,
                       language: object = LANGUAGE) -> list[Sentence]:
    """Which desired outcomes of a side have the most room by the survey (top third of places
    by O, relative to the side's other outcomes), and which are uncertain: their place's
    interval crosses a class boundary."""
    w = Words.of(language)
    ls = landscape[landscape["role"] == role]
    if ls.empty:
        return []
    key = _col("role", language)
    top = ls[ls["class"] == "top"].sort_values("O", ascending=False)
    unsure = ls[ls["class"] == "uncertain"].sort_values("O", ascending=False)
    has_ci = ls["rank_low"].notna().any()
    ci_word = w.pick("95%-interval", "95% interval")
    sources = [Source.of(f"landschap-{role}", [{key: role, "code": c} for c in ls["code"]])]
    n = int(ls["n"].max())
    intro = w.pick(f"In het kansenlandschap uit de enquête (klassen relatief; n = {n})",
                   f"In the opportunity landscape from the survey (relative classes; n = {n})")
    if len(top):
        sources.append(Source.of(f"landschap-{role}", [{key: role, "code": c}
                                                        for c in top["code"]]))
        names = []
        for _, r in top.iterrows():
            place = (f"{w.pick('plaats', 'place')} "
                     f"{w.num(r['rank'], 0 if float(r['rank']).is_integer() else 1)}")
            if pd.notna(r["rank_low"]):
                place += (w.pick(" in minstens 95% van de trekkingen",
                                 " in at least 95% of the draws")
                          if r["rank_low"] == r["rank_high"]
                          else f", {ci_word} {w.interval(r['rank_low'], r['rank_high'], 0)}")
            o = (f"O = {w.num(r['O'])}" + (f", {ci_word} {w.interval(r['O_low'], r['O_high'])}"
                                           if pd.notna(r["O_low"]) else ""))
            names.append(naam(r["code"], labels, extra=f"{o}; {place}"))
        text = w.pick(f"{intro} behoort bij {w.side(role)} tot het bovenste derde naar kans: "
                      f"{w.list(names)}",
                      f"{intro}, the top third by opportunity of {w.side(role)} holds: "
                      f"{w.list(names)}")
    else:
        text = w.pick(f"{intro} behoort bij {w.side(role)} geen gewenst resultaat duidelijk tot "
                      "het bovenste derde naar kans",
                      f"{intro}, no desired outcome of {w.side(role)} is clearly in the top "
                      "third by opportunity")
    if len(unsure):
        sources.append(Source.of(f"landschap-{role}", [{key: role, "code": c}
                                                        for c in unsure["code"]]))
        names = w.list([naam(c, labels) for c in unsure["code"]])
        text += w.pick(f"; onzeker, want het interval van hun plaats overschrijdt een "
                       f"klassegrens: {names}",
                       f"; uncertain, since the interval of their place crosses a class "
                       f"boundary: {names}")
    if not has_ci:
        text += w.pick("; zonder interval (te weinig respondenten voor een bootstrap), dus "
                       "indicatief", "; without an interval (too few respondents for a "
                       "bootstrap), so indicative")
    return [Sentence(text + ".", tuple(sources), ("95%",))]


# ---------------------------------------------------------------------------------------------
# coding quality and the ordinal model


def coding_quality(coverage: pd.DataFrame, agreement: pd.DataFrame, text: pd.DataFrame,
                   disagreement: pd.DataFrame, labels: dict[str, str],
                   language: object = LANGUAGE) -> Text:
    """What the coding-quality tables say, with what their values mean.

    ``coverage`` = :func:`cluster.coverage_summary`, ``agreement`` =
    :func:`cluster.coder_agreement`, ``text`` = :func:`textmine.text_agreement`,
    ``disagreement`` = :func:`textmine.text_disagreement`.
    """
    w = Words.of(language)
    kind_col, unit_col = _col("kind", language), _col("unit", language)
    out = []
    incomplete = coverage[coverage["coded"] < coverage["n"]]
    src = Source.of(T_COVERAGE, [{kind_col: value_label(k, language),
                                  unit_col: value_label(u, language)}
                                 for k, u in zip(coverage["kind"], coverage["unit"], strict=True)])
    if incomplete.empty:
        out.append(Sentence(w.pick("De codering is volledig: elke notitie en elk regionaal "
                                   "cluster heeft een landelijke code.",
                                   "The coding is complete: every note and every regional "
                                   "cluster has a national code."), (src,)))
    else:
        parts = [f"{w.label(k)}, {value_label(u, w.language)}: {w.num(100 * s)} % "
                 f"({int(c)} {w.pick('van', 'of')} {int(n)})" for k, u, s, c, n in
                 zip(incomplete["kind"], incomplete["unit"], incomplete["share_coded"],
                     incomplete["coded"], incomplete["n"], strict=True)]
        out.append(Sentence(w.pick("Niet alles heeft een landelijke code: ",
                                   "Not everything has a national code: ")
                            + f"{'; '.join(parts)}.",
                            (Source.of(T_COVERAGE, [{kind_col: value_label(k, language),
                                                     unit_col: value_label(u, language)}
                                                    for k, u in zip(incomplete["kind"],
                                                                    incomplete["unit"],
                                                                    strict=True)]),)))
    both = agreement.dropna(subset=["alpha"])
    if both.empty:
        out.append(Sentence(w.label("no_second_coder")))
    else:
        parts = [w.pick(f"{w.label(k)} {w.num(100 * a)} % gelijk (Cohens kappa {w.num(kp, 2)}, "
                        f"Krippendorffs alfa {w.num(al, 2)}; n = {int(n)})",
                        f"{w.label(k)} {w.num(100 * a)} % equal (Cohen's kappa {w.num(kp, 2)}, "
                        f"Krippendorff's alpha {w.num(al, 2)}; n = {int(n)})")
                 for k, a, kp, al, n in zip(both["kind"], both["agreement"], both["kappa"],
                                            both["alpha"], both["n"], strict=True)]
        weak = both[both["alpha"] < ALPHA_TENTATIVE]
        tentative = both[(both["alpha"] >= ALPHA_TENTATIVE) & (both["alpha"] < ALPHA_RELIABLE)]
        reliable, rule = w.num(ALPHA_RELIABLE, 3), w.num(ALPHA_TENTATIVE, 3)
        at_least, from_ = f"{w.pick('minstens', 'at least')} {reliable}", \
            f"{w.pick('vanaf', 'from')} {rule}"
        reading = w.pick(f"Een alfa van {at_least} geldt als betrouwbaar, {from_} als voldoende "
                         "voor voorlopige conclusies (Krippendorff, 2004)",
                         f"An alpha of {at_least} counts as reliable, {from_} as enough for "
                         "tentative conclusions (Krippendorff, 2004)")
        if len(weak):
            kinds = w.list([w.label(k) for k in weak["kind"]])
            reading += w.pick(f"; de codering van {kinds} ligt daaronder en is dus niet "
                              "betrouwbaar genoeg",
                              f"; the coding of {kinds} lies below that and so is not reliable "
                              "enough")
        if len(tentative):
            kinds = w.list([w.label(k) for k in tentative["kind"]])
            reading += w.pick(f"; die van {kinds} is alleen voldoende voor voorlopige conclusies",
                              f"; that of {kinds} is enough for tentative conclusions only")
        src = Source.of(T_CODERS, [{kind_col: value_label(k, language)} for k in both["kind"]])
        out.append(Sentence(w.pick("Twee codeurs codeerden de regionale clusters "
                                   "onafhankelijk: ", "Two coders coded the regional clusters "
                                   "independently: ") + f"{'; '.join(parts)}.", (src,)))
        out.append(Sentence(reading + ".", (src,), (at_least, from_, "2004")))
    t = text.dropna(subset=["ari"])
    if len(t):
        parts = [f"{w.num(a, 2)} ({w.label(k)})" for k, a in zip(t["kind"], t["ari"], strict=True)]
        src = Source.of(T_TEXT, [{kind_col: value_label(k, language)} for k in t["kind"]])
        zero, one = w.pick("0 is niet", "0 is no"), w.pick("1 is dezelfde", "1 is the same")
        out.append(Sentence(w.pick(
            "De tekstanalyse deelt de notities zonder codeboek in even veel clusters in als het "
            f"codeboek codes heeft; haar indeling komt met de codering overeen met een "
            f"aangepaste Rand-index (ARI) van {w.list(parts)}: {zero} beter dan toeval, "
            f"{one} indeling.",
            "The text analysis groups the notes without the codebook into as many clusters as "
            "the codebook has codes; its grouping matches the coding with an adjusted Rand "
            f"index (ARI) of {w.list(parts)}: {zero} better than chance, {one} grouping."),
            (src,), (zero, one)))
    if len(disagreement):
        split = disagreement[disagreement["share_main"] < 0.5]
        merged = disagreement[disagreement["shared_with"].astype(str) != ""]
        code_col = "code"
        if len(split):
            names = w.list([naam(c, labels, extra=f"{w.num(100 * s)} %") for c, s in
                            zip(split["code"], split["share_main"], strict=True)])
            out.append(Sentence(w.pick(
                f"Minder dan de helft van de notities valt in het eigen tekstcluster bij "
                f"{names}: daar wijkt de tekst het meest af van de codering.",
                f"Fewer than half of the notes fall in their own text cluster for {names}: "
                "there the text differs most from the coding."),
                (Source.of(T_TEXT_DISAGREEMENT, [{kind_col: value_label(k, language),
                                                  code_col: c} for k, c in
                                                 zip(split["kind"], split["code"],
                                                     strict=True)]),)))
        if len(merged):
            pairs = sorted({tuple(sorted([c, *[o.strip() for o in str(m).split(",")]]))
                            for c, m in zip(merged["code"], merged["shared_with"], strict=True)})
            joined = "; ".join(w.list([naam(c, labels) for c in p]) for p in pairs)
            out.append(Sentence(
                w.pick("De tekstanalyse neemt samen wat het codeboek scheidt: ",
                       "The text analysis joins what the codebook separates: ") + f"{joined}.",
                (Source.of(T_TEXT_DISAGREEMENT, [{kind_col: value_label(k, language),
                                                  code_col: c} for k, c in
                                                 zip(merged["kind"], merged["code"],
                                                     strict=True)]),)))
        else:
            out.append(Sentence(w.pick("De tekstanalyse neemt geen twee landelijke clusters "
                                       "samen.", "The text analysis joins no two national "
                                       "clusters.")))
    return Text(tuple(out))


def ordinal_summary(model: pd.DataFrame, check: pd.DataFrame,
                    language: object = LANGUAGE) -> Text:
    """The ordinal model's result for the situation (potential against current), and whether
    proportional odds holds for it (:func:`hbomkb.analysis.ordinal.ordinal_model`,
    :func:`hbomkb.analysis.ordinal.proportional_odds_check`)."""
    w = Words.of(language)
    scale = model[model["term"] == "scale[potential]"]
    if scale.empty:
        reason = md.text(model["reason"].iloc[0] if len(model) else "")
        return Text((Sentence(w.pick(f"Het ordinale model is niet geschat ({reason}).",
                                     f"The ordinal model was not estimated ({reason})."),),))
    r = scale.iloc[0]
    kind_col = _col("group", language)
    src = Source.of(T_ORDINAL, [{kind_col: label("scale_term", language)}])
    terms = w.list([w.label(t) for t in ("scale_term", "form_term", "outcome_term")
                    if t.split("_")[0] in set(model["group"])])
    # the respondents behind the model are in its table's caption, not in a row: the sentence
    # quotes the scores (n) of the row
    n, odds = int(r["n"]), w.num(r["odds_ratio"], 2)
    ci = w.interval(r["ci_low"], r["ci_high"], 2)
    out = [Sentence(w.pick(
        f"In het ordinale model (proportionele odds; {terms} als vaste effecten, fouten "
        f"geclusterd per respondent; n = {n} scores) zijn de odds op een hogere score in de "
        f"potentiële situatie {odds} keer zo groot als in de huidige "
        f"(95%-interval {ci}; {w.p(r['p'])}).",
        f"In the ordinal model (proportional odds; {terms} as fixed effects, errors clustered "
        f"by respondent; n = {n} scores) the odds of a higher score in "
        f"the potential situation are {odds} times those in the current one (95% interval "
        f"{ci}; {w.p(r['p'])})."), (src,), ("95%",)),
        Sentence(w.pick(
            "De kant zit niet in dit model: elke kant heeft eigen gewenste resultaten, dus die "
            "zeggen de kant al; hbo en mkb worden per vorm vergeleken met de "
            "Mann-Whitney-toets.",
            "The side is not in this model: each side has its own desired outcomes, so these "
            "already tell the side; hbo and mkb are compared per form with the Mann-Whitney "
            "test."))]
    c = check.dropna(subset=["odds_ratio"])
    if len(c):
        cut_col = _col("cut", language)
        src = Source.of(T_PROPORTIONAL_ODDS, [{cut_col: k} for k in c["cut"]])
        lo, hi = c.loc[c["odds_ratio"].idxmin()], c.loc[c["odds_ratio"].idxmax()]
        test = (f"Wald χ² = {w.num(c['chi2'].iloc[0])}, "
                f"{w.pick('vrijheidsgraden', 'degrees of freedom')} {int(c['df'].iloc[0])}, "
                f"{w.p(c['p'].iloc[0])}")
        low, high = w.num(lo["odds_ratio"], 2), w.num(hi["odds_ratio"], 2)
        cut_low, cut_high = md.text(lo["cut"]), md.text(hi["cut"])
        spread = w.pick(f"per drempel loopt de odds ratio van {low} (score {cut_low}) tot "
                        f"{high} (score {cut_high})",
                        f"per cut-point the odds ratio runs from {low} (score {cut_low}) to "
                        f"{high} (score {cut_high})")
        if c["p"].iloc[0] < ALPHA:
            text = w.pick(f"Proportionele odds gaat voor de situatie niet op ({test}): {spread}; "
                          f"{odds} is daar een gemiddelde van, geen vaste verhouding.",
                          f"Proportional odds does not hold for the situation ({test}): "
                          f"{spread}; {odds} is an average of these, not a fixed ratio.")
            out.append(Sentence(text, (src, Source.of(T_ORDINAL, [
                {kind_col: label("scale_term", language)}]))))
        else:
            out.append(Sentence(w.pick(f"Proportionele odds houdt voor de situatie stand "
                                       f"({test}); {spread}.",
                                       f"Proportional odds holds for the situation ({test}); "
                                       f"{spread}."), (src,)))
    return Text(tuple(out))
