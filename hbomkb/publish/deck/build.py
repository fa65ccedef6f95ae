"""Building the deck: a title slide, the researchers' own slides, the result slides, notes.

:func:`build_deck` assembles a study's presentation from what its reports published
(:mod:`hbomkb.publish.deck.sources`) in the order of :mod:`hbomkb.publish.deck.plan`, and
returns its bytes; :func:`write_deck` writes it beside the reports and skips the work when
nothing the deck shows changed since the last time it was written.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from hbomkb.config import Study, load_study
from hbomkb.files import raw_files, sha256_file, write_bytes_atomic, write_text_atomic
from hbomkb.labels import label
from hbomkb.publish import provenance
from hbomkb.publish.deck import render
from hbomkb.publish.deck.plan import Slide, result_slides, text_slides
from hbomkb.publish.deck.sources import DECK_MD, NATIONAL, DeckError, Published, read_deck_md

DECK_SUFFIX = "-presentatie.pptx"
# Where the run remembers what the last deck was built from.
DECK_KEY = Path(".published") / "deck.json"


@dataclass
class DeckResult:
    """A built deck: its bytes, its slides' titles, warnings, and the key of what it shows."""

    data: bytes
    titles: list[str]
    warnings: list[str] = field(default_factory=list)
    key: str = ""
    path: Path | None = None
    status: str = "written"  # "written" or "unchanged"


def deck_path(study: Study, reports_dir: str | os.PathLike | None = None) -> Path:
    """``reports/<study>/<study>-presentatie.pptx``."""
    return Path(reports_dir or study.reports_dir) / f"{study.slug}{DECK_SUFFIX}"


def _code_hash() -> str:
    """The deck's own code and words: a change there changes the deck."""
    here = Path(__file__).resolve().parent
    files = raw_files(here, suffixes=(".py",)) + [here.parent.parent / "labels.py"]
    return hashlib.sha256("".join(sha256_file(p) for p in files).encode()).hexdigest()


def _notes(slide: Slide, pub: Published) -> list[str]:
    lang = pub.study.language
    lines = []
    for src in slide.sources:
        where = src.path.relative_to(pub.reports_dir).as_posix()
        if src.caption:
            lines.append(label("deck_note_source", lang, file=where, caption=src.caption,
                               n=src.n))
        else:
            lines.append(label("deck_note_source_no_n", lang, file=where))
    if slide.extra_note:
        lines.append(slide.extra_note)
    for report in slide.reports:
        lines.append(label("deck_note_report", lang, report=report) + " "
                     + pub.stamp(report).line(lang))
    return lines


def _properties(study: Study, pub: Published) -> dict:
    lang = study.language
    stamp = pub.stamp(NATIONAL)
    creator = f"hbomkb {provenance.package_version()}"
    return {
        "title": study.title,
        "subject": label("deck_subject", lang, regions=len(study.regions)),
        "author": creator,
        "last_modified_by": creator,
        "keywords": "; ".join([study.slug] + list(study.region_names.values())),
        "comments": stamp.line(lang),
        "category": label("deck_category_synthetic" if study.synthetic else "deck_category",
                          lang),
        "content_status": label("deck_synthetic_short", lang) if study.synthetic else "",
        "identifier": stamp.raw_hash,
        "language": "nl-NL" if lang == "nl" else "en-GB",
        "version": stamp.commit,
        "time": render.parse_time(stamp.run_at),
    }


def _title_slide(canvas, study: Study, pub: Published) -> None:
    slide = canvas.prs.slides.add_slide(canvas.layouts["Title Slide"])
    keep = set()
    title = render._placeholder(slide, render._TITLES)
    date = pub.stamp(NATIONAL).run_at[:10]
    subtitle_text = label("deck_subtitle", study, regions=len(study.regions), date=date)
    if title is not None:
        title.text = study.title
        keep.add(title.shape_id)
    else:
        box = slide.shapes.add_textbox(render.MARGIN, render.Inches(2.5),
                                       canvas.prs.slide_width - 2 * render.MARGIN,
                                       render.Inches(1.5))
        box.text_frame.text = study.title
    sub = render._placeholder(slide, (render.PP_PLACEHOLDER.SUBTITLE,
                                      render.PP_PLACEHOLDER.BODY))
    if sub is not None:
        sub.text = subtitle_text
        keep.add(sub.shape_id)
    else:
        box = slide.shapes.add_textbox(render.MARGIN, render.Inches(4.2),
                                       canvas.prs.slide_width - 2 * render.MARGIN,
                                       render.Inches(1))
        box.text_frame.text = subtitle_text
    render._drop_unused(slide, keep)
    render.set_notes(slide, [pub.stamp(NATIONAL).line(study.language)])
    if study.synthetic:
        render.add_notice(slide, canvas.prs, study)


def _add(canvas, slide_spec: Slide, study: Study, pub: Published | None) -> None:
    slide, box, keep = render.new_slide(canvas, slide_spec.layout, slide_spec.title)
    if slide_spec.footer:
        box, below = render.split_footer(box)
        render.add_footer(slide, slide_spec.footer, below)
    if slide_spec.picture is not None:
        render.add_picture(slide, slide_spec.picture, box)
    elif slide_spec.table is not None:
        render.add_table(slide, slide_spec.table, box, study.language)
    if slide_spec.paragraphs:
        render.add_paragraphs(slide, slide_spec.paragraphs, box, keep)
    render._drop_unused(slide, keep)
    if pub is not None and (slide_spec.sources or slide_spec.reports):
        render.set_notes(slide, _notes(slide_spec, pub))
    if study.synthetic:
        render.add_notice(slide, canvas.prs, study)


def _read_all(pub: Published) -> list[Slide]:
    """Read every source the deck shows (tables, figures, captions, stamps, conclusions) and
    return the result slides."""
    results = result_slides(pub)
    for report in {NATIONAL, *(r for s in results for r in s.reports)}:
        pub.stamp(report)
    return results


def build_deck(study: str | os.PathLike | Study | None = None,
               reports_dir: str | os.PathLike | None = None,
               figures_dir: str | os.PathLike | None = None,
               template: str | os.PathLike | None = None) -> DeckResult:
    """The study's deck from its published reports (see module doc).

    Raises :class:`~hbomkb.publish.deck.sources.DeckError` naming the first table, figure or
    report the deck needs and the reports did not publish.
    """
    st = study if isinstance(study, Study) else load_study(study)
    if template is not None and not Path(template).is_file():
        raise DeckError(f"{template}: template not found; expected a .pptx whose slide master "
                        "and layouts the deck uses")
    pub = Published(st, Path(reports_dir or st.reports_dir), Path(figures_dir or st.figures_dir))
    own = read_deck_md(st)
    results = _read_all(pub)
    key = deck_key(st, pub, template)
    canvas = render.open_canvas(template, st.language)
    _title_slide(canvas, st, pub)
    for spec in text_slides(own):
        _add(canvas, spec, st, None)
    for spec in results:
        _add(canvas, spec, st, pub)
    render.set_properties(canvas.prs, _properties(st, pub))
    data = render.to_bytes(canvas.prs)
    titles = [st.title] + [s.title for s in text_slides(own)] + [s.title for s in results]
    return DeckResult(data, titles, canvas.warnings, key)


def deck_key(study: Study, pub: Published, template: str | os.PathLike | None) -> str:
    """What the deck shows: every published file it read, deck.md, study.yaml, the template
    and the deck's own code."""
    extra = [_code_hash()]
    for p in (study.root / DECK_MD, study.root / "study.yaml",
              Path(template) if template else None):
        extra.append(sha256_file(p) if p is not None and p.is_file() else "-")
    return pub.fingerprint("\n".join(extra).encode())


def _key_name(target: Path, reports: Path) -> str:
    """How ``deck.json`` names a written deck: its path in the reports folder, or (written
    elsewhere with ``--out``) its file name after a hash of its full path, so the reports
    folder never holds a folder name of the machine."""
    target, reports = target.resolve(), reports.resolve()
    if target.is_relative_to(reports):
        return target.relative_to(reports).as_posix()
    return f"{hashlib.sha256(str(target).encode()).hexdigest()[:12]}-{target.name}"


def write_deck(study: str | os.PathLike | Study | None = None,
               reports_dir: str | os.PathLike | None = None,
               figures_dir: str | os.PathLike | None = None,
               template: str | os.PathLike | None = None, out: str | os.PathLike | None = None,
               force: bool = False) -> DeckResult:
    """Build the deck and write it (default ``reports/<study>/<study>-presentatie.pptx``).

    Unless ``force``, a deck whose sources did not change since it was last written here is
    left as it is (status ``unchanged``). The sources are read either way; that is cheap.
    """
    st = study if isinstance(study, Study) else load_study(study)
    reports = Path(reports_dir or st.reports_dir)
    target = Path(out) if out else deck_path(st, reports)
    pub = Published(st, reports, Path(figures_dir or st.figures_dir))
    _read_all(pub)
    key = deck_key(st, pub, template)
    key_file = reports / DECK_KEY
    try:
        known = json.loads(key_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    name = _key_name(target, reports)
    if not force and target.is_file() and known.get(name) == key:
        return DeckResult(b"", [], [], key, target, "unchanged")
    result = build_deck(st, reports, figures_dir, template)
    write_bytes_atomic(target, result.data)
    known[name] = result.key
    write_text_atomic(key_file, json.dumps(known, indent=2, sort_keys=True))
    result.path = target
    return result
