"""Generated sentences that carry their sources, and the number and list formats they use.

A :class:`Sentence` is one claim of a report's text: its Markdown ``text``, and its ``sources``,
the rows of the report tables it quotes (the table's file name, as the report publishes it in
``tables/<report>/<name>.csv``, and the values of the columns that pick each row). Every number
a sentence quotes is in one of those rows, or is the number of rows a source names (``3 van de
5``); numbers that come from the study's settings (a threshold, alpha) are listed in ``fixed``,
as the exact phrase the sentence uses. ``tests/test_inference.py`` checks this on the demo. A
:class:`Text` is the sentences of one block of a report (a summary, the conclusions) with the
Markdown they make together. :class:`Words` writes numbers, lists and sides the way the
study's language does (Dutch "3,5" and "a, b en c"; English "3.5" and "a, b and c").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from hbomkb.labels import label, language_of
from hbomkb.present import markdown as md

# The default language of the sentences. A sentence takes the words it needs from hbomkb.labels
# (a side, a reading of W, a pairing) in its own language: it never mixes two languages.
LANGUAGE = "nl"
# The word that joins the last two items of a list, per language.
CONJUNCTIONS = {"and": ("en", "and"), "or": ("of", "or")}


@dataclass(frozen=True)
class Source:
    """Rows of one report table: ``table`` is its file name (``landschap-hbo``), each row a
    mapping of column name -> value as the table shows it."""

    table: str
    rows: tuple[Mapping[str, object], ...]

    @classmethod
    def of(cls, table: str, rows: list[Mapping[str, object]] | pd.DataFrame) -> Source:
        if isinstance(rows, pd.DataFrame):
            rows = rows.to_dict("records")
        return cls(table, tuple(dict(r) for r in rows))


@dataclass(frozen=True)
class Sentence:
    """One generated claim: Markdown text, the table rows it quotes, and the phrases in it
    that quote a study setting rather than a table (e.g. "O > 10")."""

    text: str
    sources: tuple[Source, ...] = ()
    fixed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Text:
    """Sentences that make one block of a report; ``text`` is its Markdown.

    ``head`` is written first (a bold title), ``note`` last (e.g. the synthetic-data warning);
    with ``bullets`` each sentence is a list item, otherwise they form one paragraph.
    """

    sentences: tuple[Sentence, ...]
    head: str = ""
    note: str = ""
    bullets: bool = False

    @property
    def text(self) -> str:
        if self.bullets:
            body = "\n".join(f"- {s.text}" for s in self.sentences)
            out = f"{self.head}\n\n{body}" if self.head else body
        else:
            out = " ".join([self.head] * bool(self.head) + [s.text for s in self.sentences])
        return out + self.note

    def __str__(self) -> str:
        return self.text


def nummer(x: object, decimals: int = 1, language: object = LANGUAGE) -> str:
    """A number as the language writes it, without thousands separator: the Dutch way with a
    decimal comma ("3,5"), English with a point ("3.5"); missing -> '–'."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    text = f"{v:.{decimals}f}"
    return text if language_of(language) == "en" else text.replace(".", ",")


def interval(low: object, high: object, decimals: int = 1, language: object = LANGUAGE) -> str:
    """An interval in a sentence: "3,3–20,0" (as :func:`hbomkb.present.tables.interval_text`
    writes it in a table)."""
    return f"{nummer(low, decimals, language)}–{nummer(high, decimals, language)}"


def p_waarde(p: object, language: object = LANGUAGE) -> str:
    """A p-value as 'p = 0,012' or 'p < 0,001' (English: 'p = 0.012')."""
    v = float(p) if p is not None and not pd.isna(p) else math.nan
    if math.isnan(v):
        return "p unknown" if language_of(language) == "en" else "p onbekend"
    return f"p < {nummer(0.001, 3, language)}" if v < 0.001 else f"p = {nummer(v, 3, language)}"


def opsomming(items: list[str], conj: str = "en") -> str:
    """'a', 'a en b', 'a, b en c' (``conj`` joins the last two)."""
    items = [str(i) for i in items if str(i)]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def capital(text: str) -> str:
    """The sentence with a capital first letter (after any Markdown emphasis)."""
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1:]
        if ch not in "*_‘'\"(":
            break
    return text


def present(x: object) -> bool:
    """A value that is there: not None, not missing, not empty."""
    return x is not None and not pd.isna(x) and str(x) != ""


def naam(code: object, labels: dict[str, str], cluster: object = None, extra: str = "") -> str:
    """How a cluster is named in text.

    With a regional ``cluster`` label: "‘label’ (CODE)" (the group's own words, then its
    national code); otherwise "National label (CODE)". ``extra`` (Markdown, e.g. "O = 13,2")
    joins the code in the brackets: "Label (CODE; O = 13,2)". Labels and codes are text from
    data: they go into the Markdown through :func:`hbomkb.present.markdown.text`.
    """
    more = f"; {extra}" if extra else ""
    if present(cluster):
        return (f"‘{md.text(cluster)}’ ({md.text(code)}{more})" if present(code)
                else f"‘{md.text(cluster)}’" + (f" ({extra})" if extra else ""))
    if present(code) and str(code) in labels:
        return f"{md.text(labels[str(code)])} ({md.text(code)}{more})"
    return md.text(code) + (f" ({extra})" if extra else "")


def side(role: str, language: object = LANGUAGE) -> str:
    """A side as the subject of a sentence: "het hbo", "het mkb" ("the hbo side")."""
    return label(f"side_{role}", language) if role in ("hbo", "mkb") else md.text(role)


@dataclass(frozen=True)
class Words:
    """The words and formats of one language for generated text: ``Words.of(study)``.

    ``pick(nl, en)`` chooses a sentence's wording; ``num``, ``interval``, ``p``, ``list`` and
    ``side`` write numbers, p-values, lists and sides as that language does; ``label`` looks a
    word up in :mod:`hbomkb.labels`.
    """

    language: str = LANGUAGE

    @classmethod
    def of(cls, language: object = LANGUAGE) -> Words:
        return cls(language_of(language))

    @property
    def en(self) -> bool:
        return self.language == "en"

    def pick(self, nl: str, en: str) -> str:
        return en if self.en else nl

    def num(self, x: object, decimals: int = 1) -> str:
        return nummer(x, decimals, self.language)

    def interval(self, low: object, high: object, decimals: int = 1) -> str:
        return interval(low, high, decimals, self.language)

    def p(self, p: object) -> str:
        return p_waarde(p, self.language)

    def list(self, items: list[str], conj: str = "and") -> str:
        """'a, b and c' ('a, b en c'); ``conj`` is "and" or "or"."""
        return opsomming(items, CONJUNCTIONS[conj][self.en])

    def side(self, role: str) -> str:
        return side(role, self.language)

    def label(self, key: str, **fmt: object) -> str:
        return label(key, self.language, **fmt)


def tied_at(df: pd.DataFrame, column: str, decimals: int, largest: bool = True
            ) -> pd.DataFrame:
    """The rows that share the best value of ``column`` as a sentence shows it (rounded to
    ``decimals``): the leader and everything tied with it."""
    d = df.dropna(subset=[column])
    if d.empty:
        return d
    shown = d[column].astype(float).round(decimals)
    best = shown.max() if largest else shown.min()
    return d[shown == best]
