"""Text from a study as Markdown: the one place where data is made safe to put into Markdown,
and where the report's own formulas become MathML.

A report's generated text (:mod:`hbomkb.present.narrative`, the provenance block) is Markdown
that nbconvert renders to HTML and JupyterLab renders in the notebook, typesetting its
``$…$`` formulas with MathJax. The HTML report loads no MathJax: :func:`replace_formulas` finds
the formulas and :func:`formula_mathml` turns each into MathML when the page is rendered.

Cluster labels, region names, the study title, file names and answers are *text*: put into
Markdown through :func:`text` (or :func:`code`), they show as written and never become markup,
links, formulas or table cells. Every caller that puts a value from data into Markdown
uses these two functions; nothing escapes by hand.

What :func:`text` does to a value:

- ``&``, ``<`` and ``>`` become HTML entities: no tag, comment or entity from data survives;
- the Markdown punctuation (the backtick, ``* _ [ ] | ~``) is escaped with a backslash: no emphasis,
  code span, link, image, table cell or strike-through;
- ``:`` and ``@`` are escaped and ``www.`` becomes ``www\\.``: no autolink of a URL, a bare
  ``www.`` address or an e-mail address;
- ``$`` becomes ``<span>\\$</span>`` and ``\\`` becomes ``<span>\\\\</span>``: each in an
  element of its own, which neither :func:`replace_formulas`, nbconvert's Markdown math rule,
  JupyterLab nor MathJax pairs with another delimiter, so "$5 of $10" or ``\\(x\\)`` is not
  typeset (the report's own formulas keep their ``$…$``);
- line breaks and tabs become spaces and other control characters U+FFFD, so a value never
  starts a heading, list, quote or code block of its own; a leading ``#``, ``+``, ``-``, ``=``
  or ``1.`` (a number, a dot or bracket, a space) is escaped for the same reason.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

_ESCAPES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "<span>\\$</span>", "\\": "<span>\\\\</span>",
    **{c: "\\" + c for c in "`*_[]|~:@"},
}
_PATTERN = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_WWW = re.compile(r"(?i)\b(www)\.")
_LEADING = re.compile(r"^(\s*)([#+\-=])")
_NUMBERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")


def _printable(s: str) -> str:
    """Line breaks and tabs as spaces, every other control character as U+FFFD."""
    if s.isprintable():
        return s
    return "".join(ch if ch.isprintable() else
                   " " if ch in "\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029" else
                   ch if unicodedata.category(ch) not in ("Cc", "Cs") else "\ufffd"
                   for ch in s)


def text(value: object) -> str:
    """``value`` as Markdown that shows exactly its text, inline (in a sentence, a list item or
    a table cell); see the module doc for what is escaped and why."""
    s = _printable(str(value))
    s = _PATTERN.sub(lambda m: _ESCAPES[m.group()], s)
    s = _WWW.sub(r"\1\\.", s)
    s = _LEADING.sub(r"\1\\\2", s)
    return _NUMBERED.sub(r"\1\\\2", s)


def code(value: object) -> str:
    """``value`` in a code font (a file name, a hash), as :func:`text` escapes it. An HTML
    ``<code>`` element rather than a Markdown code span: a backtick or ``|`` in the value can
    then neither end the span nor split a table cell."""
    return f"<code>{text(value)}</code>"


_SPAN = re.compile(r"<span>\\([$\\])</span>")
_BACKSLASHED = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(markdown: str) -> str:
    """The text of Markdown made with :func:`text` and :func:`code`, as it was: the escapes,
    entities and ``<span>``/``<code>`` elements these two add taken off again (for a plain-text
    view of generated Markdown; other Markdown syntax stays as it is)."""
    s = _SPAN.sub(r"\1", markdown)
    s = s.replace("<code>", "").replace("</code>", "")
    return html.unescape(_BACKSLASHED.sub(r"\1", s))


# A formula and what must keep its dollars: a fenced code block, a code span and a backslash
# escape (``\\$``, which is how :func:`text` writes a dollar from data) are kept as they are;
# ``$$…$$`` is a formula set apart, ``$…$`` one inside the text, with Pandoc's rule for the
# single dollars: no space just inside either of them, no digit just after the second, no blank
# line between them ("costs $5 and $10" has no formula).
_MATH = re.compile(r"""
    (?P<keep>
        ^[ ]{0,3}(?P<fence>`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}(?P=fence)[ \t]*$|\Z)
      | (?P<ticks>`+)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`)
      | \\.
    )
  | \$\$(?P<block>(?:\\.|[^$\\])+?)\$\$
  | \$(?=[^\s$])(?P<inline>(?:\\.|[^$\\\n]|\n(?![ \t]*\n))+?)(?<!\s)\$(?!\d)
""", re.VERBOSE | re.MULTILINE | re.DOTALL)
# A decimal comma between digits ("0,05", Dutch): one number in TeX (``0{,}05``), not a
# separator followed by a space.
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")


def replace_formulas(markdown: str, replace: Callable[[str, bool], str]) -> str:
    """``markdown`` with each of the report's own formulas replaced by ``replace(tex, block)``:
    ``$…$`` in the text (``block`` false) and ``$$…$$`` (true), ``tex`` without its dollars.
    A dollar escaped with a backslash (every dollar that :func:`text` put in) and dollars in
    code stay as they are."""
    if "$" not in markdown:
        return markdown

    def one(m: re.Match) -> str:
        if m.group("keep") is not None:
            return m.group("keep")
        if m.group("block") is not None:
            return replace(m.group("block").strip(), True)
        return replace(m.group("inline"), False)

    return _MATH.sub(one, markdown)


@lru_cache(maxsize=1024)
def formula_mathml(tex: str, block: bool = False) -> str:
    """The TeX formula ``tex`` as MathML on one line, ``<math display="inline">`` or (``block``)
    ``"block"``, which a browser typesets without a script; a formula latex2mathml cannot read
    raises ``ValueError`` naming it."""
    # deferred: importing latex2mathml takes a quarter of a second, and only rendering HTML
    # converts formulas, while every report kernel imports this module
    from latex2mathml.converter import convert

    try:
        mathml = convert(_DECIMAL_COMMA.sub("{,}", tex), display="block" if block else "inline")
    except Exception as err:  # latex2mathml's own errors, and IndexError on some bad endings
        raise ValueError(f"formula ${tex}$ cannot be converted to MathML: {err!r}") from err
    return mathml.replace("\n", "")
