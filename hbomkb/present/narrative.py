"""Summaries and conclusions written from the numbers, never typed in by hand.

Every function takes the tidy results of :mod:`hbomkb.analysis` and returns a
:class:`~hbomkb.present.sentences.Text` (or one :class:`~hbomkb.present.sentences.Sentence`):
Markdown (``.text``) whose sentences each name the table rows they quote (``.sources``). The
wording is fixed, in the study's language (Dutch, or English for ``language: en``); every
figure, label and count in it comes from the input, so a report's text changes when its data
change and can never contradict its own tables. Where items tie, every sentence names all of
them; no sentence claims more than its test shows. The survey's sentences are in
:mod:`hbomkb.present.narrative_survey`, the methods section in
:mod:`hbomkb.present.narrative_methods`.
"""

from __future__ import annotations

import pandas as pd

from hbomkb.config import Study
from hbomkb.labels import column_label, label
from hbomkb.present import markdown as md
from hbomkb.present.narrative_methods import methods
from hbomkb.present.narrative_survey import (
    ALPHA,
    W_BANDS,
    change_sentence,
    fit_sentence,
    landscape_sentence,
    ranking_sentence,
    w_band,
)
from hbomkb.present.sentences import (
    LANGUAGE,
    Sentence,
    Source,
    Text,
    Words,
    capital,
    naam,
    nummer,
    opsomming,
    p_waarde,
    tied_at,
)
from hbomkb.present.tables import shown_ratings, small_sides

__all__ = ["ALPHA", "W_BANDS", "nummer", "opsomming", "p_waarde", "naam", "w_band",
           "served_sentence", "common_sentence", "sensitivity_sentence", "region_summary",
           "national_conclusions", "methods"]

# The report tables the sentences quote (their file names in tables/<report>/), as the report
# notebooks publish them.
T_PARTICIPANTS = "deelnemers"
T_TOP3_REGION = "top3-hbo-mkb"
T_COMMON_REGION = "gemeenschappelijke-grond"
T_FORMS_REGION = "top3-vormen"
T_RESPONDENTS = "respondenten"
T_COMMON_NATIONAL = "hbo-mkb"
T_SENSITIVITY = "gevoeligheid-gemeenschappelijk"


def landscape_table(role: str) -> str:
    """The landscape table of one side (region or survey): ``landschap-hbo``."""
    return f"landschap-{role}"


def top3_table(role: str) -> str:
    """The national top-3 table of one side: ``top3-hbo``."""
    return f"top3-{role}"


def _synthetic_note(study: Study) -> str:
    if not study.synthetic:
        return ""
    return Words.of(study).pick(
        "\n\n> **Let op:** deze tekst is berekend uit *synthetische* demonstratiegegevens en "
        "zegt niets over de werkelijkheid.",
        "\n\n> **Note:** this text is computed from *synthetic* demonstration data and says "
        "nothing about the real world.")


def _n_range(n: pd.Series) -> str:
    """'n = 4', or 'n = 3–4' when the n behind the rows differs."""
    v = pd.to_numeric(n, errors="coerce").dropna().astype(int)
    if v.empty:
        return "n = 0"
    return f"n = {v.min()}" if v.min() == v.max() else f"n = {v.min()}–{v.max()}"


def _odi_key(row: pd.Series, language: object) -> dict[str, object]:
    key = {column_label("role", language): row["role"], "code": row["code"]}
    if "cluster" in row and pd.notna(row["cluster"]):
        key["cluster"] = row["cluster"]
    return key


def served_sentence(odi: pd.DataFrame, labels: dict[str, str], role: str,
                    threshold: float = 10, language: object = LANGUAGE) -> Sentence:
    """One sentence about the served landscape of one segment (a role in a region).

    ``odi`` holds the rows of :func:`hbomkb.analysis.score.odi` for that segment; the sentence
    quotes the rows of its table (``landschap-<role>``). Classes are indicative at a workshop's
    size, and the sentence says so with its n; where clusters tie for the highest O, it names
    them all.
    """
    w = Words.of(language)
    if odi.empty:
        return Sentence(w.pick(f"Voor {w.side(role)} zijn geen beoordelingen beschikbaar.",
                               f"No ratings are available for {w.side(role)}."))
    table = landscape_table(role)
    cut = w.num(threshold, 0) if float(threshold).is_integer() else w.num(threshold)
    over_cut = f"O > {cut}"
    every = Source.of(table, [_odi_key(r, language) for _, r in odi.iterrows()])
    under = odi[odi["served"] == "underserved"]
    over = odi[odi["served"] == "overserved"].sort_values("S", ascending=False)
    flag = f"{over_cut}; {w.pick('indicatief', 'indicative')}, {_n_range(odi['n'])}"
    sources = [every]
    if len(under):
        sources.append(Source.of(table, [_odi_key(r, language) for _, r in under.iterrows()]))
        top = tied_at(under, "O", 1)
        sources.append(Source.of(table, [_odi_key(r, language) for _, r in top.iterrows()]))
        names = [naam(c, labels, cl) for c, cl in zip(top["code"], top["cluster"], strict=True)]
        same = top[["I", "S"]].round(1).drop_duplicates()
        if len(same) == 1:
            each = w.pick(", elk", ", each") if len(top) > 1 else ""
            who = (f"{w.list(names)}{each} {w.pick('met', 'with')} "
                   f"I = {w.num(top['I'].iloc[0])} {w.pick('en', 'and')} "
                   f"S = {w.num(top['S'].iloc[0])}")
        else:
            who = "; ".join(f"{n}: I = {w.num(i)}, S = {w.num(s)}" for n, i, s in
                            zip(names, top["I"], top["S"], strict=True))
        o = w.num(top["O"].iloc[0])
        text = w.pick(
            f"Van de {len(odi)} clusters van {w.side(role)} "
            f"{'is er 1' if len(under) == 1 else f'zijn er {len(under)}'} onderbediend "
            f"({flag}); het sterkst, met O = {o}: {who}",
            f"Of the {len(odi)} clusters of {w.side(role)}, {len(under)} "
            f"{'is' if len(under) == 1 else 'are'} underserved ({flag}); most strongly, with "
            f"O = {o}: {who}")
    else:
        text = w.pick(f"Van de {len(odi)} clusters van {w.side(role)} is geen enkel cluster "
                      f"onderbediend ({flag})",
                      f"Of the {len(odi)} clusters of {w.side(role)}, not one is underserved "
                      f"({flag})")
    if len(over):
        sources.append(Source.of(table, [_odi_key(r, language) for _, r in over.iterrows()]))
        names = [naam(c, labels, cl) for c, cl in zip(over["code"], over["cluster"], strict=True)]
        text += f"; {w.pick('overbediend', 'overserved')} (S > I): {w.list(names)}"
    return Sentence(text + ".", tuple(sources), (over_cut,))


def _common_items(shared: pd.DataFrame, labels: dict[str, str], w: Words) -> list[str]:
    tie = w.pick(", alleen door gelijke stand op de derde plaats",
                 ", only through a tie for third place")
    items = []
    for _, r in shared.iterrows():
        tied = {c.strip() for c in f"{r.get('hbo_tied', '')},{r.get('mkb_tied', '')}".split(",")
                if c.strip()}
        names = []
        for codes in (r["hbo_codes"], r["mkb_codes"]):
            for c in [c.strip() for c in str(codes).split(",") if c.strip()]:
                names.append(naam(c, labels) + (tie if c in tied else ""))
        items.append(f"*{md.text(r['key'])}* ({'; '.join(names)})")
    return items


def common_sentence(common: pd.DataFrame, labels: dict[str, str],
                    language: object = LANGUAGE) -> Sentence:
    """Which themes both sides put in their top 3 (rows of :func:`cluster.common_ground` for
    one region, or the national rows), naming codes that are in a top 3 only through a tie."""
    w = Words.of(language)
    if common.empty:
        return Sentence(w.pick("Er zijn geen top-3-keuzes om te vergelijken.",
                               "There are no top-3 choices to compare."))
    theme = (common["pairing"] == "theme").all()
    key_col = label("theme" if theme else "quadrant", language)
    how = key_col
    national = (common["region"] == "all").all()
    table = T_COMMON_NATIONAL if national else T_COMMON_REGION
    shared = common[common["common"].astype(bool)]
    fixed = ("top 3",)
    if shared.empty:
        src = Source.of(table, [{key_col: k} for k in common["key"]])
        return Sentence(w.pick(
            f"Het hbo en het mkb kozen geen kansen met hetzelfde {how}: in de "
            f"{'landelijke ' if national else ''}top 3 is geen gemeenschappelijke grond.",
            f"hbo and mkb chose no opportunities with the same {how}: the "
            f"{'national ' if national else ''}top 3 holds no common ground."), (src,), fixed)
    src = Source.of(table, [{key_col: k} for k in shared["key"]])
    scope = (w.pick("landelijke top 3 van beide kanten: de codes die de meeste regio's kozen, "
                    "gelijke stand op de derde plaats meegeteld",
                    "national top 3 of both sides: the codes most regions chose, ties for "
                    "third place included") if national else
             w.pick("top 3 van beide kanten", "top 3 of both sides"))
    return Sentence(w.pick(f"Gemeenschappelijke grond ({how} in de {scope}): ",
                           f"Common ground ({how} in the {scope}): ")
                    + f"{w.list(_common_items(shared, labels, w))}.", (src,), fixed)


def sensitivity_sentence(sensitivity: pd.DataFrame, language: object = LANGUAGE) -> Sentence:
    """Does the national common-ground conclusion hold under the other readings of "top 3"
    (rows of :func:`cluster.common_ground_sensitivity`)? Names what each reading gives."""
    w = Words.of(language)
    if sensitivity.empty:
        return Sentence(w.pick("Er is geen landelijke top 3 om te toetsen.",
                               "There is no national top 3 to test."))
    rule_col = column_label("rule", language)
    src = Source.of(T_SENSITIVITY, [{rule_col: label(f"rule_{r}", language)}
                                    for r in sensitivity["rule"]])

    def outcome(common: str) -> str:
        keys = [k.strip() for k in str(common).split(",") if k.strip()]
        if not keys:
            return w.pick("is er geen gemeenschappelijke grond", "there is no common ground")
        shown = w.list([f"*{md.text(k)}*" for k in keys])
        return w.pick(f"is de gemeenschappelijke grond {shown}",
                      f"the common ground is {shown}")

    alt = sensitivity[sensitivity["rule"] != "groups"]
    ways = {"points": w.pick("breek je gelijke standen met punten",
                             "ties are broken by points"),
            "picks": w.pick("tel je top-3-plaatsen in plaats van groepen",
                            "top-3 places count instead of groups")}
    parts = [w.pick(f"{ways.get(r, r)}, dan {outcome(c)}", f"if {ways.get(r, r)}, {outcome(c)}")
             for r, c in zip(alt["rule"], alt["common"], strict=True)]
    if alt["same"].astype(bool).all():
        main = sensitivity[sensitivity["rule"] == "groups"]["common"].iloc[0]
        when = {"points": w.pick("gelijke standen met punten breekt", "ties are broken by points"),
                "picks": w.pick("top-3-plaatsen in plaats van groepen telt",
                                "top-3 places count instead of groups")}
        whens = w.list([when.get(r, r) for r in alt["rule"]], "or")
        text = w.pick(f"Die conclusie hangt niet af van de telregel: ook als je {whens}, "
                      f"{outcome(main)}.",
                      f"That conclusion does not depend on the counting rule: also when "
                      f"{whens}, {outcome(main)}.")
    else:
        text = w.pick(f"Die conclusie hangt af van de telregel: {'; '.join(parts)}.",
                      f"That conclusion depends on the counting rule: {'; '.join(parts)}.")
    return Sentence(text, (src,), ("top-3",))


def _ranked(top3: pd.DataFrame, labels: dict[str, str], w: Words) -> str:
    rows = top3.sort_values("rank")
    return w.list([f"{int(r)}. {naam(c, labels, cl)}" for r, c, cl in
                   zip(rows["rank"], rows["code"], rows["cluster"], strict=True)])


def _respondent_sentence(study: Study, table: pd.DataFrame) -> Sentence:
    """How many respondents of the region answered completely, per side, as the respondents
    table shows it (a small group as "< k")."""
    w = Words.of(study)
    side, complete = column_label("role", study), label("complete", study)
    src = Source.of(T_RESPONDENTS, [{side: r} for r in table[side]])
    parts, small = [], False
    for _, r in table.iterrows():
        v = r.get(complete, 0)
        if isinstance(v, str):  # "< 3": shown, not counted
            k = v.lstrip("< ")
            parts.append(w.pick(f"minder dan {k} {r[side]}-respondenten",
                                f"fewer than {k} {r[side]} respondents"))
            small = True
        else:
            parts.append(w.pick(f"{int(v)} {r[side]}-respondenten",
                                f"{int(v)} {r[side]} respondents"))
    if not parts:
        return Sentence(w.pick("Uit deze regio deed niemand mee aan de validatie-enquête.",
                               "No one from this region took part in the validation survey."))
    text = w.pick(f"Aan de validatie-enquête deden uit deze regio volledig mee: {w.list(parts)}",
                  f"From this region, these took part in the validation survey completely: "
                  f"{w.list(parts)}")
    if small:
        text += w.pick(f"; een kant met minder dan {study.min_group_size} respondenten wordt "
                       "alleen landelijk getoond",
                       f"; a side with fewer than {study.min_group_size} respondents is shown "
                       "in the national report only")
    return Sentence(text + ".", (src,))


def region_summary(study: Study, region: str, top3: pd.DataFrame, odi: pd.DataFrame,
                   common: pd.DataFrame, form_top3: pd.DataFrame, participants: pd.DataFrame,
                   labels: dict[str, str], respondents: pd.DataFrame | None = None) -> Text:
    """The summary of one region's workshop, in the study's language.

    Inputs are already limited to the region: ``top3`` from :func:`score.top3` (outcomes),
    ``odi`` from :func:`score.odi` (scope region), ``common`` from
    :func:`cluster.common_ground`, ``form_top3`` from ``score.top3(kind="form")``,
    ``participants`` the participants table, ``respondents`` the region's respondents table
    (:func:`hbomkb.present.tables.respondent_counts`), if the survey has answers.
    """
    w = Words.of(study)
    name = md.text(study.region_names.get(region, region))
    by_role = participants.groupby("role").size()
    head = w.pick(f"**Samenvatting regio {name}.**", f"**Summary of region {name}.**")
    n_hbo, n_mkb = int(by_role.get("hbo", 0)), int(by_role.get("mkb", 0))
    sentences = [Sentence(
        w.pick(f"Aan de workshop namen {n_hbo} hbo-vertegenwoordigers en {n_mkb} ondernemers "
               "deel.", f"{n_hbo} hbo representatives and {n_mkb} entrepreneurs took part in "
               "the workshop."),
        (Source.of(T_PARTICIPANTS, [{column_label("role", study): side}
                                    for side in ("hbo", "mkb")]),))]
    for role in ("hbo", "mkb"):
        t = top3[top3["role"] == role]
        if len(t):
            sentences.append(Sentence(
                w.pick(f"De kansen (top 3) van {w.side(role)}: {_ranked(t, labels, w)}.",
                       f"The opportunities (top 3) of {w.side(role)}: "
                       f"{_ranked(t, labels, w)}."),
                (Source.of(T_TOP3_REGION, [{label("top3_rank", study): int(r)}
                                           for r in t["rank"]]),), ("top 3",)))
        else:
            sentences.append(Sentence(w.pick(f"{capital(w.side(role))} koos geen top 3.",
                                             f"{capital(w.side(role))} chose no top 3."),
                                      (), ("top 3",)))
    sentences.append(common_sentence(common, labels, study))
    threshold = study.thresholds.underserved
    # small groups stay anonymous: no ratings of a side with too few participants
    shown = shown_ratings(odi, participants, study)
    small = small_sides(participants, study)
    for role in ("hbo", "mkb"):
        if role in small:
            sentences.append(Sentence(label("small_side_ratings", study, side=w.side(role),
                                            k=study.min_group_size), (),
                                      (str(study.min_group_size),)))
            continue
        sentences.append(served_sentence(shown[shown["role"] == role], labels, role, threshold,
                                         study))
    groups = []
    for g, t in form_top3.groupby("mixed_group", sort=True):
        groups.append(f"MIX {md.text(g)}: {_ranked(t, labels, w)}")
    if groups:
        src = Source.of(T_FORMS_REGION, [{label("top3_rank", study): int(r)} for r in
                                         sorted(set(form_top3["rank"]))])
        sentences.append(Sentence(w.pick("Als samenwerkingsvormen kozen de gemengde groepen: ",
                                         "As forms of collaboration the mixed groups chose: ")
                                  + f"{'; '.join(groups)}.", (src,)))
        codes = form_top3.dropna(subset=["code"]).groupby("code")["mixed_group"].nunique()
        both = [naam(c, labels) for c in codes[codes > 1].index]
        if len(both) and form_top3["mixed_group"].nunique() > 1:
            sentences.append(Sentence(w.pick(f"Beide groepen noemden {w.list(both)}.",
                                             f"Both groups named {w.list(both)}."), (src,)))
    if respondents is not None:
        sentences.append(_respondent_sentence(study, respondents))
    return Text(tuple(sentences), head=head, note=_synthetic_note(study))


def _most_chosen(t: pd.DataFrame, labels: dict[str, str], role: str,
                 language: object) -> Sentence:
    """Which code(s) most groups put in their top 3, all of them where they tie."""
    w = Words.of(language)
    most = tied_at(t, "n", 0)
    names = w.list([naam(c, labels) for c in most["code"]])
    n, groups = int(most["n"].iloc[0]), int(most["groups"].iloc[0])
    src = Source.of(top3_table(role), [{column_label("role", language): role, "code": c}
                                       for c in most["code"]])
    each = w.pick(", elk" if len(most) > 1 else ":", ", each" if len(most) > 1 else ":")
    return Sentence(w.pick(f"In de workshops koos {w.side(role)} {names} het vaakst als "
                           f"kans{each} in {n} van de {groups} regio's.",
                           f"In the workshops {w.side(role)} chose {names} most often as an "
                           f"opportunity{each} in {n} of the {groups} regions."), (src,))


def national_conclusions(study: Study, labels: dict[str, str], top3_national: pd.DataFrame,
                         common: pd.DataFrame, consensus: pd.DataFrame | None = None,
                         agreement: pd.DataFrame | None = None, fit: pd.DataFrame | None = None,
                         change: pd.DataFrame | None = None,
                         landscape: pd.DataFrame | None = None, n_regions: int = 0,
                         sensitivity: pd.DataFrame | None = None,
                         differences: pd.DataFrame | None = None) -> Text:
    """The national conclusions, one claim per bullet, each with its source.

    Inputs: :func:`score.top3_national` (outcomes), :func:`cluster.common_ground` (region
    "all" rows), :func:`cluster.common_ground_sensitivity`, and from the survey (None before
    the survey ran): :func:`survey_scores.ranking_consensus`,
    :func:`survey_scores.ranking_agreement`, :func:`survey_scores.form_fit`,
    :func:`survey_scores.fit_differences`, :func:`survey_scores.form_change_test`,
    :func:`survey_scores.survey_landscape`.
    """
    w = Words.of(study)
    items = []
    for role in ("hbo", "mkb"):
        t = top3_national[top3_national["role"] == role]
        if len(t):
            items.append(_most_chosen(t, labels, role, study))
    if len(common):
        items.append(common_sentence(common, labels, study))
    if sensitivity is not None and len(sensitivity):
        items.append(sensitivity_sentence(sensitivity, study))
    survey = consensus is not None and len(consensus) > 0
    if not survey:
        items.append(Sentence(w.pick(
            "De validatie-enquête heeft (nog) geen antwoorden om te analyseren; conclusies over "
            "rangorde en samenwerkingsvormen volgen als die er zijn.",
            "The validation survey has no answers to analyse (yet); conclusions on the ranking "
            "and the forms of collaboration follow once it has.")))
    for role in ("hbo", "mkb") if survey else ():
        items += ranking_sentence(consensus, agreement, labels, role, study)
    for role in ("hbo", "mkb") if survey else ():
        for scale in ("potential", "current"):
            items += fit_sentence(fit, differences, labels, role, scale, study)
        if change is not None:
            items += change_sentence(change, role, study)
        if landscape is not None:
            items += landscape_sentence(landscape, labels, role, study)
    if survey:
        head = w.pick(f"**Conclusies** (uit {n_regions} regionale workshops en de "
                      "validatie-enquête)",
                      f"**Conclusions** (from {n_regions} regional workshops and the "
                      "validation survey)")
    else:
        head = w.pick(f"**Conclusies** (uit {n_regions} regionale workshops (nog zonder "
                      "enquête))", f"**Conclusions** (from {n_regions} regional workshops "
                      "(no survey yet))")
    return Text(tuple(items), head=head, note=_synthetic_note(study), bullets=True)
