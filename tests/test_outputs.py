"""What a run publishes besides the reports: tables.xlsx, index.html, the figures folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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
    names = outputs.sheet_names(["a" * 40, "a" * 35, "inhoud"])
    assert len(set(n.lower() for n in names)) == 3
    assert all(len(n) <= 31 for n in names)
    assert "inhoud" not in names


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
        (reports / f"{name}.html").write_text("x")
    _write(reports, "national", "top3", pd.DataFrame({"n": [1]}))
    outputs.collect_tables(reports)
    page = outputs.write_index(study, reports, figures, [
        _Outcome("region-noord", "ok"), _Outcome("region-oost", "failed", "<img src=x>"),
        _Outcome("national", "skipped")],
        {"region-noord": {"finished": "2018-04-19T10:00:00+02:00"}}).read_text(encoding="utf-8")
    for href in ("region-noord.html", "region-noord-review.html", "region-noord.ipynb",
                 "national.html", "tables.xlsx", "tables/national/top3.csv", "../figures"):
        assert f'href="{href}"' in page
    assert "<script>" not in page and "Studie &lt;script&gt;" in page
    assert "Regio Noord &amp; &lt;b&gt;Zee&lt;/b&gt;" in page
    assert "<img src=x>" not in page and "&lt;img src=x&gt;" in page
    assert "SYNTHETISCHE DATA" in page  # the banner is the one piece of markup let through
    assert page.count("MISLUKT") == 1 and "ongewijzigd" in page and "bijgewerkt" in page
    assert "2018-04-19T10:00:00+02:00" in page
    assert 'href="region-oost.html"' not in page  # never rendered: nothing to link


def test_a_report_that_drops_a_figure_takes_its_old_files_away(tmp_path):
    figures, listing = tmp_path / "figures", tmp_path / "reports" / ".published" / "national.json"
    figures.mkdir()
    (figures / "noord-a.png").write_text("another report's figure")
    for names in (["nationaal-a.png", "nationaal-a.svg", "nationaal-b.png"], ["nationaal-b.png"]):
        staged = tmp_path / "staging"
        staged.mkdir()
        for name in names:
            (staged / name).write_text(name)
        assert outputs.publish_figures(staged, figures, listing) == sorted(names)
        staged.rmdir()  # everything moved
    assert sorted(p.name for p in figures.iterdir()) == ["nationaal-b.png", "noord-a.png"]
