"""Safe to publish, the publishing side (issue 11, points 1, 2, 8, 9 and 10).

A hostile study (tests/hostile.py) whose titles, region names, cluster labels, codebook labels,
notes, open answers and file names carry markup, links, formulas and table breakers, run
through ``hbomkb run``; and light runs that are killed, run twice at once, publish figures to
another file system and fill the disk. Each case asserts what a reader or user would see.
The browser's view of the same reports is in tests/test_browser.py.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from hostile import (
    FORMULAS,
    MONEY,
    PAYLOADS,
    PIPE_TICK,
    UNREDACTED,
    env,
    fired,
    hbomkb,
    hostile_run,
    light_notebooks,
    processes_tagged,
    rendered_markdown,
    snapshot,
    visible_text,
    wait_for,
)
from matplotlib.figure import Figure
from openpyxl import load_workbook

from hbomkb import files
from hbomkb.config import Region, Study
from hbomkb.demo.generator import generate
from hbomkb.present import markdown as md
from hbomkb.present import narrative, plots
from hbomkb.present.html import figure_html, table_html
from hbomkb.problems import Problem, printable
from hbomkb.publish import lock, outputs, provenance
from hbomkb.publish import run as report_run

ALL = list(PAYLOADS.values()) + list(UNREDACTED.values())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile study's run: its reports folder, figures folder, and where each payload
    went."""
    tmp, placed = hostile_run(tmp_path_factory)
    return tmp / "reports" / "hostile", tmp / "figures" / "hostile", placed


# ======================================================================= 1. no markup from data

@pytest.mark.parametrize("payload", ALL + [MONEY, PIPE_TICK, "**vet** _schuin_ ~~weg~~",
                                           "# kop", "- lijst", "1. lijst", "> citaat",
                                           "regel\n\n# kop", "&lt;b&gt; &amp;", "a\\b\\",
                                           "\\(x\\) \\[y\\] $$z$$", "www.pwned.example",
                                           "jan@pwned.example", "Stage- en afstudeerplekken",
                                           "'s-Hertogenbosch", "x\x1b[31my"])
def test_text_from_data_shows_as_written_in_a_sentence_and_in_a_table(payload):
    sentence = f"De groep koos {md.text(payload)} als kans."
    table = f"| cluster | bestand |\n|---|---|\n| {md.text(payload)} | {md.code(payload)} |"
    expected = " ".join(payload.replace("\x1b", "\ufffd").split())
    for source in (sentence, table):
        page = rendered_markdown(source)
        assert fired(page) == []
        # no element of its own: only the paragraph, or the table's cells (and our <code>
        # and the <span> that keeps a $ or \ away from MathJax)
        tags = set(re.findall(r"<([a-z0-9]+)", page))
        assert tags <= {"p", "table", "thead", "tbody", "tr", "th", "td", "code", "span"}, tags
        assert not re.search(r"\$[^<]*\$", page)  # never two dollars MathJax could pair
        assert expected in visible_text(page)
    cells = re.findall(r"<td>(.*?)</td>", rendered_markdown(table), re.S)
    assert len(cells) == 2  # a | or backtick neither splits the row nor ends the code span
    assert visible_text(cells[1]) == expected


def _study(title: str = "Teststudie", names=("Noord", "Oost"), root: Path = Path("/x")) -> Study:
    return Study(root=root, name="t", title=title, synthetic=True,
                 regions=(Region("noord", names[0]), Region("oost", names[1])))


def test_narrative_puts_labels_codes_themes_and_regions_in_as_text():
    labels = {"H01": PAYLOADS[5], "M01": PAYLOADS[9]}
    text = "\n".join([
        narrative.naam("H01", labels, PAYLOADS[1]),
        narrative.naam("H01", labels),
        narrative.naam(PAYLOADS[3], {}),
        narrative.naam("M01", labels, f"{MONEY} {PIPE_TICK}"),
        narrative.common_sentence(pd.DataFrame({
            "region": ["noord"], "common": [True], "pairing": ["theme"], "key": [PAYLOADS[8]],
            "hbo_codes": ["H01"], "mkb_codes": ["M01"]}), labels).text,
    ])
    page = rendered_markdown(text)
    assert fired(page) == []
    shown = visible_text(page)
    for payload in (PAYLOADS[1], PAYLOADS[5], PAYLOADS[3], PAYLOADS[9], PAYLOADS[8], MONEY,
                    PIPE_TICK):
        assert payload in shown


def test_the_provenance_block_keeps_its_table_whatever_the_study_and_file_names(tmp_path):
    root = tmp_path / f"studie {PIPE_TICK}"
    (root / "extra").mkdir(parents=True)
    weird = f"lees {PIPE_TICK} {PAYLOADS[1]} {MONEY}.txt"
    (root / "extra" / weird).write_text("x")
    (root / "study.yaml").write_text("x")
    prov = provenance.collect(_study(f"{PAYLOADS[2]} {UNREDACTED[11]}", root=root),
                              {"study": str(root)})
    page = rendered_markdown(prov.to_markdown())
    assert fired(page) == []
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    files_rows = [r for r in rows if "lees" in r]
    assert len(files_rows) == 1 and files_rows[0].count("<td") == 3
    assert f"extra/{weird}" in visible_text(files_rows[0])
    study_row = next(r for r in rows if "studie" in visible_text(r))
    assert study_row.count("<td") == 2
    assert f"{PAYLOADS[2]} {UNREDACTED[11]}" in visible_text(study_row)


def test_html_pieces_escape_and_keep_mathjax_away():
    table = table_html(pd.DataFrame({PAYLOADS[3]: [PAYLOADS[1], MONEY]}), PAYLOADS[7])
    figure = figure_html(b"\x89PNG", alt=PAYLOADS[7], caption=f"{PAYLOADS[4]} {MONEY}")
    for page in (table, figure):
        assert fired(page) == []
        assert page.startswith(('<div class="tex2jax_ignore"', '<figure class="tex2jax_ignore"'))
    assert PAYLOADS[1] in visible_text(table) and MONEY in visible_text(table)


def test_figures_draw_labels_as_text_not_as_math_or_markup(tmp_path):
    with plots.house_style():
        fig = Figure()
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.set_title(f"{MONEY} {PAYLOADS[4]}")
        ax.annotate(PAYLOADS[1], (0.5, 0.5))
        ax.set_xlabel("\\frac{a}{b} $x^2$")
        png, svg = plots.save(fig, tmp_path / "f")
    assert png.read_bytes()[:4] == b"\x89PNG"
    tree = ET.parse(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = ["".join(t.itertext()) for t in tree.iter(f"{ns}text")]
    # each label drawn as the characters it has: the dollars, the backslash and the tags
    assert f"{MONEY} {PAYLOADS[4]}" in texts and PAYLOADS[1] in texts
    assert "\\frac{a}{b} $x^2$" in texts
    for el in tree.iter():
        assert el.tag.split("}")[-1] not in ("script", "foreignObject", "a", "img")
        assert not any(k.startswith("on") for k in el.attrib)
    assert fired(svg.read_text(encoding="utf-8")) == []


def test_the_hostile_reports_show_every_payload_as_text(hostile):
    reports, figures, placed = hostile
    for name in ("region-noord", "region-oost", "national"):
        for page_name in (f"{name}.html", f"{name}-review.html"):
            page = (reports / page_name).read_text(encoding="utf-8")
            assert fired(page) == [], page_name
    noord = visible_text((reports / "region-noord.html").read_text(encoding="utf-8"))
    national = visible_text((reports / "national.html").read_text(encoding="utf-8"))
    for key in ("title", "region_noord", "cluster_hbo", "cluster_mkb", "cluster_form",
                "note_0", "note_3", "file"):
        assert placed[key] in noord, key
    for key in ("title", "region_oost", "label_1", "label_2"):
        assert placed[key] in national, key
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert fired(index) == []
    assert placed["title"] in visible_text(index) and placed["region_oost"] in visible_text(index)


def test_the_executed_notebooks_carry_no_markup_from_data(hostile):
    reports, _, _ = hostile
    for name in ("region-noord", "national"):
        nb = nbformat.read(reports / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "text/markdown" in data:
                    page = rendered_markdown(data["text/markdown"])
                    assert fired(page) == []
                    # a $ from data stands alone: MathJax cannot pair it with another one
                    assert "$5 of $" not in page
                if "text/html" in data:
                    assert fired(data["text/html"]) == []


def test_svg_figures_of_the_hostile_reports_hold_no_markup(hostile):
    _, figures, placed = hostile
    svgs = sorted(figures.glob("*.svg"))
    assert svgs
    seen = ""
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert fired(text) == [] and "<script" not in text
        seen += " ".join("".join(t.itertext()) for t in ET.parse(svg).iter()
                         if t.tag.endswith("text"))
    assert PAYLOADS[1] in seen  # the hbo cluster label of noord, in the landscape, as text


# ===================================================================== 2. no formulas from data

def test_tables_xlsx_stores_every_text_as_text(hostile):
    reports, _, placed = hostile
    book = reports / "tables.xlsx"
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    wb = load_workbook(book)
    strings = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
               if c.data_type == "s"}
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows()
                   for c in row)
    found = " ".join(strings)
    for formula in (placed["note_1"], placed["note_2"]) + FORMULAS[2:]:
        assert formula in found, formula  # the text itself, not an apostrophe before it


def test_csv_tables_neutralise_formulas_from_data_and_leave_numbers_alone(hostile, tmp_path):
    reports, _, placed = hostile
    cells = [c for p in sorted((reports / "tables").glob("*/*.csv"))
             for row in csv.reader(p.open(encoding="utf-8", newline="")) for c in row]
    formula_like = re.compile(r"^'*[=+\-@\t\r\n]")
    escaped = [c for c in cells if c.startswith("'") and formula_like.match(c[1:])]
    # every cell a spreadsheet would run as a formula carries the apostrophe, except
    # numbers and intervals of numbers, which stay numbers
    for c in cells:
        if formula_like.match(c) and not c.startswith("'"):
            assert re.fullmatch(r"[-+]?[\d.,]+(\s*[–-]\s*[-+]?[\d.,]+)?", c), c
    assert {placed["note_1"], placed["note_2"]} | set(FORMULAS[2:]) <= \
        {c[1:].split(" · ")[0] for c in escaped}
    assert any(re.fullmatch(r"-?\d+,\d+–-?\d+,\d+", c) for c in cells)  # intervals, as is
    table = pd.DataFrame({"tekst": ["=1+1", "+1+1", "-2+3+cmd|x", "@SUM(1)", "\tx", "\rx",
                                    "'s-Hertogenbosch", "-0,40–0,20", "-0,40", "+3 %", "-"],
                          "n": [1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11]})
    path = files.write_table_csv(table, tmp_path / "t.csv")
    written = pd.read_csv(path, keep_default_na=False)["tekst"].tolist()
    # a carriage return is written as the line break it is (\n): a lone \r would end the row
    assert written == ["'=1+1", "'+1+1", "'-2+3+cmd|x", "'@SUM(1)", "'\tx", "'\nx",
                       "'s-Hertogenbosch", "-0,40–0,20", "-0,40", "+3 %", "'-"]
    back = files.read_table_csv(path)
    assert back["tekst"].tolist() == [t.replace("\r", "\n") for t in table["tekst"]]
    assert back["n"].tolist() == table["n"].tolist()


def test_a_control_character_in_a_table_does_not_break_the_workbook(tmp_path):
    (tmp_path / "tables" / "national").mkdir(parents=True)
    files.write_table_csv(pd.DataFrame({"t": ["a\x00b\x07c", "=1+1"]}),
                          tmp_path / "tables" / "national" / "t.csv")
    wb = load_workbook(outputs.collect_tables(tmp_path))
    assert [c.value for c in wb["national.t"]["A"]] == ["t", "a\ufffdb\ufffdc", "=1+1"]
    assert wb["national.t"]["A3"].data_type == "s"


# =========================================================================== 8. faults

@pytest.fixture
def light(small_study_master, tmp_path):
    """A small study under ``tmp/data/raw/s`` with light notebooks, and a marks folder."""
    shutil.copytree(small_study_master, tmp_path / "data" / "raw" / "s")
    (tmp_path / "marks").mkdir()
    return tmp_path, light_notebooks(tmp_path / "nb")


def _run_args(nb: Path, *more: str) -> list[str]:
    return ["run", "--study", "s", "--notebooks", str(nb), "--jobs", "2", "--no-progress",
            *more]


def _popen(tmp: Path, args: list[str], **extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hbomkb", *args], env=env(tmp, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_killed_run_takes_its_workers_and_kernels_with_it(light, sig):
    tmp, nb = light
    tag = uuid.uuid4().hex
    run = _popen(tmp, _run_args(nb), HBOMKB_TEST_MARKS=str(tmp / "marks"),
                 HBOMKB_TEST_SLEEP="45", HBOMKB_TEST_TAG=tag)
    try:
        assert wait_for(lambda: len(list((tmp / "marks").glob("started-*"))) == 2, 600), \
            run.stderr.read() if run.poll() is not None else "no notebook started"
        # the run, two workers and two kernels (and the pool's resource tracker)
        assert len(processes_tagged(tag)) >= 5
        os.kill(run.pid, sig)
        assert run.wait(timeout=120) == (130 if sig == signal.SIGINT else -signal.SIGKILL)
        left = wait_for(lambda: not processes_tagged(tag), 60)
        assert left, f"still running after the run was killed: {processes_tagged(tag)}"
    finally:
        for pid in processes_tagged(tag):
            os.kill(pid, signal.SIGKILL)
    before = snapshot(tmp / "reports", tmp / "figures")
    time.sleep(2)
    assert snapshot(tmp / "reports", tmp / "figures") == before  # nothing writes any more
    assert not list((tmp / "marks").glob("finished-*"))
    assert not (tmp / "reports" / "s" / "region-noord.html").exists()  # nothing half-published
    # the next run cleans up what the killed one left and publishes everything
    res = hbomkb(tmp, *_run_args(nb))
    assert res.returncode == 0, res.stderr
    assert not list((tmp / "reports" / "s").rglob(".staging"))
    assert not list((tmp / "figures" / "s").rglob(".staging"))


def test_a_second_run_on_the_same_reports_refuses_with_one_line(light):
    tmp, nb = light
    first = _popen(tmp, _run_args(nb), HBOMKB_TEST_MARKS=str(tmp / "marks"),
                   HBOMKB_TEST_SLEEP="8")
    try:
        assert wait_for(lambda: list((tmp / "marks").glob("started-*")), 600)
        second = hbomkb(tmp, *_run_args(nb, "--force"))
    finally:
        out, err = first.communicate(timeout=900)
    assert second.returncode == 2
    assert second.stdout == ""
    assert second.stderr.splitlines() == [second.stderr.strip()]  # one line
    assert f"another hbomkb run (pid {first.pid}, since " in second.stderr
    assert "nothing was done" in second.stderr
    # the first run did not notice: everything rendered, nothing failed
    assert first.returncode == 0, err
    assert "3 rendered, 0 unchanged, 0 failed" in out
    index = (tmp / "reports" / "s" / "index.html").read_text(encoding="utf-8")
    assert "MISLUKT" not in index and "in deze run gebouwd" in index
    assert (tmp / "reports" / "s" / lock.LOCK_FILE).read_text() == ""  # released, no stale pid


def _other_file_system(tmp: Path) -> Path:
    """A folder on another file system than ``tmp``: /dev/shm (a tmpfs), or skip."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp).st_dev:
        pytest.skip("no second file system: /dev/shm is missing or on the same device")
    folder = shm / f"hbomkb-test-{uuid.uuid4().hex}"
    folder.mkdir()
    return folder


def test_figures_on_another_file_system_publish_and_leftovers_are_cleaned(light, tmp_path):
    tmp, nb = light
    other = _other_file_system(tmp)
    try:
        # braces in the study folder's name are text, not papermill parameters
        (tmp / "data" / "raw" / "s").rename(tmp / "data" / "raw" / "s{ace}")
        reports, figures = tmp / "reports" / "s{ace}", other / "figures"
        # what an interrupted run leaves: staging, a temporary file, an old version set aside,
        # an old folder of replace_dir, and the private folder of a dead worker's kernel
        for junk in (reports / ".staging" / "national" / "x.ipynb",
                     reports / ".national.html.k2j3h4.tmp",
                     reports / "tables" / ".national.old" / "t.csv",
                     reports / ".index.html.0a1b2c3d.hbomkb-old",
                     figures / ".staging" / "national" / "nationaal-licht.png"):
            junk.parent.mkdir(parents=True, exist_ok=True)
            junk.write_text("x")
        dead = Path("/tmp") / f"{lock.KERNEL_DIR_PREFIX}4194305-test{uuid.uuid4().hex}"
        dead.mkdir()
        res = hbomkb(tmp, "run", "--study", "s{ace}", "--notebooks", str(nb), "--jobs", "2",
                     "--no-progress", "--figures", str(figures))
        assert res.returncode == 0, res.stderr
        assert "3 rendered, 0 unchanged, 0 failed" in res.stdout
        assert sorted(p.name for p in figures.iterdir()) == [
            ".lock", "nationaal-licht.png", "nationaal-licht.svg", "noord-licht.png",
            "noord-licht.svg", "oost-licht.png", "oost-licht.svg"]
        leftovers = [p for p in reports.rglob("*") if re.search(
            r"\.staging|\.tmp$|\.old$|hbomkb-old$", p.name)]
        assert leftovers == [] and not dead.exists()
        index = (reports / "index.html").read_text(encoding="utf-8")
        assert index.count("in deze run gebouwd") == 3
    finally:
        shutil.rmtree(other, ignore_errors=True)


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 12 MB tmpfs mounted at ``tmp_path/disk`` (root only), unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(disk)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({res.stderr.strip() or 'not root'}); "
                    "the disk-full case needs one")
    yield disk
    if subprocess.run(["umount", str(disk)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; returns the filler file."""
    filler = disk / "filler"
    with open(filler, "wb") as f:
        try:
            for size in (1 << 20, 1 << 12, 1):
                while True:
                    f.write(b"\0" * size)
                    f.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC
    return filler


def test_a_full_disk_keeps_the_last_good_reports_whole(light, small_tmpfs):
    tmp, nb = light
    reports = small_tmpfs / "reports"
    args = _run_args(nb, "--out", str(reports))
    first = hbomkb(tmp, *args)
    assert first.returncode == 0, first.stderr
    published = {k: v for k, v in snapshot(reports).items()
                 if not k.startswith(("reports/logs/", "reports/.lock"))}
    filler = _fill(small_tmpfs)
    full = hbomkb(tmp, *args, "--force")
    assert full.returncode != 0
    assert "No space left on device" in full.stderr
    assert "Traceback" not in full.stderr and "Exception ignored" not in full.stderr
    after = snapshot(reports)
    # every report whole: all its files the old version, or (where a failed worker's cleanup
    # freed enough space for another to publish) all the new one, never half of each
    for name in ("region-noord", "region-oost", "national"):
        pages = [f"reports/{name}{suffix}" for suffix in (".html", "-review.html", ".ipynb")]
        same = [after.get(p) == published[p] for p in pages]
        assert all(same) or not any(same), f"{name}: half old, half new on a full disk"
        nbformat.reads(after[pages[2]].decode(), as_version=4)
        assert b"Licht" in after[pages[0]] and b"Licht" in after[pages[1]]
    assert all(after.get(name) for name in published)  # nothing lost, nothing emptied
    assert not [k for k in after if re.search(r"\.staging/|\.tmp$|hbomkb-old", k)]
    assert all(after[k] for k in after if k.startswith("reports/failed/"))  # no 0-byte notebook
    filler.unlink()
    again = hbomkb(tmp, *args, "--force")
    assert again.returncode == 0, again.stderr
    assert not [p for p in reports.rglob("*") if re.search(r"\.tmp$|hbomkb-old$", p.name)]
    assert not (reports / ".staging").exists()


def test_a_failed_notebook_is_never_kept_empty_or_cut_off(tmp_path):
    job = report_run.Job("region-noord", tmp_path / "nb.ipynb", {})
    for text in ("", '{"cells": [', "niet eens json"):
        out = tmp_path / "out.ipynb"
        out.write_text(text)
        assert report_run._keep_failed(job, tmp_path, out) is None
    nb = nbformat.v4.new_notebook()
    nbformat.write(nb, out)
    kept = report_run._keep_failed(job, tmp_path, out)
    assert kept == tmp_path / "failed" / "region-noord.ipynb"
    assert nbformat.read(kept, as_version=4) == nb


def test_replace_together_undoes_every_step_when_one_fails(tmp_path, monkeypatch):
    old = {tmp_path / "a.html": "oud a", tmp_path / "b.html": "oud b"}
    for p, t in old.items():
        p.write_text(t)
    (tmp_path / "tabel").mkdir()
    (tmp_path / "tabel" / "t.csv").write_text("oud")
    stage = tmp_path / ".staging"
    (stage / "tabel").mkdir(parents=True)
    (stage / "tabel" / "t.csv").write_text("nieuw")
    for name in ("a.html", "b.html", "c.html"):
        (stage / name).write_text(f"nieuw {name}")
    moves = [(stage / n, tmp_path / n) for n in ("a.html", "tabel", "b.html", "c.html")]
    real, count = os.replace, []

    def fails_at_the_sixth(src, dst):
        count.append(1)
        if len(count) == 6:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", fails_at_the_sixth)
    with pytest.raises(OSError, match="cross-device"):
        files.replace_together(moves, remove=[tmp_path / "a.html"])
    monkeypatch.setattr(os, "replace", real)
    assert {p: p.read_text() for p in old} == old
    assert (tmp_path / "tabel" / "t.csv").read_text() == "oud"
    assert not (tmp_path / "c.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".staging", "a.html", "b.html",
                                                          "tabel"]
    assert sorted(p.name for p in stage.iterdir()) == ["a.html", "b.html", "c.html", "tabel"]
    files.replace_together(moves)
    assert (tmp_path / "tabel" / "t.csv").read_text() == "nieuw"
    assert not list(tmp_path.glob(".*hbomkb-old"))


def test_a_swap_cut_off_half_way_is_put_back_on_the_next_run(tmp_path):
    (tmp_path / ".national.html.0a1b2c3d.hbomkb-old").write_text("laatste goede")
    (tmp_path / ".region-noord.html.0a1b2c3d.hbomkb-old").write_text("oud")
    (tmp_path / "region-noord.html").write_text("nieuw")  # the swap got this far
    files.clean_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["national.html", "region-noord.html"]
    assert (tmp_path / "national.html").read_text() == "laatste goede"
    assert (tmp_path / "region-noord.html").read_text() == "nieuw"


def test_move_file_crosses_file_systems(tmp_path):
    other = _other_file_system(tmp_path)
    try:
        src = tmp_path / "a.png"
        src.write_bytes(b"png")
        files.move_file(src, other / "a.png")
        assert (other / "a.png").read_bytes() == b"png" and not src.exists()
        assert [p.name for p in other.iterdir()] == ["a.png"]
    finally:
        shutil.rmtree(other, ignore_errors=True)


# ================================================================ 9. byte-identical reruns

# the time of the run as ISO 8601, its colons escaped for Markdown (and again in JSON) or not
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d(\\*:\d\d){2}(Z|[+-]\d\d\\*:\d\d)?")
SHOWN_TIME = re.compile(r"\d\d-\d\d-\d{4} \d\d:\d\d")


def _same_but_stamps(key: str, old: bytes, new: bytes) -> None:
    """Assert ``old`` and ``new`` differ only in the lines (or, in a zip, the members' lines)
    that carry the time of the run."""
    if key.endswith(".pptx"):
        with zipfile.ZipFile(io.BytesIO(old)) as a, zipfile.ZipFile(io.BytesIO(new)) as b:
            assert a.namelist() == b.namelist(), key
            for name in a.namelist():
                if a.read(name) != b.read(name):
                    _same_but_stamps(f"{key}:{name}", a.read(name), b.read(name))
        return
    old_lines, new_lines = old.decode().splitlines(), new.decode().splitlines()
    assert len(old_lines) == len(new_lines), key
    for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)):
        if a == b:
            continue
        if key.endswith("manifest.json"):
            assert re.search(r'"(finished|seconds)"', a), (key, a)
        elif key.endswith("deck.json"):
            assert re.search(r'\.pptx": "[0-9a-f]{64}"', a), (key, a)  # the deck's hash
        else:
            # (the index also shows each report's build time as a reader reads it)
            a_, b_ = (SHOWN_TIME.sub("t", x) if key.endswith("index.html") else x
                      for x in (a, b))
            assert STAMP.search(a) and STAMP.sub("T", a_) == STAMP.sub("T", b_), (key, a)
            if key.endswith((".html", ".ipynb")) and "index" not in key:
                # the provenance row (in a page, its cells stand on lines of their own)
                assert "uitgevoerd op" in " ".join(old_lines[max(0, i - 2):i + 1]), (key, a)


def test_a_forced_rerun_gives_the_same_files_except_the_provenance_stamp(hostile):
    reports, figures, _ = hostile
    tmp = reports.parent.parent

    def published():
        # everything but the kernels' own stderr (logs/: diagnostics of the run, where a
        # kernel may or may not mention the interrupt jupyter_client sends at shutdown)
        return {k: v for k, v in snapshot(reports, figures).items()
                if not k.startswith("hostile/logs/")}

    before = published()
    time.sleep(1.1)  # a second later: the stamps must differ, to show where they are
    res = hbomkb(tmp, "run", "--study", "hostile", "--jobs", "2", "--no-progress", "--force")
    assert res.returncode == 0, res.stderr
    after = published()
    assert sorted(after) == sorted(before)
    changed = sorted(k for k in after if after[k] != before[k])
    # Exactly these differ, each only where it carries the time of the run:
    # - every report (notebook, full and reviewer page): the provenance row "uitgevoerd op";
    # - index.html: the column "laatst geslaagd" of each report;
    # - manifest.json: "finished" and "seconds" of each report (the run's own bookkeeping);
    # - the deck, where one was written: it quotes the national report's stamp (document
    #   properties, title slide), and its key in .published/deck.json is its hash.
    pages = [f"hostile/{n}{s}" for n in ("national", "region-noord", "region-oost")
             for s in (".html", ".ipynb", "-review.html")]
    deck = [k for k in after if k.endswith(".pptx")]
    deck += ["hostile/.published/deck.json"] if deck else []
    assert changed == sorted(pages + deck + ["hostile/index.html", "hostile/manifest.json"])
    for key in changed:
        _same_but_stamps(key, before[key], after[key])
    nb = nbformat.read(reports / "region-noord.ipynb", as_version=4)
    assert [c.id for c in nb.cells][:3] == ["10-00", "10-01", "injected-parameters"]
    assert "start_time" not in nb.metadata.papermill and "end_time" not in nb.metadata.papermill


# ================================================================ 10. a safe terminal

def test_problems_and_messages_print_control_characters_escaped():
    p = Problem("workshops/noord\x1b[2J.xlsx", "outcome_notes", 4, "note",
                "unknown cluster 'X\x1b]0;pwned\x07\rY\u202e'")
    line = str(p)
    assert "\x1b" not in line and "\x07" not in line and "\r" not in line
    assert "\u202e" not in line and "\n" not in line
    assert "noord\\x1b[2J.xlsx" in line and "\\u202e" in line
    assert printable("regel 1\nregel 2\x1b", newlines=True) == "regel 1\nregel 2\\x1b"


def test_validate_prints_escape_sequences_in_a_file_name_escaped(small_study, tmp_path):
    # a workbook copied in under a name that would clear the screen and turn it red
    name = "zuid\x1b[2J\x1b[31m.xlsx"
    shutil.copy(small_study / "workshops" / "oost.xlsx", small_study / "workshops" / name)
    res = subprocess.run([sys.executable, "-m", "hbomkb", "validate", "--study",
                          str(small_study)], env=env(tmp_path), capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 2
    assert "\x1b" not in res.stderr + res.stdout
    assert "workshops/zuid\\x1b[2J\\x1b[31m.xlsx:" in res.stderr


def test_a_parse_error_does_not_echo_the_record_it_could_not_read(tmp_path):
    study = generate(tmp_path / "s", seed=3, regions=["noord"])
    path = study / "survey" / "responses.csv"
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
    # a record cut short, with an e-mail address early in it
    lines[2] = sep.join(lines[2].split(sep)[:2] + ['"jan.jansen@pwned.example"'])
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    res = subprocess.run([sys.executable, "-m", "hbomkb", "validate", "--study", str(study)],
                         env=env(tmp_path), capture_output=True, text=True, timeout=600)
    assert res.returncode == 2 and "responses.csv" in res.stderr
    assert "jan.jans" not in res.stderr and "pwned" not in res.stderr
