"""Rendering an executed notebook: the full page and the reviewer's page without code, both
standing on their own offline (no script, formulas as MathML)."""

from __future__ import annotations

import html
import re

import hostile
import nbformat
import pandas as pd
import pytest
from hostile import MONEY
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hbomkb.config import Region, Study, Thresholds
from hbomkb.present import markdown as md
from hbomkb.present.html import figure_html, table_html
from hbomkb.present.narrative import methods
from hbomkb.publish import render
from hbomkb.publish.render import TEMPLATE, TEMPLATES, render_html


def _executed() -> nbformat.NotebookNode:
    """A small notebook as papermill leaves it: code with a table, a figure and text."""
    table = table_html(pd.DataFrame({"kant": ["hbo"], "n": [4]}), "Deelnemers (n = 4)")
    cell = new_code_cell("report = open_report('demo')\nshow_table(x)", execution_count=1,
                         outputs=[
                             new_output("display_data", {"text/html": table,
                                                         "text/plain": "Deelnemers"}),
                             new_output("display_data", {
                                 "text/html": figure_html(b"\x89PNG", "Kansenlandschap"),
                                 "text/plain": "Kansenlandschap"}),
                             new_output("display_data", {"image/png": "iVBORw==",
                                                         "text/plain": "<Figure>"}),
                             new_output("display_data", {"text/markdown": "**Samenvatting**",
                                                         "text/plain": "Samenvatting"})])
    nb = new_notebook(cells=[new_markdown_cell("# Regiorapport"), cell])
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def test_full_page_shows_code_and_outputs_in_the_page_language():
    page = render_html(_executed(), title="Regio Noord – Teststudie")
    assert '<html lang="nl">' in page
    assert "<title>Regio Noord – Teststudie</title>" in page
    assert "open_report" in page
    assert re.search(r'class="[^"]*jp-InputArea-editor', page)
    assert "<caption>Deelnemers (n = 4)</caption>" in page
    assert "<strong>Samenvatting</strong>" in page
    assert re.search(r"In\s\[1\]:", page)  # the prompt
    assert '<html lang="en">' in render_html(_executed(), language="en")


def test_review_page_has_the_same_outputs_without_code():
    full = render_html(_executed())
    review = render_html(_executed(), review=True)
    assert "open_report" not in review
    assert not re.search(r'class="[^"]*jp-InputArea-editor', review)
    assert not re.search(r"In\s\[1\]:", review)  # no prompts
    assert review.count("<img") == full.count("<img") == 2
    assert "<caption>Deelnemers (n = 4)</caption>" in review


def test_inputs_and_outputs_are_focusable_and_every_image_is_described():
    # what nbconvert's exporter adds for keyboard and screen-reader users
    for page in (render_html(_executed()), render_html(_executed(), review=True)):
        outputs = re.findall(r'<div class="[^"]*\bjp-OutputArea-output\b[^"]*"[^>]*>', page)
        assert outputs and all('tabindex="0"' in d for d in outputs)
        images = re.findall(r"<img\b[^>]*>", page)
        assert images and all(re.search(r'\balt="[^"]+"', i) for i in images)
    full = render_html(_executed())
    inputs = re.findall(r'<div class="[^"]*\bjp-Cell-inputWrapper\b[^"]*"[^>]*>', full)
    assert inputs and all('tabindex="0"' in d for d in inputs)
    assert 'alt="Kansenlandschap"' in full  # the notebook's own description is kept


def test_the_template_is_a_file_of_the_package_extending_the_lab_template():
    source = (TEMPLATES / TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    assert "extends 'lab/index.html.j2'" in source
    assert (TEMPLATES / TEMPLATE / "conf.json").is_file()


# --------------------------------------------------------------------------------- offline

def _with_formulas() -> nbformat.NotebookNode:
    """A notebook whose Markdown has formulas where a report puts them (a heading, a list, a
    table, emphasis, a formula set apart, a Markdown output) beside dollars from data and in
    code."""
    cell = new_markdown_cell("# Kans $O = I + \\max(I - S, 0)$\n\n"
                             "| vorm | regel |\n|---|---|\n| A | $S > I$ |\n\n"
                             "- belang $I = 10 \\cdot$ aandeel $\\geq 4$\n  en $S = 2I - 7,5$;\n\n"
                             "$$k - \\text{rang}$$")
    out = new_output("display_data", {
        "text/markdown": f"Toetsen: *$\\alpha = 0,05$*; kosten {md.text(MONEY)}, `$x$`.",
        "text/plain": "x"})
    nb = new_notebook(cells=[cell, new_code_cell("prijs = '$5'", execution_count=1,
                                                 outputs=[out])])
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _text_of(page: str) -> str:
    """The page's markup without its style sheets (whose comments name web addresses)."""
    return re.sub(r"<style\b.*?</style>", "", page, flags=re.S)


def test_the_page_requests_nothing():
    for page in (render_html(_executed()), render_html(_with_formulas(), review=True)):
        body = _text_of(page)
        assert "<script" not in body  # require.js, MathJax, mermaid: none
        assert "cdnjs" not in page and "mathjax" not in page.lower()
        links = re.findall(r'\b(?:src|href)="([^"]*)"', body)
        assert links and all(u.startswith(("data:", "#")) for u in links), links
        assert not re.search(r"@import|url\((?!\s*['\"]?data:)", page)  # CSS fetches nothing


def test_formulas_are_mathml_and_dollars_from_data_stay_text():
    nb = _with_formulas()
    source = nb.cells[0].source
    for review in (False, True):
        page = render_html(nb, review=review)
        maths = re.findall(r"<math\b[^>]*>.*?</math>", page, flags=re.S)
        assert len(maths) == 7, maths
        assert sum('display="block"' in m for m in maths) == 1
        assert "<mo>&#x000B7;</mo>" in maths[2] and "<mo>&#x02265;</mo>" in maths[3]
        assert "<mtext>rang</mtext>" in maths[5] and "<mi>&#x003B1;</mi>" in maths[6]
        assert "<mn>0</mn><mrow><mo>&#x0002C;</mo></mrow><mn>05</mn>" in maths[6]  # 0,05
        assert re.search(r"<td><math\b", page) and re.search(r"<em><math\b", page)
        assert re.search(r'<h1 id="[^"]*">Kans <math\b', page)
        shown = hostile.visible_text(_text_of(page))
        assert "\\" not in shown and "$O" not in shown and "data-hbomkb" not in page
        assert f"kosten {MONEY}, $x$." in shown  # from data and in code: as written
    assert nb.cells[0].source == source  # the notebook keeps its TeX


def _formulas(markdown: str) -> tuple[list[tuple[str, bool]], str]:
    """The formulas :func:`md.replace_formulas` finds in ``markdown`` (TeX, set apart), and
    the Markdown with each of them as ``F``."""
    found: list[tuple[str, bool]] = []
    out = md.replace_formulas(markdown, lambda tex, block: found.append((tex, block)) or "F")
    return found, out


def test_a_formula_that_does_not_reach_the_page_stops_the_rendering(monkeypatch):
    # as if nbconvert wrote the placeholders in a form the page's last step does not know
    monkeypatch.setattr(render, "_PLACEHOLDER", r'<span data-other="({token}-\d+)"></span>')
    with pytest.raises(RuntimeError, match="did not reach the page"):
        render_html(_with_formulas())
    monkeypatch.undo()
    assert render_html(_with_formulas()).count("<math") == 7


def test_which_dollars_are_formulas():
    text = ("$a$ en $$b + c$$; " + md.text("$5 of $10") + " \\$d$ `$e$` costs $5 and $10, "
            "$f$5 $ g$ $h $\n\n```\n$i$\n```\n$j\nk$ $l\n\nm$")
    found, out = _formulas(text)
    assert found == [("a", False), ("b + c", True), ("j\nk", False)]
    assert out.startswith("F en F; " + md.text("$5 of $10") + " \\$d$ `$e$` costs $5 and $10")
    assert "```\n$i$\n```" in out and "$l\n\nm$" in out


def test_every_formula_of_the_methods_section_converts(tmp_path):
    for language in ("nl", "en"):
        study = Study(root=tmp_path, name="t", title="T", synthetic=True, language=language,
                      regions=(Region("noord", "Noord"),), min_group_size=3,
                      thresholds=Thresholds(underserved=9, high=11.5, extreme=14))
        text = methods(study, {"deelnemers": 8})
        formulas, _ = _formulas(text)
        assert len(formulas) == text.count("$") // 2 >= 20
        for tex, _ in formulas:
            mathml = md.formula_mathml(tex)
            shown = html.unescape(re.sub(r"<[^>]+>", "", mathml))
            # every command understood: no backslash or brace left, no command name shown
            assert not re.search(r"[\\{}]|cdot|geq|alpha|text", shown), (tex, mathml)
    with pytest.raises(ValueError, match=r"x\^"):
        md.formula_mathml("x^")


def test_text_from_data_keeps_its_code_font_and_shows_as_written_in_the_page():
    # what md.code and md.text write (a <code> element, a <span> around a dollar) reaches the
    # page whole, not as empty elements before the text
    markdown = (f"| | |\n|---|---|\n| studie | T ({md.code('mini')}) |\n\n"
                f"bestand {md.code('a|b`c.xlsx')}: {md.text('$5 of $10')}")
    nb = new_notebook(cells=[new_code_cell("x", execution_count=1, outputs=[
        new_output("display_data", {"text/markdown": markdown, "text/plain": "x"})])])
    nb.metadata["language_info"] = {"name": "python"}
    page = render_html(nb, review=True)
    assert "<td>T (<code>mini</code>)</td>" in page
    assert "<code>a|b`c.xlsx</code>" in page
    assert "<span>$</span>5 of <span>$</span>10" in page and "<code></code>" not in page
