"""HTML pieces of a report: tables the Dutch way, escaped text, the synthetic banner."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from hbomkb.config import Region, Study
from hbomkb.present.html import banner_html, figure_html, p_text, table_html


class _Cells(HTMLParser):
    """Caption, header and body cells of an HTML table, as a reader sees their text."""

    def __init__(self, page: str):
        super().__init__()
        self.caption, self.header, self.rows, self._in = "", [], [], None
        # how each header and body cell is aligned, as its own style attribute says
        self.header_align, self.row_align = [], []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and self._in != "caption":
            self.rows.append([])
            self.row_align.append([])
        if tag in ("caption", "th", "td"):
            self._in = tag
            style = dict(attrs).get("style") or ""
            align = style.split("text-align:")[1].split(";")[0].strip() if (
                "text-align:" in style) else None
            if tag == "th":
                self.header.append("")
                self.header_align.append(align)
            elif tag == "td":
                self.rows[-1].append("")
                self.row_align[-1].append(align)

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


def _body(page: str) -> list[list[str]]:
    return [r for r in _Cells(page).rows if r]


def test_p_values_below_0001_read_less_than_and_others_three_digits():
    df = pd.DataFrame({"kant": ["hbo", "mkb", "hbo"], "p": [0.0004, 0.0123, np.nan],
                       "p (Holm)": [1e-43, 1.0, 0.05], "r": [0.0004, 0.5, 0.25]})
    rows = _body(table_html(df, "t", decimals=2, decimal=","))
    assert [r[1] for r in rows] == ["< 0,001", "0,012", "–"]
    assert [r[2] for r in rows] == ["< 0,001", "1,000", "0,050"]
    assert [r[3] for r in rows] == ["0,00", "0,50", "0,25"]  # not a p-value: plain decimals
    assert [r[1] for r in _body(table_html(df, "t", decimal="."))][:2] == ["< 0.001", "0.012"]
    assert "&lt; 0,001" in table_html(df, "t", decimal=",")  # escaped, never a stray "<"
    assert p_text(0.001, ",") == "0,001" and p_text(0.000999, ".") == "< 0.001"
    assert p_text(None) == "" and p_text(np.nan) == ""


def test_whole_numbers_show_without_decimals():
    df = pd.DataFrame({"Borda": [262.0, 244.0], "vrijheidsgraden": [6.0, np.nan],
                       "gem. rang": [2.0, 2.5], "n": pd.array([56, 85], dtype="Int64"),
                       "mix": pd.Series([3, "< 3"], dtype=object)})
    rows = _body(table_html(df, "t", decimals=2, decimal=","))
    assert rows == [["262", "6", "2,00", "56", "3"], ["244", "–", "2,50", "85", "< 3"]]


def test_text_columns_are_left_aligned_and_numbers_right_aligned():
    df = pd.DataFrame({
        "kant": ["hbo", "mkb"],
        "notities (tekst)": ["Een lange tekst van een notitie · nog een", ""],
        "code": ["H01", None],
        "95%-interval": ["2,04–2,62", ""],
        "gedeeltelijk": pd.Series(["< 3", 4], dtype=object),
        "I": [7.5, np.nan], "n": pd.array([4, None], dtype="Int64"),
        "p": ["< 0,001", "0,012"],
    })
    cells = _Cells(table_html(df, "t", decimal=","))
    expected = ["left", "left", "left", "right", "right", "right", "right", "right"]
    assert cells.header_align == expected  # a heading sits over its column
    body = [a for a in cells.row_align if a]
    assert body == [expected, expected]


def test_aligned_tables_stay_escaped_without_styles_or_ids():
    df = pd.DataFrame({"tekst": ["<script>x</script>", "a & b"], "n": [1.5, 2]})
    page = table_html(df, "<i>t</i>")
    assert page == table_html(df.copy(), "<i>t</i>")  # same table, same HTML
    assert "<style" not in page and " id=" not in page and " class=" not in page.split(
        "\n", 1)[1]
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "a &amp; b" in page and "<caption>&lt;i&gt;t&lt;/i&gt;</caption>" in page


def test_banner_only_for_synthetic_studies_and_escapes_the_study_name(tmp_path):
    root = tmp_path / "<demo>"
    synthetic = Study(root=root, name="t", title="T", synthetic=True,
                      regions=(Region("noord", "Noord"),))
    assert "SYNTHETISCHE DATA" in banner_html(synthetic)
    assert "<code>&lt;demo&gt;</code>" in banner_html(synthetic)
    real = Study(root=Path(tmp_path / "echt"), name="t", title="T", synthetic=False)
    assert banner_html(real) == ""
    english = Study(root=root, name="t", title="T", synthetic=True, language="en",
                    regions=(Region("noord", "Noord"),))
    assert "SYNTHETIC DATA" in banner_html(english) and "SYNTHETISCHE" not in banner_html(
        english)
    assert "<code>&lt;demo&gt;</code>" in banner_html(english)


def test_figure_html_embeds_the_png_with_its_description():
    page = figure_html(b"\x89PNG", alt='Kansen "hbo"', caption="")
    assert 'src="data:image/png;base64,iVBORw==' in page
    assert 'alt="Kansen &quot;hbo&quot;"' in page
    assert "figcaption" not in page
