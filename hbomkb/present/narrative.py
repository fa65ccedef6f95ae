"""Dutch summaries and conclusions written from the numbers, never typed in by hand.

Every function takes the tidy results of :mod:`hbomkb.analysis.score` or
:mod:`hbomkb.analysis.cluster` and returns Markdown. The wording is fixed; every figure, label
and count in it comes from the input, so a report's text changes when its data change and can
never contradict its own tables.
"""

from __future__ import annotations

import math

import pandas as pd

from hbomkb.config import Study
from hbomkb.labels import label

# The sentences below are Dutch, so the words they take from hbomkb.labels (a side, a reading
# of W, pairing) are looked up in Dutch too: a sentence never mixes two languages.
LANGUAGE = "nl"
# Reading of Kendall's W after Schmidt (1997): W near .1 very weak, .3 weak, .5 moderate, .7
# strong, .9 unusually strong; bands halfway between: (upper bound, word in hbomkb.labels).
# Stated in the methods section.
W_BANDS = ((0.2, "w_very_weak"), (0.4, "w_weak"), (0.6, "w_moderate"), (0.8, "w_strong"),
           (math.inf, "w_very_strong"))
ALPHA = 0.05


def nummer(x: object, decimals: int = 1) -> str:
    """A number the Dutch way: decimal comma, no thousands separator; missing -> '–'."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    return f"{v:.{decimals}f}".replace(".", ",")


def p_waarde(p: object) -> str:
    """A p-value as 'p = 0,012' or 'p < 0,001'."""
    v = float(p) if p is not None and not pd.isna(p) else math.nan
    if math.isnan(v):
        return "p onbekend"
    return "p < 0,001" if v < 0.001 else f"p = {nummer(v, 3)}"


def opsomming(items: list[str], conj: str = "en") -> str:
    """'a', 'a en b', 'a, b en c'."""
    items = [str(i) for i in items if str(i)]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def _present(x: object) -> bool:
    return x is not None and not pd.isna(x) and str(x) != ""


def naam(code: object, labels: dict[str, str], cluster: object = None) -> str:
    """How a cluster is named in text.

    With a regional ``cluster`` label: "‘label’ (CODE)" (the group's own words, then its
    national code); otherwise "National label (CODE)".
    """
    if _present(cluster):
        return f"‘{cluster}’ ({code})" if _present(code) else f"‘{cluster}’"
    if _present(code) and str(code) in labels:
        return f"{labels[str(code)]} ({code})"
    return str(code)


def w_band(w: float, language: object = LANGUAGE) -> str:
    """The reading of Kendall's W (:data:`W_BANDS`): "zeer zwak" … "zeer sterk"."""
    return label(next(key for bound, key in W_BANDS if w < bound), language)


def _side(role: str) -> str:
    """A side as the subject of a sentence: "het hbo", "het mkb"."""
    return label(f"side_{role}", LANGUAGE) if role in ("hbo", "mkb") else role


def _synthetic_note(study: Study) -> str:
    return ("\n\n> **Let op:** deze tekst is berekend uit *synthetische* demonstratiegegevens en "
            "zegt niets over de werkelijkheid." if study.synthetic else "")


def _ranked(top3: pd.DataFrame, labels: dict[str, str]) -> str:
    rows = top3.sort_values("rank")
    return opsomming([f"{int(r)}. {naam(c, labels, cl)}" for r, c, cl in
                      zip(rows["rank"], rows["code"], rows["cluster"], strict=True)])


def served_sentence(odi: pd.DataFrame, labels: dict[str, str], side: str) -> str:
    """One sentence about the served landscape of one segment (a role in a region).

    ``odi`` holds the rows of :func:`hbomkb.analysis.score.odi` for that segment.
    """
    if odi.empty:
        return f"Voor {_side(side)} zijn geen beoordelingen beschikbaar."
    n = int(odi["n"].max())
    under = odi[odi["served"] == "underserved"].sort_values("O", ascending=False)
    over = odi[odi["served"] == "overserved"].sort_values("S", ascending=False)
    parts = [f"Van de {len(odi)} clusters van {_side(side)} (beoordeeld door "
             f"{n} deelnemers)"]
    if len(under):
        top = under.iloc[0]
        parts.append(
            f" {'is er 1' if len(under) == 1 else f'zijn er {len(under)}'} onderbediend "
            f"(O > 10); het sterkst {naam(top['code'], labels, top['cluster'])} met O = "
            f"{nummer(top['O'])} (I = {nummer(top['I'])}, S = {nummer(top['S'])})")
    else:
        parts.append(" is geen enkel cluster onderbediend")
    if len(over):
        names = [naam(c, labels, cl) for c, cl in
                 zip(over["code"], over["cluster"], strict=True)]
        parts.append(f"; overbediend (S > I): {opsomming(names)}")
    return "".join(parts) + "."


def common_sentence(common: pd.DataFrame, labels: dict[str, str]) -> str:
    """Which themes both sides put in their top 3 (rows of :func:`cluster.common_ground`)."""
    shared = common[common["common"].astype(bool)]
    how = label("theme" if (common["pairing"] == "theme").all() else "quadrant", LANGUAGE)
    if shared.empty:
        return (f"hbo en mkb kozen geen kansen met hetzelfde {how}: er is in de top 3 geen "
                "gemeenschappelijke grond.")
    items = []
    for key, h, m in zip(shared["key"], shared["hbo_codes"], shared["mkb_codes"], strict=True):
        codes = [c.strip() for c in f"{h},{m}".split(",") if c.strip()]
        items.append(f"*{key}* ({opsomming([naam(c, labels) for c in codes])})")
    return (f"Gemeenschappelijke grond ({how} in de top 3 van beide kanten): "
            f"{opsomming(items)}.")


def region_summary(study: Study, region: str, top3: pd.DataFrame, odi: pd.DataFrame,
                   common: pd.DataFrame, form_top3: pd.DataFrame, participants: pd.DataFrame,
                   labels: dict[str, str], n_respondents: int | None = None) -> str:
    """The Dutch summary of one region's workshop (Markdown).

    Inputs are already limited to the region: ``top3`` from :func:`score.top3` (outcomes),
    ``odi`` from :func:`score.odi` (scope region), ``common`` from
    :func:`cluster.common_ground`, ``form_top3`` from ``score.top3(kind="form")``,
    ``participants`` the participants table.
    """
    name = study.region_names.get(region, region)
    by_role = participants.groupby("role").size()
    lines = [f"**Samenvatting regio {name}.** Aan de workshop namen "
             f"{int(by_role.get('hbo', 0))} hbo-vertegenwoordigers en "
             f"{int(by_role.get('mkb', 0))} ondernemers deel."]
    for side in ("hbo", "mkb"):
        t = top3[top3["role"] == side]
        if len(t):
            lines.append(f"De kansen (top 3) van {_side(side)}: {_ranked(t, labels)}.")
        else:
            lines.append(f"{_side(side).capitalize()} koos geen top 3.")
    lines.append(common_sentence(common, labels))
    for side in ("hbo", "mkb"):
        lines.append(served_sentence(odi[odi["role"] == side], labels, side))
    groups = []
    for g, t in form_top3.groupby("mixed_group", sort=True):
        groups.append(f"groep {g}: {_ranked(t, labels)}")
    if groups:
        lines.append("Als samenwerkingsvormen kozen de gemengde groepen: "
                     f"{'; '.join(groups)}.")
        codes = form_top3.dropna(subset=["code"]).groupby("code")["mixed_group"].nunique()
        both = [naam(c, labels) for c in codes[codes > 1].index]
        if len(both) and form_top3["mixed_group"].nunique() > 1:
            lines.append(f"Beide groepen noemden {opsomming(both)}.")
    if n_respondents is not None:
        if n_respondents >= study.min_group_size:
            lines.append(f"Aan de validatie-enquête deden {n_respondents} respondenten uit deze "
                         "regio mee.")
        else:
            lines.append(f"Uit deze regio deden minder dan {study.min_group_size} respondenten "
                         "mee aan de enquête; hun antwoorden worden alleen landelijk getoond.")
    return " ".join(lines) + _synthetic_note(study)


def _best(fit: pd.DataFrame, labels: dict[str, str]) -> str:
    f = fit.sort_values("fit", ascending=False)
    top = f.iloc[0]
    text = (f"{naam(top['form'], labels)} (score {nummer(top['fit'], 2)}, 95%-interval "
            f"{nummer(top['ci_low'], 2)}–{nummer(top['ci_high'], 2)})")
    if len(f) > 1:
        second = f.iloc[1]
        if not pd.isna(top["ci_low"]) and not pd.isna(second["ci_high"]):
            if second["ci_high"] >= top["ci_low"]:
                text += (f"; het verschil met {naam(second['form'], labels)} "
                         f"({nummer(second['fit'], 2)}) valt binnen de onzekerheid")
            else:
                text += (f", duidelijk voor {naam(second['form'], labels)} "
                         f"({nummer(second['fit'], 2)})")
    return text


def national_conclusions(study: Study, labels: dict[str, str], top3_national: pd.DataFrame,
                         common: pd.DataFrame, consensus: pd.DataFrame | None = None,
                         agreement: pd.DataFrame | None = None, fit: pd.DataFrame | None = None,
                         change: pd.DataFrame | None = None,
                         landscape: pd.DataFrame | None = None, n_regions: int = 0) -> str:
    """The national conclusions (Markdown list), one claim per number.

    Inputs: :func:`score.top3_national` (outcomes), :func:`cluster.common_ground` (region
    "all" rows), and from the survey (None before the survey ran):
    :func:`score.ranking_consensus`, :func:`score.ranking_agreement`, :func:`score.form_fit`,
    :func:`score.form_change_test`, :func:`score.survey_landscape`.
    """
    items = []
    for side in ("hbo", "mkb"):
        t = top3_national[top3_national["role"] == side]
        if len(t):
            most = t.iloc[0]
            items.append(
                f"In de workshops koos {_side(side)} {naam(most['code'], labels)} het vaakst "
                f"als kans: in {int(most['n'])} van de {int(most['groups'])} regio's.")
    if len(common):
        items.append(common_sentence(common, labels))
    survey = consensus is not None and len(consensus) > 0
    if not survey:
        items.append("De validatie-enquête heeft (nog) geen antwoorden om te analyseren; "
                     "conclusies over rangorde en samenwerkingsvormen volgen als die er zijn.")
        consensus = agreement = fit = change = landscape = None
    for side in ("hbo", "mkb") if survey else ():
        c = consensus[consensus["role"] == side]
        a = agreement[agreement["role"] == side]
        if c.empty:
            continue
        first = c.sort_values("mean_rank").iloc[0]
        text = (f"In de enquête zet {_side(side)} {naam(first['code'], labels)} bovenaan "
                f"(gemiddelde rang {nummer(first['mean_rank'], 2)}, 95%-interval "
                f"{nummer(first['ci_low'], 2)}–{nummer(first['ci_high'], 2)}; "
                f"n = {int(first['n'])})")
        if len(a) and not pd.isna(a.iloc[0]["W"]):
            w = float(a.iloc[0]["W"])
            text += (f"; de overeenstemming over de volgorde is {w_band(w)} "
                     f"(Kendalls W = {nummer(w, 2)}, {p_waarde(a.iloc[0]['p'])})")
        items.append(text + ".")
    for side in ("hbo", "mkb") if survey else ():
        f = fit[(fit["role"] == side) & (fit["scale"] == "potential")]
        cur = fit[(fit["role"] == side) & (fit["scale"] == "current")]
        if len(f):
            items.append(f"Voor de kansen van {_side(side)} scoort in de potentiële situatie "
                         f"het best: {_best(f, labels)}.")
        if len(cur):
            items.append(f"In de huidige situatie is dat voor {_side(side)}: "
                         f"{_best(cur, labels)}.")
        ch = change[change["role"] == side]
        if len(ch):
            sig = ch[(ch["p_holm"] < ALPHA) & (ch["potential"] > ch["current"])]
            items.append(
                f"{len(sig)} van de {len(ch)} samenwerkingsvormen kunnen volgens "
                f"{_side(side)} aantoonbaar meer bijdragen dan nu (Wilcoxon, Holm-gecorrigeerd "
                f"p < {nummer(ALPHA, 2)}).")
        ls = landscape[landscape["role"] == side]
        under = ls[ls["served"] == "underserved"].sort_values("O", ascending=False)
        if len(ls):
            if len(under):
                names = [f"{naam(c, labels)} (O = {nummer(o)})" for c, o in
                         zip(under["code"], under["O"], strict=True)]
                items.append(
                    f"Onderbediend voor {_side(side)} (enquête, O > "
                    f"{nummer(study.thresholds.underserved, 0)}): {opsomming(names)}.")
            else:
                items.append(f"Geen gewenst resultaat van {_side(side)} is volgens de enquête "
                             "onderbediend.")
    source = "en de validatie-enquête" if survey else "(nog zonder enquête)"
    head = f"**Conclusies** (uit {n_regions} regionale workshops {source})\n\n"
    return head + "\n".join(f"- {i}" for i in items) + _synthetic_note(study)


def methods(study: Study, counts: dict[str, int]) -> str:
    """The methods section: formulas, thresholds and settings of the study, the n's, and what
    is synthetic. ``counts`` maps labels (e.g. 'deelnemers') to numbers."""
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

- belang $I = 10 \\cdot$ aandeel beoordelingen $\\geq {study.top_box}$ op de schaal
  {study.scale_min}–{study.scale_max} (top-2-box); tevredenheid $S$ idem;
- kans $O = I + \\max(I - S, 0)$ (0–20);
- *overbediend* als $S > I$, *onderbediend* als $O > {u}$, anders *goed bediend*;
- kansniveaus: $O > {e}$ extreem, {h}–{e} groot, {u}–{h} het overwegen waard;
- het kansenlandschap zet $I$ (x) tegen $S$ (y) met de diagonaal $S = I$ en de lijnen
  $S = 2I - {u}$, $S = 2I - {h}$ en $S = 2I - {e}$.

**Rangorde (enquête).** Gemiddelde rang met bootstrap-interval (2000 trekkingen uit de
respondenten), Borda-score ($k - \\text{{rang}}$ opgeteld), Kendalls $W$ met de Friedman-toets;
$W$ gelezen als {w_text}, anders zeer sterk (naar Schmidt, 1997).
Niet-gerangschikte resultaten krijgen de gemiddelde resterende rang.

**Samenwerkingsvormen (enquête).** Per vorm en gewenst resultaat het gemiddelde van de huidige
en de potentiële score (1–5, "weet niet" telt niet mee) en het verschil potentieel − huidig;
Wilcoxon-rangtekentoets per vorm (effectgrootte: rang-biseriële correlatie), Holm-correctie over
de vormen; hbo tegen mkb met Mann-Whitney U. *Fit* van een vorm = het belang-gewogen gemiddelde
over de gewenste resultaten van een kant, gewichten = Borda-aandeel uit de rangorde, met
bootstrap-interval.

**Landelijk kansenlandschap (enquête).** $I$ = 10 × aandeel respondenten dat het resultaat in
het bovenste derde van hun rangorde zet; $S$ = 10 × aandeel huidige scores
$\\geq {study.top_box}$ over alle vormen.

**Kleine groepen.** Intervallen en toetsen worden alleen getoond vanaf n = {study.min_group_size}
(`min_group_size`); regiorapporten tonen nooit gegevens van één persoon. Elke tabel en figuur
vermeldt haar n. Bootstraps gebruiken seed {study.seed}: dezelfde gegevens geven dezelfde
getallen. Toetsen: tweezijdig, $\\alpha = {nummer(ALPHA, 2)}$.

**Aantallen**

| | n |
|---|---:|
{n_lines}

**Herkomst van de gegevens.** {synthetic}
"""
