"""Dutch summaries and conclusions written from the numbers, never typed in by hand.

Every function takes the tidy results of :mod:`hbomkb.analysis` and returns a
:class:`~hbomkb.present.sentences.Text` (or one :class:`~hbomkb.present.sentences.Sentence`):
Markdown (``.text``) whose sentences each name the table rows they quote (``.sources``). The
wording is fixed; every figure, label and count in it comes from the input, so a report's text
changes when its data change and can never contradict its own tables. Where items tie, every
sentence names all of them; no sentence claims more than its test shows. The survey's sentences
are in :mod:`hbomkb.present.narrative_survey`.
"""

from __future__ import annotations

import math

import pandas as pd

from hbomkb.config import Study
from hbomkb.labels import column_label, label
from hbomkb.present import markdown as md
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
    capital,
    naam,
    nummer,
    opsomming,
    p_waarde,
    side,
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
    return ("\n\n> **Let op:** deze tekst is berekend uit *synthetische* demonstratiegegevens en "
            "zegt niets over de werkelijkheid." if study.synthetic else "")


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
    if odi.empty:
        return Sentence(f"Voor {side(role)} zijn geen beoordelingen beschikbaar.")
    table = landscape_table(role)
    cut = nummer(threshold, 0) if float(threshold).is_integer() else nummer(threshold)
    over_cut = f"O > {cut}"
    every = Source.of(table, [_odi_key(r, language) for _, r in odi.iterrows()])
    under = odi[odi["served"] == "underserved"]
    over = odi[odi["served"] == "overserved"].sort_values("S", ascending=False)
    flag = f"{over_cut}; indicatief, {_n_range(odi['n'])}"
    sources = [every]
    if len(under):
        sources.append(Source.of(table, [_odi_key(r, language) for _, r in under.iterrows()]))
        top = tied_at(under, "O", 1)
        sources.append(Source.of(table, [_odi_key(r, language) for _, r in top.iterrows()]))
        names = [naam(c, labels, cl) for c, cl in zip(top["code"], top["cluster"], strict=True)]
        same = top[["I", "S"]].round(1).drop_duplicates()
        if len(same) == 1:
            who = (f"{opsomming(names)}{', elk' if len(top) > 1 else ''} met "
                   f"I = {nummer(top['I'].iloc[0])} en S = {nummer(top['S'].iloc[0])}")
        else:
            who = "; ".join(f"{n}: I = {nummer(i)}, S = {nummer(s)}" for n, i, s in
                            zip(names, top["I"], top["S"], strict=True))
        text = (f"Van de {len(odi)} clusters van {side(role)} "
                f"{'is er 1' if len(under) == 1 else f'zijn er {len(under)}'} onderbediend "
                f"({flag}); het sterkst, met O = {nummer(top['O'].iloc[0])}: {who}")
    else:
        text = (f"Van de {len(odi)} clusters van {side(role)} is geen enkel cluster "
                f"onderbediend ({flag})")
    if len(over):
        sources.append(Source.of(table, [_odi_key(r, language) for _, r in over.iterrows()]))
        names = [naam(c, labels, cl) for c, cl in zip(over["code"], over["cluster"], strict=True)]
        text += f"; overbediend (S > I): {opsomming(names)}"
    return Sentence(text + ".", tuple(sources), (over_cut,))


def _common_items(shared: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    items = []
    for _, r in shared.iterrows():
        tied = {c.strip() for c in f"{r.get('hbo_tied', '')},{r.get('mkb_tied', '')}".split(",")
                if c.strip()}
        names = []
        for codes in (r["hbo_codes"], r["mkb_codes"]):
            for c in [c.strip() for c in str(codes).split(",") if c.strip()]:
                names.append(naam(c, labels) + (", alleen door gelijke stand op de derde plaats"
                                                if c in tied else ""))
        items.append(f"*{md.text(r['key'])}* ({'; '.join(names)})")
    return items


def common_sentence(common: pd.DataFrame, labels: dict[str, str],
                    language: object = LANGUAGE) -> Sentence:
    """Which themes both sides put in their top 3 (rows of :func:`cluster.common_ground` for
    one region, or the national rows), naming codes that are in a top 3 only through a tie."""
    if common.empty:
        return Sentence("Er zijn geen top-3-keuzes om te vergelijken.")
    theme = (common["pairing"] == "theme").all()
    how = label("theme" if theme else "quadrant", LANGUAGE)
    national = (common["region"] == "all").all()
    table = T_COMMON_NATIONAL if national else T_COMMON_REGION
    key_col = label("theme" if theme else "quadrant", language)
    shared = common[common["common"].astype(bool)]
    fixed = ("top 3",)
    if shared.empty:
        src = Source.of(table, [{key_col: k} for k in common["key"]])
        return Sentence(f"Het hbo en het mkb kozen geen kansen met hetzelfde {how}: in de "
                        f"{'landelijke ' if national else ''}top 3 is geen gemeenschappelijke "
                        "grond.", (src,), fixed)
    src = Source.of(table, [{key_col: k} for k in shared["key"]])
    scope = ("landelijke top 3 van beide kanten: de codes die de meeste regio's kozen, "
             "gelijke stand op de derde plaats meegeteld" if national else
             "top 3 van beide kanten")
    return Sentence(f"Gemeenschappelijke grond ({how} in de {scope}): "
                    f"{opsomming(_common_items(shared, labels))}.", (src,), fixed)


def sensitivity_sentence(sensitivity: pd.DataFrame, language: object = LANGUAGE) -> Sentence:
    """Does the national common-ground conclusion hold under the other readings of "top 3"
    (rows of :func:`cluster.common_ground_sensitivity`)? Names what each reading gives."""
    if sensitivity.empty:
        return Sentence("Er is geen landelijke top 3 om te toetsen.")
    rule_col = column_label("rule", language)
    src = Source.of(T_SENSITIVITY, [{rule_col: label(f"rule_{r}", language)}
                                    for r in sensitivity["rule"]])

    def outcome(common: str) -> str:
        keys = [k.strip() for k in str(common).split(",") if k.strip()]
        if not keys:
            return "is er geen gemeenschappelijke grond"
        return f"is de gemeenschappelijke grond {opsomming([f'*{md.text(k)}*' for k in keys])}"

    alt = sensitivity[sensitivity["rule"] != "groups"]
    ways = {"points": "breek je gelijke standen met punten", "picks": "tel je top-3-plaatsen "
            "in plaats van groepen"}
    parts = [f"{ways.get(r, r)}, dan {outcome(c)}" for r, c in
             zip(alt["rule"], alt["common"], strict=True)]
    if alt["same"].astype(bool).all():
        main = sensitivity[sensitivity["rule"] == "groups"]["common"].iloc[0]
        when = {"points": "gelijke standen met punten breekt",
                "picks": "top-3-plaatsen in plaats van groepen telt"}
        text = (f"Die conclusie hangt niet af van de telregel: ook als je "
                f"{opsomming([when.get(r, r) for r in alt['rule']], 'of')}, {outcome(main)}.")
    else:
        text = f"Die conclusie hangt af van de telregel: {'; '.join(parts)}."
    return Sentence(text, (src,), ("top-3",))


def _ranked(top3: pd.DataFrame, labels: dict[str, str]) -> str:
    rows = top3.sort_values("rank")
    return opsomming([f"{int(r)}. {naam(c, labels, cl)}" for r, c, cl in
                      zip(rows["rank"], rows["code"], rows["cluster"], strict=True)])


def _respondent_sentence(study: Study, table: pd.DataFrame) -> Sentence:
    """How many respondents of the region answered completely, per side, as the respondents
    table shows it (a small group as "< k")."""
    src = Source.of(T_RESPONDENTS, [{"kant": r} for r in table["kant"]])
    parts, small = [], False
    for _, r in table.iterrows():
        v = r.get("volledig", 0)
        if isinstance(v, str):  # "< 3": shown, not counted
            parts.append(f"minder dan {v.lstrip('< ')} {r['kant']}-respondenten")
            small = True
        else:
            parts.append(f"{int(v)} {r['kant']}-respondenten")
    if not parts:
        return Sentence("Uit deze regio deed niemand mee aan de validatie-enquête.")
    text = f"Aan de validatie-enquête deden uit deze regio volledig mee: {opsomming(parts)}"
    if small:
        text += ("; een kant met minder dan "
                 f"{study.min_group_size} respondenten wordt alleen landelijk getoond")
    return Sentence(text + ".", (src,))


def region_summary(study: Study, region: str, top3: pd.DataFrame, odi: pd.DataFrame,
                   common: pd.DataFrame, form_top3: pd.DataFrame, participants: pd.DataFrame,
                   labels: dict[str, str], respondents: pd.DataFrame | None = None) -> Text:
    """The Dutch summary of one region's workshop.

    Inputs are already limited to the region: ``top3`` from :func:`score.top3` (outcomes),
    ``odi`` from :func:`score.odi` (scope region), ``common`` from
    :func:`cluster.common_ground`, ``form_top3`` from ``score.top3(kind="form")``,
    ``participants`` the participants table, ``respondents`` the region's respondents table
    (:func:`hbomkb.present.tables.respondent_counts`), if the survey has answers.
    """
    name = md.text(study.region_names.get(region, region))
    by_role = participants.groupby("role").size()
    head = f"**Samenvatting regio {name}.**"
    sentences = [Sentence(
        f"Aan de workshop namen {int(by_role.get('hbo', 0))} hbo-vertegenwoordigers en "
        f"{int(by_role.get('mkb', 0))} ondernemers deel.",
        (Source.of(T_PARTICIPANTS, [{"kant": "hbo"}, {"kant": "mkb"}]),))]
    for role in ("hbo", "mkb"):
        t = top3[top3["role"] == role]
        if len(t):
            sentences.append(Sentence(
                f"De kansen (top 3) van {side(role)}: {_ranked(t, labels)}.",
                (Source.of(T_TOP3_REGION, [{"rang": int(r)} for r in t["rank"]]),), ("top 3",)))
        else:
            sentences.append(Sentence(f"{capital(side(role))} koos geen top 3.", (), ("top 3",)))
    sentences.append(common_sentence(common, labels, study))
    threshold = study.thresholds.underserved
    # small groups stay anonymous: no ratings of a side with too few participants
    shown = shown_ratings(odi, participants, study)
    small = small_sides(participants, study)
    for role in ("hbo", "mkb"):
        if role in small:
            sentences.append(Sentence(label("small_side_ratings", study, side=side(role),
                                            k=study.min_group_size), (),
                                      (str(study.min_group_size),)))
            continue
        sentences.append(served_sentence(shown[shown["role"] == role], labels, role, threshold,
                                         study))
    groups = []
    for g, t in form_top3.groupby("mixed_group", sort=True):
        groups.append(f"MIX {md.text(g)}: {_ranked(t, labels)}")
    if groups:
        src = Source.of(T_FORMS_REGION, [{"rang": int(r)} for r in
                                         sorted(set(form_top3["rank"]))])
        sentences.append(Sentence("Als samenwerkingsvormen kozen de gemengde groepen: "
                                  f"{'; '.join(groups)}.", (src,)))
        codes = form_top3.dropna(subset=["code"]).groupby("code")["mixed_group"].nunique()
        both = [naam(c, labels) for c in codes[codes > 1].index]
        if len(both) and form_top3["mixed_group"].nunique() > 1:
            sentences.append(Sentence(f"Beide groepen noemden {opsomming(both)}.", (src,)))
    if respondents is not None:
        sentences.append(_respondent_sentence(study, respondents))
    return Text(tuple(sentences), head=head, note=_synthetic_note(study))


def _most_chosen(t: pd.DataFrame, labels: dict[str, str], role: str,
                 language: object) -> Sentence:
    """Which code(s) most groups put in their top 3, all of them where they tie."""
    most = tied_at(t, "n", 0)
    names = opsomming([naam(c, labels) for c in most["code"]])
    n, groups = int(most["n"].iloc[0]), int(most["groups"].iloc[0])
    each = ", elk" if len(most) > 1 else ":"
    src = Source.of(top3_table(role), [{column_label("role", language): role, "code": c}
                                       for c in most["code"]])
    return Sentence(f"In de workshops koos {side(role)} {names} het vaakst als kans{each} in "
                    f"{n} van de {groups} regio's.", (src,))


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
        items.append(Sentence("De validatie-enquête heeft (nog) geen antwoorden om te "
                              "analyseren; conclusies over rangorde en samenwerkingsvormen "
                              "volgen als die er zijn."))
    for role in ("hbo", "mkb") if survey else ():
        items += ranking_sentence(consensus, agreement, labels, role, study)
    for role in ("hbo", "mkb") if survey else ():
        for scale in ("potential", "current"):
            items += fit_sentence(fit, differences, labels, role, scale, study)
        if change is not None:
            items += change_sentence(change, role, study)
        if landscape is not None:
            items += landscape_sentence(landscape, labels, role, study)
    source = "en de validatie-enquête" if survey else "(nog zonder enquête)"
    head = f"**Conclusies** (uit {n_regions} regionale workshops {source})"
    return Text(tuple(items), head=head, note=_synthetic_note(study), bullets=True)


def methods(study: Study, counts: dict[str, int]) -> str:
    """The methods section: formulas, thresholds and settings of the study, what is descriptive
    and what inferential, the n's, and what is synthetic. ``counts`` maps labels (e.g.
    'deelnemers') to numbers."""
    th = study.thresholds
    n_lines = "\n".join(f"| {k} | {v} |" for k, v in counts.items())
    synthetic = (
        "**Alle gegevens in dit rapport zijn synthetisch**: gegenereerd door `hbomkb demo` "
        f"(seed {study.seed}). Deelnemers, notities, beoordelingen en enquête-antwoorden "
        "zijn verzonnen; de resultaten illustreren alleen de werkwijze."
        if study.synthetic else
        "De gegevens komen uit de workshops en de enquête van deze studie; niets is "
        "gesimuleerd.")
    w_text = ", ".join(f"< {nummer(b, 1)} {label(key, LANGUAGE)}" for b, key in W_BANDS
                       if b != math.inf)
    u, h, e = (nummer(x, 0) if float(x).is_integer() else nummer(x, 1)
               for x in (th.underserved, th.high, th.extreme))
    return f"""## Methode

**Belang, tevredenheid en kans** (Ulwick, Outcome-Driven Innovation). Per cluster en per kant
(nooit hbo en mkb samen):

- belang $I = 10 \\cdot$ aandeel deelnemers met een beoordeling $\\geq {study.top_box}$ op de
  schaal {study.scale_min}–{study.scale_max} (top-2-box); tevredenheid $S$ idem. Deelnemers
  tellen, geen rijen: wie landelijk twee clusters met dezelfde code beoordeelde, telt één keer,
  met het gemiddelde van die beoordelingen;
- kans $O = I + \\max(I - S, 0)$ (0–20);
- *overbediend* als $S > I$, *onderbediend* als $O > {u}$, anders *goed bediend*;
- kansniveaus: $O > {e}$ extreem, {h}–{e} groot, {u}–{h} het overwegen waard;
- het kansenlandschap zet $I$ (x) tegen $S$ (y) met de diagonaal $S = I$ en de lijnen
  $S = 2I - {u}$, $S = 2I - {h}$ en $S = 2I - {e}$.

**Intervallen bij kleine aantallen.** Een workshopkant heeft 3–4 deelnemers. $I$ en $S$ krijgen
een exact 95%-interval (Clopper-Pearson); het interval van $O$ volgt uit de grenzen van $I$ en
$S$ bij elk 97,5% en is daardoor *conservatief* (minstens 95%). Bediening en kansniveau van de
workshops zijn bij deze aantallen *indicatief*: ze beschrijven de groep, het zijn geen
uitspraken over een populatie. Een bootstrap (percentielinterval, 2000 trekkingen uit de
respondenten) gebruiken we pas vanaf 30 eenheden; daaronder blijft het interval leeg.

**Rangorde (enquête).** Gemiddelde rang met bootstrap-interval, Borda-score
($k - \\text{{rang}}$ opgeteld), Kendalls $W$ met de Friedman-toets; $W$ gelezen als {w_text},
anders zeer sterk (naar Schmidt, 1997). Niet-gerangschikte resultaten krijgen de gemiddelde
resterende rang.

**Samenwerkingsvormen (enquête).** Per vorm en gewenst resultaat het gemiddelde van de huidige
en de potentiële score (1–5, "weet niet" telt niet mee) en het verschil potentieel − huidig;
Wilcoxon-rangtekentoets per vorm (effectgrootte: rang-biseriële correlatie), Holm-correctie over
de vormen; hbo tegen mkb met Mann-Whitney U. *Fit* van een vorm = het belang-gewogen gemiddelde
over de gewenste resultaten van een kant, gewichten = Borda-aandeel uit de rangorde, met
bootstrap-interval. Verschillen in fit (beste vorm tegen een andere, potentieel tegen huidig)
worden als verschil gebootstrapt, niet afgelezen aan overlappende intervallen.

**Landelijk kansenlandschap (enquête).** $I = 10 \\cdot (k - \\text{{gemiddelde rang}})/(k - 1)$
over de $k$ gewenste resultaten van een kant (10 = iedereen zet het bovenaan, 0 = onderaan);
$S$ = 10 × aandeel huidige scores $\\geq {study.top_box}$ over alle vormen. Een rangorde geeft
alleen *relatief* belang, dus de klassen zijn relatief: de plaats van $O$ onder de gewenste
resultaten van de kant (bovenste, middelste of onderste derde), *onzeker* waar het
bootstrap-interval van die plaats een klassegrens overschrijdt.

**Gemeenschappelijke grond.** De landelijke top 3 van een kant zijn de codes die door de meeste
regio's (groepen) in hun top 3 zijn gekozen, gelijke stand op de derde plaats meegeteld en
gemarkeerd. Het rapport laat zien of de conclusie standhoudt als gelijke standen met punten
(3/2/1) worden gebroken, of als top-3-plaatsen in plaats van groepen tellen.

**Beschrijvend en toetsend.** Beschrijvend: alles uit de workshops (aantallen, top 3,
gemeenschappelijke grond, bediening en kansniveau per regio en landelijk), want 4 deelnemers per
kant zijn een groep, geen steekproef. Toetsend, met interval of $p$: de enquête (rangorde, fit
en hun verschillen, Wilcoxon- en Mann-Whitney-toetsen, het ordinale model, het
kansenlandschap). Toetsen: tweezijdig, $\\alpha = {nummer(ALPHA, 2)}$.

**Kleine groepen.** Intervallen en toetsen worden alleen getoond vanaf n = {study.min_group_size}
(`min_group_size`); regiorapporten tonen nooit gegevens van één persoon. Elke tabel en figuur
vermeldt haar n. Bootstraps gebruiken seed {study.seed}: dezelfde gegevens geven dezelfde
getallen.

**Aantallen**

| | n |
|---|---:|
{n_lines}

**Herkomst van de gegevens.** {synthetic}
"""

