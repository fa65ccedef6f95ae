"""The methods section of the national report, in the study's language.

Formulas, thresholds and settings of the study, what is descriptive and what inferential, the
n's, and what is synthetic: every setting it quotes comes from ``study.yaml``, so the section
describes the study that was run. :func:`methods` is re-exported by
:mod:`hbomkb.present.narrative`.
"""

from __future__ import annotations

import math

from hbomkb.config import Study
from hbomkb.present.narrative_survey import ALPHA, W_BANDS
from hbomkb.present.sentences import Words


def methods(study: Study, counts: dict[str, int]) -> str:
    """The methods section (Markdown) in the study's language. ``counts`` maps the labels of
    the study's n's (e.g. 'deelnemers hbo', from :func:`hbomkb.present.tables.study_counts`)
    to numbers."""
    w = Words.of(study)
    th = study.thresholds
    n_lines = "\n".join(f"| {k} | {v} |" for k, v in counts.items())
    w_text = ", ".join(f"< {w.num(b, 1)} {w.label(key)}" for b, key in W_BANDS
                       if b != math.inf)
    u, h, e = (w.num(x, 0) if float(x).is_integer() else w.num(x, 1)
               for x in (th.underserved, th.high, th.extreme))
    settings = dict(u=u, h=h, e=e, w_text=w_text, n_lines=n_lines, alpha=w.num(ALPHA, 2))
    return (_english if w.en else _dutch)(study, **settings)


def _dutch(study: Study, u: str, h: str, e: str, w_text: str, n_lines: str, alpha: str) -> str:
    synthetic = (
        "**Alle gegevens in dit rapport zijn synthetisch**: gegenereerd door `hbomkb demo` "
        f"(seed {study.seed}). Deelnemers, notities, beoordelingen en enquête-antwoorden "
        "zijn verzonnen; de resultaten illustreren alleen de werkwijze."
        if study.synthetic else
        "De gegevens komen uit de workshops en de enquête van deze studie; niets is "
        "gesimuleerd.")
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
kansenlandschap). Toetsen: tweezijdig, $\\alpha = {alpha}$.

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



def _english(study: Study, u: str, h: str, e: str, w_text: str, n_lines: str, alpha: str) -> str:
    synthetic = (
        "**All data in this report are synthetic**: generated by `hbomkb demo` "
        f"(seed {study.seed}). Participants, notes, ratings and survey answers are made up; "
        "the results only illustrate the method."
        if study.synthetic else
        "The data come from the workshops and the survey of this study; nothing is simulated.")
    return f"""## Method

**Importance, satisfaction and opportunity** (Ulwick, Outcome-Driven Innovation). Per cluster
and per side (never hbo and mkb together):

- importance $I = 10 \\cdot$ share of participants with a rating $\\geq {study.top_box}$ on the
  scale {study.scale_min}–{study.scale_max} (top-2 box); satisfaction $S$ likewise.
  Participants count, not rows: whoever rated two clusters with the same code nationally counts
  once, with the mean of those ratings;
- opportunity $O = I + \\max(I - S, 0)$ (0–20);
- *overserved* if $S > I$, *underserved* if $O > {u}$, otherwise *properly served*;
- opportunity bands: $O > {e}$ extreme, {h}–{e} high, {u}–{h} worth considering;
- the opportunity landscape plots $I$ (x) against $S$ (y) with the diagonal $S = I$ and the
  lines $S = 2I - {u}$, $S = 2I - {h}$ and $S = 2I - {e}$.

**Intervals for small numbers.** A workshop side has 3–4 participants. $I$ and $S$ get an exact
95% interval (Clopper-Pearson); the interval of $O$ follows from the bounds of $I$ and $S$ at
97.5% each and is therefore *conservative* (at least 95%). At these numbers the served class
and opportunity band of the workshops are *indicative*: they describe the group; they are no
statements about a population. A bootstrap (percentile interval, 2000 draws of respondents) is
used from 30 units only; below that the interval stays empty.

**Ranking (survey).** Mean rank with a bootstrap interval, Borda score
($k - \\text{{rank}}$ summed), Kendall's $W$ with the Friedman test; $W$ read as {w_text},
otherwise very strong (after Schmidt, 1997). Outcomes left unranked get the mean remaining
rank.

**Collaboration forms (survey).** Per form and desired outcome the mean of the current and the
potential score (1–5, "don't know" does not count) and the gap potential − current; the
Wilcoxon signed-rank test per form (effect size: rank-biserial correlation), Holm correction
over the forms; hbo against mkb with the Mann-Whitney U test. The *fit* of a form = the
importance-weighted mean over the desired outcomes of a side, weights = Borda share from the
ranking, with a bootstrap interval. Differences in fit (best form against another, potential
against current) are bootstrapped as differences, not read from overlapping intervals.

**National opportunity landscape (survey).** $I = 10 \\cdot (k - \\text{{mean rank}})/(k - 1)$
over the $k$ desired outcomes of a side (10 = everyone puts it first, 0 = last); $S$ = 10 ×
share of current scores $\\geq {study.top_box}$ over all forms. A ranking gives only *relative*
importance, so the classes are relative: the place of $O$ among the side's desired outcomes
(top, middle or bottom third), *uncertain* where the bootstrap interval of that place crosses a
class boundary.

**Common ground.** The national top 3 of a side are the codes that most regions (groups) chose
in their top 3, ties for third place included and marked. The report shows whether the
conclusion holds when ties are broken by points (3/2/1), or when top-3 places count instead of
groups.

**Descriptive and inferential.** Descriptive: everything from the workshops (counts, top 3,
common ground, served class and opportunity band per region and nationally), since 4
participants per side are a group, not a sample. Inferential, with an interval or $p$: the
survey (ranking, fit and their differences, Wilcoxon and Mann-Whitney tests, the ordinal model,
the opportunity landscape). Tests: two-sided, $\\alpha = {alpha}$.

**Small groups.** Intervals and tests are shown from n = {study.min_group_size} only
(`min_group_size`); region reports never show data of one person. Every table and figure
states its n. Bootstraps use seed {study.seed}: the same data give the same numbers.

**Counts**

| | n |
|---|---:|
{n_lines}

**Where the data come from.** {synthetic}
"""
