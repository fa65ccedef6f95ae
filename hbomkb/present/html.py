"""HTML pieces of a report: the synthetic-data banner, a table, a figure.

Every piece escapes the text it is given, so a cluster label or a study title shows as text and
never as markup. Tables are rendered by pandas (:class:`pandas.io.formats.style.Styler`). Each
piece carries the class ``tex2jax_ignore``, which MathJax (in the HTML report and in JupyterLab)
leaves alone: a label such as "$5 of $10" in a table or caption is not typeset as a formula.
"""

from __future__ import annotations

import base64
import html

import pandas as pd

from hbomkb.config import Study

# The class MathJax 2 and 3 (and JupyterLab) skip when they look for formulas.
NO_MATH = "tex2jax_ignore"


def banner_html(study: Study) -> str:
    """A banner no reader can miss when the study's data are synthetic; empty otherwise."""
    if not study.synthetic:
        return ""
    return (
        f'<div class="{NO_MATH}" style="border:4px solid #b00020;background:#fde7ea;'
        'color:#5c0010;padding:1em 1.2em;margin:0.5em 0;font-size:1.25em;font-weight:bold">'
        "&#9888; SYNTHETISCHE DATA &mdash; dit rapport is gemaakt met verzonnen demonstratie-"
        "gegevens (studie <code>" + html.escape(study.slug) + "</code>). Geen enkel getal, "
        "citaat of conclusie hierin zegt iets over echte regio's, hogescholen of ondernemers."
        "</div>"
    )


def table_html(df: pd.DataFrame, caption: str, decimals: int = 2, decimal: str = ".") -> str:
    """``df`` as an HTML table (no index) under ``caption``.

    Fractional numbers get ``decimals`` digits and ``decimal`` as separator, whole numbers stay
    as they are, a missing value shows as "–"; caption, column names and cells are escaped.
    """
    styler = (df.style.hide(axis="index")
              .format(precision=decimals, decimal=decimal, thousands=None, na_rep="–",
                      escape="html")
              .format_index(escape="html", axis=1)
              .set_caption(html.escape(caption)))
    # exclude_styles: no <style> block and no generated ids, so the same table gives the
    # same HTML in every run
    return f'<div class="{NO_MATH}">\n{styler.to_html(exclude_styles=True)}</div>'


def figure_html(png: bytes, alt: str, caption: str = "") -> str:
    """A PNG embedded in the page (base64), with ``alt`` as its text alternative and
    ``caption`` (if any) beneath it."""
    data = base64.b64encode(png).decode("ascii")
    caption_html = (f"<figcaption><em>{html.escape(caption)}</em></figcaption>"
                    if caption else "")
    return (f'<figure class="{NO_MATH}" style="margin:0"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt, quote=True)}" style="max-width:100%"/>{caption_html}'
            "</figure>")
