"""Dutch sentences about the validation survey, the ordinal model and the coding quality.

Each function returns :class:`~hbomkb.present.sentences.Sentence` objects (or a
:class:`~hbomkb.present.sentences.Text`) whose sources name the report table rows they quote;
:mod:`hbomkb.present.narrative` puts the survey's sentences into the national conclusions.
Wording follows the test behind a claim: "significant hoger" for a Holm-corrected Wilcoxon test,
a difference "boven nul" only where its bootstrap interval excludes 0, a class only where the
interval of its place stays inside it; where items tie, every item is named.
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
    interval,
    naam,
    nummer,
    opsomming,
    p_waarde,
    side,
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
    c = consensus[consensus["role"] == role]
    if c.empty:
        return []
    first = tied_at(c, "mean_rank", 2, largest=False)
    key = _col("role", language)
    sources = [Source.of(T_RANKING, [{key: role, "code": code} for code in first["code"]])]

    def detail(r: pd.Series) -> str:
        ci = (f", 95%-interval {interval(r['ci_low'], r['ci_high'], 2)}"
              if pd.notna(r["ci_low"]) else "")
        return f"gemiddelde rang {nummer(r['mean_rank'], 2)}{ci}"

    n = int(first["n"].iloc[0])
    if len(first) == 1:
        r = first.iloc[0]
        text = (f"In de enquête staat bij {side(role)} {naam(r['code'], labels)} bovenaan "
                f"({detail(r)}; n = {n})")
    else:
        names = [naam(r["code"], labels, extra=detail(r)) for _, r in first.iterrows()]
        text = (f"In de enquête staan bij {side(role)} {opsomming(names)} gelijk bovenaan "
                f"(n = {n})")
    a = agreement[agreement["role"] == role] if agreement is not None else pd.DataFrame()
    if len(a) and not pd.isna(a.iloc[0]["W"]):
        w = float(a.iloc[0]["W"])
        sources.append(Source.of(T_AGREEMENT, [{key: role}]))
        text += (f"; de overeenstemming over de volgorde is {w_band(w)} "
                 f"(Kendalls W = {nummer(w, 2)}, {p_waarde(a.iloc[0]['p'])})")
    return [Sentence(text + ".", tuple(sources), ("95%",))]


def fit_sentence(fit: pd.DataFrame, differences: pd.DataFrame | None, labels: dict[str, str],
                 role: str, scale: str, language: object = LANGUAGE) -> list[Sentence]:
    """Which form serves a side's opportunities best in one situation (all forms tied at the
    top as shown), and whether its lead over the runner-up is more than chance: the
    bootstrap interval of the difference, never two overlapping intervals."""
    f = fit[(fit["role"] == role) & (fit["scale"] == scale)]
    if f.empty:
        return []
    key, form, sc = _col("role", language), _col("form", language), _col("scale", language)
    shown = value_label(scale, language)
    best = tied_at(f, "fit", 2)
    sources = [Source.of(T_FIT, [{key: role, form: c, sc: shown} for c in best["form"]])]
    where = "in de potentiële situatie" if scale == "potential" else "in de huidige situatie"

    def detail(r: pd.Series) -> str:
        ci = (f", 95%-interval {interval(r['ci_low'], r['ci_high'], 2)}"
              if pd.notna(r["ci_low"]) else "")
        return f"fit {nummer(r['fit'], 2)}{ci}"

    if len(best) > 1:
        names = opsomming([naam(r["form"], labels, extra=detail(r)) for _, r in best.iterrows()])
        text = (f"Voor de kansen van {side(role)} scoren {where} {names} gelijk het best "
                f"(n = {int(best['n'].max())})")
        return [Sentence(text + ".", tuple(sources), ("95%",))]
    r = best.iloc[0]
    text = (f"Voor de kansen van {side(role)} scoort {where} {naam(r['form'], labels)} het best "
            f"({detail(r)}; n = {int(r['n'])})")
    d = pd.DataFrame() if differences is None else differences[
        (differences["role"] == role) & (differences["comparison"] == "lead")
        & (differences["scale"] == scale) & (differences["form"] == r["form"])]
    if len(d):
        nearest = d.sort_values("diff").iloc[0]
        comp, versus = _col("comparison", language), _col("versus", language)
        sources.append(Source.of(T_FIT_DIFFERENCES, [{
            key: role, comp: value_label("lead", language), sc: shown, form: r["form"],
            versus: nearest["versus"]}]))
        text += (f"; het verschil met de nummer twee, {naam(nearest['versus'], labels)}, is "
                 f"{nummer(nearest['diff'], 2)}")
        if pd.notna(nearest["ci_low"]):
            verdict = ("ligt boven nul" if nearest["ci_low"] > 0 else
                       "is niet van nul te onderscheiden")
            text += (f" (95%-interval {interval(nearest['ci_low'], nearest['ci_high'], 2)}) "
                     f"en {verdict}")
    return [Sentence(text + ".", tuple(sources), ("95%",))]


def change_sentence(change: pd.DataFrame, role: str, language: object = LANGUAGE
                    ) -> list[Sentence]:
    """How many forms a side scores significantly higher in potential than now (Wilcoxon,
    Holm-corrected), worded no stronger than that test: "significant hoger", and lower ones
    too."""
    ch = change[change["role"] == role]
    if ch.empty:
        return []
    key, form = _col("role", language), _col("form", language)
    alpha = f"p < {nummer(ALPHA, 2)}"
    tested = ch.dropna(subset=["p_holm"])
    up = tested[(tested["p_holm"] < ALPHA) & (tested["potential"] > tested["current"])]
    down = tested[(tested["p_holm"] < ALPHA) & (tested["potential"] < tested["current"])]
    sources = [Source.of(T_CHANGE, [{key: role, form: f} for f in ch["form"]])]
    if len(up):
        sources.append(Source.of(T_CHANGE, [{key: role, form: f} for f in up["form"]]))
        how = "Bij" if len(up) < len(ch) else "Bij alle"
        count = f"{len(up)} van de {len(ch)}" if len(up) < len(ch) else f"{len(ch)}"
        text = (f"{how} {count} samenwerkingsvormen scoort {side(role)} potentieel significant "
                f"hoger dan huidig")
    else:
        text = (f"Bij geen van de {len(ch)} samenwerkingsvormen scoort {side(role)} potentieel "
                f"significant hoger dan huidig")
    if len(down):
        sources.append(Source.of(T_CHANGE, [{key: role, form: f} for f in down["form"]]))
        text += f"; bij {len(down)} significant lager"
    text += f" (Wilcoxon-rangtekentoets, Holm-gecorrigeerd {alpha})."
    return [Sentence(text, tuple(sources), (alpha,))]


def landscape_sentence(landscape: pd.DataFrame, labels: dict[str, str], role: str,
                       language: object = LANGUAGE) -> list[Sentence]:
    """Which desired outcomes of a side have the most room by the survey (top third of places
    by O, relative to the side's other outcomes), and which are uncertain: their place's
    interval crosses a class boundary."""
    ls = landscape[landscape["role"] == role]
    if ls.empty:
        return []
    key = _col("role", language)
    top = ls[ls["class"] == "top"].sort_values("O", ascending=False)
    unsure = ls[ls["class"] == "uncertain"].sort_values("O", ascending=False)
    has_ci = ls["rank_low"].notna().any()
    sources = [Source.of(f"landschap-{role}", [{key: role, "code": c} for c in ls["code"]])]
    intro = f"In het kansenlandschap uit de enquête (klassen relatief; n = {int(ls['n'].max())})"
    if len(top):
        sources.append(Source.of(f"landschap-{role}", [{key: role, "code": c}
                                                        for c in top["code"]]))
        names = []
        for _, r in top.iterrows():
            place = f"plaats {nummer(r['rank'], 0 if float(r['rank']).is_integer() else 1)}"
            if pd.notna(r["rank_low"]):
                place += (" in minstens 95% van de trekkingen" if r["rank_low"] == r["rank_high"]
                          else f", 95%-interval {interval(r['rank_low'], r['rank_high'], 0)}")
            o = (f"O = {nummer(r['O'])}" + (f", 95%-interval {interval(r['O_low'], r['O_high'])}"
                                            if pd.notna(r["O_low"]) else ""))
            names.append(naam(r["code"], labels, extra=f"{o}; {place}"))
        text = (f"{intro} behoort bij {side(role)} tot het bovenste derde naar kans: "
                f"{opsomming(names)}")
    else:
        text = (f"{intro} behoort bij {side(role)} geen gewenst resultaat duidelijk tot het "
                "bovenste derde naar kans")
    if len(unsure):
        sources.append(Source.of(f"landschap-{role}", [{key: role, "code": c}
                                                        for c in unsure["code"]]))
        text += (f"; onzeker, want het interval van hun plaats overschrijdt een klassegrens: "
                 f"{opsomming([naam(c, labels) for c in unsure['code']])}")
    if not has_ci:
        text += "; zonder interval (te weinig respondenten voor een bootstrap), dus indicatief"
    return [Sentence(text + ".", tuple(sources), ("95%",))]


# ---------------------------------------------------------------------------------------------
# coding quality and the ordinal model


def _kind(kind: str) -> str:
    return label(kind, LANGUAGE)


def coding_quality(coverage: pd.DataFrame, agreement: pd.DataFrame, text: pd.DataFrame,
                   disagreement: pd.DataFrame, labels: dict[str, str],
                   language: object = LANGUAGE) -> Text:
    """What the coding-quality tables say, with what their values mean.

    ``coverage`` = :func:`cluster.coverage_summary`, ``agreement`` =
    :func:`cluster.coder_agreement`, ``text`` = :func:`textmine.text_agreement`,
    ``disagreement`` = :func:`textmine.text_disagreement`.
    """
    kind_col, unit_col = _col("kind", language), _col("unit", language)
    out = []
    incomplete = coverage[coverage["coded"] < coverage["n"]]
    src = Source.of(T_COVERAGE, [{kind_col: value_label(k, language),
                                  unit_col: value_label(u, language)}
                                 for k, u in zip(coverage["kind"], coverage["unit"], strict=True)])
    if incomplete.empty:
        out.append(Sentence("De codering is volledig: elke notitie en elk regionaal cluster heeft "
                            "een landelijke code.", (src,)))
    else:
        parts = [f"{_kind(k)}, {value_label(u, LANGUAGE)}: {nummer(100 * s)} % "
                 f"({int(c)} van {int(n)})" for k, u, s, c, n in
                 zip(incomplete["kind"], incomplete["unit"], incomplete["share_coded"],
                     incomplete["coded"], incomplete["n"], strict=True)]
        out.append(Sentence(f"Niet alles heeft een landelijke code: {'; '.join(parts)}.",
                            (Source.of(T_COVERAGE, [{kind_col: value_label(k, language),
                                                     unit_col: value_label(u, language)}
                                                    for k, u in zip(incomplete["kind"],
                                                                    incomplete["unit"],
                                                                    strict=True)]),)))
    both = agreement.dropna(subset=["alpha"])
    if both.empty:
        out.append(Sentence(label("no_second_coder", LANGUAGE)))
    else:
        parts = [f"{_kind(k)} {nummer(100 * a)} % gelijk (Cohens kappa {nummer(kp, 2)}, "
                 f"Krippendorffs alfa {nummer(al, 2)}; n = {int(n)})" for k, a, kp, al, n in
                 zip(both["kind"], both["agreement"], both["kappa"], both["alpha"], both["n"],
                     strict=True)]
        weak = both[both["alpha"] < ALPHA_TENTATIVE]
        tentative = both[(both["alpha"] >= ALPHA_TENTATIVE) & (both["alpha"] < ALPHA_RELIABLE)]
        reliable, rule = nummer(ALPHA_RELIABLE, 3), nummer(ALPHA_TENTATIVE, 3)
        reading = (f"Een alfa van minstens {reliable} geldt als betrouwbaar, vanaf {rule} als "
                   f"voldoende voor voorlopige conclusies (Krippendorff, 2004)")
        if len(weak):
            reading += (f"; de codering van {opsomming([_kind(k) for k in weak['kind']])} ligt "
                        "daaronder en is dus niet betrouwbaar genoeg")
        if len(tentative):
            reading += (f"; die van {opsomming([_kind(k) for k in tentative['kind']])} is alleen "
                        "voldoende voor voorlopige conclusies")
        src = Source.of(T_CODERS, [{kind_col: value_label(k, language)} for k in both["kind"]])
        out.append(Sentence("Twee codeurs codeerden de regionale clusters onafhankelijk: "
                            f"{'; '.join(parts)}.", (src,)))
        out.append(Sentence(reading + ".", (src,),
                            (f"minstens {reliable}", f"vanaf {rule}", "2004")))
    t = text.dropna(subset=["ari"])
    if len(t):
        parts = [f"{nummer(a, 2)} ({_kind(k)})" for k, a in zip(t["kind"], t["ari"], strict=True)]
        src = Source.of(T_TEXT, [{kind_col: value_label(k, language)} for k in t["kind"]])
        out.append(Sentence(
            "De tekstanalyse deelt de notities zonder codeboek in even veel clusters in als het "
            f"codeboek codes heeft; haar indeling komt met de codering overeen met een "
            f"aangepaste Rand-index (ARI) van {opsomming(parts)}: 0 is niet beter dan toeval, "
            "1 is dezelfde indeling.", (src,), ("0 is niet", "1 is dezelfde")))
    if len(disagreement):
        split = disagreement[disagreement["share_main"] < 0.5]
        merged = disagreement[disagreement["shared_with"].astype(str) != ""]
        code_col = "code"
        if len(split):
            names = [naam(c, labels, extra=f"{nummer(100 * s)} %") for c, s in
                     zip(split["code"], split["share_main"], strict=True)]
            out.append(Sentence(
                "Minder dan de helft van de notities valt in het eigen tekstcluster bij "
                f"{opsomming(names)}: daar wijkt de tekst het meest af van de codering.",
                (Source.of(T_TEXT_DISAGREEMENT, [{kind_col: value_label(k, language),
                                                  code_col: c} for k, c in
                                                 zip(split["kind"], split["code"],
                                                     strict=True)]),)))
        if len(merged):
            pairs = sorted({tuple(sorted([c, *[o.strip() for o in str(w).split(",")]]))
                            for c, w in zip(merged["code"], merged["shared_with"], strict=True)})
            out.append(Sentence(
                "De tekstanalyse neemt samen wat het codeboek scheidt: "
                f"{'; '.join(opsomming([naam(c, labels) for c in p]) for p in pairs)}.",
                (Source.of(T_TEXT_DISAGREEMENT, [{kind_col: value_label(k, language),
                                                  code_col: c} for k, c in
                                                 zip(merged["kind"], merged["code"],
                                                     strict=True)]),)))
        else:
            out.append(Sentence("De tekstanalyse neemt geen twee landelijke clusters samen."))
    return Text(tuple(out))


def ordinal_summary(model: pd.DataFrame, check: pd.DataFrame,
                    language: object = LANGUAGE) -> Text:
    """The ordinal model's result for the situation (potential against current), and whether
    proportional odds holds for it (:func:`hbomkb.analysis.ordinal.ordinal_model`,
    :func:`hbomkb.analysis.ordinal.proportional_odds_check`)."""
    scale = model[model["term"] == "scale[potential]"]
    if scale.empty:
        reason = model["reason"].iloc[0] if len(model) else ""
        return Text((Sentence(f"Het ordinale model is niet geschat ({md.text(reason)})."),))
    r = scale.iloc[0]
    kind_col = _col("group", language)
    src = Source.of(T_ORDINAL, [{kind_col: label("scale_term", language)}])
    terms = opsomming([label(t, LANGUAGE) for t in ("scale_term", "form_term", "outcome_term")
                       if t.split("_")[0] in set(model["group"])])
    out = [Sentence(
        f"In het ordinale model (proportionele odds; {terms} als vaste effecten, fouten "
        f"geclusterd per respondent; n = {int(r['n'])} scores van {int(r['n_respondents'])} "
        f"respondenten) zijn de odds op een hogere score in de potentiële situatie "
        f"{nummer(r['odds_ratio'], 2)} keer zo groot als in de huidige (95%-interval "
        f"{interval(r['ci_low'], r['ci_high'], 2)}; {p_waarde(r['p'])}).", (src,), ("95%",)),
        Sentence("De kant zit niet in dit model: elke kant heeft eigen gewenste resultaten, dus "
                 "die zeggen de kant al; hbo en mkb worden per vorm vergeleken met de "
                 "Mann-Whitney-toets.")]
    c = check.dropna(subset=["odds_ratio"])
    if len(c):
        cut_col = _col("cut", language)
        src = Source.of(T_PROPORTIONAL_ODDS, [{cut_col: k} for k in c["cut"]])
        lo, hi = c.loc[c["odds_ratio"].idxmin()], c.loc[c["odds_ratio"].idxmax()]
        test = (f"Wald χ² = {nummer(c['chi2'].iloc[0])}, vrijheidsgraden {int(c['df'].iloc[0])}, "
                f"{p_waarde(c['p'].iloc[0])}")
        spread = (f"per drempel loopt de odds ratio van {nummer(lo['odds_ratio'], 2)} "
                  f"(score {md.text(lo['cut'])}) tot {nummer(hi['odds_ratio'], 2)} "
                  f"(score {md.text(hi['cut'])})")
        if c["p"].iloc[0] < ALPHA:
            text = (f"Proportionele odds gaat voor de situatie niet op ({test}): {spread}; "
                    f"{nummer(r['odds_ratio'], 2)} is daar een gemiddelde van, geen vaste "
                    "verhouding.")
            out.append(Sentence(text, (src, Source.of(T_ORDINAL, [
                {kind_col: label("scale_term", language)}]))))
        else:
            out.append(Sentence(f"Proportionele odds houdt voor de situatie stand ({test}); "
                                f"{spread}.", (src,)))
    return Text(tuple(out))
