"""A real browser reads the rendered reports: those of the hostile study (tests/hostile.py),
and those of a small demo study, offline.

Debian's chromium, headless, loads each page from disk (``--dump-dom``, with a virtual time
budget so timers in a payload get their turn) and hands back the DOM after its scripts ran.
Every payload would leave a marker of its own there — a title, an attribute, an element — and
none may. A control page with the same payloads unescaped shows that each of them does fire,
so the check is not blind. The same holds for formulas, which a page carries as MathML (no
MathJax): the report's own are ``<math>`` elements, a "$5 of $10" from data is text.

The same chromium, driven by Playwright (from PyPI; its own browser builds are never
downloaded), opens the reports index, a region's reviewer report and the national report of a
demo study and watches every request they make: none may leave the file (a scheme other than
``file:`` or ``data:``), no formula may show as TeX, every image must load and the
synthetic-data banner must be there. A control page that does ask the web shows that the
requests are seen.

Where chromium or Playwright is missing the tests skip with the reason, except in CI
(``CI=true``; .ci/run installs chromium, ``make test`` Playwright), where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hostile import MONEY, PAYLOADS, UNREDACTED, fired, hbomkb, hostile_run, visible_text
from nbformat.v4 import new_code_cell, new_notebook, new_output

from hbomkb.present import markdown as md
from hbomkb.publish.render import render_html

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the dev extra is not installed: the Playwright tests say so
    sync_playwright = None

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
MATH = re.compile(r"<math\b")
# A formula as TeX: two dollars around something that does not start or end with a space, or
# a TeX command the reports use.
TEX = re.compile(r"\$[^$\s](?:[^$\n]*[^$\s])?\$|\\(?:cdot|geq|max|alpha|text)\b")


def need(found: object, reason: str) -> None:
    """Skip the test with ``reason`` when ``found`` is missing; in CI (``CI=true``) fail."""
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: the browser tests must run)")
        pytest.skip(reason)


@pytest.fixture(scope="module", autouse=True)
def chromium() -> str:
    """Debian's chromium, which every test here drives."""
    need(CHROMIUM, "no chromium on this machine: the browser tests need Debian's chromium "
         "(apt-get install -y chromium; .ci/run installs it when missing)")
    return CHROMIUM


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




# --------------------------------------------------------------------------------- formulas

def test_formulas_are_mathml_and_dollars_from_data_stay_text(tmp_path):
    shaped = "kosten $x$ en $y$"  # data shaped like two formulas
    control = _page(tmp_path, [f"Kosten {shaped}."], "control.html")
    assert len(MATH.findall(dump_dom(control, tmp_path))) == 2  # unescaped, it would be typeset
    latex = "a \\(b\\) c"  # LaTeX's own delimiters, from data
    page = _page(tmp_path, [f"Kosten {md.text(MONEY)}, {md.text(shaped)} en {md.text(latex)}.",
                            "Formule $O = I + \\max(I - S, 0)$."])
    dom = dump_dom(page, tmp_path)
    assert len(MATH.findall(dom)) == 1  # the formula, and nothing else
    shown = visible_text(dom)
    assert f"Kosten {MONEY}, {shaped} en {latex}." in shown
    assert "\\max" not in shown and "$O" not in shown


def test_the_hostile_reports_typeset_their_formulas_not_the_dollars_of_data(hostile, tmp_path):
    reports, _, placed = hostile
    for name, key in (("region-noord.html", "cluster_mkb"), ("national.html", "title")):
        dom = dump_dom(reports / name, tmp_path)
        shown = visible_text(dom)
        # "… $5 of $10" as written: a cluster label in tables and text, the study's title
        assert placed[key] in shown
        if name == "national.html":
            assert len(MATH.findall(dom)) >= 20  # the methods' formulas
            assert not TEX.search(shown.replace(MONEY, ""))  # no formula shown as TeX


# --------------------------------------------------------------------------------- offline

@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory) -> Path:
    """The reports folder of a one-region demo study (with survey) run through ``hbomkb run``,
    as test_run.py makes its own."""
    from hbomkb.demo.generator import generate

    tmp = tmp_path_factory.mktemp("offline")
    generate(tmp / "data" / "raw" / "mini", seed=11, regions=["noord"])
    res = hbomkb(tmp, "run", "--study", "mini", "--jobs", "2", "--no-progress")
    assert res.returncode == 0, res.stdout + res.stderr
    return tmp / "reports" / "mini"


@pytest.fixture(scope="module")
def browser(chromium):
    """The system chromium under Playwright (``executable_path``: Playwright's own browser
    builds are not installed, and cannot be)."""
    need(sync_playwright, "Playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []  # chromium as root: no sandbox
        browser = playwright.chromium.launch(executable_path=chromium, args=args)
        yield browser
        browser.close()


def visit(browser, page: Path) -> dict:
    """Open ``page`` offline: every request is seen, a request with a scheme other than
    ``file:`` or ``data:`` is aborted. What the page asked for and showed: ``requests`` (every
    URL), ``refused`` (the aborted ones), ``text`` (the visible text), ``images`` (for each
    ``<img>``: its description and whether it loaded), ``maths`` (for each ``<math>``: whether
    the browser took it for MathML and its width)."""
    tab = browser.new_page()
    requests: list[str] = []
    refused: list[str] = []

    def route(route) -> None:
        url = route.request.url
        if url.split(":", 1)[0] in ("file", "data"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    tab.on("request", lambda request: requests.append(request.url))
    tab.route("**/*", route)
    try:
        tab.goto(page.as_uri(), wait_until="load")
        tab.wait_for_timeout(300)  # a request made by a script after the load
        return {"requests": requests, "refused": refused, "text": tab.inner_text("body"),
                "images": tab.evaluate(
                    "() => [...document.images].map(i => [i.alt, i.complete && "
                    "i.naturalWidth > 0])"),
                "maths": tab.evaluate(
                    "() => [...document.querySelectorAll('math')].map(m => "
                    "[m instanceof MathMLElement, m.getBoundingClientRect().width])")}
    finally:
        tab.close()


def test_control_a_page_that_asks_the_web_is_caught(browser, tmp_path):
    page = tmp_path / "online.html"
    page.write_text('<!DOCTYPE html><html><head><script src="https://cdnjs.invalid/x.js">'
                    '</script></head><body><p>$O = I$</p><img alt="weg" '
                    'src="http://example.invalid/x.png"></body></html>', encoding="utf-8")
    seen = visit(browser, page)
    assert sorted(seen["refused"]) == ["http://example.invalid/x.png",
                                       "https://cdnjs.invalid/x.js"]
    assert seen["images"] == [["weg", False]]
    assert TEX.search(seen["text"])


@pytest.mark.parametrize("name", ["index.html", "region-noord-review.html", "national.html"])
def test_a_report_opens_offline(browser, demo_reports, name):
    seen = visit(browser, demo_reports / name)
    assert seen["refused"] == [], seen["refused"]
    assert all(u.startswith(("file:", "data:")) for u in seen["requests"]), seen["requests"]
    assert "SYNTHETISCHE DATA" in seen["text"]
    assert not TEX.search(seen["text"]), TEX.search(seen["text"])
    assert all(loaded for _, loaded in seen["images"]), seen["images"]
    assert all(is_mathml and width > 0 for is_mathml, width in seen["maths"]), seen["maths"]
    if name != "index.html":
        assert seen["images"]  # the figures, inline
    if name == "national.html":
        assert len(seen["maths"]) >= 20  # the methods' formulas, typeset
