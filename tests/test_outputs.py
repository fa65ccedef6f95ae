"""What a run publishes besides the reports: tables.xlsx, index.html, the figures folder."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from hbomkb import config
from hbomkb.config import Region, Study
from hbomkb.publish import outputs


def _write(reports_dir: Path, report: str, name: str, df: pd.DataFrame) -> None:
    (reports_dir / "tables" / report).mkdir(parents=True, exist_ok=True)
    df.to_csv(reports_dir / "tables" / report / f"{name}.csv", index=False)


def test_collect_tables_builds_one_workbook_with_contents(tmp_path):
    for rep, name, df in [("region-noord", "top3", pd.DataFrame({"rang": [1, 2]})),
                          ("national", "top3", pd.DataFrame({"code": ["H01"], "n": [3]})),
                          ("national", "x" * 40, pd.DataFrame({"a": [1.5]}))]:
        _write(tmp_path, rep, name, df)
    path = outputs.collect_tables(tmp_path)
    sheets = pd.read_excel(path, sheet_name=None)
    contents = sheets["inhoud"]
    assert len(contents) == 3
    assert all(len(s) <= 31 for s in sheets)
    assert len(set(sheets)) == 4
    row = contents[contents["csv"] == "tables/national/top3.csv"].iloc[0]
    pd.testing.assert_frame_equal(sheets[row["blad"]], pd.DataFrame({"code": ["H01"], "n": [3]}))


def test_an_english_study_gets_an_english_contents_sheet(tmp_path):
    _write(tmp_path, "national", "contents", pd.DataFrame({"n": [1]}))
    sheets = pd.read_excel(outputs.collect_tables(tmp_path, "en"), sheet_name=None)
    assert list(sheets)[0] == "contents"
    assert list(sheets["contents"].columns) == ["sheet", "report", "table", "csv"]
    # a table named like the contents sheet does not take its name
    assert sheets["contents"]["sheet"].tolist() == ["national.contents"]


def test_workbook_sheets_follow_reports_and_tables_and_keep_empty_fields_empty(tmp_path):
    for rep in ("region-noord", "national"):
        _write(tmp_path, rep, "top3", pd.DataFrame({"n": [1 if rep != "national" else 7]}))
    (tmp_path / "tables" / "national" / "extra.csv").write_text("a,b\nx,\n", encoding="utf-8")
    sheets = pd.read_excel(outputs.collect_tables(tmp_path), sheet_name=None)
    assert list(sheets) == ["inhoud", "national.extra", "national.top3", "noord.top3"]
    assert sheets["national.top3"]["n"].tolist() == [7]
    assert sheets["noord.top3"]["n"].tolist() == [1]
    assert sheets["national.extra"]["a"].tolist() == ["x"]
    assert sheets["national.extra"]["b"].isna().all()  # an empty CSV field stays empty


def test_the_same_tables_give_the_same_workbook_and_no_tables_none(tmp_path):
    _write(tmp_path, "national", "top3", pd.DataFrame({"code": ["H01"], "n": [3]}))
    first = outputs.collect_tables(tmp_path).read_bytes()
    assert outputs.collect_tables(tmp_path).read_bytes() == first
    (tmp_path / "tables" / "national" / "top3.csv").unlink()
    assert outputs.collect_tables(tmp_path) is None
    assert not (tmp_path / "tables.xlsx").exists()


def test_sheet_names_stay_unique_when_cut_to_31_characters():
    names = outputs.sheet_names(["a" * 40, "a" * 35, "inhoud", "History", "A" * 31])
    assert len(set(n.lower() for n in names)) == 5
    assert all(len(n) <= 31 for n in names)
    assert "inhoud" not in names and "history" not in [n.lower() for n in names]


def test_sheet_names_are_the_tables_names_shortened_word_by_word_and_valid_for_excel():
    names = outputs.sheet_names([
        "national.kwadranten-outcome-hbo",  # 31: as it is
        "west-noord.gemeenschappelijke-grond",  # 35: the longest word gives way
        "zeeland-en-west-brabant.landschap-hbo",  # a long region gives way before the table
        "noord.a[b]:c*d?e/f\\g", "'noord.x'"])
    assert names[0] == "national.kwadranten-outcome-hbo"
    assert names[1] == "west-noord.gemeenschappel-grond"
    assert names[2].endswith(".landschap-hbo") and names[2].startswith("zeel")
    assert names[3] == "noord.a-b--c-d-e-f-g"
    assert names[4] == "noord.x"
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)


def test_the_workbook_names_its_sheets_readably_without_the_contents_sheet(tmp_path):
    for rep, name in [("region-west-noord", "gemeenschappelijke-grond"),
                      ("region-west-noord", "gemeenschappelijke-grond-mkb"),
                      ("national", "kwadranten-outcome-hbo")]:
        _write(tmp_path, rep, name, pd.DataFrame({"n": [1]}))
    sheets = pd.read_excel(outputs.collect_tables(tmp_path), sheet_name=None)
    assert list(sheets) == ["inhoud", "national.kwadranten-outcome-hbo",
                            "west-noord.gemeenscha-grond-mkb",
                            "west-noord.gemeenschappel-grond"]
    assert sheets["inhoud"]["blad"].tolist() == list(sheets)[1:]


@dataclass
class _Outcome:
    name: str
    status: str
    error: str = ""

    def describe(self) -> str:
        return f"{self.name}: failed: {self.error}" if self.status == "failed" else self.name


def test_index_links_every_report_and_escapes_text_from_data(tmp_path):
    study = Study(root=tmp_path / "demo", name="t", title="Studie <script>x</script>",
                  synthetic=True, regions=(Region("noord", "Noord & <b>Zee</b>"),
                                           Region("oost", "Oost")))
    reports, figures = tmp_path / "reports", tmp_path / "figures"
    for name in ("region-noord", "national"):
        reports.mkdir(exist_ok=True)
        for suffix in (".html", "-review.html", ".ipynb"):
            (reports / f"{name}{suffix}").write_text("x")
    _write(reports, "national", "top3", pd.DataFrame({"n": [1]}))
    outputs.collect_tables(reports)
    (reports / "figures").mkdir()
    for f in ("nationaal-kaart.png", "nationaal-kaart.svg"):
        (reports / "figures" / f).write_text("x")
    page = outputs.write_index(study, reports, figures, [
        _Outcome("region-noord", "ok"), _Outcome("region-oost", "failed", "<img src=x>"),
        _Outcome("national", "skipped")],
        {"region-noord": {"finished": "2018-04-19T10:00:00+02:00"},
         "national": {"finished": "2018-04-18T09:00:00+02:00"}}).read_text(encoding="utf-8")
    for href in ("region-noord.html", "region-noord-review.html", "region-noord.ipynb",
                 "national.html", "tables.xlsx", "tables/national/top3.csv", "figures/"):
        assert f'href="{href}"' in page
    assert "PNG en SVG van elke figuur (1)" in page
    assert "<script>" not in page and "Studie &lt;script&gt;" in page
    assert "Regio Noord &amp; &lt;b&gt;Zee&lt;/b&gt;" in page
    assert "<img src=x>" not in page and "&lt;img src=x&gt;" in page
    assert "SYNTHETISCHE DATA" in page  # the banner is the one piece of markup let through
    assert page.count("MISLUKT") == 1 and "ongewijzigd" not in page
    assert '<time datetime="2018-04-19T10:00:00+02:00"' in page
    assert 'href="region-oost.html"' not in page  # never rendered: nothing to link
    assert links_outside(reports) == []


def links_outside(folder: Path) -> list[str]:
    """Every href and src of the HTML pages in ``folder`` (and below) that does not name a
    file inside ``folder``: not a ``data:`` URL, not an anchor in the page, and resolving
    outside ``folder`` or to nothing. An empty list: the folder can be zipped and sent."""
    bad = []
    root = folder.resolve()
    for page in sorted(folder.rglob("*.html")):
        links: list[str] = []
        tags = re.findall(r"<[a-zA-Z][^>]*>", page.read_text(encoding="utf-8"))
        for tag in tags:
            for quoted, single, bare in re.findall(
                    r"""[\s:](?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", tag):
                links.append(quoted or single or bare)
        for link in links:
            if link.startswith(("data:", "#")):
                continue
            target = (page.parent / link.split("#")[0].split("?")[0]).resolve()
            if "://" in link or link.startswith("/") or not target.is_relative_to(root) \
                    or not target.exists():
                bad.append(f"{page.relative_to(folder)}: {link}")
    return bad


def test_the_index_shows_when_each_report_was_last_built_whatever_this_run_did(tmp_path):
    study = Study(root=tmp_path / "demo", name="t", title="T", synthetic=False,
                  regions=(Region("noord", "Noord"), Region("oost", "Oost")))
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("region-noord", "region-oost", "national"):
        (reports / f"{name}.html").write_text("x")
    page = outputs.write_index(study, reports, tmp_path / "figures", [
        _Outcome("region-noord", "skipped"), _Outcome("region-oost", "not_run"),
        _Outcome("national", "ok")],
        {"region-noord": {"finished": "2018-04-19T10:00:00+02:00"},
         "region-oost": {"finished": "2018-04-17T08:05:00+02:00"},
         "national": {"finished": "2018-04-20T11:30:00+02:00"}}).read_text(encoding="utf-8")
    rows = dict(re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", page, re.S))
    assert '<time datetime="2018-04-19T10:00:00+02:00"' in rows["Regio Noord"]
    assert "19-04-2018 10:00" in rows["Regio Noord"]  # readable, in the time it was built
    assert "niet opnieuw gebouwd" in rows["Regio Noord"]
    assert "17-04-2018 08:05" in rows["Regio Oost"] and "niet in deze run" in rows["Regio Oost"]
    assert "20-04-2018 11:30" in rows["Nationaal"] and "in deze run gebouwd" in rows["Nationaal"]
    assert "ongewijzigd" not in page
    english = Study(root=tmp_path / "demo", name="t", title="T", language="en",
                    regions=(Region("noord", "Noord"),))
    page = outputs.write_index(english, reports, tmp_path / "figures",
                               [_Outcome("region-noord", "skipped")],
                               {"region-noord": {"finished": "2018-04-19T10:00:00+02:00"}}
                               ).read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "2018-04-19 10:00" in page and "Region Noord" in page


def test_the_index_names_no_folder_of_this_machine_in_a_failure(tmp_path):
    study = Study(root=tmp_path / "studies" / "demo", name="t", title="T", synthetic=False,
                  regions=(Region("noord", "Noord"),))
    reports = tmp_path / "reports"
    reports.mkdir()
    error = (f"FileNotFoundError: '{study.root / 'survey' / 'x.csv'}' "
             f"in {config.PROJECT_DIR / 'hbomkb' / 'notebook.py'} and {tmp_path / 'elders'}")
    page = outputs.write_index(study, reports, tmp_path / "figures",
                               [_Outcome("region-noord", "failed", error)], {}
                               ).read_text(encoding="utf-8")
    assert "demo/survey/x.csv" in page and "hbomkb/notebook.py" in page
    assert str(tmp_path) not in page and str(config.PROJECT_DIR) not in page
    assert "/tmp/" not in page


def _publish(reports: Path, figures: Path, name: str, figure_names: list[str] | dict[str, str],
             html: str = "nieuw") -> list[str]:
    """Publish report ``name`` with figures ``figure_names`` (each holding its own name as
    text, or the text a dict gives it)."""
    staging, staged_figures = reports / ".staging" / name, figures / ".staging" / name
    staged_figures.mkdir(parents=True)
    contents = figure_names if isinstance(figure_names, dict) else {f: f for f in figure_names}
    for f, text in contents.items():
        (staged_figures / f).write_text(text)
    (staging / "tables" / name).mkdir(parents=True)
    (staging / "tables" / name / "t.csv").write_text("n\n1\n")
    return outputs.publish_report(name, reports, figures, {f"{name}.html": html}, staging,
                                  staged_figures)


def test_a_report_that_drops_a_figure_takes_its_old_files_away(tmp_path):
    reports, figures = tmp_path / "reports", tmp_path / "figures"
    figures.mkdir()
    (figures / "noord-a.png").write_text("another report's figure")
    for names in (["nationaal-a.png", "nationaal-a.svg", "nationaal-b.png"], ["nationaal-b.png"]):
        assert _publish(reports, figures, "national", names) == sorted(names)
        assert not any((figures / ".staging" / "national").iterdir())  # everything moved
        shutil.rmtree(reports / ".staging")
        shutil.rmtree(figures / ".staging")
    assert sorted(p.name for p in figures.iterdir()) == ["nationaal-b.png", "noord-a.png"]
    assert (reports / "national.html").read_text() == "nieuw"
    assert (reports / "tables" / "national" / "t.csv").is_file()


def test_the_reports_folder_holds_a_copy_of_each_figure_written_only_when_it_changed(tmp_path):
    reports, figures = tmp_path / "reports", tmp_path / "figures"
    copies = reports / outputs.FIGURES

    def publish(contents: dict[str, str]) -> dict[str, tuple[int, int]]:
        _publish(reports, figures, "national", contents)
        shutil.rmtree(reports / ".staging")
        shutil.rmtree(figures / ".staging")
        assert sorted(p.name for p in copies.iterdir()) == sorted(contents)
        for f, text in contents.items():
            assert (copies / f).read_text() == text == (figures / f).read_text()
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in copies.iterdir()}

    first = publish({"nationaal-a.png": "a", "nationaal-b.png": "b"})
    second = publish({"nationaal-a.png": "a", "nationaal-c.png": "c"})
    assert second["nationaal-a.png"] == first["nationaal-a.png"]  # same bytes: left alone
    third = publish({"nationaal-a.png": "a, anders", "nationaal-c.png": "c"})
    assert third["nationaal-c.png"] == second["nationaal-c.png"]
    assert third["nationaal-a.png"] != second["nationaal-a.png"]


def test_publishing_a_report_is_all_or_nothing(tmp_path, monkeypatch):
    reports, figures = tmp_path / "reports", tmp_path / "figures"
    _publish(reports, figures, "national", ["nationaal-a.png", "nationaal-b.png"], html="oud")
    shutil.rmtree(reports / ".staging")
    shutil.rmtree(figures / ".staging")
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    real, calls = os.replace, []

    def full_disk_at_the_fifth_rename(src, dst):
        calls.append(dst)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", full_disk_at_the_fifth_rename)
    with pytest.raises(OSError, match="No space left"):
        _publish(reports, figures, "national", ["nationaal-b.png", "nationaal-c.png"],
                 html="nieuw")
    monkeypatch.setattr(os, "replace", real)
    shutil.rmtree(reports / ".staging")
    shutil.rmtree(figures / ".staging")
    after = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    assert after == before  # every file the old one, nothing set aside left behind


def test_the_index_never_calls_a_report_failed_while_a_good_version_is_published(tmp_path):
    study = Study(root=tmp_path / "demo", name="t", title="T", synthetic=False,
                  regions=(Region("noord", "Noord"), Region("oost", "Oost")))
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("region-noord", "region-oost"):
        (reports / f"{name}.html").write_text("x")
    os.utime(reports / "region-oost.html", (1524130200, 1524130200))  # 2018-04-19 09:30 UTC
    page = outputs.write_index(study, reports, tmp_path / "figures", [
        _Outcome("region-noord", "failed", "RuntimeError: kapot"),
        _Outcome("region-oost", "failed", "OSError: disk vol"),
        _Outcome("national", "failed", "KeyError: x")],
        {"region-noord": {"finished": "2018-04-19T10:00:00+02:00"}}).read_text(encoding="utf-8")
    rows = dict(re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", page, re.S))
    assert "laatste goede versie getoond" in rows["Regio Noord"]
    assert "2018-04-19T10:00:00+02:00" in rows["Regio Noord"]
    assert "deze run: region-noord: failed: RuntimeError: kapot" in rows["Regio Noord"]
    assert "laatste goede versie getoond" in rows["Regio Oost"]
    assert "2018-04-19" in rows["Regio Oost"]  # no manifest entry: the page's own date
    assert "MISLUKT" in rows["Nationaal"]  # nothing good published: failed it is
    assert page.count("MISLUKT") == 1
