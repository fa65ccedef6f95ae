"""Writing the deck with python-pptx: layouts, pictures, tables, text, notes, properties.

The built-in look is plain: 16:9, Arial (a sans-serif every office suite has or maps), no
decoration. ``--template`` takes another ``.pptx``: its slide master and layouts are used by
name and its own slides dropped; a layout it lacks falls back to the nearest one it has, with
a warning. The file is byte for byte the same for the same content: document properties come
from the study and the reports' provenance, never from python-pptx's sample template, and
every zip entry gets a fixed time.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.parts.image import Image
from pptx.util import Emu, Inches, Pt

from hbomkb.config import Study
from hbomkb.files import FIXED_TIME
from hbomkb.labels import label, language_of
from hbomkb.present import markdown as md

# The layouts the deck uses, with the names other languages' templates give them.
LAYOUT_ALIASES = {
    "Title Slide": ("Title Slide", "Titeldia"),
    "Title and Content": ("Title and Content", "Titel en object", "Titel en inhoud"),
    "Title Only": ("Title Only", "Alleen titel"),
}
FONT = "Arial"
SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 inch, 16:9
NOTICE_RED = RGBColor(0xB0, 0x00, 0x20)
MARGIN = Inches(0.5)
NOTICE_HEIGHT = Inches(0.45)
TITLE_SIZE = 30
_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE)
_BODIES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.SUBTITLE)
_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass
class Canvas:
    """A presentation being written, with the layouts chosen for it and what was said."""

    prs: object
    layouts: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Presentation and layouts
# ---------------------------------------------------------------------------------------------

def _default_presentation():
    """python-pptx's own template made plain: 16:9 with every master and layout placeholder
    widened to match, and Arial as the theme's heading and body font."""
    prs = Presentation()
    factor = SLIDE_WIDTH / prs.slide_width
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    master = prs.slide_master
    for shapes in [master.shapes] + [layout.shapes for layout in prs.slide_layouts]:
        for shape in shapes:
            if shape._element.xfrm is not None:  # others inherit the (widened) master's
                shape.left, shape.width = int(shape.left * factor), int(shape.width * factor)
    theme = master.part.part_related_by(RT.THEME)
    theme._blob = re.sub(rb'(<a:(?:latin) typeface=")[^"]*(")', rb"\g<1>" + FONT.encode() + rb"\2",
                         theme.blob)
    return prs


def _drop_slides(prs) -> None:
    """Remove a template's own slides (their relationships go, so their parts are not saved)."""
    ids = prs.slides._sldIdLst
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)


def _placeholder_types(layout) -> set:
    return {ph.placeholder_format.type for ph in layout.placeholders}


def _score(layout, wanted: str) -> float:
    """How near a layout comes to the wanted one: a title first, then a body where text goes,
    then as few other placeholders as possible."""
    types = _placeholder_types(layout)
    score = 4.0 if types & set(_TITLES) else 0.0
    wants_body = wanted != "Title Only"
    has_body = bool(types & set(_BODIES))
    score += 2.0 if has_body == wants_body else 0.0
    return score - 0.1 * len(types)


def open_canvas(template: str | Path | None, language: object) -> Canvas:
    """The presentation to write into: the built-in look, or ``template``'s master and layouts
    (its slides dropped)."""
    if template is None:
        prs = _default_presentation()
    else:
        prs = Presentation(str(template))
        _drop_slides(prs)
    canvas = Canvas(prs)
    by_name = {layout.name.strip().lower(): layout for layout in prs.slide_layouts}
    for wanted, aliases in LAYOUT_ALIASES.items():
        hit = next((by_name[a.lower()] for a in aliases if a.lower() in by_name), None)
        if hit is None:
            hit = max(prs.slide_layouts, key=lambda lay, w=wanted: _score(lay, w))
            canvas.warnings.append(label("deck_layout_missing", language, wanted=wanted,
                                         used=hit.name, template=Path(str(template)).name))
        canvas.layouts[wanted] = hit
    return canvas


# ---------------------------------------------------------------------------------------------
# Slides
# ---------------------------------------------------------------------------------------------

def _placeholder(slide, types):
    return next((ph for ph in slide.placeholders if ph.placeholder_format.type in types), None)


def _drop_unused(slide, keep: set) -> None:
    """Remove placeholders the deck leaves empty, so no "click to add text" prompt shows."""
    for ph in list(slide.placeholders):
        if ph.shape_id not in keep:
            ph._element.getparent().remove(ph._element)


def _style_runs(paragraph, size: int | None = None, bold: bool | None = None,
                color: RGBColor | None = None) -> None:
    for run in paragraph.runs:
        if size:
            run.font.size = Pt(size)
        if bold is not None:
            run.font.bold = bold
        if color is not None:
            run.font.color.rgb = color


# Markdown emphasis in the reports' text: a ``*`` escaped with a backslash (from data, see
# hbomkb.present.markdown) neither opens nor closes it
_EMPHASIS = re.compile(r"(\*\*(?:\\.|[^*\\])+\*\*|(?<!\\)\*(?:\\.|[^*\\])+\*)")


def add_runs(paragraph, text: str) -> None:
    """Markdown ``text`` (as the reports' narrative writes it) as runs: ``**bold**`` and
    ``*italic*`` as such, and text from data as it was written, without the escapes and
    entities that kept it from becoming markup in the report (:func:`markdown.plain`)."""
    for part in _EMPHASIS.split(text):
        if not part:
            continue
        run = paragraph.add_run()
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            run.text, run.font.bold = md.plain(part[2:-2]), True
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            run.text, run.font.italic = md.plain(part[1:-1]), True
        else:
            run.text = md.plain(part)


def new_slide(canvas: Canvas, layout: str, title: str):
    """A slide of ``layout`` with its title set; returns (slide, content box, kept ids)."""
    prs = canvas.prs
    slide = prs.slides.add_slide(canvas.layouts[layout])
    keep = set()
    ph = _placeholder(slide, _TITLES)
    top = MARGIN
    if ph is not None:
        ph.text = title
        _style_runs(ph.text_frame.paragraphs[0], size=TITLE_SIZE)
        keep.add(ph.shape_id)
        top = ph.top + ph.height + Inches(0.1)
    else:  # a layout without a title: a text box in its place
        box = slide.shapes.add_textbox(MARGIN, MARGIN, prs.slide_width - 2 * MARGIN, Inches(1))
        box.text_frame.text = title
        _style_runs(box.text_frame.paragraphs[0], size=TITLE_SIZE, bold=True)
        top = MARGIN + Inches(1.1)
    content = (MARGIN, top, prs.slide_width - 2 * MARGIN,
               prs.slide_height - top - NOTICE_HEIGHT - Inches(0.3))
    return slide, content, keep


# Height of the line of text under a slide's picture or table (two lines of 14 pt).
FOOTER_HEIGHT = Inches(0.8)


def split_footer(box) -> tuple[tuple, tuple]:
    """``box`` as the part above a footer line, and the footer line's own box."""
    left, top, width, height = box
    return ((left, top, width, height - FOOTER_HEIGHT),
            (left, top + height - FOOTER_HEIGHT, width, FOOTER_HEIGHT))


def add_footer(slide, text: str, box, size: int = 14) -> None:
    """A line (or two) of Markdown text in ``box``, under a picture or a table."""
    frame = slide.shapes.add_textbox(*box).text_frame
    frame.word_wrap = True
    add_runs(frame.paragraphs[0], text)
    _style_runs(frame.paragraphs[0], size=size)


def add_picture(slide, path: Path, box) -> object:
    """The picture as large as fits in ``box``, centred, its aspect ratio kept."""
    left, top, width, height = box
    px_w, px_h = Image.from_file(str(path)).size
    scale = min(width / px_w, height / px_h)
    w, h = int(px_w * scale), int(px_h * scale)
    return slide.shapes.add_picture(str(path), Emu(left + (width - w) // 2),
                                    Emu(top + (height - h) // 2), Emu(w), Emu(h))


def cell_text(text: str, language: object) -> str:
    """A CSV cell as the report shows it: empty as "–", whole numbers as they are, other
    numbers with two decimals and the study's decimal sign, text unchanged."""
    s = str(text).strip()
    if not s or s.lower() in ("nan", "<na>"):
        return "–"
    if _INT.match(s):
        return s
    if _FLOAT.match(s):
        out = f"{float(s):.2f}"
        return out.replace(".", ",") if language_of(language) == "nl" else out
    return s


def add_table(slide, frame: pd.DataFrame, box, language: object):
    """A table of text cells, its header bold, columns as wide as their longest text."""
    left, top, width, height = box
    rows, cols = len(frame) + 1, len(frame.columns)
    size = 16 if rows <= 6 else 14 if rows <= 10 else 11 if rows <= 16 else 9
    row_h = Pt(size * 2.1)
    shape = slide.shapes.add_table(rows, cols, left, top, width, min(height, row_h * rows))
    table = shape.table
    texts = [[str(c) for c in frame.columns]]
    texts += [[cell_text(v, language) for v in row] for row in frame.itertuples(index=False)]
    # a column's share of the width: its longest text (up to what wraps onto two or three
    # lines), never less than its longest word, so no word breaks
    weights = [max(1.3 * max(len(w) for r in texts for w in (r[j].split() or [""])) + 2,
                   min(max(len(r[j]) for r in texts), 30) + 2) for j in range(cols)]
    for j, chars in enumerate(weights):
        table.columns[j].width = Emu(int(width * chars / sum(weights)))
    for i, row in enumerate(texts):
        table.rows[i].height = row_h
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = value
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            for p in cell.text_frame.paragraphs:
                _style_runs(p, size=size, bold=(i == 0))
    return shape


def add_paragraphs(slide, paragraphs, box, keep: set, size: int = 20) -> None:
    """Bulleted text in the layout's body placeholder (or a text box in ``box``)."""
    body = _placeholder(slide, _BODIES)
    if body is not None:
        keep.add(body.shape_id)
        frame = body.text_frame
    else:
        frame = slide.shapes.add_textbox(*box).text_frame
        frame.word_wrap = True
    frame.clear()
    for i, (level, text) in enumerate(paragraphs):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        add_runs(p, text)
        p.level = max(level, 0)
        if level < 0 and body is not None:  # plain text: no bullet
            p._pPr.insert(0, p._pPr.makeelement(
                "{http://schemas.openxmlformats.org/drawingml/2006/main}buNone", {}))
        _style_runs(p, size=size if level <= 0 else size - 2)


def add_notice(slide, prs, study: Study) -> None:
    """The synthetic-data notice at the foot of a slide."""
    box = slide.shapes.add_textbox(MARGIN, prs.slide_height - NOTICE_HEIGHT - Inches(0.1),
                                   prs.slide_width - 2 * MARGIN, NOTICE_HEIGHT)
    box.name = "hbomkb-synthetic-notice"
    frame = box.text_frame
    frame.word_wrap = True
    frame.text = label("deck_synthetic", study, study=study.slug)
    frame.paragraphs[0].alignment = PP_ALIGN.CENTER
    _style_runs(frame.paragraphs[0], size=12, bold=True, color=NOTICE_RED)


def set_notes(slide, lines: list[str]) -> None:
    slide.notes_slide.notes_text_frame.text = "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Properties and saving
# ---------------------------------------------------------------------------------------------

def parse_time(text: str) -> datetime:
    """A provenance time (ISO 8601, with offset) as naive UTC, as OOXML stores it; the study's
    first presentation date when absent."""
    try:
        t = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return datetime(*FIXED_TIME)
    return (t.astimezone(UTC) if t.tzinfo else t).replace(tzinfo=None)


def set_properties(prs, props: dict) -> None:
    """Every core document property, so nothing of the sample template remains."""
    core = prs.core_properties
    for key in ("title", "subject", "author", "last_modified_by", "keywords", "comments",
                "category", "content_status", "identifier", "language", "version"):
        setattr(core, key, str(props.get(key, "")))
    core.created = core.modified = core.last_printed = props["time"]
    core.revision = 1


def _drop_thumbnail(prs) -> None:
    """The sample template's thumbnail shows an empty slide; no thumbnail is better than that."""
    package = prs.part.package
    for rid, rel in list(package._rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.drop_rel(rid)


def _app_xml(slides: int, notes: int, title_count: int) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>' + escape("hbomkb") + "</Application>"
            f"<PresentationFormat>16:9</PresentationFormat><Slides>{slides}</Slides>"
            f"<Notes>{notes}</Notes><HiddenSlides>0</HiddenSlides><TotalTime>0</TotalTime>"
            f"<Words>{title_count}</Words></Properties>").encode("utf-8")


def to_bytes(prs) -> bytes:
    """The presentation as bytes, the same for the same content (fixed zip entry times, an
    app.xml that names this package and counts this deck's slides)."""
    _drop_thumbnail(prs)
    raw = io.BytesIO()
    prs.save(raw)
    raw.seek(0)
    notes = sum(1 for s in prs.slides if s.has_notes_slide)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = _app_xml(len(prs.slides), notes, 0)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()
