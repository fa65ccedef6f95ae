"""HTML pieces of a report: tables the Dutch way, escaped text, the synthetic banner."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from hbomkb.config import Region, Study
from hbomkb.present.html import banner_html, figure_html, table_html


class _Cells(HTMLParser):
    """Caption, header and body cells of an HTML table, as a reader sees their text."""

    def __init__(self, page: str):
        super().__init__()
        self.caption, self.header, self.rows, self._in = "", [], [], None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and self._in != "caption":
            self.rows.append([])
        if tag in ("caption", "th", "td"):
            self._in = tag
            if tag == "th":
                self.header.append("")
            elif tag == "td":
                self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "caption":
            self.caption += data
        elif self._in == "th":
            self.header[-1] += data
        elif self._in == "td":
            self.rows[-1][-1] += data


def test_table_html_formats_numbers_the_dutch_way_and_escapes_text():
    df = pd.DataFrame({"naam": ["<b>Stage</b>", None], "I": [7.5, np.nan],
                       "n": pd.array([4, None], dtype="Int64"), "gem.": [1.0, 2.345]})
    page = table_html(df, "Kansen & n", decimals=2, decimal=",")
    cells = _Cells(page)
    assert cells.caption == "Kansen & n"
    assert "<caption>Kansen &amp; n</caption>" in page
    assert cells.header == ["naam", "I", "n", "gem."]  # no index column
    assert [r for r in cells.rows if r] == [["<b>Stage</b>", "7,50", "4", "1,00"],
                                            ["–", "–", "–", "2,35"]]
    assert "&lt;b&gt;Stage&lt;/b&gt;" in page and "<b>" not in page
    assert [r for r in _Cells(table_html(df, "x", decimal=".")).rows if r][0][1] == "7.50"


def test_table_html_escapes_column_names_and_is_the_same_every_time():
    df = pd.DataFrame({"<script>": ["a"]})
    page = table_html(df, "t")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert table_html(df, "t") == page  # no generated ids


def test_banner_only_for_synthetic_studies_and_escapes_the_study_name(tmp_path):
    root = tmp_path / "<demo>"
    synthetic = Study(root=root, name="t", title="T", synthetic=True,
                      regions=(Region("noord", "Noord"),))
    assert "SYNTHETISCHE DATA" in banner_html(synthetic)
    assert "<code>&lt;demo&gt;</code>" in banner_html(synthetic)
    real = Study(root=Path(tmp_path / "echt"), name="t", title="T", synthetic=False)
    assert banner_html(real) == ""


def test_figure_html_embeds_the_png_with_its_description():
    page = figure_html(b"\x89PNG", alt='Kansen "hbo"', caption="")
    assert 'src="data:image/png;base64,iVBORw==' in page
    assert 'alt="Kansen &quot;hbo&quot;"' in page
    assert "figcaption" not in page
