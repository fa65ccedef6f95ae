"""A hostile study for the publishing tests: text from data that would become markup, a link, a
formula or a broken table if it got through, each payload with a marker of its own.

A payload that ran as markup in a browser would leave its marker: ``document.title`` set to
``pwned-1``, an attribute ``data-pwnedN`` on the page's root element, or an element whose id,
``href`` or ``src`` names ``pwnedN``. :func:`fired` finds every marker in a page (the DOM a
browser dumped, or plain HTML). The payloads avoid dots, ``@`` and names, so redaction of
personal data (which turns a domain into ``[link]``) leaves them as they are and the tests can
check that each one reaches the report, as text.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import yaml
from openpyxl import load_workbook

from hbomkb import config


def _attr(n: int) -> str:
    """JavaScript that sets the attribute marker ``data-pwned<n>`` (no dots: see module doc)."""
    return f"document['documentElement']['dataset']['pwned{n}']='1'"


# Every payload, by number; the number is in its marker.
PAYLOADS: dict[int, str] = {
    1: "<img src=x onerror=\"document['title']='pwned-1'\">",
    2: f"<script>{_attr(2)}</script>",
    3: '<b id="pwned3">vet</b>',
    4: f'<svg onload="{_attr(4)}"></svg>',
    5: f"[klik hier](javascript:{_attr(5)})",
    6: f"<img src=x onerror=\"setTimeout(function(){{{_attr(6)}}},2000)\">",
    7: f'"><img src=x onerror="{_attr(7)}">',
    8: '<a id="pwned8" href="#">lees meer</a>',
    9: f"<details open ontoggle=\"{_attr(9)}\">x</details>",
    10: "![beeld](pwned10png)",
}
# Payloads that need a scheme, a dot or an @ and so go only where nothing is redacted
# (study.yaml: the title and region names).
UNREDACTED = {
    11: "https://pwned11/pad",
    12: "<a href='https://pwned12'>klik</a>",
}
# Text that must show as written: a formula in a spreadsheet, math in a page, a broken table.
MONEY = "$5 of $10"
PIPE_TICK = "a|b `c` d"
FORMULAS = ('=HYPERLINK("#pwned13","klik")', "=cmd|' /C calc'!A0", "+1+1+cmd|x",
            "@SUM(1+1)", "-2+3+cmd|x")

TITLE_MARKER = re.compile(r"pwned-\d+")


# --------------------------------------------------------------------------------- detection

class _Page(HTMLParser):
    """The elements, attributes, title and visible text of a page."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.title = ""
        self.text: list[str] = []
        self._skip = 0
        self._in_title = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "style"):
            self._skip += 1
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.text.append(data)


def fired(page: str) -> list[str]:
    """Every marker a payload left in ``page``: ``title``, ``data-pwnedN``, or an element
    (``<tag> id=…``, ``href=…``, ``src=…``, an event handler) that names ``pwned``."""
    parsed = _Page(page)
    found = []
    if TITLE_MARKER.fullmatch(parsed.title.strip()):
        found.append(f"title {parsed.title.strip()}")
    for tag, attrs in parsed.tags:
        for name, value in attrs.items():
            if name.startswith("data-pwned"):
                found.append(name)
            elif (name in ("id", "href", "src", "srcdoc", "action") or name.startswith("on")) \
                    and "pwned" in value:
                found.append(f"<{tag} {name}={value}>")
    return found


def visible_text(page: str) -> str:
    """The text a reader sees in ``page`` (no scripts, no styles, entities decoded), with
    white space runs as one space."""
    return re.sub(r"\s+", " ", "".join(_Page(page).text))


def shown_markdown(markdown: str) -> str:
    """What a reader of the HTML report sees of ``markdown``: rendered the way nbconvert
    renders a Markdown output, then as visible text."""
    # deferred: nbconvert takes seconds to import; only the tests that render need it
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return visible_text(markdown2html_mistune(markdown))


def rendered_markdown(markdown: str) -> str:
    """``markdown`` as nbconvert renders it (HTML)."""
    # deferred: nbconvert takes seconds to import; only the tests that render need it
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(markdown)


# --------------------------------------------------------------------------------- the study

def _rename_in_sheet(path: Path, sheet: str, column: str, old: str, new: str,
                     where: dict | None = None) -> int:
    wb = load_workbook(path)
    ws = wb[sheet]
    header = [str(c.value).strip().lower() for c in ws[1]]
    col = header.index(column) + 1
    n = 0
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, col).value != old:
            continue
        if where and any(ws.cell(row, header.index(k) + 1).value != v for k, v in where.items()):
            continue
        ws.cell(row, col).value = new
        n += 1
    wb.save(path)
    return n


def _first(path: Path, sheet: str, column: str, **where) -> str:
    wb = load_workbook(path, read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    header = [str(h).strip().lower() for h in rows[0]]
    for r in rows[1:]:
        rec = dict(zip(header, r, strict=False))
        if all(rec.get(k) == v for k, v in where.items()) and rec.get(column):
            return rec[column]
    raise KeyError((sheet, column, where))


def rename_cluster(study: Path, region: str, kind: str, old: str, new: str) -> None:
    """Rename one regional cluster everywhere it is named: the workshop's notes, clusters and
    ratings, and the codebook's mapping, as a researcher would who typed ``new``."""
    book = study / "workshops" / f"{region}.xlsx"
    sheets = (("outcome_notes", "outcome_clusters", "outcome_ratings") if kind != "form"
              else ("form_notes", "form_clusters"))
    for sheet in sheets:
        assert _rename_in_sheet(book, sheet, "cluster", old, new) > 0, (sheet, old)
    assert _rename_in_sheet(study / "codebook.xlsx", "mapping", "cluster", old, new,
                            {"region": region, "kind": kind}) > 0


def _set_open_answers(study: Path, answers: list[str]) -> None:
    """Put ``answers`` into the open questions (missing outcomes) of the first complete
    responses of the survey export, keeping its dialect."""
    path = study / "survey" / "responses.csv"
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t")
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    header = rows[0]
    submit, role = header.index("submitdate"), header.index("rol")
    todo = list(answers)
    for row in rows[1:]:
        if todo and row[submit] and f"open{row[role]}" in header:
            row[header.index(f"open{row[role]}")] = todo.pop(0)
    assert not todo, "not enough complete responses"
    out = io.StringIO(newline="")
    csv.writer(out, dialect, quoting=csv.QUOTE_ALL, lineterminator="\r\n"
               if "\r\n" in text else "\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))


def make_hostile_study(root: Path, seed: int = 11) -> dict[str, str]:
    """A two-region synthetic study (noord, oost; with survey) whose text carries the payloads.

    Returns where each payload went (a short name -> the text as typed), so a test can check
    that it reaches the report as text. The study stays valid: ``hbomkb validate`` passes.
    """
    from hbomkb.demo.generator import generate

    generate(root, seed=seed, regions=["noord", "oost"])
    placed: dict[str, str] = {}
    spec = yaml.safe_load((root / "study.yaml").read_text(encoding="utf-8"))
    spec["title"] = f"Studie {PAYLOADS[2]} {UNREDACTED[11]} {MONEY}"
    spec["regions"][0]["name"] = f"Noord {PAYLOADS[7]}"
    spec["regions"][1]["name"] = f"Oost {UNREDACTED[12]} {PAYLOADS[3]}"
    (root / "study.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    placed.update(title=spec["title"], region_noord=spec["regions"][0]["name"],
                  region_oost=spec["regions"][1]["name"])

    # regional cluster labels of each side in noord (join keys: renamed everywhere)
    book = root / "workshops" / "noord.xlsx"
    for role, payload in (("hbo", PAYLOADS[1]), ("mkb", f"{PAYLOADS[4]} {MONEY}")):
        old = _first(book, "outcome_clusters", "cluster", role=role)
        rename_cluster(root, "noord", f"outcome_{role}", old, payload)
        placed[f"cluster_{role}"] = payload
    form = _first(book, "form_clusters", "cluster")
    rename_cluster(root, "noord", "form", form, PAYLOADS[8])
    placed["cluster_form"] = PAYLOADS[8]

    # national codebook: a label and a theme
    codebook = root / "codebook.xlsx"
    wb = load_workbook(codebook)
    ws = wb["clusters"]
    header = [str(c.value).strip().lower() for c in ws[1]]
    ws.cell(2, header.index("label_nl") + 1).value = f"{PAYLOADS[5]} {PIPE_TICK}"
    ws.cell(3, header.index("label_nl") + 1).value = PAYLOADS[9]
    placed.update(label_1=f"{PAYLOADS[5]} {PIPE_TICK}", label_2=PAYLOADS[9])
    wb.save(codebook)

    # notes: markup and formulas, each on the first note of a cluster of its own
    wb = load_workbook(book)
    ws = wb["outcome_notes"]
    header = [str(c.value).strip().lower() for c in ws[1]]
    note, cluster = header.index("note") + 1, header.index("cluster") + 1
    rows, seen = [], set()
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, cluster).value and ws.cell(r, cluster).value not in seen:
            seen.add(ws.cell(r, cluster).value)
            rows.append(r)
    for i, (r, text) in enumerate(zip(rows, (PAYLOADS[6], FORMULAS[0], FORMULAS[1],
                                             PAYLOADS[10]), strict=False)):
        ws.cell(r, note).value = text
        ws.cell(r, note).data_type = "s"  # typed as text (openpyxl would store "=…" as a formula)
        placed[f"note_{i}"] = text
    wb.save(book)

    # open answers in the survey
    _set_open_answers(root, list(FORMULAS[2:]))
    placed.update({f"open_{i}": t for i, t in enumerate(FORMULAS[2:])})

    # a stray file whose name would break a Markdown table or code span
    (root / "extra").mkdir()
    (root / "extra" / f"lees {PIPE_TICK} {MONEY}.txt").write_text("x", encoding="utf-8")
    placed["file"] = f"extra/lees {PIPE_TICK} {MONEY}.txt"
    return placed


# --------------------------------------------------------------------------------- running

def env(tmp: Path, **extra: str) -> dict:
    """The environment of an ``hbomkb`` subprocess whose data, reports and figures live in
    ``tmp``."""
    e = dict(os.environ)
    e.update(HBOMKB_DATA_DIR=str(tmp / "data"), HBOMKB_REPORTS_DIR=str(tmp / "reports"),
             HBOMKB_FIGURES_DIR=str(tmp / "figures"), PYTHONPATH=str(config.PROJECT_DIR),
             MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", str(tmp / "mpl")), **extra)
    return e


def hbomkb(tmp: Path, *args: str, timeout: float = 900, **extra: str
           ) -> subprocess.CompletedProcess:
    """Run ``hbomkb <args>`` with :func:`env`."""
    return subprocess.run([sys.executable, "-m", "hbomkb", *args], env=env(tmp, **extra),
                          capture_output=True, text=True, timeout=timeout)


def snapshot(*folders: Path) -> dict[str, bytes]:
    """Every file under ``folders`` (hidden ones included) as ``{relative path: bytes}``."""
    out = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                out[f"{folder.name}/{p.relative_to(folder).as_posix()}"] = p.read_bytes()
    return out


_RUNS: dict[str, tuple[Path, dict[str, str]]] = {}


def hostile_run(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The hostile study run through ``hbomkb run`` once per test session (shared by the
    test modules that read its reports): the temporary folder, and where each payload went.
    Its reports are in ``<tmp>/reports/hostile``, its figures in ``<tmp>/figures/hostile``."""
    if "hostile" not in _RUNS:
        tmp = tmp_path_factory.mktemp("hostile")
        placed = make_hostile_study(tmp / "data" / "raw" / "hostile")
        res = hbomkb(tmp, "run", "--study", "hostile", "--jobs", "2", "--no-progress")
        assert res.returncode == 0, res.stdout + res.stderr
        _RUNS["hostile"] = (tmp, placed)
    return _RUNS["hostile"]


def copy_study(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


# --------------------------------------------------------------------------------- light runs

LIGHT_BODY = """\
import os, pathlib, time
import pandas as pd
from matplotlib.figure import Figure
from hbomkb import notebook
report = notebook.open_report(study, region or None, reports_dir, figures_dir, load=False)
marks = pathlib.Path(os.environ.get("HBOMKB_TEST_MARKS") or "/nonexistent")
if marks.is_dir():
    (marks / f"started-{report.name}").touch()
time.sleep(float(os.environ.get("HBOMKB_TEST_SLEEP") or 0))
notebook.show_table(pd.DataFrame({"kant": ["hbo"], "n": [4]}), "licht", report, n=4)
fig = Figure()
fig.add_subplot().plot([0, 1], [0, 1])
notebook.show_figure(fig, "licht", report, caption="Licht")
if marks.is_dir():
    (marks / f"finished-{report.name}").touch()
if os.environ.get("HBOMKB_TEST_FAIL") == report.name:
    raise RuntimeError("kapot")
"""


def light_notebooks(folder: Path) -> Path:
    """Notebooks named like the real ones that record one table and one figure, in seconds.

    Steered by the environment: ``HBOMKB_TEST_MARKS`` (a folder: each notebook touches
    ``started-<report>`` and ``finished-<report>`` there), ``HBOMKB_TEST_SLEEP`` (seconds
    between the two), ``HBOMKB_TEST_FAIL`` (the report that fails after its outputs).
    """
    # deferred: nbformat is needed only by the tests that run notebooks
    import nbformat

    from hbomkb.publish import run as report_run

    folder.mkdir()
    for name, region in ((report_run.REGION_NOTEBOOK, True),
                         (report_run.NATIONAL_NOTEBOOK, False)):
        params = nbformat.v4.new_code_cell(
            'study: str = "demo"\n' + ('region: str = "noord"\n' if region else "region = ''\n")
            + 'reports_dir: str = ""\nfigures_dir: str = ""')
        params.metadata["tags"] = ["parameters"]
        nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(LIGHT_BODY)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, folder / name)
    return folder


def processes_tagged(tag: str) -> list[int]:
    """The live processes (not zombies) whose environment carries ``HBOMKB_TEST_TAG=<tag>``:
    a run started with that tag, its workers, their kernels and any child of those."""
    want = f"HBOMKB_TEST_TAG={tag}".encode()
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if want not in (d / "environ").read_bytes().split(b"\0"):
                continue
            state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(d.name))
    return found


def wait_for(condition, seconds: float, step: float = 0.2):
    """Poll ``condition`` until it returns something true or ``seconds`` have passed; return
    its last value."""
    end = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > end:
            return value
        time.sleep(step)
