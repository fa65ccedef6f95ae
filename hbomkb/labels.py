"""The one table of words shown to people: Dutch by default, English for ``language: en``.

Code, tables and column names stay English; everything a reader of a figure or report sees
comes from :data:`LABELS` through :func:`label` / :func:`labels_for`, so a study switches language
in one place (``study.yaml``) and no module carries its own translations.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

LANGUAGES = ("nl", "en")

# key -> (Dutch, English)
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
}


def language_of(study_or_language: object = None) -> str:
    """The language code of a Study, a language string, or the default ``"nl"``."""
    if study_or_language is None:
        return "nl"
    lang = getattr(study_or_language, "language", study_or_language)
    lang = str(lang).strip().lower()
    return lang if lang in LANGUAGES else "nl"


def label(key: str, language: object = None, **fmt: object) -> str:
    """The label for ``key`` in the study's language; unknown keys come back unchanged."""
    pair = LABELS.get(str(key))
    if pair is None:
        return str(key)
    text = pair[LANGUAGES.index(language_of(language))]
    return text.format(**fmt) if fmt else text


def labels_for(study_or_language: object = None) -> dict[str, str]:
    """Every label as one dict for a Study (or language code)."""
    i = LANGUAGES.index(language_of(study_or_language))
    return {k: v[i] for k, v in LABELS.items()}


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
