"""Which slides the deck has, in the order of the original study's presentation.

The order follows the seed deck: the served landscape of every region; per side (hbo, then
mkb) the top 3 of every region, the national clusters of all regions and their ordering per
quadrant; hbo and mkb compared; the validation of the desired outcomes (respondents, ranking);
the top 3 collaboration forms of every region, the national form clusters and their quadrants;
the validation of the forms (current against potential per side, fit); the conclusions. Every
slide shows one published figure or table (:class:`~hbomkb.publish.deck.sources.Published`)
and names its sources for the speaker notes. Survey slides appear only when the national
report published the survey part (a study without answers has none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hbomkb.config import ROLES, report_name
from hbomkb.labels import label
from hbomkb.publish.deck.sources import (
    NATIONAL,
    DeckError,
    Published,
    TableSource,
    TextSlide,
)

# Conclusions per slide: more bullets than this go on a next slide.
BULLETS_PER_SLIDE = 5


@dataclass(frozen=True)
class Slide:
    """One result slide: a title, and a picture, a table or text; where its numbers come from."""

    title: str
    picture: Path | None = None
    table: pd.DataFrame | None = None
    paragraphs: tuple[tuple[int, str], ...] = ()
    footer: str = ""  # a line of text under the picture or table
    sources: tuple[TableSource, ...] = ()
    reports: tuple[str, ...] = ()
    section: str = ""
    extra_note: str = ""
    layout: str = "Title Only"
    meta: dict = field(default_factory=dict, compare=False)


def _table_columns(frame: pd.DataFrame, columns: list[str], where: Path) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DeckError(f"{where}: column(s) {missing} missing; the deck shows them, found "
                        f"{list(frame.columns)}")
    return frame[columns]


def result_slides(pub: Published) -> list[Slide]:
    """Every result slide in the seed's order (see module doc)."""
    st, lang = pub.study, pub.study.language
    names = st.region_names
    slides: list[Slide] = []

    # 1. served landscape of every region
    for r in st.region_slugs:
        rep = report_name(r)
        slides.append(Slide(
            label("deck_landscape", lang, region=names[r]), picture=pub.figure(r, "landschap"),
            sources=tuple(pub.source(rep, f"landschap-{side}") for side in ROLES),
            reports=(rep,), section="landscape", meta={"region": r}))

    # 2. per side: top 3 per region, national clusters, quadrants
    for side in ROLES:
        for r in st.region_slugs:
            rep = report_name(r)
            src = pub.source(rep, "top3-hbo-mkb")
            frame = pub.table(rep, "top3-hbo-mkb")
            table = _table_columns(frame, [frame.columns[0], side], src.path)
            slides.append(Slide(
                label("deck_top3", lang, side=label(side, lang), region=names[r]), table=table,
                sources=(src,), reports=(rep,), section=f"top3-{side}",
                meta={"region": r, "csv": src.path, "columns": list(table.columns)}))
        slides.append(Slide(
            label("deck_heatmap", lang, side=label(side, lang)),
            picture=pub.figure(None, f"heatmap-{side}"),
            sources=(pub.source(NATIONAL, f"clusters-{side}-per-regio"),
                     pub.source(NATIONAL, f"top3-{side}")),
            reports=(NATIONAL,), section=f"heatmap-{side}"))
        slides.append(Slide(
            label("deck_quadrants", lang, side=label(side, lang)),
            picture=pub.figure(None, f"kwadranten-outcome-{side}"),
            sources=(pub.source(NATIONAL, f"kwadranten-outcome-{side}"),),
            reports=(NATIONAL,), section=f"quadrants-{side}"))

    # 3. hbo and mkb compared: common ground, and whether it holds under other counting rules
    src = pub.source(NATIONAL, "hbo-mkb")
    slides.append(Slide(
        label("deck_compared", lang), table=pub.table(NATIONAL, "hbo-mkb"),
        footer=" ".join(pub.sensitivity().split()),
        sources=(src, pub.source(NATIONAL, "gevoeligheid-gemeenschappelijk")),
        reports=(NATIONAL,), section="compared", meta={"csv": src.path}))

    survey = pub.has_table(NATIONAL, "respondenten")
    # 4. validation of the desired outcomes
    if survey:
        src = pub.source(NATIONAL, "respondenten")
        slides.append(Slide(
            label("deck_respondents", lang), table=pub.table(NATIONAL, "respondenten"),
            sources=(src,), reports=(NATIONAL,), section="respondents", meta={"csv": src.path}))
        slides.append(Slide(
            label("deck_ranking", lang), picture=pub.figure(None, "rangorde"),
            sources=(pub.source(NATIONAL, "rangorde"), pub.source(NATIONAL, "overeenstemming")),
            reports=(NATIONAL,), section="ranking"))

    # 5. the forms: top 3 per region, national clusters, quadrants
    for r in st.region_slugs:
        rep = report_name(r)
        src = pub.source(rep, "top3-vormen")
        slides.append(Slide(
            label("deck_forms_top3", lang, region=names[r]), table=pub.table(rep, "top3-vormen"),
            sources=(src,), reports=(rep,), section="forms-top3",
            meta={"region": r, "csv": src.path}))
    slides.append(Slide(
        label("deck_forms_heatmap", lang), picture=pub.figure(None, "heatmap-vormen"),
        sources=(pub.source(NATIONAL, "vormen-per-regio"), pub.source(NATIONAL, "top3-vormen")),
        reports=(NATIONAL,), section="forms-heatmap"))
    slides.append(Slide(
        label("deck_forms_quadrants", lang), picture=pub.figure(None, "kwadranten-form"),
        sources=(pub.source(NATIONAL, "kwadranten-form"),), reports=(NATIONAL,),
        section="forms-quadrants"))

    # 6. validation of the forms
    if survey:
        for side in ROLES:
            slides.append(Slide(
                label("deck_forms_scores", lang, side=label(side, lang)),
                picture=pub.figure(None, f"vormen-{side}"),
                sources=(pub.source(NATIONAL, "vorm-x-resultaat"),
                         pub.source(NATIONAL, "potentieel-vs-huidig")),
                reports=(NATIONAL,), section=f"forms-scores-{side}"))
        slides.append(Slide(
            label("deck_forms_fit", lang), picture=pub.figure(None, "fit"),
            sources=(pub.source(NATIONAL, "fit"),), reports=(NATIONAL,), section="forms-fit"))

    # 7. conclusions, worded as the national report words them
    slides += conclusion_slides(pub)
    return slides


def conclusion_paragraphs(markdown: str) -> tuple[str, list[str], list[str]]:
    """The conclusions Markdown as (heading line, bullets, closing lines), text unchanged."""
    head, bullets, tail = "", [], []
    for line in markdown.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith(("- ", "* ")):
            bullets.append(s[2:].strip())
        elif bullets and line.startswith("  ") and not s.startswith(">"):
            bullets[-1] += " " + s  # a bullet wrapped over two lines
        elif not bullets and not head:
            head = s
        else:
            tail.append(s.lstrip("> ").strip())
    return head, bullets, tail


def conclusion_slides(pub: Published) -> list[Slide]:
    """The national conclusions over as many slides as needed, at most
    :data:`BULLETS_PER_SLIDE` bullets each; the report's opening line and closing remark
    (a synthetic study's warning) stay with them."""
    lang = pub.study.language
    head, bullets, tail = conclusion_paragraphs(pub.conclusions())
    chunks = [bullets[i:i + BULLETS_PER_SLIDE]
              for i in range(0, len(bullets), BULLETS_PER_SLIDE)] or [[]]
    out = []
    for i, chunk in enumerate(chunks, start=1):
        title = label("deck_conclusions", lang)
        if len(chunks) > 1:
            title += f" ({i}/{len(chunks)})"
        paras = [(-1, head)] if head and i == 1 else []
        paras += [(0, b) for b in chunk]
        if i == len(chunks):
            paras += [(-1, t) for t in tail]
        out.append(Slide(title, paragraphs=tuple(paras), reports=(NATIONAL,),
                         section="conclusions", layout="Title and Content",
                         extra_note=label("deck_note_conclusions", lang)))
    return out


def text_slides(slides: list[TextSlide]) -> list[Slide]:
    """The researchers' own slides (``deck.md``) as deck slides."""
    return [Slide(s.title, paragraphs=s.paragraphs, section="own", layout="Title and Content")
            for s in slides]
