"""Export headings that are question texts, mapped back to the survey's columns.

LimeSurvey's admin screen exports with *full question text* headings by default, in the
language of the export: the fixed columns as words (``Respons-id``, ``Datum verzonden``…), a
question as its text with the markup removed (``<br/>`` runs two lines together), then each part
of the column in brackets: a subquestion's text, ``[Schaal 1]`` for a dual scale, ``[Rang 1]``
for a ranking place, ``[Overige]`` for "other". *Abbreviated* headings cut the question text and
each part after a number of characters and add ``..``; *code + text* headings put the question
code, a separator and the text together. :func:`plan_text_headings` maps each heading to its
column through the structure's texts in each of its languages and picks the language and style
that place the most headings.

Headings are compared without white space (and without ``_``, which LimeSurvey's "convert spaces
to underscores" option puts in their place), so a difference in spacing between LimeSurvey
versions does not matter.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from hbomkb.inputs.limesurvey.columns import META_WORDS, PERSONAL_COLUMNS, Column
from hbomkb.inputs.limesurvey.structure import Structure
from hbomkb.inputs.limesurvey.words import translations, word

CODE_ADVICE = ('export the responses again with "Headings: Question code" (Responses > Export > '
               'Export responses), which does not depend on the survey\'s texts')
ELLIPSIS = ".."
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[\s_]+")
_TIMING_WORDS = ("Total time", "Group time", "Question time")


def flatten(text: str) -> str:
    """A text as LimeSurvey's ``flattenText`` makes it for a heading: scripts and tags removed
    (without a space in their place), line breaks as spaces, entities decoded, trimmed."""
    text = _SCRIPT.sub("", text or "")
    text = text.replace("</td", " </td").replace("</th", " </th")
    text = re.sub(r"\r\n|\r|\n", " ", _TAG.sub("", text))
    return html.unescape(text.replace("&nbsp;", " ")).strip()


def key(text: str) -> str:
    """What two headings are compared by: the text without white space and underscores."""
    return _SPACE.sub("", text)


def part_text(structure: Structure, part, language: str) -> str:
    """One bracketed part of a full-text heading in ``language``."""
    if isinstance(part, dict):
        return flatten(structure.text(part, language))
    english, *args = part
    text = word(english, language)
    return text % tuple(args) if args else text


def full_heading(structure: Structure, column: Column, language: str) -> str:
    """The full-question-text heading LimeSurvey writes for ``column`` in ``language``."""
    head = flatten(structure.text(column.qtexts, language))
    parts = "".join(f"[{part_text(structure, p, language)}]" for p in column.parts)
    return f"{head} {parts}" if parts else head


@dataclass
class Target:
    """What a heading stands for: a metadata column, a timing or personal column (``kind``
    "meta", "timing", "drop") named ``name``, or a question column (``kind`` "col")."""

    kind: str
    name: str
    column: Column | None = None

    @property
    def question(self) -> str:
        return self.column.question if self.column is not None else self.name

    def describe(self) -> str:
        if self.column is None:
            return f"'{self.name}'"
        return f"{self.column.name} (question {self.column.question})"


@dataclass
class TextPlan:
    """Every heading's target (None: no column of the survey), the heading style
    ("full", "abbreviated" or "codetext"), the export language and what was ambiguous."""

    targets: list[Target | None]
    style: str
    language: str
    ambiguous: list[tuple[int, str, list[Target]]] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return sum(t is not None for t in self.targets)


def _pieces(structure: Structure, column: Column | None, meta: str, language: str
            ) -> list[str]:
    """The keyed pieces of a heading: question text, then each part (with its brackets)."""
    if column is None:
        return [key(word(META_WORDS[meta], language))]
    return [key(flatten(structure.text(column.qtexts, language)))] + [
        key(f"[{part_text(structure, p, language)}]") for p in column.parts]


def _targets(structure: Structure, columns: list[Column], language: str
             ) -> list[tuple[Target, list[str]]]:
    out = []
    for name in META_WORDS:
        kind = "drop" if name in PERSONAL_COLUMNS else "meta"
        out.append((Target(kind, name), _pieces(structure, None, name, language)))
    out += [(Target("col", c.name, c), _pieces(structure, c, "", language)) for c in columns]
    return out


def _abbreviated(heading_key: str, pieces: list[str]) -> bool:
    """Whether a keyed heading is ``pieces`` with some of them cut short and ended by "..":
    the question text (a prefix of it, then ".."), then each bracketed part likewise."""
    rest = heading_key
    cut = False
    for i, piece in enumerate(pieces):
        inner = piece[1:-1] if i else piece
        if i:
            if not rest.startswith("["):
                return False
            rest = rest[1:]
        if rest.startswith(inner) and (i == 0 or rest[len(inner):].startswith("]")):
            rest = rest[len(inner):]
        else:
            end = rest.find(ELLIPSIS)
            if end <= 0 or not inner.startswith(rest[:end]):
                return False
            rest = rest[end + len(ELLIPSIS):]
            cut = True
        if i:
            if not rest.startswith("]"):
                return False
            rest = rest[1:]
    return cut and rest == ""


def _timing(heading: str) -> bool:
    k = key(heading)
    return any(k == key(w) or k.startswith(key(w) + ":") for w in _TIMING_WORDS)


def _plan_full(header: list[str], targets) -> list[list[Target]]:
    by_key: dict[str, list[Target]] = {}
    for target, pieces in targets:
        by_key.setdefault("".join(pieces), []).append(target)
    return [by_key.get(key(h), []) for h in header]


def _plan_abbreviated(header: list[str], targets) -> list[list[Target]]:
    whole = _plan_full(header, targets)   # a heading short enough to be left whole
    by_initial: dict[str, list] = {}
    for target, pieces in targets:
        by_initial.setdefault(pieces[0][:1], []).append((target, pieces))
    out = []
    for h, fits in zip(header, whole, strict=True):
        k = key(h)
        if ELLIPSIS not in k:
            out.append(fits)
            continue
        out.append([t for t, pieces in by_initial.get(k[:1], []) if _abbreviated(k, pieces)])
    return out


def _plan_codetext(header: list[str], targets) -> list[list[Target]]:
    """Code + text headings: a column's code (question code or ExpressionScript code), a
    separator of at most three characters, then its text (full or abbreviated)."""
    by_initial: dict[str, list] = {}   # by the code's first character: fewer to try
    for target, pieces in targets:
        names = {target.name} if target.column is None else {target.column.name,
                                                              target.column.em}
        for name in names:
            by_initial.setdefault(name[:1], []).append((target, pieces, name))
    out = []
    for h in header:
        found = []
        for target, pieces, name in by_initial.get(h[:1], []):
            if not h.startswith(name):
                continue
            rest = key(h[len(name):])
            text = "".join(pieces)
            if any(rest[i:] == text or (ELLIPSIS in rest and _abbreviated(rest[i:], pieces))
                   for i in range(0, min(3, len(rest)) + 1)):
                found.append((len(name), target))
        longest = max((n for n, _ in found), default=0)
        out.append(list({id(t): t for n, t in found if n == longest}.values()))
    return out


def plan_text_headings(header: list[str], structure: Structure, columns: list[Column]
                       ) -> TextPlan:
    """Map headings that are question texts (full, abbreviated, or code + text) to columns.

    Each of the survey's languages and each style is tried; the one that places the most
    headings wins (full before abbreviated before code + text when they place as many). A
    heading that fits several columns of one question, as often as it occurs, is given to them
    in LimeSurvey's column order; one that fits columns of different questions is left
    unplaced and listed in ``ambiguous``.
    """
    best: TextPlan | None = None
    for language in dict.fromkeys((structure.language, *structure.languages)):
        targets = _targets(structure, columns, language)
        styles = [("full", _plan_full)]
        if any(ELLIPSIS in h for h in header):
            styles.append(("abbreviated", _plan_abbreviated))
        styles.append(("codetext", _plan_codetext))
        for style, planner in styles:
            plan = _resolve(header, planner(header, targets), style, language)
            if best is None or plan.placed > best.placed:
                best = plan
    return best


def _resolve(header: list[str], found: list[list[Target]], style: str, language: str
             ) -> TextPlan:
    targets: list[Target | None] = []
    ambiguous = []
    occurrences: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        occurrences.setdefault(key(h), []).append(i)
    for i, (h, fits) in enumerate(zip(header, found, strict=True)):
        if not fits:
            targets.append(Target("timing", h.strip()) if _timing(h) else None)
        elif len(fits) == 1:
            targets.append(fits[0])
        elif len({t.question for t in fits}) == 1 and len(occurrences[key(h)]) == len(fits):
            targets.append(fits[occurrences[key(h)].index(i)])
        else:
            targets.append(None)
            ambiguous.append((i, h, fits))
    return TextPlan(targets, style, language, ambiguous)


def meta_word(name: str) -> set[str]:
    """Every language's heading of a metadata column (``id`` -> Response ID, Respons-id…)."""
    return translations(META_WORDS[name])
