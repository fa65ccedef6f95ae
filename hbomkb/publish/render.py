"""An executed report notebook as HTML: the full page, and the reviewer's page without code.

Rendering is nbconvert's :class:`~nbconvert.HTMLExporter` with the project's template
``templates/hbomkb`` (nbconvert's lab page; see the template for the one change). The reviewer
version is the same page with every code cell's input and every prompt left out. Images stay
inline (``data:`` URLs), so a page stands on its own.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from nbconvert import HTMLExporter
from nbformat import NotebookNode

TEMPLATES = Path(__file__).resolve().with_name("templates")
TEMPLATE = "hbomkb"


@cache
def exporter(review: bool = False, language: str = "nl") -> HTMLExporter:
    """The HTML exporter for a full page or (``review``) a page without code, in a page
    language (``<html lang>``); made once per process."""
    return HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATES)],
                        exclude_input=review, exclude_input_prompt=review,
                        exclude_output_prompt=review, embed_images=True,
                        language_code=language)


def render_html(nb: NotebookNode, review: bool = False, title: str = "",
                language: str = "nl") -> str:
    """HTML of an executed notebook; ``review`` leaves out every code cell's input."""
    resources = {"metadata": {"name": title}} if title else None
    page, _ = exporter(review, language).from_notebook_node(nb, resources=resources)
    return page
