"""An executed report notebook as HTML: the full page, and the reviewer's page without code.

Rendering is nbconvert's :class:`~nbconvert.HTMLExporter` with the project's template
``templates/hbomkb`` (nbconvert's lab page; see the template for what it changes). The reviewer
version is the same page with every code cell's input and every prompt left out.

A page stands on its own, offline: it requests nothing. Images stay inline (``data:`` URLs);
the template leaves out the scripts nbconvert's page would fetch from a CDN (require.js,
MathJax, mermaid, the widget manager); and the report's own formulas (``$…$`` in Markdown
cells and Markdown outputs, found by :func:`hbomkb.present.markdown.replace_formulas`) are
MathML, which the browser typesets itself. The notebook keeps its ``$…$`` (JupyterLab
typesets them with its own MathJax): only the copy nbconvert renders is changed.

How a formula gets there: :class:`MathMLFormulas` puts an empty placeholder element in the
Markdown in its place, nbconvert renders the page, and :func:`render_html` puts the MathML in
the placeholder's place, so the Markdown renderer never has to carry it.

nbconvert's image embedding (``embed_images``) stays off: it re-parses every inline HTML tag of
Markdown on its own and closes it at once, which turned the ``<code>`` and ``<span>`` that the
escape of data writes (:mod:`hbomkb.present.markdown`) into empty elements. The reports have no
Markdown images to embed; figures are outputs, inline as ``data:`` URLs already.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from pathlib import Path

from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode

from hbomkb.present.markdown import formula_mathml, replace_formulas

TEMPLATES = Path(__file__).resolve().with_name("templates")
TEMPLATE = "hbomkb"
MARKDOWN = "text/markdown"
# Where the formulas of one page are kept between the preprocessor and the page: a key of the
# resources nbconvert hands through a rendering.
FORMULAS = "hbomkb_formulas"
# A placeholder as nbconvert writes it back: ``<span …></span>``, or ``<span … />`` from a
# heading (which nbconvert parses and writes again with ElementTree).
PLACEHOLDER_ATTRIBUTE = "data-hbomkb-formula"
_PLACEHOLDER = '<span ' + PLACEHOLDER_ATTRIBUTE + r'="({token}-\d+)"\s*(?:/>|>\s*</span>)'


class MathMLFormulas(Preprocessor):
    """Each formula of every Markdown cell and Markdown output replaced by a placeholder
    element, its MathML kept in ``resources[FORMULAS]`` under the placeholder's id. Ids start
    with a random token of the rendering, so no text in the page can name one."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        resources[FORMULAS] = {"token": secrets.token_hex(8), "mathml": {}}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int
                        ) -> tuple[NotebookNode, dict]:
        formulas = resources[FORMULAS]

        def placeholder(tex: str, block: bool) -> str:
            key = f"{formulas['token']}-{len(formulas['mathml'])}"
            formulas["mathml"][key] = formula_mathml(tex, block)
            return f'<span {PLACEHOLDER_ATTRIBUTE}="{key}"></span>'

        if cell.cell_type == "markdown":
            cell.source = replace_formulas(cell.source, placeholder)
        for output in cell.get("outputs", ()):
            data = output.get("data", {})
            if MARKDOWN in data:
                text = data[MARKDOWN]
                data[MARKDOWN] = replace_formulas(
                    text if isinstance(text, str) else "".join(text), placeholder)
        return cell, resources


@cache
def exporter(review: bool = False, language: str = "nl") -> HTMLExporter:
    """The HTML exporter for a full page or (``review``) a page without code, in a page
    language (``<html lang>``); made once per process."""
    html = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATES)],
                        exclude_input=review, exclude_input_prompt=review,
                        exclude_output_prompt=review, embed_images=False,
                        language_code=language)
    html.register_preprocessor(MathMLFormulas(), enabled=True)
    return html


def render_html(nb: NotebookNode, review: bool = False, title: str = "",
                language: str = "nl") -> str:
    """HTML of an executed notebook; ``review`` leaves out every code cell's input. ``nb``
    itself is not changed (nbconvert renders a copy). A placeholder left in the page (one that
    nbconvert wrote in a form this module does not know) raises ``RuntimeError``: the page
    would silently miss that formula."""
    resources = {"metadata": {"name": title}} if title else None
    page, out = exporter(review, language).from_notebook_node(nb, resources=resources)
    token, mathml = out[FORMULAS]["token"], out[FORMULAS]["mathml"]
    page = re.sub(_PLACEHOLDER.format(token=token), lambda m: mathml[m.group(1)], page)
    if token in page:
        at = page.index(token)
        left = page[max(at - 80, 0):at + 40]
        raise RuntimeError("a formula did not reach the page: its placeholder is left in a form "
                           f"hbomkb.publish.render does not know: {left!r}")
    return page
