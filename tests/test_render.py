"""Rendering an executed notebook: the full page and the reviewer's page without code."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hbomkb.present.html import figure_html, table_html
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
