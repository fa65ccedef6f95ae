"""HTML pieces of a report: the synthetic-data banner, a table, a figure.

Every piece escapes the text it is given, so a cluster label or a study title shows as text and
never as markup. Tables are rendered by pandas (:class:`pandas.io.formats.style.Styler`). Each
piece carries the class ``tex2jax_ignore``, which MathJax (in the HTML report and in JupyterLab)
leaves alone: a label such as "$5 of $10" in a table or caption is not typeset as a formula.
"""

from __future__ import annotations

import base64
import html
import math
import re

import jinja2
import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from hbomkb.config import Study
from hbomkb.labels import LANGUAGES, column_label, label

# The class MathJax 2 and 3 (and JupyterLab) skip when they look for formulas.
NO_MATH = "tex2jax_ignore"

# Tidy columns that hold p-values, and the headings they get in a report (both languages):
# a p-value is shown as "< 0,001" below 0.001, else with P_DECIMALS digits, never as "0,00".
P_COLUMNS = ("p", "p_holm")
P_HEADINGS = frozenset(column_label(c, lang) for c in P_COLUMNS for lang in LANGUAGES)
P_DECIMALS = 3

# A cell of text that reads as a number: "< 3", "12", "2,04–2,62", "-0.5", "45%".
_NUMBER = r"[-+−]?\d+(?:[.,]\d+)?"
_NUMERIC_TEXT = re.compile(rf"^[<>≤≥]?\s*{_NUMBER}%?(?:\s*[–-]\s*{_NUMBER}%?)?$")

# The Styler's own table template with one change: every header and data cell carries its
# alignment as an inline style (text left, numbers right). Inline, because a <style> block
# would need ids, and exclude_styles (no ids, same HTML every run) drops classes and styles.
# ``align`` maps the Styler's column class ("col3") to the style attribute of that column.
_CELL = ('      <{{c.type}}{{ align.get(c.class.split()[-1], "") }}'
         "{% if c.attributes %} {{c.attributes}}{% endif %}>{{c.display_value}}</{{c.type}}>")
_ROW = ("    <tr>\n{% for c in r %}{% if c.is_visible != False %}\n" + _CELL
        + "\n{% endif %}{% endfor %}\n    </tr>\n")
_ALIGNED_TABLE = ('{% extends "html_table.tpl" %}\n'
                  "{% block head_tr %}\n" + _ROW + "{% endblock head_tr %}\n"
                  "{% block tr %}\n" + _ROW + "{% endblock tr %}\n")


class _AlignedStyler(Styler):
    """A Styler whose HTML table states each column's alignment on its cells
    (the documented way to extend the Styler's template: its ``env`` and ``template_html*``)."""

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.DictLoader({"aligned_table.tpl": _ALIGNED_TABLE}),
                                    Styler.loader]),
        trim_blocks=True)
    template_html = env.get_template("html.tpl")
    template_html_table = env.get_template("aligned_table.tpl")
    template_html_style = env.get_template("html_style.tpl")


def banner_html(study: Study) -> str:
    """A banner no reader can miss when the study's data are synthetic, in the study's
    language (``banner_synthetic``); empty otherwise. The study's folder name is escaped."""
    if not study.synthetic:
        return ""
    # the label unfilled: its text escaped, then the marked-up study name put in its place
    text = html.escape(label("banner_synthetic", study), quote=False)
    name = f"<code>{html.escape(study.slug)}</code>"
    return (
        f'<div class="{NO_MATH}" style="border:4px solid #b00020;background:#fde7ea;'
        'color:#5c0010;padding:1em 1.2em;margin:0.5em 0;font-size:1.25em;font-weight:bold">'
        f"&#9888; {text.replace('{study}', name)}</div>"
    )


def p_text(p: object, decimal: str = ",") -> str:
    """A p-value as a reader sees it: "< 0,001" below 0.001, else three decimals ("0,012");
    "" if missing. ``decimal`` is the study's decimal mark."""
    if p is None or pd.isna(p):
        return ""
    v = float(p)
    text = f"< {0.001:.{P_DECIMALS}f}" if v < 0.001 else f"{v:.{P_DECIMALS}f}"
    return text.replace(".", decimal)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def _whole(values: pd.Series) -> bool:
    """Whether every number in ``values`` is a whole number (so none needs decimals)."""
    nums = [float(v) for v in values if _is_number(v) and not pd.isna(v)]
    return all(math.isfinite(v) and v.is_integer() for v in nums)


def is_text_column(values: pd.Series) -> bool:
    """Whether a column holds words (shown left-aligned) rather than numbers (right-aligned):
    a column of text where some cell is not a number, a count like "< 3" or an interval like
    "2,04–2,62". Empty cells do not count either way."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return True
    if pd.api.types.is_numeric_dtype(values.dtype):
        return False
    cells = [v for v in values if not (v is None or (not isinstance(v, str) and pd.isna(v)))]
    return any(isinstance(v, bool) or not (_is_number(v) or (
        isinstance(v, str) and (v.strip() == "" or _NUMERIC_TEXT.match(v.strip()))))
        for v in cells)


def _cell_formatter(values: pd.Series, heading: object, decimals: int, decimal: str):
    """How the cells of one column are written: p-values as :func:`p_text`, whole numbers
    without decimals (a column of only whole numbers: 262, not 262,00), other numbers with
    ``decimals`` digits; text as it is (the Styler has escaped it already)."""
    p_value = str(heading) in P_HEADINGS
    digits = 0 if _whole(values) else decimals

    def fmt(v: object) -> str:
        if not _is_number(v):
            return str(v)
        if p_value:
            return html.escape(p_text(v, decimal))
        if isinstance(v, int | np.integer):
            return str(int(v))
        return f"{float(v):.{digits}f}".replace(".", decimal)

    return fmt


def table_html(df: pd.DataFrame, caption: str, decimals: int = 2, decimal: str = ".") -> str:
    """``df`` as an HTML table (no index) under ``caption``.

    Numbers get ``decimal`` as separator: a column whose numbers are all whole shows them
    without decimals, any other column with ``decimals`` digits; a p-value column (headed
    "p", "p (Holm)") shows "< 0,001" below 0.001, else three digits. A missing value shows as
    "–". Text columns are left-aligned, number columns right-aligned, each cell saying so in
    its own style attribute. Caption, column names and cells are escaped.
    """
    columns = list(df.columns)
    formatters = {c: _cell_formatter(df.iloc[:, i], c, decimals, decimal)
                  for i, c in enumerate(columns)}
    align = {f"col{i}": ' style="text-align:{}"'.format(
        "left" if is_text_column(df.iloc[:, i]) else "right") for i in range(len(columns))}
    styler = (_AlignedStyler(df).hide(axis="index")
              .format(formatters, na_rep="–", escape="html")
              .format_index(escape="html", axis=1)
              .set_caption(html.escape(caption)))
    # exclude_styles: no <style> block and no generated ids, so the same table gives the
    # same HTML in every run
    return (f'<div class="{NO_MATH}">\n'
            f"{styler.to_html(exclude_styles=True, align=align)}</div>")


def figure_html(png: bytes, alt: str, caption: str = "") -> str:
    """A PNG embedded in the page (base64), with ``alt`` as its text alternative and
    ``caption`` (if any) beneath it."""
    data = base64.b64encode(png).decode("ascii")
    caption_html = (f"<figcaption><em>{html.escape(caption)}</em></figcaption>"
                    if caption else "")
    return (f'<figure class="{NO_MATH}" style="margin:0"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt, quote=True)}" style="max-width:100%"/>{caption_html}'
            "</figure>")
