"""The one table of words shown to people: Dutch by default, English for ``language: en``.

Code, tidy tables and their column names stay English; every word a reader of a figure, table
or report sees comes from here, so a study switches language in one place (``study.yaml``) and
no module carries its own translations. Three tables, each ``key -> (Dutch, English)``:

- :data:`LABELS`: words and phrases of figures, captions and text, through :func:`label`;
- :data:`COLUMNS`: the column names of report tables, through :func:`column_label`;
- :data:`VALUES`: the values shown in report table cells, through :func:`value_label`.

A word may differ between them on purpose: a figure legend says "extreme kans (O > 15)" where
a table cell says "extreem". Lookups of an unknown key give the key back unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

LANGUAGES = ("nl", "en")

# ---------------------------------------------------------------------------------------------
# Words of figures, captions and text
# ---------------------------------------------------------------------------------------------
LABELS: dict[str, tuple[str, str]] = {
    # roles and kinds
    "hbo": ("hbo", "universities of applied sciences (hbo)"),
    "mkb": ("mkb", "SMEs (mkb)"),
    "role": ("kant", "side"),
    "outcome_hbo": ("gewenste resultaten hbo", "desired outcomes hbo"),
    "outcome_mkb": ("gewenste resultaten mkb", "desired outcomes mkb"),
    "form": ("samenwerkingsvormen", "collaboration forms"),
    "outcome": ("gewenst resultaat", "desired outcome"),
    "opportunity": ("kans", "opportunity"),
    "region": ("regio", "region"),
    "national": ("landelijk", "national"),
    "all": ("alle regio's", "all regions"),
    "code": ("cluster", "cluster"),
    # served classes and bands
    "overserved": ("overbediend", "overserved"),
    "underserved": ("onderbediend", "underserved"),
    "properly_served": ("goed bediend", "properly served"),
    "served": ("bediening", "served class"),
    "extreme": ("extreme kans (O > 15)", "extreme opportunity (O > 15)"),
    "high": ("grote kans (O 12-15)", "high opportunity (O 12-15)"),
    "worth_considering": ("het overwegen waard (O 10-12)", "worth considering (O 10-12)"),
    "band": ("kansniveau", "opportunity band"),
    # axes
    "explore": ("exploreren", "explore"),
    "exploit": ("exploiteren", "exploit"),
    "short": ("kortlopend", "short-term"),
    "long": ("langdurig", "long-term"),
    # scales and measures
    "current": ("huidige situatie", "current situation"),
    "potential": ("potentiële situatie", "potential situation"),
    "gap": ("verschil (potentieel - huidig)", "gap (potential - current)"),
    "scale": ("schaal", "scale"),
    "importance": ("belang (I, 0-10)", "importance (I, 0-10)"),
    "satisfaction": ("tevredenheid (S, 0-10)", "satisfaction (S, 0-10)"),
    "opportunity_score": ("kansscore (O, 0-20)", "opportunity score (O, 0-20)"),
    "notes": ("aantal notities", "number of notes"),
    "notes_short": ("notities", "notes"),
    "top3": ("aantal keer in top 3", "times in top 3"),
    "mean_rank": ("gemiddelde rangorde (1 = belangrijkst)", "mean rank (1 = most important)"),
    "borda": ("Borda-score", "Borda score"),
    "fit": ("gewogen gemiddelde score (1-5)", "weighted mean score (1-5)"),
    "mean_score": ("gemiddelde score (1-5)", "mean score (1-5)"),
    "weight": ("gewicht", "weight"),
    "frequency": ("frequentie", "frequency"),
    "interval": ("95%-interval", "95% interval"),
    "theme": ("thema", "theme"),
    "quadrant": ("kwadrant", "quadrant"),
    "common_ground": ("gemeenschappelijk", "common ground"),
    "n": ("n", "n"),
    "per_point": ("per punt", "per point"),
    "per_cell": ("per cel", "per cell"),
    "per_form": ("per vorm", "per form"),
    "respondents": ("respondenten", "respondents"),
    "participants": ("deelnemers", "participants"),
    "ratings": ("beoordelingen", "ratings"),
    # figure titles
    "title_landscape": ("Kansenlandschap", "Opportunity landscape"),
    "title_top3": ("Top 3 per regio", "Top 3 per region"),
    "title_heatmap": ("Clusters per regio", "Clusters per region"),
    "title_quadrants": ("Clusters per kwadrant", "Clusters per quadrant"),
    "title_comparison": ("hbo en mkb vergeleken", "hbo and mkb compared"),
    "title_ranking": ("Rangorde van gewenste resultaten", "Ranking of desired outcomes"),
    "title_form_scores": ("Samenwerkingsvormen x gewenste resultaten",
                          "Collaboration forms x desired outcomes"),
    "title_form_fit": ("Welke samenwerkingsvorm dient de kansen het best?",
                       "Which collaboration form serves the opportunities best?"),
    "iso_line": ("O = {o}", "O = {o}"),
    "diagonal": ("S = I", "S = I"),
    # reasons for an empty inferential column
    "reason_small": ("n = {n} < {min} (min_group_size)", "n = {n} < {min} (min_group_size)"),
    # words of report tables that are not a tidy column's name
    "name": ("naam", "name"),
    "total": ("totaal", "total"),
    "count": ("aantal", "count"),
    "missing_outcome": ("ontbrekend gewenst resultaat", "missing desired outcome"),
    # the n's of a study in the methods section
    "count_regions": ("regio's (workshops)", "regions (workshops)"),
    "count_participants_hbo": ("deelnemers hbo", "participants hbo"),
    "count_participants_mkb": ("deelnemers mkb", "participants mkb"),
    "count_outcome_notes": ("notities gewenste resultaten", "notes on desired outcomes"),
    "count_form_notes": ("notities samenwerkingsvormen", "notes on collaboration forms"),
    "count_ratings": ("beoordelingen (belang en tevredenheid)",
                      "ratings (importance and satisfaction)"),
    "count_respondents_hbo": ("respondenten enquête (geanalyseerd), hbo",
                              "survey respondents (analysed), hbo"),
    "count_respondents_mkb": ("respondenten enquête (geanalyseerd), mkb",
                              "survey respondents (analysed), mkb"),
    "count_scores": ("enquête-scores (vorm x resultaat x situatie, met waarde)",
                     "survey scores (form x outcome x situation, with a value)"),
    # a side as the subject of a sentence
    "side_hbo": ("het hbo", "the hbo side"),
    "side_mkb": ("het mkb", "the mkb side"),
    # readings of Kendall's W (bands in narrative.W_BANDS)
    "w_very_weak": ("zeer zwak", "very weak"),
    "w_weak": ("zwak", "weak"),
    "w_moderate": ("matig", "moderate"),
    "w_strong": ("sterk", "strong"),
    "w_very_strong": ("zeer sterk", "very strong"),
    # what the n in a table's caption counts (hbomkb.present.tables.with_n; also
    # notes_short, participants and respondents above)
    "rows": ("rijen", "rows"),
    "regions": ("regio's", "regions"),
    "groups": ("groepen", "groups"),
    "answers": ("antwoorden", "answers"),
    "top3_picks": ("top-3-keuzes", "top-3 choices"),
    # the survey part of the national report (hbomkb.notebook.show_survey)
    "survey_no_answers": ("**De enquête heeft nog geen (volledige) antwoorden.** Het enquêtedeel "
                          "van dit rapport volgt zodra die er zijn.",
                          "**The survey has no (complete) answers yet.** The survey part of "
                          "this report follows once it has."),
    "survey_ranking": ("Rangorde van de gewenste resultaten", "Ranking of the desired outcomes"),
    "survey_missing": ("Ontbrekende gewenste resultaten", "Missing desired outcomes"),
    "survey_forms": ("Samenwerkingsvormen: huidige en potentiële situatie",
                     "Collaboration forms: current and potential situation"),
    "survey_fit": ("Welke vorm dient de kansen het best?",
                   "Which form serves the opportunities best?"),
    "survey_landscape": ("Landelijk kansenlandschap (enquête)",
                         "National opportunity landscape (survey)"),
    "caption_respondents": ("Respondenten per regio en kant", "Respondents per region and side"),
    "caption_ranking": ("Rangorde van gewenste resultaten per kant",
                        "Ranking of desired outcomes per side"),
    "caption_ranking_plot": ("Gemiddelde rang met 95%-interval", "Mean rank with 95% interval"),
    "caption_agreement": ("Overeenstemming over de rangorde", "Agreement on the ranking"),
    "caption_missing": ("Genoemde ontbrekende gewenste resultaten",
                        "Missing desired outcomes named"),
    "caption_form_heatmaps": ("Vormen x gewenste resultaten, {side}: huidig, potentieel, "
                              "verschil", "Forms x desired outcomes, {side}: current, "
                              "potential, gap"),
    "caption_form_scores": ("Gemiddelde score per vorm en gewenst resultaat",
                            "Mean score per form and desired outcome"),
    "caption_change": ("Potentieel tegen huidig per vorm (Wilcoxon, Holm)",
                       "Potential against current per form (Wilcoxon, Holm)"),
    "caption_sides": ("hbo tegen mkb per vorm en situatie (Mann-Whitney U, Holm)",
                      "hbo against mkb per form and situation (Mann-Whitney U, Holm)"),
    "caption_fit": ("Fit per vorm, kant en situatie", "Fit per form, side and situation"),
    "caption_fit_plot": ("Fit per samenwerkingsvorm met 95%-interval",
                         "Fit per collaboration form with 95% interval"),
    "caption_survey_landscape": ("Landelijk kansenlandschap uit de enquête, {side}",
                                 "National opportunity landscape from the survey, {side}"),
    "caption_survey_landscape_plot": ("Landelijk kansenlandschap van hbo en mkb (enquête)",
                                      "National opportunity landscape of hbo and mkb (survey)"),
}

# ---------------------------------------------------------------------------------------------
# Column names of report tables (tidy column -> shown name)
# ---------------------------------------------------------------------------------------------
COLUMNS: dict[str, tuple[str, str]] = {
    "role": ("kant", "side"),
    "region": ("regio", "region"),
    "kind": ("soort", "kind"),
    "code": ("code", "code"),
    "form": ("vorm", "form"),
    "outcome": ("gewenst resultaat", "desired outcome"),
    "scale": ("schaal", "scale"),
    "measure": ("maat", "measure"),
    "mean_rank": ("gem. rang", "mean rank"),
    "ci_low": ("95%-ondergrens", "95% lower bound"),
    "ci_high": ("95%-bovengrens", "95% upper bound"),
    "borda": ("Borda", "Borda"),
    "borda_share": ("Borda-aandeel", "Borda share"),
    "top_third_share": ("aandeel top-derde", "top-third share"),
    "n_ranked": ("n gerangschikt", "n ranked"),
    "reason": ("opmerking", "remark"),
    "W": ("Kendalls W", "Kendall's W"),
    "k": ("k", "k"),
    "ddof": ("vrijheidsgraden", "degrees of freedom"),
    "p_holm": ("p (Holm)", "p (Holm)"),
    "r_rb": ("r (rang-biserieel)", "r (rank-biserial)"),
    "current": ("huidig", "current"),
    "potential": ("potentieel", "potential"),
    "gap": ("verschil", "gap"),
    "fit": ("fit", "fit"),
    "statistic": ("toetsgrootheid", "test statistic"),
    "n_current": ("n huidig", "n current"),
    "n_potential": ("n potentieel", "n potential"),
    "n_hbo": ("n hbo", "n hbo"),
    "n_mkb": ("n mkb", "n mkb"),
    "mean_hbo": ("gem. hbo", "mean hbo"),
    "mean_mkb": ("gem. mkb", "mean mkb"),
    "served": ("bediening", "served class"),
    "band": ("kansniveau", "opportunity band"),
    "O_low": ("O 95%-ondergrens", "O 95% lower bound"),
    "O_high": ("O 95%-bovengrens", "O 95% upper bound"),
    "n_I": ("n (I)", "n (I)"),
    "n_S": ("n (S)", "n (S)"),
    "explore": ("exploreren/exploiteren", "explore/exploit"),
    "term": ("looptijd", "term"),
    "weight": ("gewicht", "weight"),
    "weight_type": ("soort gewicht", "weight type"),
    "share": ("aandeel", "share"),
    "picks": ("plaatsen", "picks"),
    "points": ("punten", "points"),
    "regions": ("regio's", "regions"),
    "groups": ("groepen", "groups"),
    "method": ("methode", "method"),
}

# ---------------------------------------------------------------------------------------------
# Values in report table cells (tidy value -> shown value)
# ---------------------------------------------------------------------------------------------
VALUES: dict[str, tuple[str, str]] = {
    "current": ("huidig", "current"),
    "potential": ("potentieel", "potential"),
    "underserved": ("onderbediend", "underserved"),
    "overserved": ("overbediend", "overserved"),
    "properly_served": ("goed bediend", "properly served"),
    "extreme": ("extreem", "extreme"),
    "high": ("groot", "high"),
    "worth_considering": ("overwegen waard", "worth considering"),
    "explore": ("exploreren", "explore"),
    "exploit": ("exploiteren", "exploit"),
    "short": ("kortlopend", "short-term"),
    "long": ("langdurig", "long-term"),
    "frequency": ("frequentie", "frequency"),
    "top3": ("top 3", "top 3"),
    "importance": ("belang", "importance"),
    "notes": ("notities", "notes"),
    "outcome_hbo": ("gewenste resultaten hbo", "desired outcomes hbo"),
    "outcome_mkb": ("gewenste resultaten mkb", "desired outcomes mkb"),
}

# ---------------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------------

def language_of(study_or_language: object = None) -> str:
    """The language code of a Study, a language string, or the default ``"nl"``."""
    if study_or_language is None:
        return "nl"
    lang = getattr(study_or_language, "language", study_or_language)
    lang = str(lang).strip().lower()
    return lang if lang in LANGUAGES else "nl"


def label(key: str, language: object = None, **fmt: object) -> str:
    """The label for ``key`` in the study's language; unknown keys come back unchanged.

    ``fmt`` fills the label's ``{placeholders}``.
    """
    pair = LABELS.get(str(key))
    if pair is None:
        return str(key)
    text = pair[LANGUAGES.index(language_of(language))]
    return text.format(**fmt) if fmt else text


def column_label(name: str, language: object = None) -> str:
    """How a tidy column ``name`` is headed in a report table; unknown names unchanged."""
    pair = COLUMNS.get(name)
    return name if pair is None else pair[LANGUAGES.index(language_of(language))]


def value_label(v: object, language: object = None) -> object:
    """How a tidy value is shown in a report table cell; anything not a known word (numbers,
    codes, missing values) comes back unchanged."""
    pair = VALUES.get(v) if isinstance(v, str) else None
    return v if pair is None else pair[LANGUAGES.index(language_of(language))]


def code_labels(codebook: pd.DataFrame, language: object = None) -> dict[str, str]:
    """National cluster code -> its label in the study's language (``label_nl``/``label_en``).

    Falls back to the Dutch label, then to the code itself, where a translation is missing.
    """
    if codebook is None or codebook.empty:
        return {}
    col = f"label_{language_of(language)}"
    text = codebook[col] if col in codebook else pd.Series(pd.NA, index=codebook.index)
    if "label_nl" in codebook:
        text = text.fillna(codebook["label_nl"])
    text = text.fillna(codebook["code"]).astype(str)
    return dict(zip(codebook["code"].astype(str), text, strict=True))


def region_labels(study: object) -> Mapping[str, str]:
    """Region slug -> display name from the Study (slugs shown as-is when absent)."""
    names = getattr(study, "region_names", None)
    return dict(names) if names else {}
