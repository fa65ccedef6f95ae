"""The columns of a LimeSurvey response export, as a survey structure defines them.

:func:`response_columns` lists every question column LimeSurvey writes for a structure, in its
order, with both heading styles (question code ``Q1[SQ001]`` and ExpressionScript ``Q1_SQ001``),
the parts of its full-text heading, what kind of value it holds and, for answer columns, the
answer codes and every text a full-answers export may write for them. The rules are in
/work/shared/limesurvey/FORMAT.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hbomkb.inputs.limesurvey.structure import Question, Structure, whole_number
from hbomkb.inputs.limesurvey.words import translations

# Metadata columns LimeSurvey writes before the questions, in order.
META_COLUMNS = ("id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate",
                "datestamp", "ipaddr", "refurl")
PERSONAL_COLUMNS = ("token", "ipaddr", "refurl")
# The English words of the metadata headings of a full-text export (translated per language in
# :mod:`~hbomkb.inputs.limesurvey.words`).
META_WORDS = {"id": "Response ID", "submitdate": "Date submitted", "lastpage": "Last page",
              "startlanguage": "Start language", "seed": "Seed", "startdate": "Date started",
              "datestamp": "Date last action", "ipaddr": "IP address", "refurl": "Referrer URL",
              "token": "Access code"}
FULLTEXT_META = {w for name in META_WORDS.values() for w in translations(name)} | {"Token"}

# Fixed answer lists of types without answer rows: code -> LimeSurvey's English word (a number
# stands for itself).
FIXED_ANSWERS = {
    "5": {str(i): str(i) for i in range(1, 6)},
    "A": {str(i): str(i) for i in range(1, 6)},
    "B": {str(i): str(i) for i in range(1, 11)},
    "C": {"Y": "Yes", "N": "No", "U": "Uncertain"},
    "E": {"I": "Increase", "S": "Same", "D": "Decrease"},
    "Y": {"Y": "Yes", "N": "No"},
    "G": {"F": "Female", "M": "Male"},
}
NOT_ANSWERED = "N/A"  # what "full answers" writes for an unanswered checkbox, yes/no or gender
# What a full-answers export may write for "no answer", in any language.
NOT_ANSWERED_TEXTS = frozenset({NOT_ANSWERED, *translations("No answer")})
OTHER = "-oth-"
OTHER_TEXT = "Other"
ARRAY_TYPES = set("FABCEH")


@dataclass
class Column:
    """One response column as the structure defines it.

    ``parts`` are what follows the question text in a full-text heading, each in ``[...]``: a
    subquestion's texts (a dict by language) or one of LimeSurvey's fixed words (a tuple:
    the English word, then what fills its ``%s``), as in ``[Studentprojecten][Schaal 1]``.
    ``texts`` maps every text a full-answers export may write (any language, as stored and
    with markup removed) to its answer code; ``""`` stands for "no answer" (a checkbox's No).
    """

    name: str            # question-code heading: Q1[SQ001], Q3[SQ001][1], R[1]
    em: str              # ExpressionScript heading: Q1_SQ001, Q3_SQ001_0, R_1
    question: str        # question code
    qtype: str
    kind: str            # code | text | number | date
    sub: str = ""        # subquestion code, rank number, "other", "comment"…
    scale: int | None = None
    codes: dict[str, str] = field(default_factory=dict)        # code -> text (one language)
    texts: dict[str, str] = field(default_factory=dict)        # any-language text -> code
    qtexts: dict[str, str] = field(default_factory=dict)       # the question's text by language
    parts: tuple = ()


def _answer_maps(structure: Structure, q: Question, items) -> tuple[dict, dict]:
    codes = {a.code: structure.text(a.texts) for a in items}
    texts = {}
    for a in items:
        for t in a.texts.values():
            if t:
                texts.setdefault(t, a.code)
                texts.setdefault(_flat(t), a.code)
    return codes, texts


def _fixed_maps(qtype: str) -> tuple[dict, dict]:
    """Codes and their words in every language for a type with a fixed answer list."""
    codes = dict(FIXED_ANSWERS[qtype])
    texts = {t: code for code, word in codes.items() for t in translations(word) or {word}}
    return codes, texts


def _flat(text: str) -> str:
    """Answer text as LimeSurvey writes it with full answers: tags stripped, spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", text)).strip()


def response_columns(structure: Structure) -> list[Column]:
    """Every question column of a response export, in LimeSurvey's order."""
    cols: list[Column] = []
    other_texts = dict.fromkeys(translations(OTHER_TEXT), OTHER)
    checked = {**dict.fromkeys(translations("Yes"), "Y"), **dict.fromkeys(translations("No"), "")}

    def add(q, suffix_code, suffix_em, kind, sub="", scale=None, codes=None, texts=None,
            parts=()):
        cols.append(Column(name=q.code + suffix_code, em=q.code + suffix_em, question=q.code,
                           qtype=q.type, kind=kind, sub=sub, scale=scale, codes=codes or {},
                           texts=texts or {}, qtexts=q.texts, parts=tuple(parts)))

    for q in structure.ordered_questions():
        t = q.type
        if t in ("L", "!", "O"):
            codes, texts = _answer_maps(structure, q, q.answer_list(0))
            if q.other and t != "O":
                codes[OTHER] = OTHER_TEXT
                texts.update({k: v for k, v in other_texts.items() if k not in texts})
            add(q, "", "", "code", codes=codes, texts=texts)
            if t == "O":
                add(q, "[comment]", "_comment", "text", sub="comment", parts=[("Comment",)])
            elif q.other:
                add(q, "[other]", "_other", "text", sub="other", parts=[("Other",)])
        elif t in FIXED_ANSWERS and t not in ARRAY_TYPES:
            codes, texts = _fixed_maps(t)
            add(q, "", "", "code", codes=codes, texts=texts)
        elif t in ("M", "P"):
            for sq in q.subs(0):
                add(q, f"[{sq.code}]", f"_{sq.code}", "code", sub=sq.code,
                    codes={"Y": "Yes"}, texts=checked, parts=[sq.texts])
                if t == "P":
                    add(q, f"[{sq.code}comment]", f"_{sq.code}comment", "text",
                        sub=sq.code + "comment", parts=[sq.texts, ("Comment",)])
            if q.other:
                add(q, "[other]", "_other", "text", sub="other", parts=[("Other",)])
                if t == "P":
                    add(q, "[othercomment]", "_othercomment", "text", sub="othercomment",
                        parts=[("Other",), ("Comment",)])
        elif t in ARRAY_TYPES:
            if t in FIXED_ANSWERS:
                codes, texts = _fixed_maps(t)
            else:
                codes, texts = _answer_maps(structure, q, q.answer_list(0))
            for sq in q.subs(0):
                add(q, f"[{sq.code}]", f"_{sq.code}", "code", sub=sq.code, codes=codes,
                    texts=texts, parts=[sq.texts])
        elif t == "1":
            maps = [_answer_maps(structure, q, q.answer_list(s)) for s in (0, 1)]
            for sq in q.subs(0):
                for s in (0, 1):
                    add(q, f"[{sq.code}][{s + 1}]", f"_{sq.code}_{s}", "code", sub=sq.code,
                        scale=s, codes=maps[s][0], texts=maps[s][1],
                        parts=[sq.texts, (f"Scale {s + 1}",)])
        elif t in (":", ";"):
            for y in q.subs(0):
                for x in q.subs(1):
                    add(q, f"[{y.code}_{x.code}]", f"_{y.code}_{x.code}",
                        "number" if t == ":" else "text", sub=f"{y.code}_{x.code}",
                        parts=[y.texts, x.texts])
        elif t in ("K", "Q"):
            for sq in q.subs(0):
                add(q, f"[{sq.code}]", f"_{sq.code}", "number" if t == "K" else "text",
                    sub=sq.code, parts=[sq.texts])
        elif t == "R":
            items = q.ranking_items
            codes, texts = _answer_maps(structure, q, items)
            n = len(items)
            cap = whole_number(q.attributes.get("max_subquestions"))
            if cap > 0:
                n = min(n, cap)
            for k in range(1, n + 1):
                add(q, f"[{k}]", f"_{k}", "code", sub=str(k), codes=codes, texts=texts,
                    parts=[("Rank %s", str(k))])
        elif t == "|":
            add(q, "", "", "text")
            add(q, "[filecount]", "_filecount", "number", sub="filecount",
                parts=[("File count",)])
        elif t == "N":
            add(q, "", "", "number")
        elif t == "D":
            add(q, "", "", "date")
        else:  # S T U X * I and anything newer: one text column
            add(q, "", "", "text")
    return cols
