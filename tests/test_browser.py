"""A real browser reads the rendered reports of the hostile study (tests/hostile.py).

Debian's chromium, headless, loads each page from disk (``--dump-dom``, with a virtual time
budget so timers in a payload get their turn) and hands back the DOM after its scripts ran.
Every payload would leave a marker of its own there — a title, an attribute, an element — and
none may. A control page with the same payloads unescaped shows that each of them does fire,
so the check is not blind. With Debian's MathJax (``libjs-mathjax``) in place of the CDN copy
the report pages load, the same holds for formulas: the report's own are typeset, a "$5 of $10"
from data is not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hostile import MONEY, PAYLOADS, UNREDACTED, fired, hostile_run, visible_text
from nbformat.v4 import new_code_cell, new_notebook, new_output

from hbomkb.present import markdown as md
from hbomkb.publish.render import render_html

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine: the browser tests need Debian's "
    "chromium (apt-get install -y chromium; .ci/run installs it when missing)")
MATHJAX = Path("/usr/share/javascript/mathjax/MathJax.js")
CDN_MATHJAX = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[\d.]+/latest\.js")
MATH = re.compile(r'class="[^"]*\bMathJax_CHTML\b')


def dump_dom(page: Path, tmp: Path) -> str:
    """The DOM of ``page`` after a headless chromium loaded it and ran its scripts (and 10 s
    of virtual time for timers)."""
    args = [CHROMIUM, "--headless", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={tmp / 'chromium-profile'}", "--allow-file-access-from-files",
            "--virtual-time-budget=10000", "--dump-dom", page.as_uri()]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # chromium refuses to run as root with its sandbox
    res = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0 and re.search(r"<(html|svg)\b", res.stdout), res.stderr[-2000:]
    return res.stdout


def _page(tmp: Path, markdown: list[str], name: str = "page.html") -> Path:
    """A report page (nbconvert, the project's template) with ``markdown`` as outputs."""
    outputs = [new_output("display_data", {"text/markdown": m, "text/plain": "x"})
               for m in markdown]
    nb = new_notebook(cells=[new_code_cell("x", execution_count=1, outputs=outputs)])
    nb.metadata["language_info"] = {"name": "python"}
    path = tmp / name
    path.write_text(render_html(nb, title="controle"), encoding="utf-8")
    return path


def _numbers(markers: list[str]) -> set[int]:
    return {int(n) for m in markers for n in re.findall(r"pwned-?(\d+)", m)}


ALL = {**PAYLOADS, **UNREDACTED}


def test_control_the_same_payloads_unescaped_do_fire(tmp_path):
    # each payload as a Markdown output of its own and inside a sentence, as a narrative
    # that did not escape would put it
    page = _page(tmp_path, list(ALL.values())
                 + [f"De groep koos {p} als kans." for p in ALL.values()])
    dom = dump_dom(page, tmp_path)
    markers = fired(dom)
    assert _numbers(markers) == set(ALL), markers
    assert "title pwned-1" in markers  # an event handler ran
    assert {"data-pwned2", "data-pwned4", "data-pwned6", "data-pwned7", "data-pwned9"} <= \
        set(markers)  # a script, an SVG, a timer, a broken attribute, a toggle ran


def test_the_same_payloads_escaped_stay_text(tmp_path):
    page = _page(tmp_path, [f"De groep koos {md.text(p)} als kans." for p in ALL.values()])
    dom = dump_dom(page, tmp_path)
    assert fired(dom) == []
    shown = visible_text(dom)
    for payload in ALL.values():
        assert payload in shown


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp, placed = hostile_run(tmp_path_factory)
    return tmp / "reports" / "hostile", tmp / "figures" / "hostile", placed


@pytest.mark.parametrize("name", ["region-noord.html", "region-noord-review.html",
                                  "region-oost.html", "national.html",
                                  "national-review.html", "index.html"])
def test_no_payload_fires_in_the_rendered_reports(hostile, tmp_path, name):
    reports, _, placed = hostile
    dom = dump_dom(reports / name, tmp_path)
    assert fired(dom) == []
    # the payloads are there, as text
    shown = visible_text(dom)
    assert placed["title"] in shown
    if name.startswith("region-noord"):
        for key in ("region_noord", "cluster_hbo", "cluster_mkb", "cluster_form", "note_0"):
            assert placed[key] in shown, key
    if name.startswith("national"):
        for key in ("label_1", "label_2", "region_oost"):
            assert placed[key] in shown, key


def test_no_payload_fires_in_a_figure(hostile, tmp_path):
    _, figures, placed = hostile
    svg = figures / "noord-landschap.svg"
    dom = dump_dom(svg, tmp_path)
    assert fired(dom) == []
    assert placed["cluster_hbo"] in visible_text(dom)


def _with_local_mathjax(page: Path, tmp: Path) -> Path:
    """A copy of ``page`` that loads Debian's MathJax 2.7 instead of the CDN's 2.7."""
    text = page.read_text(encoding="utf-8")
    assert CDN_MATHJAX.search(text), "the page no longer loads MathJax from the CDN"
    out = tmp / f"mathjax-{page.name}"
    out.write_text(CDN_MATHJAX.sub(MATHJAX.as_uri(), text), encoding="utf-8")
    return out


needs_mathjax = pytest.mark.skipif(
    not MATHJAX.is_file(), reason="no local MathJax: the formula tests need Debian's "
    "libjs-mathjax (apt-get install -y libjs-mathjax; .ci/run installs it when missing)")


@needs_mathjax
def test_mathjax_typesets_a_formula_but_not_dollars_from_data(tmp_path):
    control = _with_local_mathjax(_page(tmp_path, [f"Kosten {MONEY}."], "control.html"),
                                  tmp_path)
    assert MATH.search(dump_dom(control, tmp_path))  # unescaped, "$5 of $" is typeset
    latex = "a \\(b\\) c"  # LaTeX's own delimiters, from data
    page = _with_local_mathjax(_page(tmp_path, [
        f"Kosten {md.text(MONEY)} en {md.text(latex)}.", "Formule $O = I + 1$."]), tmp_path)
    dom = dump_dom(page, tmp_path)
    assert len(MATH.findall(dom)) == 1  # the formula, and nothing else
    assert f"Kosten {MONEY} en {latex}." in visible_text(dom)


@needs_mathjax
def test_mathjax_leaves_the_dollars_of_the_hostile_reports_alone(hostile, tmp_path):
    reports, _, placed = hostile
    for name, key in (("region-noord.html", "cluster_mkb"), ("national.html", "title")):
        dom = dump_dom(_with_local_mathjax(reports / name, tmp_path), tmp_path)
        shown = visible_text(dom)
        # "… $5 of $10" as written: a cluster label in tables and text, the study's title
        assert placed[key] in shown
        if name == "national.html":
            assert MATH.search(dom)  # the methods' formulas are typeset
